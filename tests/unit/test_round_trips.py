"""Round trips and their statistics, against the hand-worked fills of tests/support/round_trip_fills."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data import metrics
from data.round_trips import pnl_by_period, round_trip_stats, round_trips
from data.services import DataServices
from tests.support import round_trip_fills as rt


@pytest.fixture(scope="module")
def ledger():
    return metrics.realized_pnl_ledger(rt.filled_frame())


@pytest.fixture(scope="module")
def result(ledger):
    return round_trips(ledger, rt.exit_reasons())


def test_closed_round_trips_pair_entries_with_exits_including_partial_sells_and_fees(result):
    closed = result.closed
    got = [
        (
            r.symbol,
            r.entry_price,
            r.exit_price,
            r.quantity,
            r.legs,
            r.holding_s,
            r.fees,
            r.pnl_krw,
            r.realized_pnl_pct,
            r.exit_reason,
        )
        for r in closed.itertuples()
    ]
    assert len(got) == len(rt.CLOSED)
    for row, expected in zip(got, rt.CLOSED, strict=True):
        assert row[:5] == expected[:5]
        assert row[5:9] == pytest.approx(expected[5:9])
        assert (row[9] if isinstance(row[9], str) else None) == expected[9]


def test_a_round_trip_runs_from_its_first_buy_to_the_sell_that_leaves_the_symbol_flat(result):
    first = result.closed.iloc[0]
    assert first["entry_time"] == rt.FILLS[1][5]
    assert first["exit_time"] == rt.FILLS[4][5]


def test_a_position_still_open_at_the_end_is_an_open_round_trip_outside_the_statistics(result):
    open_ = result.open
    assert list(open_["symbol"]) == ["KRW-AAA"]
    assert open_.iloc[0]["quantity"] == rt.OPEN_QUANTITY
    assert open_.iloc[0]["pnl_krw"] == pytest.approx(rt.OPEN_REALIZED)
    assert pd.isna(open_.iloc[0]["exit_time"])


def test_a_sell_with_nothing_bought_before_it_is_counted_as_unmatched(result):
    assert result.unmatched_sells == 1


def test_round_trip_pnl_adds_up_to_the_realized_pnl_of_the_ledger(result, ledger):
    assert result.trips["pnl_krw"].sum() == pytest.approx(metrics.total_realized_pnl(ledger))


def test_statistics_over_closed_round_trips(result):
    stats = round_trip_stats(result)
    for name, expected in rt.STATS.items():
        value = getattr(stats, name)
        if isinstance(expected, float):
            assert value == pytest.approx(expected), name
        else:
            assert value == expected, name


def test_break_even_is_neither_a_win_nor_a_loss_but_counts_in_the_win_rate_denominator(result):
    stats = round_trip_stats(result)
    assert (stats.wins, stats.losses, stats.break_even) == (2, 1, 1)
    assert stats.win_rate_pct == pytest.approx(2 / 4 * 100)


def test_profit_factor_is_none_without_a_losing_trip(ledger):
    wins_only = ledger[ledger["symbol"] == "KRW-BBB"]
    stats = round_trip_stats(round_trips(wins_only))
    assert stats.profit_factor is None
    assert stats.wins == 2


@pytest.mark.parametrize(
    ("period", "expected"), [("day", rt.DAILY), ("week", rt.WEEKLY), ("month", rt.MONTHLY)], ids=str
)
def test_pnl_tables_group_closed_round_trips_by_the_utc_period_of_their_exit(result, period, expected):
    table = pnl_by_period(result, period)
    got = [(r.period, r.trips, r.wins, r.losses, r.break_even, pytest.approx(r.pnl_krw)) for r in table.itertuples()]
    assert got == [(date.fromisoformat(p), *rest) for p, *rest in expected]


def test_without_exit_reasons_a_week6_history_has_none(ledger):
    assert round_trips(ledger).closed["exit_reason"].isna().all()


def test_no_fills_no_round_trips():
    empty = metrics.realized_pnl_ledger(rt.filled_frame().iloc[0:0])
    result = round_trips(empty)
    stats = round_trip_stats(result)
    assert (stats.closed, stats.win_rate_pct, stats.expectancy, stats.average_holding) == (0, None, None, None)
    assert pnl_by_period(result, "week").empty


def test_a_sell_larger_than_the_position_closes_it_at_the_quantity_held():
    frame = rt.filled_frame().iloc[5:7].copy()  # KRW-BBB: BUY 2 @ 50,000, SELL 2 @ 51,000
    frame.loc[frame.index[1], "quantity"] = 3.0
    trip = round_trips(metrics.realized_pnl_ledger(frame)).closed.iloc[0]
    assert (trip["quantity"], trip["exit_price"]) == (2.0, 51000.0)


def test_the_services_pair_a_ledger_once_and_again_when_the_orders_change(ledger):
    services = DataServices(database=None, bot_status=None, bot_limits=None)
    first = services.round_trips(ledger)
    assert services.round_trips(ledger) is first
    fewer = metrics.realized_pnl_ledger(rt.filled_frame().iloc[:7])
    assert len(services.round_trips(fewer).closed) == 2
