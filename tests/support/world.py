"""A small, hand-written CoinPilot world in a fresh database: the candles, statuses, risk row and
orders a test names, nothing else (for tests that check which symbol or state wins)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from data.tables import account_state, agent_decisions, daily_risk_state, market_data, positions, trading_history
from simulator.writer import WritableDatabase


class World:
    def __init__(self, url: str, redis_client, now: datetime):
        self.url = url
        self.redis = redis_client
        self.now = now
        self._writer = WritableDatabase(url)

    def close(self) -> None:
        self._writer.dispose()

    def _insert(self, table, rows: list[dict]) -> None:
        with self._writer.engine.begin() as conn:
            conn.execute(table.insert(), rows)

    def candle(self, symbol: str, opened_seconds_ago: float, close: float = 100.0) -> None:
        """One stored 1-minute candle of `symbol`, opened that many seconds before now."""
        at = self.now - timedelta(seconds=opened_seconds_ago)
        self._insert(
            market_data,
            [
                {
                    "symbol": symbol,
                    "interval": "1m",
                    "open_price": close,
                    "high_price": close,
                    "low_price": close,
                    "close_price": close,
                    "volume": 1.0,
                    "timestamp": at,
                }
            ],
        )

    def status(self, symbol: str, seconds_ago: float, *, key_symbol: str | None = None) -> None:
        body = {
            "timestamp": (self.now - timedelta(seconds=seconds_ago)).isoformat(),
            "symbol": symbol,
            "current_price": 100.0,
            "indicators": {"rsi": 50.0},
            "position": {"has_position": False},
            "action": "HOLD",
            "reason": "test",
        }
        self.redis.set(f"bot:status:{key_symbol or symbol}", json.dumps(body), ex=300)

    def cash(self, balance: float) -> None:
        self._insert(account_state, [{"id": 1, "balance": balance, "updated_at": self.now}])

    def risk_day(self, **values) -> None:
        row = {
            "date": self.now.date(),
            "total_pnl": 0.0,
            "trade_count": 0,
            "consecutive_losses": 0,
            "cooldown_until": None,
            "is_trading_halted": False,
            "updated_at": self.now,
            "buy_count": 0,
            "sell_count": 0,
        }
        row.update(values)
        self._insert(daily_risk_state, [row])

    def position(self, symbol: str, quantity: float, avg_price: float) -> None:
        self._insert(
            positions,
            [
                {
                    "symbol": symbol,
                    "quantity": quantity,
                    "avg_price": avg_price,
                    "opened_at": self.now,
                    "updated_at": self.now,
                }
            ],
        )

    def order(self, symbol: str, side: str = "BUY", price: float = 100.0, quantity: float = 1.0, **values) -> None:
        row = {
            "id": uuid.uuid4(),
            "symbol": symbol,
            "side": side,
            "order_type": "MARKET",
            "price": price,
            "quantity": quantity,
            "fee": 0.0,
            "status": "FILLED",
            "strategy_name": "test",
            "signal_info": None,
            "created_at": self.now - timedelta(minutes=5),
            "executed_at": self.now - timedelta(minutes=5),
        }
        row.update(values)
        self._insert(trading_history, [row])

    def decision(self, symbol: str, decision: str = "CONFIRM") -> None:
        self._insert(
            agent_decisions,
            [{"symbol": symbol, "decision": decision, "confidence": 80, "created_at": self.now - timedelta(minutes=1)}],
        )

    def execute(self, statement: sa.Executable) -> None:
        with self._writer.engine.begin() as conn:
            conn.execute(statement)
