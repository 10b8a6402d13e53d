"""Post-exit tracking (v3.2.2): what the price did 1, 4, 12 and 24 hours after each SELL.

The exit candle is the candle whose close the SELL filled at (the bot decides when a candle
closes, so it opened one minute before the order's created_at). For a window W the price is the
close of the candle that opened W after the exit candle, tracked_at that candle's close time,
and change_pct = (price - exit price) / exit price x 100. A window appears only once its candle
exists; the seed fills in the history at once, the demo adds windows as demo time passes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.market import as_utc
from data.tables import STORED_CANDLE_INTERVAL, market_data, trading_history

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("4h", timedelta(hours=4)),
    ("12h", timedelta(hours=12)),
    ("24h", timedelta(hours=24)),
)
LONGEST = WINDOWS[-1][1]
CANDLE = timedelta(minutes=1)


def exit_candle_open(created_at: datetime) -> datetime:
    return created_at.replace(second=0, microsecond=0) - CANDLE


def window_entry(exit_price: float, price: float, candle_open: datetime) -> dict:
    return {
        "price": float(price),
        "change_pct": round((float(price) - exit_price) / exit_price * 100.0, 4),
        "tracked_at": (candle_open + CANDLE).isoformat(),
    }


def matured_windows(
    created_at: datetime,
    exit_price: float,
    known: dict | None,
    latest_open: datetime,
    close_at: Callable[[datetime], float | None],
) -> dict | None:
    """The post_exit_prices of one SELL with every window matured by `latest_open` (the newest
    candle's open time); None when nothing changed."""
    entries = dict(known or {})
    changed = False
    exit_open = exit_candle_open(created_at)
    for label, width in WINDOWS:
        candle_open = exit_open + width
        if label in entries or candle_open > latest_open:
            continue
        price = close_at(candle_open)
        if price is None:
            continue
        entries[label] = window_entry(exit_price, price, candle_open)
        changed = True
    return entries if changed else None


def fill_from_candles(orders: list[dict], candles: dict[str, pd.DataFrame]) -> None:
    """Fill post_exit_prices of the SELLs in `orders` from the generated candles (seed)."""
    index = {}
    for symbol, frame in candles.items():
        times = frame["timestamp"]
        index[symbol] = (times.iloc[0].to_pydatetime(), frame["close"].to_numpy(), len(frame))
    for order in orders:
        if order["side"] != "SELL" or order["status"] != "FILLED" or "post_exit_prices" not in order:
            continue
        first, closes, count = index[order["symbol"]]
        exit_open = exit_candle_open(order["created_at"])
        entries = {}
        for label, width in WINDOWS:
            candle_open = exit_open + width
            position = int((candle_open - first) / CANDLE)
            if 0 <= position < count:
                entries[label] = window_entry(order["price"], float(np.float64(closes[position])), candle_open)
        order["post_exit_prices"] = entries or None


def track_in_database(conn: Connection, latest_open: dict[str, datetime]) -> int:
    """Add the windows that matured by each symbol's newest candle (`latest_open`) to the SELLs
    of the last day (an UPDATE per SELL that gained a window); returns how many were updated."""
    if not latest_open:
        return 0
    th = trading_history
    oldest = min(latest_open.values()) - LONGEST - 2 * CANDLE
    sells = conn.execute(
        sa.select(th.c.id, th.c.symbol, th.c.price, th.c.created_at, th.c.post_exit_prices).where(
            th.c.side == "SELL", th.c.status == "FILLED", th.c.created_at >= oldest
        )
    ).all()
    updated = 0
    for sell in sells:
        known = sell.post_exit_prices if isinstance(sell.post_exit_prices, dict) else None
        latest = latest_open.get(sell.symbol)
        if latest is None or (known is not None and len(known) >= len(WINDOWS)):
            continue
        entries = matured_windows(
            as_utc(sell.created_at), float(sell.price), known, latest, lambda at, s=sell.symbol: _close_at(conn, s, at)
        )
        if entries is not None:
            conn.execute(th.update().where(th.c.id == sell.id).values(post_exit_prices=entries))
            updated += 1
    return updated


def _close_at(conn: Connection, symbol: str, candle_open: datetime) -> float | None:
    md = market_data
    return conn.execute(
        sa.select(md.c.close_price).where(
            md.c.symbol == symbol, md.c.interval == STORED_CANDLE_INTERVAL, md.c.timestamp == candle_open
        )
    ).scalar()
