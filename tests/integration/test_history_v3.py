"""The History page's v3 columns (regime, exit reason, entry avg price, realized PnL %) and
filters, against databases this module fills with known orders: v3 on PostgreSQL and SQLite,
and week-6 on PostgreSQL. Expected values are worked out here from the rows written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from callbacks import history as history_callbacks
from dashboard.app import build_services
from data.database import Backend
from layouts import format as fmt
from layouts import history as history_layout
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support import exit_rows
from tests.support.components import by_attribute, text
from tests.support.helpers import FixedClock, make_settings
from tests.support.history_rows import history_orders, recorded_entry

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAGE = 10
ORDERS = history_orders(NOW)


def build(postgres, tmp_path_factory, backend: str, generation: str) -> str:
    if backend == "postgresql":
        url = postgres.create(f"cp_histv3_{generation}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('histv3') / f'{generation}.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend(backend), generation)
    rows = ORDERS if generation == "v3" else exit_rows.week6(ORDERS)
    with writer.engine.begin() as conn:
        insert_rows(conn, rows, [], [])
    writer.dispose()
    return url


def services_for(url):
    return build_services(make_settings(url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def v3_services(request, postgres, tmp_path_factory):
    services = services_for(build(postgres, tmp_path_factory, request.param, "v3"))
    yield services
    services.database.dispose()


@pytest.fixture(scope="module")
def week6_services(postgres, tmp_path_factory):
    services = services_for(build(postgres, tmp_path_factory, "postgresql", "week6"))
    yield services
    services.database.dispose()


def all_rows(services, sort_model, regimes=None, reasons=None) -> list[dict]:
    """Every row, a page of PAGE at a time, as the grid asks for them."""
    rows, start = [], 0
    while True:
        request = {"startRow": start, "endRow": start + PAGE, "sortModel": sort_model}
        response = history_callbacks.history_rows(services, request, None, None, None, None, None, regimes, reasons)
        rows += response["rowData"]
        start += PAGE
        if start >= response["rowCount"]:
            return rows


def nulls_last(values, descending: bool) -> list:
    present = sorted((v for v in values if v is not None), reverse=descending)
    return present + [None] * (len(values) - len(present))


@pytest.mark.parametrize("column", ["regime", "exit_reason"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_sorted_by_regime_or_exit_reason_cover_every_order_in_that_order(v3_services, column, descending):
    rows = all_rows(v3_services, [{"colId": column, "sort": "desc" if descending else "asc"}])
    assert sorted(r["id"] for r in rows) == sorted(str(o["id"]) for o in ORDERS)
    expected = [v or "" for v in nulls_last([o[column] for o in ORDERS], descending)]
    assert [r[column] for r in rows] == expected


@pytest.mark.parametrize("descending", [False, True])
def test_pages_sorted_by_entry_avg_price_sort_numbers_and_leave_malformed_entries_last(v3_services, descending):
    rows = all_rows(v3_services, [{"colId": "entry_avg_price", "sort": "desc" if descending else "asc"}])
    expected = nulls_last([recorded_entry(o) for o in ORDERS], descending)
    assert [r["entry_avg_price"] for r in rows] == [fmt.price(e) if e is not None else "" for e in expected]


def test_exit_reason_and_regime_filters_count_and_list_only_matching_orders(v3_services):
    reasons = ["STOP_LOSS", "TIME_LIMIT"]
    rows = all_rows(v3_services, [], reasons=reasons)
    assert sorted(r["id"] for r in rows) == sorted(str(o["id"]) for o in ORDERS if o["exit_reason"] in reasons)
    rows = all_rows(v3_services, [], regimes=["BEAR"], reasons=["STOP_LOSS"])
    expected = [o for o in ORDERS if o["regime"] == "BEAR" and o["exit_reason"] == "STOP_LOSS"]
    assert sorted(r["id"] for r in rows) == sorted(str(o["id"]) for o in expected)
    summary, *_ = history_callbacks.history_summary(v3_services, None, None, None, None, None, ["BEAR"], None)
    count = by_attribute(summary, "data-history-count")[0]["props"]["data-history-count"]
    assert count == str(sum(o["regime"] == "BEAR" for o in ORDERS))


def test_realized_pnl_pct_divides_by_the_recorded_entry_else_the_ledgers_average_cost(v3_services):
    rows = {r["id"]: r for r in all_rows(v3_services, [])}
    _buy, recorded, text_entry, negative = ORDERS[-4:]
    # (1,100 - 1,000) x 1 = 100 KRW over 990 x 1 recorded; 25 over 1,000 x 0.5; 0 over 1,000 x 0.5.
    assert rows[str(recorded["id"])]["realized_pnl_pct"] == fmt.pct(100 / 990 * 100)
    assert rows[str(text_entry["id"])]["realized_pnl_pct"] == fmt.pct(25 / 500 * 100)
    assert rows[str(negative["id"])]["realized_pnl_pct"] == fmt.pct(0.0)
    # KRW-SOL: bought 1 at 1,000 and 1 at 1,200, sold 2 at 1,045, nothing recorded.
    sol = next(o for o in ORDERS if o["symbol"] == "KRW-SOL" and o["side"] == "SELL")
    assert rows[str(sol["id"])]["realized_pnl_pct"] == fmt.pct((1_045 - 1_100) * 2 / (1_100 * 2) * 100)
    # KRW-BTC sells were never bought here: no realized PnL, so no percentage.
    btc = next(o for o in ORDERS if o["symbol"] == "KRW-BTC" and o["status"] == "FILLED")
    assert rows[str(btc["id"])]["realized_pnl_pct"] == ""


def test_csv_export_has_the_new_columns_and_applies_the_new_filters(v3_services):
    export = history_callbacks.export_csv(v3_services, None, None, None, None, None, ["BULL"], ["TAKE_PROFIT"])
    rows = list(csv.DictReader(io.StringIO(export.content.removeprefix("\ufeff"))))
    expected = [o for o in ORDERS if o["regime"] == "BULL" and o["exit_reason"] == "TAKE_PROFIT"]
    assert sorted(r["id"] for r in rows) == sorted(str(o["id"]) for o in expected)
    assert {r["regime"] for r in rows} == {"BULL"} and {r["exit_reason"] for r in rows} == {"TAKE_PROFIT"}
    link = next(r for r in rows if r["symbol"] == "KRW-LINK")
    assert float(link["entry_avg_price"]) == 990.0
    assert float(link["realized_pnl_pct"]) == round(100 / 990 * 100, 2)  # rounded as the grid shows it


def test_an_exit_reason_the_database_never_saw_is_refused_at_the_door(v3_services):
    _summary, *_rest, message = history_callbacks.history_summary(
        v3_services, None, None, None, None, None, None, ["NOT_A_REASON"]
    )
    assert "NOT_A_REASON" in text(message) and "is not one of" in text(message)


def test_on_a_week6_database_the_v3_columns_are_hidden_and_say_not_recorded(week6_services):
    recorded, reasons = history_callbacks.page_choices(week6_services)
    assert recorded == frozenset() and reasons == ()
    page = history_layout.page([], [], [], [], [], None, "UTC", recorded, [], [], reasons)
    defs = {d["field"]: d for d in history_layout.column_defs(recorded, ["regime", "exit_reason"])}
    for field in ("regime", "exit_reason"):
        assert defs[field]["hide"] and "not recorded by this CoinPilot version" in defs[field]["headerTooltip"]
    assert "Regime, Exit reason: not recorded by this CoinPilot version" in text(page)


def test_on_a_week6_database_rows_still_page_and_pnl_pct_uses_the_ledger(week6_services):
    rows = {r["id"]: r for r in all_rows(week6_services, [{"colId": "entry_avg_price", "sort": "desc"}])}
    assert len(rows) == len(ORDERS)
    recorded = ORDERS[-3]
    assert rows[str(recorded["id"])]["regime"] == "" and rows[str(recorded["id"])]["entry_avg_price"] == ""
    assert rows[str(recorded["id"])]["realized_pnl_pct"] == fmt.pct(100 / 1_000 * 100)


def test_on_a_week6_database_sorting_or_filtering_by_regime_says_not_recorded(week6_services):
    request = {"startRow": 0, "endRow": PAGE, "sortModel": [{"colId": "regime", "sort": "asc"}]}
    assert history_callbacks.history_rows(week6_services, request) == {"rowData": [], "rowCount": 0}
    *_rest, message = history_callbacks.history_summary(week6_services, None, None, None, None, None, ["BULL"], None)
    assert "not recorded by this CoinPilot version" in text(message)
