"""Independent arithmetic for tests: the numbers a page must show, computed from raw rows
without the dashboard's own code."""

from __future__ import annotations


def average_cost_books(orders: list[dict]) -> dict:
    """Average-cost accounting written out plainly.

    Returns wins, sells, realized (total), held {symbol: qty}, and the round trips: trips
    (positions sold back to zero) and trip_wins (those whose summed PnL is at least 0.5 KRW)."""
    held: dict[str, float] = {}
    avg: dict[str, float] = {}
    fees: dict[str, float] = {}
    wins = sells = trips = trip_wins = 0
    trip_pnl: dict[str, float] = {}
    realized = 0.0
    filled = sorted((o for o in orders if o["status"] == "FILLED"), key=lambda o: (o["executed_at"], str(o["id"])))
    for order in filled:
        symbol, qty, price = order["symbol"], order["quantity"], order["price"]
        if order["side"] == "BUY":
            total = held.get(symbol, 0.0) + qty
            avg[symbol] = (held.get(symbol, 0.0) * avg.get(symbol, 0.0) + qty * price) / total
            held[symbol] = total
            fees[symbol] = fees.get(symbol, 0.0) + order["fee"]
        else:
            share = fees.get(symbol, 0.0) * qty / held[symbol]
            pnl = (price - avg[symbol]) * qty - order["fee"] - share
            held[symbol] -= qty
            fees[symbol] -= share
            sells += 1
            wins += pnl > 0
            realized += pnl
            trip_pnl[symbol] = trip_pnl.get(symbol, 0.0) + pnl
            if held[symbol] <= 1e-12:
                trips += 1
                trip_wins += trip_pnl.pop(symbol) >= 0.5
    return {
        "wins": wins,
        "sells": sells,
        "realized": realized,
        "held": {s: q for s, q in held.items() if q > 1e-12},
        "trips": trips,
        "trip_wins": trip_wins,
    }


def total_assets(cash: float, holdings: dict[str, float], last_close: dict[str, float]) -> float:
    return cash + sum(qty * last_close[symbol] for symbol, qty in holdings.items())
