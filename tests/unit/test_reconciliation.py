"""Reconciliation of realized PnL per UTC day and of positions, against hand-computed values."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data import metrics
from data.reconciliation import daily_checks, position_checks, tolerance_krw
from data.risk import DailyRiskState
from tests.support import round_trip_fills as rt

SINCE, UNTIL = date(2026, 3, 1), date(2026, 4, 2)


def bot_day(day: str, pnl: float) -> DailyRiskState:
    return DailyRiskState(
        date=date.fromisoformat(day),
        total_pnl=pnl,
        trade_count=0,
        consecutive_losses=0,
        cooldown_until=None,
        is_trading_halted=False,
        updated_at=None,
    )


@pytest.fixture(scope="module")
def ledger():
    return metrics.realized_pnl_ledger(rt.filled_frame())


# The bot's PnL per day as the fills imply it (tests/support/round_trip_fills), counted as the bot
# counts it: each sell's (price - average cost) x quantity, fees left out. 2026-03-02:
# (1,300 - 1,100) x 5 + (1,000 - 1,100) x 15 = -500 (fees included it would be -521); 03-03
# (51,000 - 50,000) x 2 = +2,000; 03-10 +0.5; 04-01 +3,000; 04-02 +50 (the partial exit).
AGREEING = [
    bot_day("2026-03-02", -500.0),
    bot_day("2026-03-03", 2000.0),
    bot_day("2026-03-10", 0.5),
    bot_day("2026-04-01", 3000.0),
    bot_day("2026-04-02", 50.0),
]


def by_day(checks):
    return {c.day.isoformat(): c for c in checks}


def test_the_tolerance_is_1_krw_or_a_hundredth_of_a_percent_of_turnover_whichever_is_larger():
    assert tolerance_krw(5_000.0) == 1.0
    assert tolerance_krw(10_000.0) == 1.0
    assert tolerance_krw(100_000.0) == pytest.approx(10.0)
    assert tolerance_krw(20_000_000.0) == pytest.approx(2_000.0)


def test_a_day_is_compared_without_fees_as_the_bot_counts_it(ledger):
    # The fee-inclusive figure (-521) is 21 KRW of fees away from the bot's -500: a discrepancy.
    with_fees = [d if d.date != date(2026, 3, 2) else bot_day("2026-03-02", -521.0) for d in AGREEING]
    assert by_day(daily_checks(ledger, with_fees, SINCE, UNTIL))["2026-03-02"].is_discrepancy
    assert by_day(daily_checks(ledger, AGREEING, SINCE, UNTIL))["2026-03-02"].dashboard_pnl == pytest.approx(-500.0)


def test_days_whose_bot_pnl_matches_the_fills_agree(ledger):
    checks = by_day(daily_checks(ledger, AGREEING, SINCE, UNTIL))
    assert not any(c.is_discrepancy for d, c in checks.items() if d != "2026-03-01")
    # 2026-03-02 turnover: 10,000 + 12,000 + 6,500 + 15,000 = 43,500 -> tolerance 4.35 KRW.
    assert checks["2026-03-02"].turnover == pytest.approx(43_500.0)
    assert checks["2026-03-02"].tolerance == pytest.approx(4.35)


def test_a_difference_beyond_the_tolerance_is_a_discrepancy_with_its_size_and_fills(ledger):
    off = [d if d.date != date(2026, 3, 2) else bot_day("2026-03-02", -505.0) for d in AGREEING]
    check = by_day(daily_checks(ledger, off, SINCE, UNTIL))["2026-03-02"]
    assert check.is_discrepancy
    assert check.difference == pytest.approx(5.0)
    assert list(check.fills["id"]) == ["f01", "f02", "f03", "f04"]


def test_a_difference_within_the_tolerance_is_not_a_discrepancy(ledger):
    near = [d if d.date != date(2026, 3, 2) else bot_day("2026-03-02", -504.0) for d in AGREEING]
    assert not by_day(daily_checks(ledger, near, SINCE, UNTIL))["2026-03-02"].is_discrepancy


def test_a_day_with_sells_but_no_bot_row_is_a_discrepancy(ledger):
    checks = by_day(daily_checks(ledger, AGREEING[1:], SINCE, UNTIL))
    assert checks["2026-03-02"].bot_pnl is None
    assert checks["2026-03-02"].is_discrepancy


def test_a_bot_pnl_on_a_day_without_fills_is_a_discrepancy(ledger):
    checks = by_day(daily_checks(ledger, [*AGREEING, bot_day("2026-03-20", -3000.0)], SINCE, UNTIL))
    assert checks["2026-03-20"].dashboard_pnl == 0.0
    assert checks["2026-03-20"].is_discrepancy


def test_a_sell_the_ledger_cannot_price_is_reported_on_its_day(ledger):
    check = by_day(daily_checks(ledger, AGREEING, SINCE, UNTIL))["2026-03-01"]
    assert check.unmatched_sells == 1


def test_days_outside_the_window_are_not_checked(ledger):
    checks = daily_checks(ledger, AGREEING, date(2026, 4, 1), UNTIL)
    assert [c.day.isoformat() for c in checks] == ["2026-04-02", "2026-04-01"]


def positions(*rows):
    return pd.DataFrame(rows, columns=["symbol", "quantity", "avg_price"])


def test_a_position_built_by_its_fills_agrees(ledger):
    # KRW-AAA: BUY 3 @ 900, SELL 1: 2 held at 900.
    (check,) = position_checks(ledger, positions(("KRW-AAA", 2.0, 900.0)))
    assert not check.is_discrepancy
    assert list(check.fills["id"]) == ["f11", "f12"]


def test_a_position_whose_quantity_differs_from_its_fills_is_a_discrepancy(ledger):
    (check,) = position_checks(ledger, positions(("KRW-AAA", 2.5, 900.0)))
    assert check.is_discrepancy
    assert check.quantity_difference == pytest.approx(-0.5)
    assert check.value_difference_krw == pytest.approx(-450.0)


def test_a_position_the_fills_closed_but_the_table_still_holds_is_a_discrepancy(ledger):
    checks = {c.symbol: c for c in position_checks(ledger, positions(("KRW-AAA", 2.0, 900.0), ("KRW-BBB", 1.0, 10.0)))}
    assert checks["KRW-BBB"].is_discrepancy
    assert checks["KRW-BBB"].fills_quantity == 0.0


def test_a_day_without_a_bot_row_is_a_discrepancy_even_when_its_pnl_is_within_the_tolerance(ledger):
    # 2026-03-10: +0.1 KRW realized, under the 1 KRW tolerance, but the bot wrote no row.
    checks = by_day(daily_checks(ledger, [d for d in AGREEING if d.date != date(2026, 3, 10)], SINCE, UNTIL))
    assert checks["2026-03-10"].is_discrepancy


def test_a_quantity_difference_is_a_discrepancy_even_at_the_same_cost(ledger):
    # Fills: 2 @ 900 = 1,800 KRW; the table: 2.5 @ 720 = 1,800 KRW.
    (check,) = position_checks(ledger, positions(("KRW-AAA", 2.5, 720.0)))
    assert check.value_difference_krw == pytest.approx(0.0)
    assert check.is_discrepancy
