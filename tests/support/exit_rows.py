"""Known FILLED SELLs for the Exits page, and the page's numbers recomputed from them in plain
Python (without the dashboard's code), for the integration and browser tests.

The scenario (20 sells in the last 30 days, plus one older and one cancelled):
- TRAILING_STOP x6, BULL, entry 100,000 recorded; 24 h after: +4 x4, +1 x2 (mean +3.00: fires)
- TAKE_PROFIT x4, BULL, entry 50,000, sold at 52,500; 4 h after: +1 each (mean +1.00: quiet);
  24 h after: +3, +0.5 x3. BULL early exits: 4 TS + 1 TP of 10 = 50 % (fires)
- STOP_LOSS x5, BEAR: 3 with entry 10,000 recorded, sold at 9,700; KRW-SOL and KRW-ADA priced
  from the ledger (buys 35 days ago); 4 h after: 2.0, 0.4, 1.2, 1.2, 1.2 (mean +1.20: fires)
- TIME_LIMIT x3, SIDEWAYS, entry 2,000, sold at 2,010; 24 h after: -3, -2, -1 (mean -2.00: fires)
- RSI_OVERBOUGHT x2, SIDEWAYS, entry 3,000, sold at 3,090; post_exit_prices malformed: a string,
  and a 1 h window whose price is text
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from data.tables import trading_history as th
from data.tables import v3_columns

WINDOWS = ("1h", "4h", "12h", "24h")


def tracked(price: float, at: datetime, changes: dict[str, float]) -> dict:
    """post_exit_prices with the given windows ({"4h": 1.2}): change_pct and the price it implies."""
    return {
        window: {
            "price": price * (1 + change / 100),
            "change_pct": change,
            "tracked_at": (at + timedelta(hours=int(window[:-1]))).isoformat(),
        }
        for window, change in changes.items()
    }


def order(symbol, side, price, quantity, at, *, status="FILLED", reason=None, regime=None, entry=None, post=None):
    signal = {"reason": reason or side}
    if entry is not None:
        signal["entry_avg_price"] = entry
    return {
        "id": uuid.uuid4(),
        "symbol": symbol,
        "side": side,
        "order_type": "MARKET",
        "price": price,
        "quantity": quantity,
        "fee": 0.0,
        "status": status,
        "strategy_name": "exits-test",
        "signal_info": signal,
        "created_at": at,
        "executed_at": at if status == "FILLED" else None,
        "regime": regime,
        "high_water_mark": None,
        "exit_reason": reason if side == "SELL" else None,
        "post_exit_prices": post,
    }


def scenario(now: datetime) -> list[dict]:
    """Every order of the scenario; sell i is 0.5 + 1.2 i days old (6 of them in the last 7 days)."""
    ages = iter(timedelta(days=0.5 + 1.2 * i) for i in range(20))
    sells = []

    def sell(symbol, price, reason, regime, entry, post_changes, quantity=1.0, raw_post=None):
        at = now - next(ages)
        post = raw_post if raw_post is not None else (tracked(price, at, post_changes) if post_changes else None)
        sells.append(order(symbol, "SELL", price, quantity, at, reason=reason, regime=regime, entry=entry, post=post))

    for price, day in ((103_000, 4), (102_000, 4), (104_000, 4), (101_500, 4), (102_500, 1), (103_500, 1)):
        sell("KRW-BTC", float(price), "TRAILING_STOP", "BULL", 100_000.0, {"4h": 2.0, "24h": float(day)})
    for day in (3.0, 0.5, 0.5, 0.5):
        sell("KRW-ETH", 52_500.0, "TAKE_PROFIT", "BULL", 50_000.0, {"1h": 0.5, "4h": 1.0, "24h": day})
    for change in (2.0, 0.4, 1.2):
        sell("KRW-XRP", 9_700.0, "STOP_LOSS", "BEAR", 10_000.0, {"1h": 0.1, "4h": change})
    sell("KRW-SOL", 1_045.0, "STOP_LOSS", "BEAR", None, {"4h": 1.2}, quantity=2.0)
    sell("KRW-ADA", 480.0, "STOP_LOSS", "BEAR", None, {"4h": 1.2}, quantity=10.0)
    for change in (-3.0, -2.0, -1.0):
        sell("KRW-DOGE", 2_010.0, "TIME_LIMIT", "SIDEWAYS", 2_000.0, {"12h": -0.5, "24h": change})
    sell("KRW-TRX", 3_090.0, "RSI_OVERBOUGHT", "SIDEWAYS", 3_000.0, None, raw_post="garbage")
    at = now - next(ages)
    bad_window = {"1h": {"price": "oops", "change_pct": 1.0, "tracked_at": at.isoformat()}}
    sells.append(
        order(
            "KRW-TRX",
            "SELL",
            3_090.0,
            1.0,
            at,
            reason="RSI_OVERBOUGHT",
            regime="SIDEWAYS",
            entry=3_000.0,
            post=bad_window,
        )
    )

    long_ago = now - timedelta(days=35)
    buys = [
        order("KRW-SOL", "BUY", 1_000.0, 1.0, long_ago),
        order("KRW-SOL", "BUY", 1_200.0, 1.0, long_ago + timedelta(minutes=1)),
        order("KRW-ADA", "BUY", 500.0, 10.0, long_ago + timedelta(minutes=2)),
    ]
    outside = [
        order(
            "KRW-BTC",
            "SELL",
            110_000.0,
            1.0,
            now - timedelta(days=40),
            reason="TRAILING_STOP",
            regime="BULL",
            entry=100_000.0,
            post=tracked(110_000.0, now - timedelta(days=40), {"24h": 10.0}),
        ),
        order("KRW-BTC", "SELL", 90_000.0, 1.0, now - timedelta(days=2), status="CANCELLED", reason="STOP_LOSS"),
    ]
    return buys + sells + outside


def week6(orders: list[dict]) -> list[dict]:
    """The same orders as a week-6 bot writes them: no v3 column, no entry_avg_price."""
    dropped = set(v3_columns(th))
    rows = []
    for o in orders:
        row = {k: v for k, v in o.items() if k not in dropped}
        row["signal_info"] = {"reason": o["signal_info"]["reason"]}
        rows.append(row)
    return rows


def expected(orders: list[dict], since: datetime) -> dict:
    """What the page must show for the FILLED SELLs executed since `since`, worked out plainly."""
    held: dict[str, float] = {}
    avg: dict[str, float] = {}
    entry_from_ledger: dict = {}
    for o in sorted((o for o in orders if o["status"] == "FILLED"), key=lambda o: o["executed_at"]):
        s = o["symbol"]
        if o["side"] == "BUY":
            total = held.get(s, 0.0) + o["quantity"]
            avg[s] = (held.get(s, 0.0) * avg.get(s, 0.0) + o["quantity"] * o["price"]) / total
            held[s] = total
        elif held.get(s, 0.0) > 0:
            entry_from_ledger[o["id"]] = avg[s]
            held[s] -= min(o["quantity"], held[s])
    sells = [o for o in orders if o["side"] == "SELL" and o["status"] == "FILLED" and o["executed_at"] >= since]
    pnl, recorded, ledger = [], 0, 0
    for o in sells:
        entry = o["signal_info"].get("entry_avg_price")
        if entry is not None:
            recorded += 1
        else:
            entry = entry_from_ledger.get(o["id"])
            ledger += entry is not None
        if entry is not None:
            pnl.append((o["price"] - entry) / entry * 100)

    def change(o, window):
        post = o.get("post_exit_prices")
        value = post.get(window) if isinstance(post, dict) else None
        ok = isinstance(value, dict) and all(isinstance(value.get(k), float) for k in ("price", "change_pct"))
        return value["change_pct"] if ok else None

    def mean_change(reason, window):
        values = [c for o in sells if o.get("exit_reason") == reason if (c := change(o, window)) is not None]
        return (sum(values) / len(values), len(values)) if values else (None, 0)

    return {
        "sells": len(sells),
        "computable": len(pnl),
        "recorded": recorded,
        "ledger": ledger,
        "avg_pnl": sum(pnl) / len(pnl) if pnl else None,
        "tracked_24h": sum(change(o, "24h") is not None for o in sells),
        "mean_change": mean_change,
        "sell_rows": sells,
    }
