"""The demo's paper bot keeps books that agree with the dashboard's own accounting."""

import re
from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest

from data import metrics
from data.risk import DashboardRiskSettings, resolve_limits
from data.status_payload import ACTIONS
from simulator.paper_bot import INITIAL_BALANCE, BotConfig, demo_limits
from simulator.synthetic import _backfilled_hourly_closes, generate_history, tick_size

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


def test_daily_risk_pnl_is_each_days_sells_priced_on_their_average_cost_without_fees(history):
    # The bot adds (sell price - average cost) x quantity to total_pnl, fees left out.
    ledger = metrics.realized_pnl_ledger(orders_frame(history))
    sells = ledger[ledger["side"] == "SELL"]
    by_day = ((sells["price"] - _average_cost_before(ledger, sells)) * sells["quantity"]).groupby(
        sells["executed_at"].dt.date
    )
    daily = by_day.sum()
    for day, state in history.bot.days.items():
        assert state.total_pnl == pytest.approx(daily.get(day, 0.0), abs=1e-6)


def _average_cost_before(ledger: pd.DataFrame, sells: pd.DataFrame) -> pd.Series:
    before = ledger.groupby("symbol")["avg_price_after"].shift()
    return before.loc[sells.index]


def test_the_v3_bot_sizes_each_buy_from_its_strategy_file_and_writes_no_audit_rows(history):
    sides = Counter((o["side"], o["status"]) for o in history.orders)
    assert sides[("BUY", "FILLED")] >= 10 and sides[("SELL", "FILLED")] >= 10
    assert sides[("BUY", "CANCELLED")] >= 1
    assert history.audits == []  # the v3 bot's code writes no risk_audit rows
    # Each BUY: at most reference equity x max_position_size x the regime's ratio (the demo's file:
    # 20 %, BULL 1.0 / SIDEWAYS 0.9 / BEAR 0.7), the day's reference fixed at its first entry check.
    ratios = {"BULL": 1.0, "SIDEWAYS": 0.9, "BEAR": 0.7}
    for order in history.orders:
        if order["side"] != "BUY" or order["status"] != "FILLED":
            continue
        reference = history.bot.reference[order["created_at"].date()]
        assert order["price"] * order["quantity"] <= reference * 0.20 * ratios[order["regime"]] * 1.0001


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
    # The v3 demo bot's limit comes from its strategy file (simulator/strategy_v3.yaml).
    limit = demo_limits().max_daily_trades.value
    assert all(day.buy_count <= limit for day in history.bot.days.values())
    assert all(day.trade_count == day.buy_count + day.sell_count for day in history.bot.days.values())
    assert any(day.buy_count == limit for day in history.bot.days.values())  # the limit is met, not avoided


# -- the v3 bot ------------------------------------------------------------------------------

V3_DAYS = 12  # over 200 hourly closes, so regimes other than UNKNOWN appear


@pytest.fixture(scope="module")
def v3_history():
    return generate_history(["KRW-BTC", "KRW-ETH", "KRW-XRP"], V3_DAYS, END, seed=11)


def filled_sells(history):
    return [o for o in history.orders if o["side"] == "SELL" and o["status"] == "FILLED"]


def test_post_exit_prices_are_the_closes_one_to_24_hours_after_the_exit_candle(v3_history):
    windows = {"1h": 60, "4h": 240, "12h": 720, "24h": 1440}
    checked = 0
    for sell in filled_sells(v3_history):
        candles = v3_history.candles[sell["symbol"]].set_index("timestamp")["close"]
        exit_open = pd.Timestamp(sell["created_at"]) - pd.Timedelta(minutes=1)
        assert candles[exit_open] == sell["price"]  # the SELL filled at the exit candle's close
        expected = {}
        for label, minutes in windows.items():
            at = exit_open + pd.Timedelta(minutes=minutes)
            if at in candles.index:
                expected[label] = (candles[at], (candles[at] - sell["price"]) / sell["price"] * 100)
        recorded = sell["post_exit_prices"] or {}
        assert set(recorded) == set(expected), sell["created_at"]  # a window only once it matured
        for label, (price, change_pct) in expected.items():
            assert recorded[label]["price"] == price
            assert recorded[label]["change_pct"] == pytest.approx(change_pct, abs=1e-4)
            checked += 1
    assert checked > 100
    assert any(len(s["post_exit_prices"] or {}) < 4 for s in filled_sells(v3_history))  # the last day's


def test_exit_reasons_are_on_sells_only_and_from_the_v3_list(v3_history):
    sells = filled_sells(v3_history)
    assert {s["exit_reason"] for s in sells} <= {
        "STOP_LOSS",
        "TRAILING_STOP",
        "TAKE_PROFIT",
        "RSI_OVERBOUGHT",
        "TIME_LIMIT",
    }
    assert len({s["exit_reason"] for s in sells}) >= 3
    assert all(o["exit_reason"] is None for o in v3_history.orders if o["side"] == "BUY")


def test_a_sell_records_the_average_cost_it_realized_against(v3_history):
    ledger = metrics.realized_pnl_ledger(orders_frame(v3_history))
    ledger["avg_price_before"] = ledger.groupby("symbol")["avg_price_after"].shift()
    before = ledger.set_index("id")["avg_price_before"]
    for sell in filled_sells(v3_history):
        assert sell["signal_info"]["entry_avg_price"] == pytest.approx(before[str(sell["id"])])


def test_the_trailing_stop_follows_the_high_water_mark_of_bull_entries(v3_history):
    trailing = [s for s in filled_sells(v3_history) if s["exit_reason"] == "TRAILING_STOP"]
    assert trailing
    for sell in trailing:
        assert sell["high_water_mark"] >= sell["signal_info"]["entry_avg_price"] * 1.006
        assert sell["price"] <= sell["high_water_mark"] * (1 - 0.006)
    entries = {o["symbol"]: o for o in v3_history.orders if o["side"] == "BUY" and o["status"] == "FILLED"}
    assert entries and all(o["high_water_mark"] == o["price"] for o in entries.values())


def test_regimes_are_hourly_ma50_against_ma200_of_the_hourly_closes(v3_history):
    rows = [r for r in v3_history.rows.regimes if r["coin_symbol"] == "BTC"]
    candles = v3_history.candles["KRW-BTC"]
    hourly = candles[candles["timestamp"].dt.minute == 59].set_index("timestamp")["close"]
    hourly.index = hourly.index + pd.Timedelta(minutes=1)  # an hour's close is known when it ends
    assert [r["detected_at"] for r in rows] == list(hourly.index[: len(rows)].to_pydatetime())
    # The 200 hourly closes a deployment backfills for its regime detector come before the window.
    backfill = _backfilled_hourly_closes("KRW-BTC", 11, 0, candles)
    first = hourly.index[0]
    hourly = pd.concat(
        [
            pd.Series(backfill, index=[first - pd.Timedelta(hours=len(backfill) - i) for i in range(len(backfill))]),
            hourly,
        ]
    )
    ma50, ma200 = hourly.rolling(50).mean(), hourly.rolling(200).mean()
    for row in rows:
        at = pd.Timestamp(row["detected_at"])
        if pd.isna(ma200[at]):
            assert row["regime"] == "UNKNOWN" and row["ma200"] is None
            continue
        diff = (ma50[at] - ma200[at]) / ma200[at] * 100
        assert row["diff_pct"] == pytest.approx(diff, abs=1e-3)
        assert row["regime"] == ("BULL" if diff > 1.0 else "BEAR" if diff < -1.0 else "SIDEWAYS")
    assert "UNKNOWN" not in {r["regime"] for r in rows}  # backfilled: the regime is known from the start
    assert len({r["regime"] for r in rows}) >= 2


def test_buys_carry_the_regime_in_force_and_sells_their_entrys_regime(v3_history):
    detections = pd.DataFrame(v3_history.rows.regimes)
    entry_regime = {}
    for order in v3_history.orders[:200]:
        coin = order["symbol"].split("-")[1]
        known = detections[(detections["coin_symbol"] == coin) & (detections["detected_at"] <= order["created_at"])]
        in_force = known["regime"].iloc[-1] if len(known) else "UNKNOWN"
        if order["side"] == "BUY":
            assert order["regime"] == in_force
            if order["status"] == "FILLED":
                entry_regime[order["symbol"]] = order["regime"]
        else:  # the bot records a SELL under the position's entry regime
            assert order["regime"] == entry_regime[order["symbol"]]


def test_provider_bills_are_the_ledger_sum_of_their_window_within_the_discrepancy(v3_history):
    events = pd.DataFrame(v3_history.rows.llm_events)
    assert events["request_id"].is_unique
    assert set(events["status"]) == {"success", "error", "estimated"}
    assert events["model"].nunique() >= 2
    bills = v3_history.rows.cost_snapshots
    assert len(bills) >= 2 * (V3_DAYS - 1)
    for bill in bills:
        in_window = events[
            (events["provider"] == bill["provider"])
            & (events["created_at"] >= bill["window_start"])
            & (events["created_at"] < bill["window_end"])
        ]
        ledger = in_window["estimated_cost_usd"].sum()
        assert ledger * 0.97 - 1e-6 <= bill["cost_usd"] <= ledger * 1.03 + 1e-6


def test_the_credit_balance_falls_by_what_the_ledger_spent(v3_history):
    events = pd.DataFrame(v3_history.rows.llm_events)
    snapshots = [s for s in v3_history.rows.credit_snapshots if s["provider"] == "anthropic"]
    balances = [s["balance_usd"] for s in snapshots]
    assert balances == sorted(balances, reverse=True) and balances[0] > balances[-1]
    last = snapshots[-1]
    spent = events[(events["provider"] == "anthropic") & (events["created_at"] < last["created_at"])]
    assert last["balance_usd"] == pytest.approx(40.0 - spent["estimated_cost_usd"].sum(), abs=0.05)


def test_every_entry_signal_the_ai_rejected_is_vetoed(v3_history):
    buys = {(o["symbol"], o["created_at"]) for o in v3_history.orders if o["side"] == "BUY"}
    decisions = v3_history.decisions
    rejects = [d for d in decisions if d["decision"] == "REJECT"]
    assert rejects and not any((d["symbol"], d["created_at"]) in buys for d in rejects)
    assert {"SAFE", "WARNING"} <= {d["decision"] for d in decisions}
    assert all(d["price_at_decision"] > 0 and d["regime"] for d in decisions)


def test_the_week6_bot_writes_no_v3_field():
    week6 = generate_history(["KRW-BTC"], 2, END, seed=5, config=BotConfig(v3=False, limit_counts_buys=False))
    assert week6.orders and not any({"regime", "exit_reason", "post_exit_prices"} & set(o) for o in week6.orders)
    assert not any("entry_avg_price" in o["signal_info"] for o in week6.orders)
    assert not week6.rows.regimes and not week6.rows.llm_events
    assert "bb_lower" in week6.last_status["KRW-BTC"]["indicators"]


def test_a_bot_counting_every_trade_never_passes_its_limit_and_says_so_truthfully():
    # Exits still run after the limit, so a bot counting every trade must keep room for them.
    limits = resolve_limits(None, DashboardRiskSettings(max_trades_per_day=4))
    week6 = generate_history(
        ["KRW-BTC", "KRW-ETH", "KRW-XRP"],
        4,
        END,
        seed=5,
        config=BotConfig(v3=False, limit_counts_buys=False, limits=limits),
    )
    assert all(day.trade_count <= limits.max_daily_trades.value for day in week6.bot.days.values())
    audits = [a["description"] for a in week6.audits if a["violation_type"] == "DAILY_TRADE_LIMIT"]
    assert audits  # the limit is met, not avoided
    for description in audits:
        counted, limit = re.search(r"(\d+)/(\d+) trades", description).groups()
        assert int(counted) <= int(limit)
