"""A hand-built fill sequence with its round trips worked out by hand (the numbers in EXPECTED
come from the arithmetic in the comments, not from the dashboard's code).

- Trip 1, KRW-AAA, Mon 2026-03-02: BUY 10 @ 1,000 (fee 5), BUY 10 @ 1,200 (fee 6): avg 1,100,
  buy fees 11. SELL 5 @ 1,300 (fee 3, TAKE_PROFIT): (1,300 - 1,100) x 5 - 3 - 11 x 5/20 = 994.25.
  SELL 15 @ 1,000 (fee 7, STOP_LOSS): (1,000 - 1,100) x 15 - 7 - 8.25 = -1,515.25. Trip -521.00
  (= cash: -10,005 - 12,006 + 6,497 + 14,993), exit price (5 x 1,300 + 15 x 1,000) / 20 = 1,075,
  held 5 h, -521 / 22,000 = -2.3681818 %.
- Trip 2, KRW-BBB, Tue 2026-03-03: BUY 2 @ 50,000, SELL 2 @ 51,000 (fee 100, TAKE_PROFIT):
  +1,900, +1.9 %, held 3 h.
- Trip 3, KRW-AAA, Tue 2026-03-10: BUY 1 @ 1,000 (fee 0.2), SELL 1 @ 1,000.5 (fee 0.2): +0.1,
  break-even (|PnL| < 0.5 KRW), held 1 h.
- Trip 4, KRW-BBB, Wed 2026-04-01: BUY 1 @ 10,000, SELL 1 @ 13,000 (TIME_LIMIT): +3,000, held 6 h.
- Open, KRW-AAA, 2026-04-02: BUY 3 @ 900, SELL 1 @ 950 (a partial exit: +50 realized), 2 held.
- KRW-CCC, 2026-03-01: a SELL with nothing bought before it (history starting mid-position).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd

START = datetime(2026, 3, 1, tzinfo=UTC)


def _at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 10, tzinfo=UTC)


# (symbol, side, price, quantity, fee, executed at, exit reason)
FILLS = [
    ("KRW-CCC", "SELL", 500.0, 1.0, 0.0, _at(1, 0), "STOP_LOSS"),
    ("KRW-AAA", "BUY", 1000.0, 10.0, 5.0, _at(2, 0), None),
    ("KRW-AAA", "BUY", 1200.0, 10.0, 6.0, _at(2, 1), None),
    ("KRW-AAA", "SELL", 1300.0, 5.0, 3.0, _at(2, 2), "TAKE_PROFIT"),
    ("KRW-AAA", "SELL", 1000.0, 15.0, 7.0, _at(2, 5), "STOP_LOSS"),
    ("KRW-BBB", "BUY", 50000.0, 2.0, 0.0, _at(3, 9), None),
    ("KRW-BBB", "SELL", 51000.0, 2.0, 100.0, _at(3, 12), "TAKE_PROFIT"),
    ("KRW-AAA", "BUY", 1000.0, 1.0, 0.2, _at(10, 1), None),
    ("KRW-AAA", "SELL", 1000.5, 1.0, 0.2, _at(10, 2), None),
    ("KRW-BBB", "BUY", 10000.0, 1.0, 0.0, _at(1, 0, month=4), None),
    ("KRW-BBB", "SELL", 13000.0, 1.0, 0.0, _at(1, 6, month=4), "TIME_LIMIT"),
    ("KRW-AAA", "BUY", 900.0, 3.0, 0.0, _at(2, 0, month=4), None),
    ("KRW-AAA", "SELL", 950.0, 1.0, 0.0, _at(2, 1, month=4), "TAKE_PROFIT"),
]

# Closed round trips, by exit time: symbol, entry price, exit price, quantity, legs, held s,
# fees, PnL KRW, PnL %, exit reason.
CLOSED = [
    ("KRW-AAA", 1100.0, 1075.0, 20.0, 2, 5 * 3600, 21.0, -521.0, -521.0 / 22000.0 * 100, "STOP_LOSS"),
    ("KRW-BBB", 50000.0, 51000.0, 2.0, 1, 3 * 3600, 100.0, 1900.0, 1.9, "TAKE_PROFIT"),
    ("KRW-AAA", 1000.0, 1000.5, 1.0, 1, 3600, 0.4, 0.1, 0.01, None),
    ("KRW-BBB", 10000.0, 13000.0, 1.0, 1, 6 * 3600, 0.0, 3000.0, 30.0, "TIME_LIMIT"),
]
STATS = {
    "closed": 4,
    "wins": 2,
    "losses": 1,
    "break_even": 1,
    "open": 1,
    "unmatched_sells": 1,
    "win_rate_pct": 50.0,
    "profit_factor": 4900.0 / 521.0,
    "average_win": 2450.0,
    "average_loss": -521.0,
    "expectancy": (-521.0 + 1900.0 + 0.1 + 3000.0) / 4,
    "best": 3000.0,
    "worst": -521.0,
    "average_holding": timedelta(seconds=(5 + 3 + 1 + 6) * 3600 / 4),
}
# (first day, trips, wins, losses, break-even, PnL), newest first.
DAILY = [
    ("2026-04-01", 1, 1, 0, 0, 3000.0),
    ("2026-03-10", 1, 0, 0, 1, 0.1),
    ("2026-03-03", 1, 1, 0, 0, 1900.0),
    ("2026-03-02", 1, 0, 1, 0, -521.0),
]
WEEKLY = [
    ("2026-03-30", 1, 1, 0, 0, 3000.0),
    ("2026-03-09", 1, 0, 0, 1, 0.1),
    ("2026-03-02", 2, 1, 1, 0, 1379.0),
]
MONTHLY = [
    ("2026-04-01", 1, 1, 0, 0, 3000.0),
    ("2026-03-01", 3, 1, 1, 1, 1379.1),
]
OPEN_QUANTITY = 2.0
OPEN_REALIZED = 50.0


def filled_frame() -> pd.DataFrame:
    """FILLS as data.orders.fetch_filled_trades returns them."""
    rows = [
        {
            "id": f"f{i:02d}",
            "symbol": symbol,
            "side": side,
            "price": price,
            "quantity": qty,
            "fee": fee,
            "status": "FILLED",
            "created_at": at,
            "executed_at": at,
        }
        for i, (symbol, side, price, qty, fee, at, _reason) in enumerate(FILLS)
    ]
    frame = pd.DataFrame(rows)
    for column in ("created_at", "executed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def exit_reasons() -> dict[str, str]:
    return {f"f{i:02d}": fill[6] for i, fill in enumerate(FILLS) if fill[1] == "SELL" and fill[6]}


def order_rows() -> list[dict]:
    """FILLS as trading_history rows (v3 fields included; a week-6 database drops them)."""
    rows = []
    for symbol, side, price, qty, fee, at, reason in FILLS:
        rows.append(
            {
                "id": uuid.uuid4(),
                "symbol": symbol,
                "side": side,
                "order_type": "MARKET",
                "price": price,
                "quantity": qty,
                "fee": fee,
                "status": "FILLED",
                "strategy_name": "round-trip-test",
                "signal_info": {"reason": side},
                "created_at": at,
                "executed_at": at,
                "regime": None,
                "high_water_mark": None,
                "exit_reason": reason if side == "SELL" else None,
                "post_exit_prices": None,
            }
        )
    return rows
