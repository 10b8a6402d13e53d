"""Candles from SQL equal an independent pandas resample of the same 1-minute rows, for every
width, on the date_bin path, the TimescaleDB path (with SQL stand-ins for time_bucket, first and
last, since the extension cannot be installed here) and the SQLite path."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from data.database import Backend, Database, QueryFailed
from data.market import BUCKET_ORIGIN, CANDLE_WIDTHS, fetch_candles_between
from simulator.seeding import copy_candles, create_schema, insert_candles

pytestmark = pytest.mark.postgres

START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)  # a Thursday: weekly buckets start mid-data
MINUTES = 20 * 24 * 60
PANDAS_FREQ = {
    "1m": "1min",
    "5m": "5min",
    "15m": "15min",
    "30m": "30min",
    "1h": "1h",
    "4h": "4h",
    "1d": "24h",
    "1w": "168h",
}

# TimescaleDB's time_bucket (default origin 2000-01-03), first() and last(), as plain SQL.
TIMESCALE_STAND_INS = """
CREATE FUNCTION time_bucket(bucket_width interval, ts timestamptz) RETURNS timestamptz
    AS $$ SELECT date_bin(bucket_width, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION cp_first_step(state numeric[], value numeric, ts timestamptz) RETURNS numeric[]
    AS $$ SELECT CASE WHEN state IS NULL OR extract(epoch FROM ts) < state[2]
                 THEN ARRAY[value, extract(epoch FROM ts)::numeric] ELSE state END $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION cp_last_step(state numeric[], value numeric, ts timestamptz) RETURNS numeric[]
    AS $$ SELECT CASE WHEN state IS NULL OR extract(epoch FROM ts) >= state[2]
                 THEN ARRAY[value, extract(epoch FROM ts)::numeric] ELSE state END $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION cp_pick(state numeric[]) RETURNS numeric AS $$ SELECT state[1] $$ LANGUAGE sql IMMUTABLE;
CREATE AGGREGATE first(numeric, timestamptz) (SFUNC = cp_first_step, STYPE = numeric[], FINALFUNC = cp_pick);
CREATE AGGREGATE last(numeric, timestamptz) (SFUNC = cp_last_step, STYPE = numeric[], FINALFUNC = cp_pick);
"""


def one_minute_rows(seed: int) -> pd.DataFrame:
    """A random walk with 7% of the minutes missing (collector gaps) and uneven volumes."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(START, periods=MINUTES, freq="1min", tz="UTC")
    close = np.round(1000 * np.exp(np.cumsum(rng.normal(0, 0.002, MINUTES))), 2)
    open_ = np.concatenate([[1000.0], close[:-1]])
    high = np.round(np.maximum(open_, close) + rng.uniform(0, 2, MINUTES), 2)
    low = np.round(np.minimum(open_, close) - rng.uniform(0, 2, MINUTES), 2)
    volume = np.round(rng.lognormal(0, 1, MINUTES), 6)
    frame = pd.DataFrame(
        {"timestamp": times, "open": open_, "high": high, "low": low, "close": close, "volume": volume}
    )
    return frame[rng.uniform(size=MINUTES) > 0.07].reset_index(drop=True)


def pandas_candles(rows: pd.DataFrame, width: str) -> pd.DataFrame:
    """The reference: pandas resampling with fixed-length bins from the same origin as the SQL."""
    indexed = rows.set_index("timestamp")
    bins = indexed.resample(PANDAS_FREQ[width], origin=pd.Timestamp(BUCKET_ORIGIN), label="left", closed="left")
    resampled = bins.agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
    resampled = resampled[bins["open"].count() > 0]  # empty bins are not candles
    return resampled.reset_index().rename(columns={"timestamp": "bucket"})


@pytest.fixture(scope="module")
def rows():
    return {"KRW-AAA": one_minute_rows(1), "KRW-BBB": one_minute_rows(2)}


@pytest.fixture(scope="module")
def pg_database(postgres, rows):
    url = postgres.create("cp_candles")
    writer = Database(url, read_only=False, statement_timeout_ms=None)
    create_schema(writer.engine, Backend.POSTGRESQL)
    for symbol, frame in rows.items():
        copy_candles(writer.engine, symbol, frame)
    with writer.engine.begin() as conn:
        conn.exec_driver_sql(TIMESCALE_STAND_INS)
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory, rows):
    url = f"sqlite:///{tmp_path_factory.mktemp('candles') / 'candles.sqlite3'}"
    writer = Database(url, read_only=False, statement_timeout_ms=None)
    create_schema(writer.engine, Backend.SQLITE)
    with writer.engine.begin() as conn:
        first_id = 1
        for symbol, frame in rows.items():
            insert_candles(conn, symbol, frame, first_id=first_id)
            first_id += len(frame)
    return url


def assert_same_candles(actual: pd.DataFrame, expected: pd.DataFrame):
    assert len(actual) == len(expected)
    assert (actual["bucket"].to_numpy() == expected["bucket"].to_numpy()).all()
    for column in ("open", "high", "low", "close"):
        np.testing.assert_allclose(actual[column], expected[column], rtol=0, atol=1e-6, err_msg=column)
    np.testing.assert_allclose(actual["volume"], expected["volume"], rtol=1e-9, atol=1e-6)


def database_for(backend, pg_database, sqlite_database):
    if backend is Backend.SQLITE:
        return Database(sqlite_database)
    return Database(pg_database, backend_setting=backend.value)


@pytest.mark.parametrize("backend", [Backend.POSTGRESQL, Backend.TIMESCALEDB, Backend.SQLITE])
@pytest.mark.parametrize("width", list(CANDLE_WIDTHS))
def test_sql_candles_equal_a_pandas_resample(backend, width, rows, pg_database, sqlite_database):
    database = database_for(backend, pg_database, sqlite_database)
    with database.connect() as conn:
        actual = fetch_candles_between(
            conn, database.backend, "KRW-AAA", width, START, START + timedelta(minutes=MINUTES)
        )
    assert_same_candles(actual, pandas_candles(rows["KRW-AAA"], width))
    database.dispose()


@pytest.mark.parametrize("backend", [Backend.POSTGRESQL, Backend.TIMESCALEDB, Backend.SQLITE])
def test_a_window_that_cuts_a_bucket_aggregates_only_the_rows_inside_it(backend, rows, pg_database, sqlite_database):
    database = database_for(backend, pg_database, sqlite_database)
    start, end = START + timedelta(hours=5, minutes=7), START + timedelta(days=2, hours=3, minutes=41)
    inside = rows["KRW-BBB"][(rows["KRW-BBB"]["timestamp"] >= start) & (rows["KRW-BBB"]["timestamp"] < end)]
    with database.connect() as conn:
        actual = fetch_candles_between(conn, database.backend, "KRW-BBB", "4h", start, end)
    assert_same_candles(actual, pandas_candles(inside, "4h"))
    database.dispose()


def test_the_timescaledb_path_really_runs_time_bucket(postgres, rows):
    """Without the stand-ins the TimescaleDB query must fail on time_bucket while the plain
    PostgreSQL query works: so the comparison above really exercised the TimescaleDB SQL."""
    url = postgres.create("cp_no_timescale")
    writer = Database(url, read_only=False, statement_timeout_ms=None)
    create_schema(writer.engine, Backend.POSTGRESQL)
    copy_candles(writer.engine, "KRW-AAA", rows["KRW-AAA"].head(120))
    writer.dispose()
    window = (START, START + timedelta(hours=2))
    timescale = Database(url, backend_setting="timescaledb")
    with pytest.raises(QueryFailed, match="time_bucket"), timescale.connect() as conn:
        fetch_candles_between(conn, timescale.backend, "KRW-AAA", "1h", *window)
    plain = Database(url, backend_setting="postgresql")
    with plain.connect() as conn:
        assert len(fetch_candles_between(conn, plain.backend, "KRW-AAA", "1h", *window)) >= 1
    timescale.dispose()
    plain.dispose()
