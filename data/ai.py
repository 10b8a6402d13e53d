"""The AI reviewer's records: `agent_decisions` (CONFIRM / REJECT with its reasoning), and the
candle closes that say how the price moved after each decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.market import as_utc
from data.schema import SchemaFeatures
from data.symbols import symbol_forms
from data.tables import STORED_CANDLE_INTERVAL, agent_decisions, market_data

AGENT_DECISION_COLUMNS = ["created_at", "symbol", "decision", "confidence", "reasoning", "strategy_name", "model_used"]


def fetch_agent_decisions(conn: Connection, symbol: str | None = None, limit: int = 20) -> pd.DataFrame:
    """The AI reviewer's latest decisions, newest first."""
    ad = agent_decisions
    query = sa.select(
        ad.c.created_at,
        ad.c.symbol,
        ad.c.decision,
        ad.c.confidence,
        ad.c.reasoning,
        ad.c.strategy_name,
        ad.c.model_used,
    )
    if symbol is not None:
        # The reviewer may record either form (KRW-BTC / BTC-KRW).
        query = query.where(ad.c.symbol.in_(symbol_forms(symbol)))
    query = query.order_by(ad.c.created_at.desc()).limit(limit)
    frame = pd.DataFrame(conn.execute(query).all(), columns=AGENT_DECISION_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


# -- the AI page: decisions in a look-back window and the candles that judge them --------------

REVIEW_DECISIONS = ("CONFIRM", "REJECT", "SAFE", "WARNING")
MAX_REVIEWED_DECISIONS = 5000
# Bind parameters per candle query: the IN list stays well under every driver's limit.
MAX_TARGETS_PER_QUERY = 1000
DECISION_COLUMNS = ["id", "created_at", "symbol", "decision", "confidence", "model_used"]
OPTIONAL_DECISION_COLUMNS = ("price_at_decision", "regime")


@dataclass(frozen=True)
class DecisionRecords:
    """The AI reviewer's decisions since a time, oldest first, and what this bot version records."""

    frame: pd.DataFrame
    has_price: bool
    has_regime: bool
    capped: bool


def fetch_decisions_since(
    conn: Connection, features: SchemaFeatures, since: datetime, limit: int = MAX_REVIEWED_DECISIONS
) -> DecisionRecords:
    """Decisions made at or after `since` (the newest `limit` of them), with price_at_decision and
    regime when this database has them (v3.3.1)."""
    ad = agent_decisions
    optional = tuple(c for c in OPTIONAL_DECISION_COLUMNS if features.has_column("agent_decisions", c))
    query = (
        sa.select(*(ad.c[name] for name in DECISION_COLUMNS), *(ad.c[name] for name in optional))
        .where(ad.c.created_at >= since)
        .order_by(ad.c.created_at.desc(), ad.c.id.desc())
        .limit(limit + 1)
    )
    rows = conn.execute(query).all()
    capped = len(rows) > limit
    frame = pd.DataFrame(rows[:limit], columns=DECISION_COLUMNS + list(optional))
    for name in OPTIONAL_DECISION_COLUMNS:
        if name not in frame:
            frame[name] = None
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["price_at_decision"] = pd.to_numeric(frame["price_at_decision"], errors="coerce")
    frame["confidence"] = pd.to_numeric(frame["confidence"], errors="coerce")
    frame = frame.iloc[::-1].reset_index(drop=True)
    return DecisionRecords(frame, "price_at_decision" in optional, "regime" in optional, capped)


def fetch_closes_at(conn: Connection, symbol: str, minutes: list[datetime]) -> dict[datetime, float]:
    """The close of the stored 1-minute candle opening at each of `minutes` (UTC, whole minutes),
    for a symbol stored as KRW-BTC or BTC-KRW. Exact timestamps on the (symbol, interval,
    timestamp DESC) index: never a range over the symbol's history."""
    md = market_data
    wanted = sorted(set(minutes))
    closes: dict[datetime, float] = {}
    for begin in range(0, len(wanted), MAX_TARGETS_PER_QUERY):
        chunk = wanted[begin : begin + MAX_TARGETS_PER_QUERY]
        query = sa.select(md.c.timestamp, md.c.close_price).where(
            md.c.symbol.in_(symbol_forms(symbol)),
            md.c.interval == STORED_CANDLE_INTERVAL,
            md.c.timestamp.in_(chunk),
        )
        for at, close in conn.execute(query):
            closes[as_utc(at)] = float(close)
    return closes
