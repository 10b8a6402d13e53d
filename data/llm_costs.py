"""LLM usage and cost, summarised: pure functions over the ledger (`llm_usage_events`) and the
provider's bills (`llm_provider_cost_snapshots`)."""

from __future__ import annotations

import pandas as pd

USAGE_GROUPS = ("route", "feature", "model")
USAGE_SUMMARY_COLUMNS = [
    "group",
    "calls",
    "errors",
    "error_rate_pct",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost_usd",
    "latency_p50_ms",
    "latency_p95_ms",
]
RECONCILIATION_COLUMNS = [
    "provider",
    "window_start",
    "window_end",
    "billed_usd",
    "ledger_usd",
    "difference_usd",
    "difference_pct",
]
BUCKETS = {"hour": "h", "day": "D"}


def _tokens(events: pd.DataFrame) -> pd.Series:
    """total_tokens, or input + output where the bot left total_tokens empty."""
    summed = events["input_tokens"].fillna(0) + events["output_tokens"].fillna(0)
    return events["total_tokens"].fillna(summed)


def _summary_row(group: str, part: pd.DataFrame) -> dict:
    calls = len(part)
    errors = int((part["status"] == "error").sum())
    latency = part["latency_ms"].dropna()
    return {
        "group": group,
        "calls": calls,
        "errors": errors,
        "error_rate_pct": errors / calls * 100.0 if calls else float("nan"),
        "input_tokens": int(part["input_tokens"].fillna(0).sum()),
        "output_tokens": int(part["output_tokens"].fillna(0).sum()),
        "total_tokens": int(_tokens(part).sum()),
        "cost_usd": float(part["estimated_cost_usd"].fillna(0).sum()),
        "latency_p50_ms": float(latency.quantile(0.5)) if len(latency) else float("nan"),
        "latency_p95_ms": float(latency.quantile(0.95)) if len(latency) else float("nan"),
    }


def usage_summary(events: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Per route, feature or model (None: one row for all calls): calls, errors (status
    'error'), error rate = errors / calls x 100, tokens, estimated USD cost, and latency p50 /
    p95 (linear interpolation between ranks) over the calls that recorded one. Most calls first."""
    if events.empty:
        return pd.DataFrame(columns=USAGE_SUMMARY_COLUMNS)
    if by is None:
        return pd.DataFrame([_summary_row("all", events)], columns=USAGE_SUMMARY_COLUMNS)
    keys = events[by].fillna("(none)").astype(str)
    rows = [_summary_row(group, part) for group, part in events.groupby(keys, sort=True)]
    frame = pd.DataFrame(rows, columns=USAGE_SUMMARY_COLUMNS)
    return frame.sort_values(["calls", "group"], ascending=[False, True], kind="stable").reset_index(drop=True)


def usage_over_time(events: pd.DataFrame, bucket: str, tz) -> pd.DataFrame:
    """Calls, errors and estimated cost per display-time-zone hour or day (index: the bucket's
    local start as text)."""
    if events.empty:
        return pd.DataFrame(columns=["calls", "errors", "cost_usd"])
    local = events["created_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.floor(BUCKETS[bucket])
    labels = local.dt.strftime("%Y-%m-%d %H:00" if bucket == "hour" else "%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "calls": 1,
            "errors": (events["status"] == "error").astype(int),
            "cost_usd": events["estimated_cost_usd"].fillna(0.0),
        }
    )
    return frame.groupby(labels.values).sum().sort_index()


def reconcile(snapshots: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Each provider bill against the ledger: ledger_usd = the sum of estimated_cost_usd of the
    calls of that provider (any provider when the bill names none) made in [window_start,
    window_end); difference = billed - ledger; difference_pct = difference / billed x 100
    (NaN when nothing was billed)."""
    rows = []
    for bill in snapshots.itertuples(index=False):
        in_window = (ledger["created_at"] >= bill.window_start) & (ledger["created_at"] < bill.window_end)
        if isinstance(bill.provider, str) and bill.provider:
            in_window &= ledger["provider"] == bill.provider
        billed = float(bill.cost_usd) if not pd.isna(bill.cost_usd) else float("nan")
        recorded = float(ledger.loc[in_window, "estimated_cost_usd"].fillna(0).sum())
        difference = billed - recorded
        rows.append(
            {
                "provider": bill.provider if isinstance(bill.provider, str) else "(any)",
                "window_start": bill.window_start,
                "window_end": bill.window_end,
                "billed_usd": billed,
                "ledger_usd": recorded,
                "difference_usd": difference,
                "difference_pct": difference / billed * 100.0 if billed else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)
