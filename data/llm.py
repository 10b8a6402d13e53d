"""The bot's LLM ledger (v3.3.2+): every LLM call (`llm_usage_events`), what the provider billed
for a window (`llm_provider_cost_snapshots`) and the provider balance (`llm_credit_snapshots`).

Each table may be absent (a bot before v3.3.2): callers ask SchemaFeatures first. Every read is
bounded by a time window and a row limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.tables import llm_credit_snapshots, llm_provider_cost_snapshots, llm_usage_events

MAX_USAGE_EVENTS = 50_000
MAX_COST_SNAPSHOTS = 500
MAX_CREDIT_READINGS = 50
# A billed window may start before the look-back; its ledger is read back at most this far.
MAX_RECONCILED_SPAN = timedelta(days=62)

USAGE_COLUMNS = [
    "created_at",
    "route",
    "feature",
    "provider",
    "model",
    "status",
    "error_type",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "estimated_cost_usd",
    "latency_ms",
]
COST_SNAPSHOT_COLUMNS = ["created_at", "provider", "window_start", "window_end", "cost_usd", "currency"]
CREDIT_COLUMNS = ["created_at", "provider", "balance_usd", "balance_unit", "source"]
LEDGER_COLUMNS = ["created_at", "provider", "estimated_cost_usd"]
_NUMERIC_USAGE = ("input_tokens", "output_tokens", "total_tokens", "estimated_cost_usd", "latency_ms")


@dataclass(frozen=True)
class UsageRecords:
    frame: pd.DataFrame
    capped: bool


def _times(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    for name in names:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def fetch_usage_events(conn: Connection, since: datetime, limit: int = MAX_USAGE_EVENTS) -> UsageRecords:
    """LLM calls made at or after `since` (the newest `limit`), oldest first."""
    ue = llm_usage_events
    query = (
        sa.select(*(ue.c[name] for name in USAGE_COLUMNS))
        .where(ue.c.created_at >= since)
        .order_by(ue.c.created_at.desc())
        .limit(limit + 1)
    )
    rows = conn.execute(query).all()
    frame = pd.DataFrame(rows[:limit], columns=USAGE_COLUMNS).iloc[::-1].reset_index(drop=True)
    for name in _NUMERIC_USAGE:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return UsageRecords(_times(frame, "created_at"), len(rows) > limit)


def fetch_cost_snapshots(conn: Connection, since: datetime, limit: int = MAX_COST_SNAPSHOTS) -> pd.DataFrame:
    """Provider bills whose window ends after `since`, newest window first."""
    cs = llm_provider_cost_snapshots
    query = (
        sa.select(*(cs.c[name] for name in COST_SNAPSHOT_COLUMNS))
        .where(cs.c.window_end > since, cs.c.window_start.is_not(None))
        .order_by(cs.c.window_end.desc(), cs.c.created_at.desc())
        .limit(limit)
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=COST_SNAPSHOT_COLUMNS)
    frame["cost_usd"] = pd.to_numeric(frame["cost_usd"], errors="coerce")
    return _times(frame, "created_at", "window_start", "window_end")


def fetch_ledger_costs(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """(created_at, provider, estimated_cost_usd) of the calls in [start, end), at most
    MAX_RECONCILED_SPAN before `end`."""
    ue = llm_usage_events
    start = max(start, end - MAX_RECONCILED_SPAN)
    query = sa.select(*(ue.c[name] for name in LEDGER_COLUMNS)).where(ue.c.created_at >= start, ue.c.created_at < end)
    frame = pd.DataFrame(conn.execute(query).all(), columns=LEDGER_COLUMNS)
    frame["estimated_cost_usd"] = pd.to_numeric(frame["estimated_cost_usd"], errors="coerce")
    return _times(frame, "created_at")


def fetch_latest_credits(conn: Connection, limit: int = MAX_CREDIT_READINGS) -> pd.DataFrame:
    """The newest balance reading of each provider (among the last `limit` readings)."""
    cr = llm_credit_snapshots
    query = sa.select(*(cr.c[name] for name in CREDIT_COLUMNS)).order_by(cr.c.created_at.desc()).limit(limit)
    frame = pd.DataFrame(conn.execute(query).all(), columns=CREDIT_COLUMNS)
    frame["balance_usd"] = pd.to_numeric(frame["balance_usd"], errors="coerce")
    frame = _times(frame, "created_at")
    keys = frame["provider"].fillna("(unknown)")
    return frame[~keys.duplicated()].reset_index(drop=True)
