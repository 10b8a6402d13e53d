"""The watcher's reconciliation rule fires while a day or a position disagrees with the bot's
own record beyond the tolerance, and rests when they agree (data.reconciliation's checks)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.rules import reconciliation_observation
from data import metrics
from tests.support import round_trip_fills as rt
from tests.unit.test_reconciliation import AGREEING, bot_day, positions

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # the last 30 UTC days: 2026-03-04 .. 04-02


@pytest.fixture(scope="module")
def ledger():
    return metrics.realized_pnl_ledger(rt.filled_frame())


def test_agreeing_days_and_positions_do_not_fire(ledger):
    observation = reconciliation_observation(ledger, AGREEING, positions(("KRW-AAA", 2.0, 900.0)), NOW)
    assert observation.rule == "reconciliation_discrepancy" and observation.active is False


def test_a_day_booked_10_krw_apart_fires_and_says_how_many(ledger):
    days = [bot_day("2026-04-01", 3010.0) if d.date.isoformat() == "2026-04-01" else d for d in AGREEING]
    observation = reconciliation_observation(ledger, days, positions(("KRW-AAA", 2.0, 900.0)), NOW)
    assert observation.active is True
    assert observation.value_args == {"days": 1, "positions": 0}
    assert observation.page == "/system"


def test_a_position_the_fills_do_not_build_fires(ledger):
    observation = reconciliation_observation(ledger, AGREEING, positions(("KRW-AAA", 2.5, 900.0)), NOW)
    assert observation.active is True and observation.value_args == {"days": 0, "positions": 1}
