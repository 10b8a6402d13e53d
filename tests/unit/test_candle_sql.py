"""The candle SQL each backend compiles to: time_bucket, date_bin or epoch arithmetic, always
with the width as a bound parameter and a bounded time window."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401  (registers the submodule)
from sqlalchemy.dialects import postgresql, sqlite

from data.database import Backend
from data.market import BUCKET_ORIGIN, CANDLE_WIDTHS, UnknownWidth, bucket_floor, candle_select

START = datetime(2026, 1, 1, tzinfo=UTC)
END = START + timedelta(days=1)


def compiled(backend, width="15m"):
    # The dialects the dashboard really runs on: psycopg2 and pysqlite.
    dialect = sqlite.dialect() if backend is Backend.SQLITE else postgresql.psycopg2.dialect()
    statement = candle_select(backend, "KRW-BTC", width, START, END).compile(dialect=dialect)
    return str(statement), statement.params


def test_timescaledb_uses_time_bucket_first_and_last_with_a_bound_interval():
    sql, params = compiled(Backend.TIMESCALEDB)
    assert "time_bucket(CAST(%(width)s AS INTERVAL), market_data.timestamp)" in sql
    assert "first(market_data.open_price, market_data.timestamp)" in sql
    assert "last(market_data.close_price, market_data.timestamp)" in sql
    assert params["width"] == "900 seconds"


def test_plain_postgresql_uses_date_bin_from_time_buckets_origin():
    sql, params = compiled(Backend.POSTGRESQL)
    assert "date_bin(CAST(%(width)s AS INTERVAL), market_data.timestamp, %(origin)s)" in sql
    assert "array_agg(market_data.open_price ORDER BY market_data.timestamp ASC)" in sql
    assert params["origin"] == BUCKET_ORIGIN
    assert BUCKET_ORIGIN.weekday() == 0  # a Monday: weekly buckets start on Mondays, as time_bucket's


def test_sqlite_buckets_with_integer_epoch_arithmetic():
    sql, params = compiled(Backend.SQLITE, "1h")
    assert "strftime" in sql and "/" in sql
    assert params["width_seconds"] == 3600


@pytest.mark.parametrize("backend", list(Backend))
def test_every_query_is_bounded_by_symbol_interval_and_a_time_window(backend):
    sql, params = compiled(backend)
    assert "market_data.symbol =" in sql and "market_data.interval =" in sql
    assert "market_data.timestamp >=" in sql and "market_data.timestamp <" in sql
    assert params["symbol"] == "KRW-BTC" and params["stored_interval"] == "1m"
    assert params["start"] == START and params["end"] == END


@pytest.mark.parametrize("backend", list(Backend))
def test_the_width_never_appears_in_the_sql_text(backend):
    sql, _ = compiled(backend, "4h")
    assert "14400" not in sql and "4h" not in sql


@pytest.mark.parametrize("width", ["2m", "1 day", "'; DROP TABLE market_data; --", "", None, 15])
def test_a_width_outside_the_allow_list_is_refused_before_sql_is_built(width):
    with pytest.raises(UnknownWidth):
        candle_select(Backend.POSTGRESQL, "KRW-BTC", width, START, END)


def test_bucket_floor_matches_the_sql_origin():
    at = datetime(2026, 1, 7, 13, 47, 12, tzinfo=UTC)  # a Wednesday
    assert bucket_floor(at, "15m") == datetime(2026, 1, 7, 13, 45, tzinfo=UTC)
    assert bucket_floor(at, "4h") == datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
    assert bucket_floor(at, "1w") == datetime(2026, 1, 5, tzinfo=UTC)  # Monday
    assert set(CANDLE_WIDTHS) == {"1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"}


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        candle_select(Backend.POSTGRESQL, "KRW-BTC", "1m", START.replace(tzinfo=None), END)
