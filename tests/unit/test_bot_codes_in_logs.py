"""Codes the bot writes (exit reasons, regimes, AI decisions) are data, not missing messages
(issue 23, item 5): an unknown one is shown as the bot wrote it and logs nothing, so a reason
holding a newline cannot forge a log line; and the one log line a truly missing message key
writes is escaped and clipped."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from callbacks import exits as exits_callbacks
from callbacks import history as history_callbacks
from callbacks import round_trips as round_trip_callbacks
from dashboard.app import build_services
from data.database import Backend
from i18n import t, using
from i18n.catalogue import LOGGED_TEXT_MAX
from layouts import ai as ai_layout
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support.components import text
from tests.support.exit_rows import order
from tests.support.helpers import make_settings
from tests.support.services import free_port

FORGED = "2026-12-08 00:00:00 ERROR coinpilot.dashboard operator password is hunter2"
HOSTILE_REASONS = [
    f"MANUAL\n{FORGED}",  # a newline: a second, forged log line
    "\x1b[2J\x1b[31mCLEARED",  # terminal escapes
    "%s%d %(x)s {0}",  # format directives
    "LONG_" + "X" * 200_000,  # 200,000 characters
]
HOSTILE_REGIME = f"WEIRD\r\n{FORGED}"


@pytest.fixture(scope="module")
def hostile_codes_services(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('codes') / 'bot.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    now = datetime.now(UTC)
    rows = [order("KRW-BTC", "BUY", 100.0, 1.0, now - timedelta(days=3))]
    for minute, reason in enumerate(HOSTILE_REASONS):
        at = now - timedelta(days=1, minutes=minute)
        rows.append(order("KRW-BTC", "SELL", 101.0, 0.1, at, reason=reason, regime=HOSTILE_REGIME, entry=100.0))
    with writer.engine.begin() as conn:
        insert_rows(conn, rows, [], [])
    writer.dispose()
    services = build_services(make_settings(url, f"redis://127.0.0.1:{free_port()}/0"))
    yield services
    services.database.dispose()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_unknown_exit_reasons_and_regimes_show_as_written_and_log_nothing(hostile_codes_services, language, caplog):
    with caplog.at_level(logging.DEBUG), using(language=language):
        exits = exits_callbacks.exit_panels(hostile_codes_services, 30)
        summary = history_callbacks.history_summary(hostile_codes_services, None, None, None, None, None)
        trips = round_trip_callbacks.round_trip_panels(hostile_codes_services, "day", None, None, None, None, None)
        rows = history_callbacks.history_rows(
            hostile_codes_services, {"startRow": 0, "endRow": 50}, None, None, None, None, None
        )
    grid = exits[6]
    assert sorted(row["exit_reason"] for row in grid) == sorted(HOSTILE_REASONS)
    assert {row["exit_reason"] for row in rows["rowData"] if row["side"] != "BUY" and row["exit_reason"]} >= set(
        HOSTILE_REASONS
    )
    assert "internal" not in text(summary[-1]).lower() and trips[1]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    for record in caplog.records:
        message = record.getMessage()
        assert FORGED not in message and "\x1b" not in message and "\n" not in message


def test_an_unknown_ai_decision_shows_as_written_and_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG):
        assert ai_layout.decision_label(f"HOLD\n{FORGED}") == f"HOLD\n{FORGED}"
        assert ai_layout.group_label("regime", HOSTILE_REGIME) == HOSTILE_REGIME
        assert ai_layout.decision_label("REJECT") == t("ai.decision.REJECT")
    assert caplog.records == []


def test_a_missing_message_key_is_logged_on_one_escaped_clipped_line(caplog):
    key = f"exits.reason.{HOSTILE_REASONS[0]}" + "Y" * 10_000
    with caplog.at_level(logging.ERROR, logger="coinpilot.i18n"):
        assert t(key) == key  # the page still shows something
    [record] = caplog.records
    message = record.getMessage()
    # One line: the bot's newline is written as the two characters \n, not a line break.
    assert message.splitlines() == [message] and f"\\n{FORGED}" in message
    assert len(message) < LOGGED_TEXT_MAX + 100 and f"(+{len(key) - LOGGED_TEXT_MAX:,} characters)" in message
