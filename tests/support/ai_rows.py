"""Known AI-page rows for the tests: decisions with the candles that judge them, LLM calls, bills
and credit readings, all placed relative to a given `now`. Tests recompute what the page
should show from these rows, with their own arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from data.tables import (
    STORED_CANDLE_INTERVAL,
    agent_decisions,
    llm_credit_snapshots,
    llm_provider_cost_snapshots,
    llm_usage_events,
    market_data,
)

H = timedelta(hours=1)


@dataclass
class AiRows:
    now: datetime
    decisions: list[dict]
    candles: list[dict]
    events: list[dict]
    bills: list[dict]
    credits: list[dict]

    def close_at(self, symbol: str, minute: datetime) -> float | None:
        for candle in self.candles:
            if candle["symbol"] == symbol and candle["timestamp"] == minute:
                return candle["close_price"]
        return None


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def ai_rows(now: datetime, symbols: tuple[str, str] = ("KRW-BTC", "KRW-ETH")) -> AiRows:
    """Decisions 20 s past a minute, so the target candle is the one opening at that minute.
    `symbols` stand for BTC and ETH (a browser test uses symbols the seeded history lacks)."""
    base = _minute(now)
    btc, eth = symbols

    def decision(index, hours_ago, symbol, kind, price, regime, model, confidence, later: dict):
        # Minutes apart, so no two decisions need the same candle.
        at = base - hours_ago * H + timedelta(minutes=7 * index, seconds=20)
        row = {
            "symbol": symbol,
            "strategy_name": "regime_v3",
            "decision": kind,
            "reasoning": f"{kind} test",
            "confidence": confidence,
            "model_used": model,
            "created_at": at,
            "price_at_decision": price,
            "regime": regime,
        }
        candles = []
        for hours, close in later.items():
            minute = _minute(at + hours * H)
            candles.append(_candle(symbol, minute, close))
            # A neighbour with another close: reading the wrong minute changes the outcome.
            candles.append(_candle(symbol, minute + timedelta(minutes=1), close * 3))
        return row, candles

    specs = [
        # hours ago, symbol, decision, price, regime, model, confidence, {window h: close then}
        (30, btc, "REJECT", 100.0, "BEAR", "model-a", 82, {1: 99.0, 4: 95.0, 24: 101.0}),
        (28, btc, "CONFIRM", 100.0, "BULL", "model-a", 64, {1: 101.0, 4: 100.0, 24: 105.0}),
        (10, eth, "CONFIRM", 50.0, "BULL", "model-b", 91, {1: 51.0, 4: 52.0}),
        (2, eth, "REJECT", 50.0, "BEAR", "model-b", 77, {1: 49.0}),
        (6, btc, "SAFE", 100.0, "SIDEWAYS", "model-a", 55, {1: 102.0, 4: 103.0}),
        (5, btc, "REJECT", 100.0, "BEAR", "model-a", 70, {1: 100.5}),  # no 4 h candle
        (50, eth, "CONFIRM", None, "BULL", "model-b", 60, {1: 60.0, 4: 61.0, 24: 62.0}),
        (8 * 24, btc, "REJECT", 100.0, "BEAR", "model-a", 88, {1: 98.0, 4: 90.0, 24: 80.0}),
    ]
    decisions, candles = [], []
    for index, spec in enumerate(specs):
        row, spec_candles = decision(index, *spec)
        decisions.append(row)
        candles += spec_candles

    def event(hours_ago, route, feature, provider, model, status, tokens, cost, latency, error_type=None):
        inputs, outputs, total = tokens
        return {
            "created_at": base - hours_ago * H,
            "request_id": f"req-{hours_ago}-{route}-{feature}",
            "route": route,
            "feature": feature,
            "provider": provider,
            "model": model,
            "status": status,
            "error_type": error_type,
            "input_tokens": inputs,
            "output_tokens": outputs,
            "total_tokens": total,
            "estimated_cost_usd": cost,
            "price_version": "2026-01",
            "latency_ms": latency,
            "meta": {"test": True},
        }

    events = [
        event(2, "ai_decision", "analyst", "anthropic", "claude-x", "success", (1000, 200, 1200), 0.0100, 800),
        event(3, "ai_decision", "guardian", "anthropic", "claude-x", "error", (0, 0, 0), 0.0, 3000, "timeout"),
        event(26, "chat", "chat", "openai", "gpt-y", "success", (500, 500, None), 0.0050, 1200),
        event(24, "chat", "chat", "openai", "gpt-y", "success", (10, 10, 20), 0.0020, 900),
        event(72, "report", "daily_report", "anthropic", "claude-x", "estimated", (2000, 1000, 3000), 0.0300, None),
        event(240, "report", "daily_report", "anthropic", "claude-x", "success", (9, 9, 18), 1.0, 100),
    ]
    bills = [
        {"provider": "anthropic", "window_start": base - 4 * H, "window_end": base, "cost_usd": 0.0125},
        # Half-open window: the openai call at exactly window_end belongs to the next bill.
        {"provider": "openai", "window_start": base - 48 * H, "window_end": base - 24 * H, "cost_usd": 0.0050},
    ]
    for bill in bills:
        bill.update({"created_at": bill["window_end"] + timedelta(minutes=5), "currency": "USD", "source": "api"})
    credits = [
        {"created_at": base - 5 * H, "provider": "anthropic", "balance_usd": 20.0, "balance_unit": "USD"},
        {"created_at": base - 1 * H, "provider": "anthropic", "balance_usd": 12.5, "balance_unit": "USD"},
        {"created_at": base - 30 * H, "provider": "openai", "balance_usd": 3.25, "balance_unit": "USD"},
    ]
    for credit in credits:
        credit["source"] = "api"
    return AiRows(now, decisions, candles, events, bills, credits)


def _candle(symbol: str, minute: datetime, close: float) -> dict:
    return {
        "symbol": symbol,
        "interval": STORED_CANDLE_INTERVAL,
        "open_price": close,
        "high_price": close,
        "low_price": close,
        "close_price": close,
        "volume": 1.0,
        "timestamp": minute,
    }


def write_ai_rows(engine: Engine, rows: AiRows, *, candles: bool = True) -> None:
    with engine.begin() as conn:
        if candles:
            # Drop seeded candles at the same minutes (a copy of the browser template has some).
            for candle in rows.candles:
                conn.execute(
                    market_data.delete().where(
                        market_data.c.symbol == candle["symbol"],
                        market_data.c.interval == candle["interval"],
                        market_data.c.timestamp == candle["timestamp"],
                    )
                )
            conn.execute(market_data.insert(), rows.candles)
        # The AI and LLM tables hold only these rows: the numbers are worked out from them alone
        # (a copy of the browser template carries the simulator's own v3 rows).
        for table in (agent_decisions, llm_usage_events, llm_provider_cost_snapshots, llm_credit_snapshots):
            conn.execute(table.delete())
        conn.execute(agent_decisions.insert(), rows.decisions)
        conn.execute(llm_usage_events.insert(), rows.events)
        conn.execute(llm_provider_cost_snapshots.insert(), rows.bills)
        conn.execute(llm_credit_snapshots.insert(), rows.credits)
