"""The History page, its round-trips section and the System page's reconciliation panel read in
Korean: no English word left in controls, headers, charts, statistics and tables rendered with
the hand-worked fills of tests/support/round_trip_fills."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data import metrics
from data.reconciliation import daily_checks, position_checks
from data.risk import DailyRiskState
from data.round_trips import outcome, pnl_by_period, round_trip_stats, round_trips
from i18n import using
from layouts import format as fmt
from layouts import history, reconciliation
from layouts import round_trips as round_trips_layout
from layouts.codes import code_label
from tests.support import round_trip_fills as rt
from tests.support.components import english_words, text, walk

SEOUL = ZoneInfo("Asia/Seoul")
RECORDED = frozenset({"regime", "exit_reason"})
# The bot's schema generation, named in the v3 columns' tooltips as the operator knows it.
VERSION = frozenset({"v3"})
# The schema document the fee sentence cites, by its file name.
FILE_NAME = frozenset({"md"})
REASONS = ("STOP_LOSS", "TAKE_PROFIT", "TRAILING_STOP", "RSI_OVERBOUGHT", "TIME_LIMIT")


@pytest.fixture(autouse=True)
def korean():
    with using(language="ko"):
        yield


@pytest.fixture(scope="module")
def ledger():
    return metrics.realized_pnl_ledger(rt.filled_frame())


def test_the_history_controls_and_grid_headers_are_korean():
    page = history.page(
        ["KRW-BTC"],
        [],
        ["BUY"],
        ["FILLED"],
        "2026-03-01",
        "2026-03-02",
        "Asia/Seoul",
        RECORDED,
        [],
        [],
        REASONS,
        "2026-13-01",
    )
    assert english_words(page, VERSION) == set()
    shown = text(page)
    assert "거래 내역" in shown and "표시할 열" in shown
    headers = [c["headerName"] for c in history.column_defs(RECORDED, ["regime"])]
    assert "체결 시각" in headers and "수익률 %" in headers


def test_on_a_week6_database_the_hidden_columns_note_is_korean():
    page = history.page([], [], [], [], None, None, "UTC")
    assert english_words(page, VERSION) == set()
    assert "시장 국면, 청산 사유: 이 CoinPilot 버전은 기록하지 않아 숨겼습니다." in text(page)


def test_a_code_the_catalogues_do_not_know_is_shown_as_the_bot_wrote_it():
    assert code_label("exit_reason", "TAKE_PROFIT") == "익절"
    assert code_label("exit_reason", "MANUAL_EXIT") == "MANUAL_EXIT"


def test_the_counts_line_charts_and_notes_are_korean():
    shown = [
        history.summary_line(1234, 8_847_360.0, -52_000.0),
        history.side_figure({"BUY": 3, "SELL": 2}),
        history.status_figure({"FILLED": 4, "CANCELLED": 1, "PENDING": 1}),
        history.pnl_by_symbol_figure(["KRW-BTC", "KRW-ETH"], [1200.0, -300.0]),
        history.day_rule_note(None, fmt.utc_day_span(date(2026, 3, 2), SEOUL)),
        history.day_rule_note(history.day_span_from(fmt.utc_day_span(date(2026, 3, 1), SEOUL)), "-"),
        history.export_truncated_notice(10, 25),
    ]
    assert english_words(shown) == set()
    assert " ".join(text(shown[0]).split()) == "필터에 맞는 거래 1,234 건 · 체결 금액 8,847,360원 · 실현 손익 -52,000원"


def test_the_round_trip_statistics_rows_and_period_tables_are_korean(ledger):
    result = round_trips(ledger, rt.exit_reasons())
    trips = result.trips.iloc[::-1]
    kinds = outcome(trips["pnl_krw"]).where(~trips["is_open"], "open")
    shown = [
        round_trips_layout.section_for_history(),
        round_trips_layout.stats_panel(round_trip_stats(result)),
        {"rowData": round_trips_layout.trip_rows(trips, kinds, SEOUL)},
        *(
            round_trips_layout.period_table(pnl_by_period(result, period), period)
            for period in ("day", "week", "month")
        ),
    ]
    assert english_words(shown) == set()
    assert "승률" in text(shown[1]) and "보유 중" in {row["outcome"] for row in shown[2]["rowData"]}


def test_holding_times_read_in_korean():
    held = [round_trips_layout.holding(seconds) for seconds in (45 * 60, 5 * 3600, 51 * 3600)]
    assert held == ["45분", "5시간 0분", "2일 3시간"]


def _bot_day(day: str, pnl: float) -> DailyRiskState:
    return DailyRiskState(date.fromisoformat(day), pnl, 0, 0, None, False, None)


def test_the_reconciliation_panel_with_discrepancies_is_korean(ledger):
    # 2026-03-02 disagrees (the fills say -521) and KRW-AAA's quantity differs: the rows behind show.
    days = daily_checks(ledger, [_bot_day("2026-03-02", -400.0)], date(2026, 3, 1), date(2026, 4, 2))
    positions = position_checks(
        ledger, pd.DataFrame([("KRW-AAA", 2.5, 900.0)], columns=["symbol", "quantity", "avg_price"])
    )
    panel = reconciliation.panel(
        reconciliation.days_panel(days, 30, SEOUL), reconciliation.positions_panel(positions, SEOUL)
    )
    order_ids = frozenset(ledger["id"])  # the rows behind a discrepancy name their orders
    assert english_words(panel, FILE_NAME | order_ids) == set()
    checks = {  # the Check column's status words
        node["props"]["children"]
        for node in walk(panel)
        if node["type"] == "Span" and "text-bad" in node["props"].get("className", "")
    }
    assert checks == {"불일치"} and "봇이 일일 손익을 세는 방식으로 비교합니다" in text(panel)


def test_the_reconciliation_panel_with_nothing_to_check_is_korean():
    panel = reconciliation.panel(reconciliation.days_panel([], 30, SEOUL), reconciliation.positions_panel([], SEOUL))
    assert english_words(panel, FILE_NAME) == set()
    assert "양쪽 모두 보유 포지션이 없습니다." in text(panel)


def test_the_trade_log_leads_with_what_an_operator_reads_first():
    fields = [column["field"] for column in history.base_column_defs()]
    assert fields[:6] == ["created_at", "symbol", "side", "price", "quantity", "realized_pnl"]
