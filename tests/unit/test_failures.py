"""The panel wrapper: a panel's failure becomes its declared fallback, never a traceback."""

import logging

import pytest

from callbacks.failures import internal_message, panel
from callbacks.inputs import InvalidInput
from data.database import QueryTimeout, SchemaMissing
from data.status_reader import RedisUnavailable


def fallback(kind, message):
    return ("fallback", kind, message)


def failing_with(exc):
    @panel(on_failure=fallback)
    def build():
        raise exc

    return build


@pytest.mark.parametrize(
    "exc, kind",
    [
        (QueryTimeout("The query took longer than 5 s."), "timeout"),
        (SchemaMissing("No table trading_history."), "schema_missing"),
    ],
)
def test_a_data_error_becomes_the_fallback_with_its_own_kind_and_sentence(exc, kind):
    assert failing_with(exc)() == ("fallback", kind, str(exc))


def test_an_invalid_input_becomes_the_fallback_with_the_invalid_input_kind():
    assert failing_with(InvalidInput("'KRW-DOGE' is not a known symbol"))() == (
        "fallback",
        "invalid_input",
        "'KRW-DOGE' is not a known symbol",
    )


def test_an_unreachable_redis_becomes_the_fallback_with_the_redis_unavailable_kind():
    assert failing_with(RedisUnavailable("Redis at 127.0.0.1:6379 refused the connection"))() == (
        "fallback",
        "redis_unavailable",
        "Redis at 127.0.0.1:6379 refused the connection",
    )


def test_an_expected_failure_is_not_logged(caplog):
    with caplog.at_level(logging.DEBUG, logger="coinpilot.dashboard"):
        failing_with(QueryTimeout("slow"))()
    assert caplog.records == []


def test_an_unexpected_error_is_logged_with_its_traceback_and_becomes_the_internal_message(caplog):
    bug = KeyError("last_bucket")
    with caplog.at_level(logging.ERROR, logger="coinpilot.dashboard"):
        result = failing_with(bug)()
    assert result == ("fallback", "internal", internal_message())
    [record] = caplog.records
    assert record.exc_info[1] is bug
    assert "Traceback" in caplog.text and "in build" in caplog.text


def test_a_normal_return_passes_untouched_and_the_fallback_is_not_called():
    figure = {"data": [], "layout": {}}

    def must_not_be_called(kind, message):
        raise AssertionError(f"fallback called with {kind}: {message}")

    @panel(on_failure=must_not_be_called)
    def build(services, symbol, *, count):
        assert (services, symbol, count) == ("services", "KRW-BTC", 200)
        return figure, None

    result = build("services", "KRW-BTC", count=200)
    assert result[0] is figure and result == (figure, None)


def test_the_wrapped_function_keeps_its_name_and_docstring():
    @panel(on_failure=fallback)
    def overview_panels(services):
        """(kpi cards, positions table, equity figure, message)."""

    assert overview_panels.__name__ == "overview_panels"
    assert overview_panels.__doc__ == "(kpi cards, positions table, equity figure, message)."
