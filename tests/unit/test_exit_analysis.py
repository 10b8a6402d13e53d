"""The Exits page's arithmetic and tuning rules, with numbers worked out by hand: each rule just
below, at and just past its threshold; PnL % from the recorded entry price or the ledger;
malformed post-exit JSON skipped per window and counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.exit_analysis import (
    DRIFT_COLUMNS,
    EXIT_FRAME_COLUMNS,
    MIN_SELLS_FOR_HINTS,
    exit_frame,
    ledger_entry_prices,
    parse_post_exit,
    summarize,
    tuning_hints,
)
from data.metrics import realized_pnl_ledger

TRACKED_AT = "2026-03-01T01:00:00+00:00"


def exits(rows: list[dict], pad_to: int = MIN_SELLS_FOR_HINTS) -> pd.DataFrame:
    """An exit frame of `rows` (exit_reason, regime, drift_4h, drift_24h ...), padded with untracked
    RSI_OVERBOUGHT sells so that the 20-sell minimum is met and touches no rule."""
    padding = [{"exit_reason": "RSI_OVERBOUGHT"}] * max(0, pad_to - len(rows))
    records = []
    for i, row in enumerate(rows + padding):
        record = dict.fromkeys(EXIT_FRAME_COLUMNS, np.nan)
        record.update({"id": str(i), "symbol": "KRW-BTC", "regime": None, "pnl_source": None})
        record.update(row)
        records.append(record)
    return pd.DataFrame(records, columns=EXIT_FRAME_COLUMNS)


def hint(report, key, subject=None):
    found = [h for h in report.hints if h.key == key and (subject is None or h.subject == subject)]
    assert len(found) == 1, report.hints
    return found[0]


# -- the per-reason rules: each threshold just below / at / just past ------------------------


@pytest.mark.parametrize(
    "changes, fired",
    [([3.0, 2.98], False), ([3.0, 3.0], True), ([4.0, 2.5], True)],  # means 2.99 / 3.00 / 3.25
)
def test_trailing_stop_hint_fires_at_a_24h_mean_of_plus_3_or_more(changes, fired):
    report = tuning_hints(exits([{"exit_reason": "TRAILING_STOP", "drift_24h": c} for c in changes]))
    found = hint(report, "trailing_stop_loosen")
    assert found.fired is fired and found.sample == 2
    assert found.value == pytest.approx(sum(changes) / 2)


@pytest.mark.parametrize("changes, fired", [([1.0, 0.98], False), ([1.0, 1.0], True), ([1.5, 1.0], True)])
def test_stop_loss_hint_fires_at_a_4h_mean_of_plus_1_or_more(changes, fired):
    report = tuning_hints(exits([{"exit_reason": "STOP_LOSS", "drift_4h": c, "drift_24h": 9.0} for c in changes]))
    assert hint(report, "stop_loss_tight").fired is fired


@pytest.mark.parametrize("changes, fired", [([2.0, 1.98], False), ([2.0, 2.0], True), ([3.0, 2.0], True)])
def test_take_profit_hint_fires_at_a_4h_mean_of_plus_2_or_more(changes, fired):
    report = tuning_hints(exits([{"exit_reason": "TAKE_PROFIT", "drift_4h": c} for c in changes]))
    assert hint(report, "take_profit_low").fired is fired


@pytest.mark.parametrize("changes, fired", [([-2.0, -1.98], False), ([-2.0, -2.0], True), ([-3.0, -2.0], True)])
def test_time_limit_hint_fires_at_a_24h_mean_of_minus_2_or_less(changes, fired):
    report = tuning_hints(exits([{"exit_reason": "TIME_LIMIT", "drift_24h": c} for c in changes]))
    assert hint(report, "time_limit_working").fired is fired


def test_a_rule_averages_only_the_sells_tracked_at_its_window():
    rows = [{"exit_reason": "TRAILING_STOP", "drift_24h": 3.0}, {"exit_reason": "TRAILING_STOP", "drift_4h": -9.0}]
    found = hint(tuning_hints(exits(rows)), "trailing_stop_loosen")
    assert (found.value, found.sample, found.fired) == (3.0, 1, True)


def test_a_reason_without_tracked_sells_gives_no_hint():
    report = tuning_hints(exits([{"exit_reason": "STOP_LOSS", "drift_24h": 5.0}]))
    assert [h.key for h in report.hints] == []


# -- the regime rule: early exits over 40 % -----------------------------------------------------


def regime_rows(regime, early, late, reason="TRAILING_STOP"):
    return [{"exit_reason": reason, "regime": regime, "drift_24h": 2.01}] * early + [
        {"exit_reason": reason, "regime": regime, "drift_24h": 2.0}
    ] * late


@pytest.mark.parametrize(
    "early, late, fired",
    [(3, 5, False), (2, 3, False), (3, 4, True)],  # 37.5 %, exactly 40 %, 42.9 %
)
def test_a_regime_whose_early_exits_exceed_40_percent_gets_a_hint(early, late, fired):
    found = hint(tuning_hints(exits(regime_rows("BULL", early, late))), "regime_early_exits", "BULL")
    assert found.fired is fired
    assert (found.early, found.sample) == (early, early + late)
    assert found.value == pytest.approx(early * 100 / (early + late))


def test_an_early_exit_is_more_than_2_percent_higher_24h_later():
    # 2.0 exactly is not early: 2 of 5 (40 %); the same with 2.01 is 3 of 5 (60 %).
    at_two = regime_rows("BEAR", 2, 2) + [{"exit_reason": "TAKE_PROFIT", "regime": "BEAR", "drift_24h": 2.0}]
    assert hint(tuning_hints(exits(at_two)), "regime_early_exits").early == 2
    past = regime_rows("BEAR", 2, 2) + [{"exit_reason": "TAKE_PROFIT", "regime": "BEAR", "drift_24h": 2.01}]
    assert hint(tuning_hints(exits(past)), "regime_early_exits").early == 3


def test_the_early_exit_rate_counts_only_trailing_stop_and_take_profit_exits():
    rows = regime_rows("SIDEWAYS", 1, 1) + [{"exit_reason": "STOP_LOSS", "regime": "SIDEWAYS", "drift_24h": 9.0}] * 5
    found = hint(tuning_hints(exits(rows)), "regime_early_exits", "SIDEWAYS")
    assert (found.early, found.sample, found.value) == (1, 2, 50.0)


# -- the 20-sell minimum ------------------------------------------------------------------------


@pytest.mark.parametrize("sells, enough, more", [(19, False, 1), (20, True, 0), (21, True, 0), (0, False, 20)])
def test_hints_need_20_sells_in_the_look_back(sells, enough, more):
    rows = [{"exit_reason": "TRAILING_STOP", "drift_24h": 5.0}] * sells
    report = tuning_hints(exits(rows, pad_to=0))
    assert (report.enough, report.more_needed, report.sells) == (enough, more, sells)
    assert bool(report.fired) is enough


# -- post_exit_prices, read -------------------------------------------------------------------


def window(change, price=101.0, tracked_at=TRACKED_AT):
    return {"price": price, "change_pct": change, "tracked_at": tracked_at}


def test_well_formed_windows_are_read_and_missing_ones_are_not_tracked():
    parsed = parse_post_exit({"1h": window(0.5), "4h": window(-1.25)})
    assert parsed.drifts == {"1h": 0.5, "4h": -1.25}
    assert (parsed.malformed_windows, parsed.malformed_value) == (0, False)


@pytest.mark.parametrize(
    "bad",
    [
        "1.5",
        None,
        [1.5],
        {"price": 101.0, "tracked_at": TRACKED_AT},  # no change_pct
        window("1.5"),  # change_pct as text
        window(True),
        window(float("nan")),
        window(1.5, price="101"),
        window(1.5, price=0),
        window(1.5, tracked_at=None),
        window(1.5, tracked_at="yesterday"),
    ],
)
def test_a_malformed_window_is_skipped_and_counted_and_the_others_kept(bad):
    parsed = parse_post_exit({"1h": window(0.5), "24h": bad})
    assert parsed.drifts == {"1h": 0.5}
    assert parsed.malformed_windows == 1


@pytest.mark.parametrize("value", ["garbage", '{"1h": 1}', 3.5, [window(1.0)], True])
def test_a_post_exit_value_that_is_not_an_object_is_counted_whole(value):
    parsed = parse_post_exit(value)
    assert parsed.drifts == {} and parsed.malformed_value


def test_no_post_exit_value_is_simply_not_tracked():
    assert parse_post_exit(None) == parse_post_exit({})
    assert not parse_post_exit(None).malformed_value


# -- PnL %: recorded entry price first, the ledger otherwise -------------------------------------


def sells_frame(rows):
    base = {"quantity": 1.0, "symbol": "KRW-BTC", "executed_at": pd.Timestamp("2026-03-01", tz="UTC")}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_pnl_pct_uses_the_recorded_entry_price_and_else_the_ledgers():
    sells = sells_frame(
        [
            {"id": "a", "price": 103.0, "signal_info": {"entry_avg_price": 100.0}},
            {"id": "b", "price": 99.0, "signal_info": {"entry_avg_price": "110"}},  # as ->> gives it
            {"id": "c", "price": 90.0, "signal_info": {"reason": "x"}},
            {"id": "d", "price": 90.0, "signal_info": "not an object"},
            {"id": "e", "price": 90.0, "signal_info": {"entry_avg_price": -5}},
        ]
    )
    frame, _ = exit_frame(sells, pd.Series({"c": 80.0, "b": 1.0, "e": 100.0}))
    assert frame["pnl_pct"].tolist()[:3] == pytest.approx([3.0, -10.0, 12.5])
    assert np.isnan(frame["pnl_pct"].iloc[3])  # neither recorded nor in the ledger
    assert frame["pnl_pct"].iloc[4] == pytest.approx(-10.0)  # a non-positive recorded price is not used
    sources = [s if isinstance(s, str) else None for s in frame["pnl_source"]]
    assert sources == ["recorded", "recorded", "ledger", None, "ledger"]
    summary = summarize(frame)
    assert (summary.sells, summary.pnl_computable, summary.pnl_recorded, summary.pnl_ledger) == (5, 4, 2, 2)
    assert summary.avg_pnl_pct == pytest.approx((3.0 - 10.0 + 12.5 - 10.0) / 4)


def test_the_ledger_entry_price_is_the_average_cost_just_before_the_sell():
    trades = pd.DataFrame(
        [
            ("b1", "KRW-SOL", "BUY", 1000.0, 1.0, "2026-01-01T00:00"),
            ("b2", "KRW-SOL", "BUY", 1200.0, 1.0, "2026-01-01T00:01"),
            ("s1", "KRW-SOL", "SELL", 1045.0, 1.0, "2026-01-02T00:00"),
            ("b3", "KRW-SOL", "BUY", 1400.0, 1.0, "2026-01-03T00:00"),  # avg (1100 + 1400) / 2
            ("s2", "KRW-SOL", "SELL", 1500.0, 2.0, "2026-01-04T00:00"),
            ("s3", "KRW-ADA", "SELL", 500.0, 1.0, "2026-01-04T00:00"),  # nothing held: unmatched
        ],
        columns=["id", "symbol", "side", "price", "quantity", "executed_at"],
    ).assign(fee=0.0, status="FILLED", created_at=lambda f: f["executed_at"])
    trades["executed_at"] = pd.to_datetime(trades["executed_at"], utc=True)
    trades["created_at"] = trades["executed_at"]
    entries = ledger_entry_prices(realized_pnl_ledger(trades))
    assert entries["s1"] == pytest.approx(1100.0)
    assert entries["s2"] == pytest.approx(1250.0)
    assert np.isnan(entries["s3"])


def test_summary_counts_sells_tracked_to_24h_and_malformed_data():
    sells = sells_frame(
        [
            {"id": "a", "price": 1.0, "signal_info": None, "post_exit_prices": {"24h": window(1.0)}},
            {"id": "b", "price": 1.0, "signal_info": None, "post_exit_prices": {"1h": window(1.0), "24h": "x"}},
            {"id": "c", "price": 1.0, "signal_info": None, "post_exit_prices": "garbage"},
            {"id": "d", "price": 1.0, "signal_info": None, "post_exit_prices": None},
        ]
    )
    frame, notes = exit_frame(sells)
    assert summarize(frame).tracked_24h == 1
    assert (notes.malformed_windows, notes.malformed_values, notes.sells_affected) == (1, 1, 2)
    assert frame.loc[1, "drift_1h"] == 1.0 and frame[list(DRIFT_COLUMNS)].notna().sum().sum() == 2
