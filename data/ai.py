"""The AI reviewer's records: `agent_decisions` (CONFIRM / REJECT with its reasoning)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.tables import agent_decisions

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
        query = query.where(ad.c.symbol == symbol)
    query = query.order_by(ad.c.created_at.desc()).limit(limit)
    frame = pd.DataFrame(conn.execute(query).all(), columns=AGENT_DECISION_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame
