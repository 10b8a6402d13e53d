"""The demo's paper bot keeps books that agree with the dashboard's own accounting."""

from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest

from data import metrics
from data.risk import RiskLimits
from data.status_payload import ACTIONS
from simulator.paper_bot import INITIAL_BALANCE
from simulator.synthetic import generate_history, tick_size

END = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def history():
    return generate_history(["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-DOGE"], 5, END, seed=3)


def orders_frame(history):
    frame = pd.DataFrame(history.orders)
    frame["id"] = frame["id"].astype(str)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["executed_at"] = pd.to_datetime(frame["executed_at"], utc=True)
    return frame


def test_candles_are_one_per_minute_and_consistent(history):
    for candles in history.candles.values():
        assert len(candles) == 5 * 24 * 60
        assert (candles["timestamp"].diff().dropna() == pd.Timedelta(minutes=1)).all()
        assert (candles["high"] >= candles[["open", "close"]].max(axis=1)).all()
        assert (candles["low"] <= candles[["open", "close"]].min(axis=1)).all()
        assert (candles["open"].iloc[1:].to_numpy() == candles["close"].iloc[:-1].to_numpy()).all()


def test_cash_equals_the_starting_balance_plus_every_fills_cash_flow(history):
    assert history.bot.cash == pytest.approx(INITIAL_BALANCE + metrics.net_cash_flow(orders_frame(history)))


def test_open_positions_match_the_average_cost_walk_of_the_orders(history):
    ledger = metrics.realized_pnl_ledger(orders_frame(history))
    last = ledger.groupby("symbol").tail(1).set_index("symbol")
    held = dict(history.bot.holdings.items())
    for symbol, row in last.iterrows():
        if row["position_after"] > 0:
            assert held[symbol].quantity == pytest.approx(row["position_after"])
            assert held[symbol].avg_price == pytest.approx(row["avg_price_after"])
        else:
            assert symbol not in held


def test_daily_risk_pnl_is_the_realized_pnl_of_that_utc_day(history):
    ledger = metrics.realized_pnl_ledger(orders_frame(history))
    daily = metrics.daily_realized_pnl(ledger).set_index("date")["realized_pnl"]
    for day, state in history.bot.days.items():
        assert state.total_pnl == pytest.approx(daily.get(day, 0.0), abs=1e-6)


def test_the_bot_trades_and_meets_its_risk_rules(history):
    sides = Counter((o["side"], o["status"]) for o in history.orders)
    assert sides[("BUY", "FILLED")] >= 10 and sides[("SELL", "FILLED")] >= 10
    assert sides[("BUY", "CANCELLED")] >= 1
    assert {a["violation_type"] for a in history.audits} & {"DAILY_TRADE_LIMIT", "CONSECUTIVE_LOSSES"}
    # Max per order: 5% of the balance at the time of the order. The orders are in the bot's
    # decision order; sorting by fill time would put a buy before a sell it was decided after.
    cash = INITIAL_BALANCE
    for order in history.orders:
        if order["status"] != "FILLED":
            continue
        notional = order["price"] * order["quantity"]
        if order["side"] == "BUY":
            assert notional <= cash * 0.05 * 1.0001
            cash -= notional + order["fee"]
        else:
            cash += notional - order["fee"]


def test_prices_sit_on_upbit_ticks(history):
    closes = history.candles["KRW-BTC"]["close"]
    assert ((closes / tick_size(float(closes.iloc[-1]))).round(6) % 1 == 0).all()


def test_the_same_seed_gives_the_same_history():
    first = generate_history(["KRW-BTC"], 1, END, seed=5)
    second = generate_history(["KRW-BTC"], 1, END, seed=5)
    pd.testing.assert_frame_equal(first.candles["KRW-BTC"], second.candles["KRW-BTC"])
    assert [o["id"] for o in first.orders] == [o["id"] for o in second.orders]


def test_the_last_candle_yields_a_status_in_the_bots_payload_format(history):
    status = history.last_status["KRW-BTC"]
    assert set(status) >= {"timestamp", "symbol", "action", "reason"}
    assert status["action"] in ACTIONS


def test_the_daily_trade_limit_counts_buys_and_is_never_exceeded(history):
    limit = RiskLimits().max_trades_per_day
    assert all(day.buy_count <= limit for day in history.bot.days.values())
    assert all(day.trade_count == day.buy_count + day.sell_count for day in history.bot.days.values())
    assert any(day.buy_count == limit for day in history.bot.days.values())  # the limit is met, not avoided
