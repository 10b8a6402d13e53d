"""The History panels and the CSV export in Korean, over a v3 database of known orders
(tests/support/history_rows): cells, counts line, charts and round trips with no English word
left, and a CSV whose header is Korean while its body stays machine-readable."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from callbacks import history as history_callbacks
from callbacks import round_trips as round_trip_callbacks
from dashboard.app import build_services
from data.database import Backend
from i18n import using
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support.components import english_words, text
from tests.support.helpers import FixedClock, make_settings
from tests.support.history_rows import history_orders

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ORDERS = history_orders(NOW)
NO_FILTERS = (None, None, None, None, None, None, None)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('kohistory') / 'v3.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend("sqlite"), "v3")
    with writer.engine.begin() as conn:
        insert_rows(conn, ORDERS, [], [])
    writer.dispose()
    services = build_services(make_settings(url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))
    yield services
    services.database.dispose()


@pytest.fixture(autouse=True)
def korean():
    with using(language="ko"):
        yield


def test_the_trade_log_rows_and_columns_are_korean(services):
    request = {"startRow": 0, "endRow": 100, "sortModel": []}
    rows = history_callbacks.history_rows(services, request, *NO_FILTERS)["rowData"]
    columns = history_callbacks.grid_columns(services, ["regime", "exit_reason"])
    # Order ids (UUIDs) and the strategy's name are the bot's, shown as it wrote them.
    shown = [{k: v for k, v in row.items() if k not in ("id", "strategy_name")} for row in rows]
    assert english_words({"rowData": shown, "columnDefs": columns}, frozenset({"v3"})) == set()
    link = next(r for r in rows if r["symbol"] == "KRW-LINK" and r["side_code"] == "SELL" and r["regime"] == "상승장")
    assert (link["side"], link["exit_reason"], link["status"]) == ("매도", "익절", "체결")


def test_the_counts_line_charts_and_day_rule_are_korean(services):
    summary, side, status, pnl, message = history_callbacks.history_summary(services, *NO_FILTERS)
    note = history_callbacks.day_rule_note(services, "2026-02-01", None)
    assert message is None
    assert english_words([summary, side, status, pnl, note]) == set()
    assert "필터에 맞는 거래" in text(summary) and note.endswith("부터 표시 중.")


def test_an_empty_filter_result_says_so_in_korean(services):
    *_figures, message = history_callbacks.history_summary(
        services, None, None, None, "2025-01-01", "2025-01-02", None, None
    )
    assert english_words(message) == set()
    assert "이 필터에 맞는 거래가 없습니다." in text(message)


def test_an_empty_trade_history_says_so_in_korean(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend("sqlite"), "v3")
    writer.dispose()
    empty = build_services(make_settings(url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))
    try:
        summary, *_figures, message = history_callbacks.history_summary(empty, *NO_FILTERS)
    finally:
        empty.database.dispose()
    assert english_words([summary, message]) == set()
    assert "아직 기록된 거래가 없습니다" in text(message)


def test_the_round_trip_panels_are_korean(services):
    for period in ("day", "week", "month"):
        stats, rows, table = round_trip_callbacks.round_trip_panels(services, period, *NO_FILTERS)
        assert english_words([stats, {"rowData": rows}, table]) == set()
    assert "평균 보유 기간" in text(stats)


def test_the_csv_header_is_korean_and_its_body_machine_readable(services):
    export = history_callbacks.export_csv(services, *NO_FILTERS)
    assert export.content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(export.content.removeprefix("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["주문 ID", "주문 시각", "체결 시각", "종목"] and len(header) == len(body[0])
    assert english_words({"children": header}) == set()
    assert {row[header.index("구분")] for row in body} == {"BUY", "SELL"}
    assert "TAKE_PROFIT" in {row[header.index("청산 사유")] for row in body}
    datetime.fromisoformat(body[0][header.index("주문 시각")])


def test_a_truncated_export_says_so_in_korean(services):
    export = history_callbacks.export_csv(services, *NO_FILTERS, max_rows=2)
    last = list(csv.reader(io.StringIO(export.content.removeprefix("\ufeff"))))[-1]
    assert last[0].startswith("내보내기가 잘렸습니다") and english_words({"children": last}) == set()
