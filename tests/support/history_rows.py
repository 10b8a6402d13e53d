"""Known orders for the History page's v3 columns: the Exits scenario plus KRW-LINK sells whose
entry prices are recorded, text and negative, for the integration and browser tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support import exit_rows


def link_orders(now: datetime) -> list[dict]:
    """Bought 2 KRW-LINK at 1,000; sold 1 at 1,100 (entry 990 recorded), 0.5 at 1,050 (entry
    "abc": not a number) and 0.5 at 1,000 (entry -5: not a price)."""
    at = now - timedelta(days=20)
    buy = exit_rows.order("KRW-LINK", "BUY", 1_000.0, 2.0, at)
    recorded = exit_rows.order(
        "KRW-LINK", "SELL", 1_100.0, 1.0, at + timedelta(hours=1), reason="TAKE_PROFIT", regime="BULL", entry=990.0
    )
    text_entry = exit_rows.order(
        "KRW-LINK", "SELL", 1_050.0, 0.5, at + timedelta(hours=2), reason="STOP_LOSS", regime="BEAR"
    )
    text_entry["signal_info"] = {"reason": "STOP_LOSS", "entry_avg_price": "abc"}
    negative = exit_rows.order(
        "KRW-LINK", "SELL", 1_000.0, 0.5, at + timedelta(hours=3), reason="TIME_LIMIT", regime="SIDEWAYS", entry=-5.0
    )
    return [buy, recorded, text_entry, negative]


def recorded_entry(order: dict) -> float | None:
    value = (order.get("signal_info") or {}).get("entry_avg_price")
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    return float(value) if ok else None


def history_orders(now: datetime) -> list[dict]:
    """The Exits scenario, then the four KRW-LINK orders (always the last four)."""
    return exit_rows.scenario(now) + link_orders(now)
