"""A CoinPilot database and Redis the alert tests can break: a fresh candle, a balance, a status key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from data.tables import account_state, market_data
from simulator.writer import WritableDatabase

SYMBOL = "KRW-BTC"
STATUS_KEY = f"bot:status:{SYMBOL}"


@pytest.fixture
def bot_database(empty_pg_url):
    """A CoinPilot database with a fresh candle and a balance (writable by the test)."""
    writer = WritableDatabase(empty_pg_url)
    now = datetime.now(UTC)
    with writer.engine.begin() as conn:
        conn.execute(
            sa.insert(market_data),
            [
                {
                    "symbol": SYMBOL,
                    "interval": "1m",
                    "open_price": 1,
                    "high_price": 1,
                    "low_price": 1,
                    "close_price": 1,
                    "volume": 1,
                    "timestamp": now.replace(second=0, microsecond=0),
                }
            ],
        )
        conn.execute(sa.insert(account_state), [{"id": 1, "balance": 1_000_000, "updated_at": now}])
    yield empty_pg_url
    writer.dispose()
