"""The Overview's equity curve marked to market hourly, on every backend: each point recomputed
from the seeded rows in plain Python (cash from the fills, positions from the fills, each
hour's price the close of the last 1-minute candle before the hour ended)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from callbacks import overview as overview_callbacks
from data.equity import hourly_closes
from tests.support.components import by_attribute, text

pytestmark = [pytest.mark.postgres]


def independent_curve(history, now) -> list[float]:
    fills = sorted(
        (o for o in history.orders if o["status"] == "FILLED"), key=lambda o: (o["executed_at"], str(o["id"]))
    )

    def flow(o):
        value = o["price"] * o["quantity"]
        return value - o["fee"] if o["side"] == "SELL" else -(value + o["fee"])

    capital = history.bot.cash - sum(flow(o) for o in fills)
    first = pd.Timestamp(fills[0]["executed_at"])
    hour = first.floor("h") + timedelta(hours=1)
    values = [capital]
    while hour < pd.Timestamp(now):
        done = [o for o in fills if pd.Timestamp(o["executed_at"]) <= hour]
        equity = capital + sum(flow(o) for o in done)
        held: dict[str, float] = {}
        for o in done:
            held[o["symbol"]] = held.get(o["symbol"], 0.0) + (o["quantity"] if o["side"] == "BUY" else -o["quantity"])
        for symbol, qty in held.items():
            if qty > 1e-12:
                candles = history.candles[symbol]
                equity += qty * float(candles.loc[candles["timestamp"] < hour, "close"].iloc[-1])
        values.append(equity)
        hour += timedelta(hours=1)
    last_close = {s: float(c["close"].iloc[-1]) for s, c in history.candles.items()}
    values.append(history.bot.cash + sum(h.quantity * last_close[s] for s, h in history.bot.holdings.items()))
    return values


def test_every_point_of_the_equity_curve_is_cash_plus_positions_at_that_hours_close(seeded_services, seeded_history):
    _kpis, _positions, figure, _messages, basis = overview_callbacks.overview_panels(seeded_services)
    expected = independent_curve(seeded_history, seeded_services.now())
    assert list(figure["data"][0]["y"]) == pytest.approx(expected, rel=1e-9)
    assert by_attribute(basis, "data-equity-basis", "marked-to-market")
    assert "Marked to market" in text(basis)


def test_the_max_drawdown_title_is_that_of_the_marked_curve(seeded_services, seeded_history):
    _kpis, _positions, figure, _messages, _basis = overview_callbacks.overview_panels(seeded_services)
    values = pd.Series(independent_curve(seeded_history, seeded_services.now()))
    worst_pct = ((values / values.cummax() - 1) * 100).min()
    assert figure["layout"]["title"]["text"].startswith(f"Max drawdown {worst_pct:+.2f}%")


def test_hourly_closes_come_only_from_the_window_asked_for(seeded_services, seeded_history):
    start = pd.Timestamp(seeded_history.end).floor("h") - timedelta(hours=5)
    end = start + timedelta(hours=3)
    with seeded_services.database.connect() as conn:
        closes = hourly_closes(conn, seeded_services.database.backend, {"KRW-BTC": (start, end)})
    candles = seeded_history.candles["KRW-BTC"]
    inside = candles[(candles["timestamp"] >= start) & (candles["timestamp"] < end)]
    expected = inside.groupby(inside["timestamp"].dt.floor("h"))["close"].last()
    assert list(closes["KRW-BTC"].index) == [t + timedelta(hours=1) for t in expected.index]
    assert list(closes["KRW-BTC"]) == pytest.approx(list(expected))
