"""Equity marked to market at hourly closes, against hand-computed values.

100,000 KRW; BUY 10 @ 1,000 (fee 10) at 00:30; hourly closes 1,000 (00:00-01:00), 800
(01:00-02:00), 900 (02:00-03:00); SELL 10 @ 950 at 03:30; now 04:15.
Cash after the buy 89,990; at 01:00 89,990 + 10 x 1,000 = 99,990; 02:00 + 8,000 = 97,990;
03:00 + 9,000 = 98,990; 04:00 flat: 89,990 + 9,500 = 99,490. The realized-only curve never
goes below 99,490 (0.51 %); marked to market the drawdown is 2,010 KRW (2.01 %).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from data import metrics
from data.equity import holding_windows, marked_equity_curve

DAY = datetime(2026, 3, 2, tzinfo=UTC)
NOW = DAY + timedelta(hours=4, minutes=15)
CAPITAL = 100_000.0


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


@pytest.fixture(scope="module")
def ledger():
    rows = [
        ("b", "KRW-AAA", "BUY", 1000.0, 10.0, 10.0, at(0.5)),
        ("s", "KRW-AAA", "SELL", 950.0, 10.0, 0.0, at(3.5)),
    ]
    frame = pd.DataFrame(
        [
            {
                "id": i,
                "symbol": s,
                "side": d,
                "price": p,
                "quantity": q,
                "fee": f,
                "status": "FILLED",
                "created_at": t,
                "executed_at": t,
            }
            for i, s, d, p, q, f, t in rows
        ]
    )
    for column in ("created_at", "executed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return metrics.realized_pnl_ledger(frame)


def closes(values: dict[float, float]) -> dict[str, pd.Series]:
    """{hour the close was taken at: close}."""
    index = pd.to_datetime([at(h) for h in values], utc=True)
    return {"KRW-AAA": pd.Series(list(values.values()), index=index)}


def test_open_positions_are_valued_at_each_hours_close(ledger):
    marked = marked_equity_curve(ledger, CAPITAL, closes({1: 1000.0, 2: 800.0, 3: 900.0}), NOW, 99_490.0)
    assert list(marked.curve["time"]) == [pd.Timestamp(t) for t in (at(0.5), at(1), at(2), at(3), at(4), NOW)]
    assert list(marked.curve["equity"]) == pytest.approx([CAPITAL, 99_990.0, 97_990.0, 98_990.0, 99_490.0, 99_490.0])
    assert marked.unpriced_symbols == ()


def test_the_max_drawdown_includes_the_loss_on_a_position_still_held(ledger):
    marked = marked_equity_curve(ledger, CAPITAL, closes({1: 1000.0, 2: 800.0, 3: 900.0}), NOW, 99_490.0)
    dd = metrics.drawdown(marked.curve["equity"])
    assert dd.max_drawdown_krw == pytest.approx(2_010.0)
    assert dd.max_drawdown_pct == pytest.approx(-2.01)


def test_an_hour_without_a_candle_keeps_the_last_close(ledger):
    marked = marked_equity_curve(ledger, CAPITAL, closes({1: 1000.0, 2: 800.0}), NOW, 99_490.0)
    assert marked.curve["equity"].iloc[3] == pytest.approx(97_990.0)


def test_a_symbol_without_candles_is_valued_at_average_cost_and_named(ledger):
    marked = marked_equity_curve(ledger, CAPITAL, {}, NOW, 99_490.0)
    assert list(marked.curve["equity"])[1:4] == pytest.approx([99_990.0] * 3)
    assert marked.unpriced_symbols == ("KRW-AAA",)


def test_candles_are_read_only_over_the_hours_a_symbol_was_held(ledger):
    assert holding_windows(ledger, NOW) == {"KRW-AAA": (at(0), at(4))}
    still_held = ledger.iloc[:1]
    assert holding_windows(still_held, NOW) == {"KRW-AAA": (at(0), at(5))}
