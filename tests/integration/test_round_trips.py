"""The History page's round trips against databases this module fills with the hand-worked fills
of tests/support/round_trip_fills (v3 on PostgreSQL and SQLite, week-6 on PostgreSQL): what the
panel shows is the arithmetic written there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callbacks.round_trips import round_trip_panels
from dashboard.app import build_services
from data.database import Backend
from data.tables import market_data
from layouts import format as fmt
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support import round_trip_fills as rt
from tests.support.components import by_attribute, text
from tests.support.helpers import FixedClock, make_settings

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
NO_FILTERS = (None, None, None, None, None, None, None)


def build(postgres, tmp_path_factory, backend: str, generation: str) -> str:
    if backend == "postgresql":
        url = postgres.create(f"cp_trips_{generation}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('trips') / f'{generation}.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend(backend), generation)
    # One candle per symbol, so the symbols are in the History filter's list.
    candles = [
        {
            "id": i + 1,
            "symbol": s,
            "interval": "1m",
            "open_price": 1.0,
            "high_price": 1.0,
            "low_price": 1.0,
            "close_price": 1.0,
            "volume": 1.0,
            "timestamp": NOW - timedelta(minutes=1),
        }
        for i, s in enumerate(sorted({fill[0] for fill in rt.FILLS}))
    ]
    with writer.engine.begin() as conn:
        insert_rows(conn, rt.order_rows(), [], [])
        conn.execute(market_data.insert(), candles)
    writer.dispose()
    return url


@pytest.fixture(scope="module", params=[("postgresql", "v3"), ("sqlite", "v3"), ("postgresql", "week6")], ids=str)
def services(request, postgres, tmp_path_factory):
    backend, generation = request.param
    built = build_services(
        make_settings(build(postgres, tmp_path_factory, backend, generation), "redis://127.0.0.1:1/0"),
        clock=FixedClock(NOW),
    )
    built.generation = generation
    yield built
    built.database.dispose()


def stat(stats, key: str) -> str:
    (node,) = by_attribute(stats, "data-round-trip-stat", key)
    return text(node)


def test_the_round_trip_rows_are_the_open_one_then_the_hand_worked_trips_newest_first(services):
    _stats, rows, _table = round_trip_panels(services, "day", *NO_FILTERS)
    closed = [r for r in rows if r["outcome"] != "open"][::-1]
    assert [(r["symbol"], r["pnl_krw"], r["pnl_pct"], r["legs"]) for r in closed] == [
        (symbol, fmt.krw(pnl, signed=True).removesuffix(" KRW"), fmt.pct(pct), legs)
        for symbol, _entry, _exit, _qty, legs, _held, _fees, pnl, pct, _reason in rt.CLOSED
    ]
    assert [r["outcome"] for r in closed] == ["loss", "win", "break-even", "win"]
    assert rows[0]["outcome"] == "open" and rows[0]["quantity"] == fmt.quantity(rt.OPEN_QUANTITY)


def test_exit_reasons_show_on_v3_and_are_blank_on_week6(services):
    _stats, rows, _table = round_trip_panels(services, "day", *NO_FILTERS)
    reasons = [r["exit_reason"] for r in rows if r["outcome"] != "open"][::-1]
    expected = [reason or "" for *_rest, reason in rt.CLOSED]
    assert reasons == (expected if services.generation == "v3" else [""] * len(expected))


def test_the_statistics_are_the_hand_worked_ones(services):
    stats, _rows, _table = round_trip_panels(services, "day", *NO_FILTERS)
    assert stat(stats, "win-rate").endswith("50.00% (2 won, 1 lost, 1 break-even)")
    assert stat(stats, "profit-factor").endswith(f"{4900 / 521:.2f}")
    assert stat(stats, "expectancy").endswith(fmt.krw(rt.STATS["expectancy"], signed=True))
    assert stat(stats, "holding").endswith("3 h 45 min")


def test_the_weekly_table_groups_trips_by_the_monday_of_their_exit(services):
    _stats, _rows, table = round_trip_panels(services, "week", *NO_FILTERS)
    rows = by_attribute(table, "data-period")
    assert [r["props"]["data-period"] for r in rows] == [p for p, *_rest in rt.WEEKLY]
    assert text(rows[-1]).split()[-2] == fmt.krw(1379.0, signed=True).split()[0]


def test_the_symbol_filter_keeps_only_that_symbols_trips(services):
    _stats, rows, _table = round_trip_panels(services, "day", ["KRW-BBB"], None, None, None, None, None, None)
    assert {r["symbol"] for r in rows} == {"KRW-BBB"}
    assert len(rows) == 2


def test_an_unknown_period_is_refused_with_a_message(services):
    stats, rows, _table = round_trip_panels(services, "year", *NO_FILTERS)
    assert rows == [] and "period" in text(stats)
