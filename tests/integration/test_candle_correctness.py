"""Candles from SQL equal an independent pandas resample of the same 1-minute rows, for every
width, on the date_bin path (plain PostgreSQL), the TimescaleDB path (the real extension's
time_bucket, first and last over a hypertable whose first half is compressed, as in production)
and the SQLite path."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data.database import Backend, Database
from data.market import BUCKET_ORIGIN, CANDLE_WIDTHS, fetch_candles_between
from simulator.seeding import compress_chunks_older_than, copy_candles, create_schema, insert_candles
from simulator.writer import WritableDatabase
from tests.support.timescale import chunk_compression

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
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    for symbol, frame in rows.items():
        copy_candles(writer.engine, symbol, frame)
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def tsdb_database(timescale, rows):
    """The same rows on real TimescaleDB in one-day chunks, the first ten days compressed: the
    windows below read compressed chunks, uncompressed ones and both at once."""
    url = timescale.create("cp_candles_tsdb")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.TIMESCALEDB, compression_policy=False)
    with writer.engine.begin() as conn:
        conn.execute(sa.text("SELECT set_chunk_time_interval('market_data', INTERVAL '1 day')"))
    for symbol, frame in rows.items():
        copy_candles(writer.engine, symbol, frame)
    compress_chunks_older_than(writer.engine, START + timedelta(days=10))
    assert chunk_compression(writer.engine) == (10, 10)
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory, rows):
    url = f"sqlite:///{tmp_path_factory.mktemp('candles') / 'candles.sqlite3'}"
    writer = WritableDatabase(url)
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


DATABASE_FIXTURES = {
    Backend.POSTGRESQL: "pg_database",
    Backend.TIMESCALEDB: "tsdb_database",
    Backend.SQLITE: "sqlite_database",
}


@pytest.fixture(params=list(DATABASE_FIXTURES), ids=[backend.value for backend in DATABASE_FIXTURES])
def database(request):
    """The rows on each backend in turn, read through the dashboard's own (detected) backend."""
    database = Database(request.getfixturevalue(DATABASE_FIXTURES[request.param]))
    assert database.backend is request.param
    yield database
    database.dispose()


@pytest.mark.parametrize("width", list(CANDLE_WIDTHS))
def test_sql_candles_equal_a_pandas_resample(width, rows, database):
    with database.connect() as conn:
        actual = fetch_candles_between(
            conn, database.backend, "KRW-AAA", width, START, START + timedelta(minutes=MINUTES)
        )
    assert_same_candles(actual, pandas_candles(rows["KRW-AAA"], width))


@pytest.mark.parametrize(
    "days",
    [(0, 2), (9, 11), (18, 20)],
    ids=["compressed", "compressed-and-uncompressed", "uncompressed"],
)
def test_a_window_that_cuts_a_bucket_aggregates_only_the_rows_inside_it(days, rows, database):
    start = START + timedelta(days=days[0], hours=5, minutes=7)
    end = START + timedelta(days=days[1], hours=3, minutes=41)
    inside = rows["KRW-BBB"][(rows["KRW-BBB"]["timestamp"] >= start) & (rows["KRW-BBB"]["timestamp"] < end)]
    with database.connect() as conn:
        actual = fetch_candles_between(conn, database.backend, "KRW-BBB", "4h", start, end)
    assert_same_candles(actual, pandas_candles(inside, "4h"))
