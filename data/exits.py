"""The bot's exits, read: FILLED SELLs in a look-back window with what this CoinPilot version
records about them (exit_reason, regime, post_exit_prices; signal_info for entry_avg_price).

Only the optional columns data.schema detected are named; the jsonb values come back as
Python objects and are parsed in data.exit_analysis, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.schema import SchemaFeatures
from data.tables import trading_history as th

LOOKBACK_MIN_DAYS = 7
LOOKBACK_MAX_DAYS = 90
LOOKBACK_DEFAULT_DAYS = 30
# A bound on the rows one page load reads (the bot sells a few times a day per symbol).
MAX_EXITS = 5000
# The v3 columns this page uses, when the database has them.
EXIT_COLUMNS = ("regime", "exit_reason", "post_exit_prices")
SELL_COLUMNS = ["id", "symbol", "executed_at", "price", "quantity", "signal_info"]


@dataclass(frozen=True)
class ExitRecords:
    sells: pd.DataFrame  # SELL_COLUMNS + the recorded optional columns, newest first
    recorded: frozenset[str]  # which of EXIT_COLUMNS this database has
    since: datetime
    truncated: bool  # more than MAX_EXITS sells in the window: the oldest were left out


def lookback_start(now: datetime, days: int) -> datetime:
    if not LOOKBACK_MIN_DAYS <= days <= LOOKBACK_MAX_DAYS:
        raise ValueError(f"look-back must be {LOOKBACK_MIN_DAYS}..{LOOKBACK_MAX_DAYS} days, got {days}")
    return now.astimezone(UTC) - timedelta(days=days)


def fetch_exits(conn: Connection, features: SchemaFeatures, since: datetime, limit: int = MAX_EXITS) -> ExitRecords:
    """FILLED SELLs executed at or after `since` (created_at when executed_at is missing)."""
    recorded = tuple(name for name in EXIT_COLUMNS if features.has_column(th.name, name))
    executed = sa.func.coalesce(th.c.executed_at, th.c.created_at, type_=th.c.executed_at.type)
    query = (
        sa.select(
            th.c.id,
            th.c.symbol,
            executed.label("executed_at"),
            th.c.price,
            th.c.quantity,
            th.c.signal_info,
            *(th.c[name] for name in recorded),
        )
        .where(th.c.side == "SELL", th.c.status == "FILLED", executed >= since.astimezone(UTC))
        .order_by(executed.desc(), th.c.id)
        .limit(limit + 1)
    )
    rows = conn.execute(query).all()
    frame = pd.DataFrame(rows[:limit], columns=SELL_COLUMNS + list(recorded))
    frame["id"] = frame["id"].astype(str)
    frame["executed_at"] = pd.to_datetime(frame["executed_at"], utc=True)
    for column in ("price", "quantity"):
        frame[column] = frame[column].astype("float64")
    for column in ("signal_info", *recorded):
        frame[column] = frame[column].astype(object)
    return ExitRecords(frame, frozenset(recorded), since, len(rows) > limit)
