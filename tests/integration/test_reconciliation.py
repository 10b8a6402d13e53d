"""The System page's reconciliation: on the seeded history (whose paper bot keeps its own
books) every day and position agrees on every backend; on a database this module fills with
the hand-worked fills of tests/support/round_trip_fills and a bot row 10 KRW off, that day is a
discrepancy shown with its size and its fills, and so is a stale positions row."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from callbacks.reconciliation import reconciliation_panel
from dashboard.app import build_services
from data.database import Backend
from data.tables import daily_risk_state, positions
from layouts import format as fmt
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support import round_trip_fills as rt
from tests.support.components import by_attribute, text
from tests.support.helpers import FixedClock, make_settings

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
# The fills imply, as the bot counts (fees left out), 2026-03-10 +0.5, 04-01 +3,000, 04-02 +50; the
# bot's 04-01 is 10 KRW short (turnover 10,000 + 13,000 = 23,000: tolerance max(1, 2.3) = 2.3 KRW).
BOT_DAYS = {date(2026, 3, 10): 0.5, date(2026, 4, 1): 2990.0, date(2026, 4, 2): 50.0}


def discrepancies(tree, kind: str) -> list[str]:
    return [node["props"][kind] for node in by_attribute(tree, "data-discrepancy", "true") if kind in node["props"]]


def test_the_seeded_bot_agrees_with_the_dashboard_on_every_day_and_position(seeded_services):
    tree = reconciliation_panel(seeded_services)
    assert by_attribute(tree, "data-reconciliation", "days-ok")
    assert by_attribute(tree, "data-day")  # days were checked
    assert by_attribute(tree, "data-discrepancy", "true") == []


def build(postgres, tmp_path_factory, backend: str) -> str:
    if backend == "postgresql":
        url = postgres.create("cp_reconcile")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('reconcile') / 'reconcile.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend(backend), "v3")
    with writer.engine.begin() as conn:
        insert_rows(conn, rt.order_rows(), [], [])
        conn.execute(
            daily_risk_state.insert(),
            [{"date": day, "total_pnl": pnl, "updated_at": NOW} for day, pnl in BOT_DAYS.items()],
        )
        conn.execute(
            positions.insert(),
            [
                {"symbol": "KRW-AAA", "quantity": 2.0, "avg_price": 900.0, "opened_at": NOW, "updated_at": NOW},
                {"symbol": "KRW-BBB", "quantity": 1.0, "avg_price": 10000.0, "opened_at": NOW, "updated_at": NOW},
            ],
        )
    writer.dispose()
    return url


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def tampered(request, postgres, tmp_path_factory):
    services = build_services(
        make_settings(build(postgres, tmp_path_factory, request.param), "redis://127.0.0.1:1/0"),
        clock=FixedClock(NOW),
    )
    yield reconciliation_panel(services)
    services.database.dispose()


def test_a_day_the_bot_books_differently_is_a_discrepancy_with_its_size(tampered):
    assert discrepancies(tampered, "data-day") == ["2026-04-01"]
    (difference,) = by_attribute(tampered, "data-difference", "2026-04-01")
    assert text(difference) == fmt.krw(10.0, signed=True)


def test_the_fills_behind_a_discrepant_day_are_listed(tampered):
    (rows,) = by_attribute(tampered, "data-rows-behind", "2026-04-01")
    fills = by_attribute(rows, "data-fill")
    assert len(fills) == 2
    assert "+3,000 KRW" in text(rows)


def test_a_positions_row_the_fills_closed_is_a_discrepancy(tampered):
    assert discrepancies(tampered, "data-position") == ["KRW-BBB"]


def test_the_fee_treatment_is_stated(tampered):
    (note,) = by_attribute(tampered, "data-fee-treatment")
    assert "fees not included" in text(note) and "(sell price − average cost) × quantity" in text(note)
