"""Failure messages read in the browser's language, including errors cached across requests."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from callbacks.failures import describe
from data.database import translate_error
from i18n import using
from layouts.components import problem
from tests.support.components import text


def _missing_table_error() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: market_data"))


def test_a_data_error_is_worded_in_the_language_of_the_request_that_shows_it():
    error = translate_error(_missing_table_error(), "sqlite:///demo.db")
    with using(language="ko"):
        assert describe(error) == (
            "schema_missing",
            "market_data 테이블이 아직 없습니다: 봇이 이 데이터베이스에 스키마를 만들지 않았습니다.",
        )
    with using(language="en"):
        assert describe(error)[1].startswith("Table market_data does not exist yet")


def test_a_panel_problem_has_a_korean_title():
    with using(language="ko"):
        shown = text(problem("unreachable", "x"))
    assert shown.startswith("데이터베이스 연결 불가: ")


def test_an_unknown_failure_kind_gets_the_generic_title():
    with using(language="ko"):
        assert text(problem("something_new", "x")).startswith("오류: ")


def test_an_unexpected_error_is_described_in_korean_without_its_details():
    with using(language="ko"):
        kind, message = describe(RuntimeError("secret detail"))
    assert kind == "internal"
    assert "secret" not in message and "서버 로그" in message
