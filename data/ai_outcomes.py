"""Were the AI reviewer's decisions right? Pure functions over the decisions and candle closes.

The price move after a decision is read from the close of the stored 1-minute candle that
opens at the minute holding (decision time + window). A REJECT is right when the price 4 h
later is below price_at_decision (the entry it vetoed would have lost), a CONFIRM when it is
above; an unchanged price is right for neither. SAFE and WARNING are shown, not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pandas as pd

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("4h", timedelta(hours=4)),
    ("24h", timedelta(hours=24)),
)
SCORED_WINDOW = "4h"
SCORED_DECISIONS = ("CONFIRM", "REJECT")

# What a decision's outcome is at one window.
RIGHT = "right"
WRONG = "wrong"
PENDING = "pending"  # the window has not passed yet
NO_CANDLE = "no candle"  # the window has passed but the collector stored no candle for that minute
NO_PRICE = "no price"  # the decision has no price_at_decision (a bot before v3.3.1, or null)
NOT_SCORED = "not scored"  # SAFE / WARNING: shown, not judged

OUTCOME_SUMMARY_COLUMNS = [
    "group",
    "decision",
    "decisions",
    "pending",
    "scored",
    "right",
    "hit_rate_pct",
    "hit_rate_1h_pct",
    "hit_rate_24h_pct",
    "avg_move_4h_pct",
]


def floor_minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def target_minute(decided_at: datetime, window: timedelta) -> datetime:
    """The open time of the 1-minute candle whose close is the price `window` after a decision."""
    return floor_minute(decided_at + window)


def judge(decision: str, price_at_decision: float, later_price: float) -> str | None:
    """right / wrong for CONFIRM and REJECT; None (not scored) for anything else."""
    if decision == "REJECT":
        return RIGHT if later_price < price_at_decision else WRONG
    if decision == "CONFIRM":
        return RIGHT if later_price > price_at_decision else WRONG
    return None


def candle_targets(decisions: pd.DataFrame) -> dict[str, list[datetime]]:
    """Per symbol, the candle minutes the outcomes need (every window of every decision)."""
    targets: dict[str, set[datetime]] = {}
    for row in decisions.itertuples(index=False):
        minutes = targets.setdefault(row.symbol, set())
        for _name, window in WINDOWS:
            minutes.add(target_minute(row.created_at.to_pydatetime(), window))
    return {symbol: sorted(minutes) for symbol, minutes in targets.items()}


def decision_outcomes(
    decisions: pd.DataFrame, closes: Mapping[str, Mapping[datetime, float]], now: datetime
) -> pd.DataFrame:
    """The decisions with, per window w, move_{w}_pct = (close then - price_at_decision) /
    price_at_decision x 100 (NaN when unknown) and outcome_{w} (right, wrong, pending, ...)."""
    frame = decisions.copy()
    for name, window in WINDOWS:
        moves, outcomes = [], []
        for row in decisions.itertuples(index=False):
            decided_at = row.created_at.to_pydatetime()
            price = row.price_at_decision
            later = closes.get(row.symbol, {}).get(target_minute(decided_at, window))
            has_price = price is not None and not pd.isna(price) and price > 0
            move = (later - price) / price * 100.0 if has_price and later is not None else float("nan")
            moves.append(move)
            if now < decided_at + window:
                outcome = PENDING
            elif row.decision not in SCORED_DECISIONS:
                outcome = NOT_SCORED
            elif not has_price:
                outcome = NO_PRICE
            elif later is None:
                outcome = NO_CANDLE
            else:
                outcome = judge(row.decision, price, later)
            outcomes.append(outcome)
        frame[f"move_{name}_pct"] = moves
        frame[f"outcome_{name}"] = outcomes
    return frame


def _hit_rate(outcomes: pd.Series) -> float:
    right = int((outcomes == RIGHT).sum())
    scored = right + int((outcomes == WRONG).sum())
    return right / scored * 100.0 if scored else float("nan")


def outcome_summary(outcomes: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Per group (regime, model_used, or None for all) and decision: how many, how many are
    pending at 4 h, scored at 4 h (right + wrong), right at 4 h, the hit rate right / scored at
    4 h (and at 1 h and 24 h beside it), and the mean 4 h move of those with a price."""
    rows = []
    if outcomes.empty:
        return pd.DataFrame(columns=OUTCOME_SUMMARY_COLUMNS)
    keys = outcomes[by].fillna("(none)").astype(str) if by else pd.Series("all", index=outcomes.index)
    for (group, decision), part in outcomes.groupby([keys, outcomes["decision"]], sort=True):
        scored_now = part[f"outcome_{SCORED_WINDOW}"]
        right = int((scored_now == RIGHT).sum())
        scored = right + int((scored_now == WRONG).sum())
        rows.append(
            {
                "group": group,
                "decision": decision,
                "decisions": len(part),
                "pending": int((scored_now == PENDING).sum()),
                "scored": scored,
                "right": right,
                "hit_rate_pct": _hit_rate(scored_now),
                "hit_rate_1h_pct": _hit_rate(part["outcome_1h"]),
                "hit_rate_24h_pct": _hit_rate(part["outcome_24h"]),
                "avg_move_4h_pct": float(part[f"move_{SCORED_WINDOW}_pct"].mean()),
            }
        )
    return pd.DataFrame(rows, columns=OUTCOME_SUMMARY_COLUMNS)


def decisions_per_day(decisions: pd.DataFrame, tz) -> pd.DataFrame:
    """Counts per display-time-zone day (rows, 'YYYY-MM-DD') and decision (columns)."""
    if decisions.empty:
        return pd.DataFrame()
    days = decisions["created_at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    return pd.crosstab(days, decisions["decision"]).sort_index()


CONFIDENCE_BINS = tuple(range(0, 100, 10))  # 0-9, 10-19, ..., 90-100


def confidence_distribution(decisions: pd.DataFrame) -> pd.DataFrame:
    """Counts per confidence band (rows: 0, 10, ..., 90; 90 holds 90-100) and decision."""
    known = decisions.dropna(subset=["confidence"])
    known = known[(known["confidence"] >= 0) & (known["confidence"] <= 100)]
    if known.empty:
        return pd.DataFrame()
    bands = (known["confidence"].astype(int) // 10 * 10).clip(upper=90)
    table = pd.crosstab(bands, known["decision"])
    return table.reindex(CONFIDENCE_BINS, fill_value=0)


def per_model(decisions: pd.DataFrame) -> pd.DataFrame:
    """Per model_used: decisions of each kind, the total and the mean confidence."""
    if decisions.empty:
        return pd.DataFrame()
    models = decisions["model_used"].fillna("(unknown)")
    table = pd.crosstab(models, decisions["decision"])
    table["total"] = table.sum(axis=1)
    table["avg_confidence"] = decisions.groupby(models)["confidence"].mean()
    return table.sort_values("total", ascending=False)
