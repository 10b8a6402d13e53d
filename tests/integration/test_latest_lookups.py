"""Latest prices, the symbol list and freshness look within a time window first and stay right
when a symbol's last candle is older than it, on every backend; on TimescaleDB the window
excludes the chunks outside it while planning (compressed history is never planned)."""

import re
from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from data.database import Backend, Database
from data.market import (
    LATEST_CANDLE_LOOKBACKS,
    SYMBOL_LIST_WINDOW,
    fetch_latest_candles,
    fetch_symbols,
    latest_candle_time,
)
from simulator.seeding import compress_chunks_older_than, create_schema, insert_candles
from simulator.writer import WritableDatabase
from tests.support.helpers import SEED_END, recorded_statements
from tests.support.timescale import chunk_compression

pytestmark = pytest.mark.postgres

NOW = SEED_END + timedelta(seconds=30)
# Each symbol's newest candle, against the windows: inside the first lookback, inside the symbol
# list's window only, older than every window.
LAST_CANDLE = {
    "KRW-NEW": SEED_END - timedelta(minutes=1),
    "KRW-OLD": SEED_END - timedelta(days=10),
    "KRW-VERYOLD": SEED_END - timedelta(days=100),
}
LAST_CLOSE = {"KRW-NEW": 101.0, "KRW-OLD": 202.0, "KRW-VERYOLD": 303.0}


def candles_ending(at, last_close: float) -> pd.DataFrame:
    times = pd.date_range(end=at, periods=90, freq="1min", tz="UTC")
    closes = [last_close - 1.0] * (len(times) - 1) + [last_close]
    return pd.DataFrame(
        {"timestamp": times, "open": closes, "high": closes, "low": closes, "close": closes, "volume": 1.0}
    )


def write_ages(url: str, backend: Backend) -> None:
    writer = WritableDatabase(url)
    create_schema(writer.engine, backend, compression_policy=False)
    with writer.engine.begin() as conn:
        first_id = 1
        for symbol, at in LAST_CANDLE.items():
            frame = candles_ending(at, LAST_CLOSE[symbol])
            insert_candles(conn, symbol, frame, first_id=first_id)
            first_id += len(frame)
    if backend is Backend.TIMESCALEDB:  # as production: what is older than a week is compressed
        compress_chunks_older_than(writer.engine, SEED_END - timedelta(days=7))
        assert chunk_compression(writer.engine) == (2, 1)
    writer.dispose()


@pytest.fixture(scope="module", params=list(Backend), ids=[backend.value for backend in Backend])
def ages_url(request, tmp_path_factory):
    if request.param is Backend.SQLITE:
        url = f"sqlite:///{tmp_path_factory.mktemp('ages') / 'ages.sqlite3'}"
    else:
        factory = request.getfixturevalue("timescale" if request.param is Backend.TIMESCALEDB else "postgres")
        url = factory.create("cp_ages")
    write_ages(url, request.param)
    return url


@pytest.fixture
def ages(ages_url):
    database = Database(ages_url)
    yield database
    database.dispose()


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=5), timedelta(days=400)], ids=str)
def test_latest_prices_are_each_symbols_newest_row_however_old(ages, later):
    with ages.connect() as conn:
        latest = fetch_latest_candles(conn, [*LAST_CANDLE, "KRW-NONE"], now=NOW + later)
    assert {s: (c.timestamp, c.close) for s, c in latest.items()} == {
        s: (at, LAST_CLOSE[s]) for s, at in LAST_CANDLE.items()
    }


def test_freshness_reads_each_symbols_newest_candle_time(ages):
    with ages.connect() as conn:
        assert {s: latest_candle_time(conn, s, now=NOW) for s in LAST_CANDLE} == LAST_CANDLE
        assert latest_candle_time(conn, "KRW-NONE", now=NOW) is None


def test_symbols_are_those_with_candles_within_the_symbol_window(ages):
    with ages.connect() as conn:
        assert fetch_symbols(conn, now=NOW) == ["KRW-NEW", "KRW-OLD"]


def test_without_recent_candles_the_symbol_list_is_every_symbol_ever_seen(ages):
    with ages.connect() as conn:
        assert fetch_symbols(conn, now=NOW + timedelta(days=400)) == ["KRW-NEW", "KRW-OLD", "KRW-VERYOLD"]


@pytest.mark.parametrize(
    ("age", "statements"),
    [(LATEST_CANDLE_LOOKBACKS[0] - timedelta(minutes=1), 1), (LATEST_CANDLE_LOOKBACKS[0] + timedelta(minutes=1), 2)],
    ids=["inside-the-first-window", "just-outside-it"],
)
def test_only_a_symbol_outside_the_first_window_costs_a_second_query(ages, age, statements):
    with ages.connect() as conn, recorded_statements(conn.engine) as ran:
        latest = fetch_latest_candles(conn, ["KRW-NEW"], now=LAST_CANDLE["KRW-NEW"] + age)
    assert latest["KRW-NEW"].timestamp == LAST_CANDLE["KRW-NEW"]
    assert len(ran) == statements
    assert LATEST_CANDLE_LOOKBACKS[0] == timedelta(days=1)  # the window the two cases straddle


def planned_chunks(conn, statement: str, parameters) -> set[str]:
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute("EXPLAIN " + statement, parameters)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    cursor.close()
    return set(re.findall(r"\b_hyper_\d+_\d+_chunk\b", plan))


def chunks_ending_after(conn, since) -> set[str]:
    return set(
        conn.execute(
            sa.text(
                "SELECT chunk_name FROM timescaledb_information.chunks "
                "WHERE hypertable_name = 'market_data' AND range_end > :since"
            ),
            {"since": since},
        ).scalars()
    )


@pytest.mark.parametrize(
    ("lookup", "window"),
    [
        (lambda conn, now: fetch_latest_candles(conn, ["KRW-BTC", "KRW-ETH", "KRW-XRP"], now=now), timedelta(days=1)),
        (lambda conn, now: fetch_symbols(conn, now=now), SYMBOL_LIST_WINDOW),
    ],
    ids=["latest-prices", "symbol-list"],
)
def test_on_timescaledb_only_the_chunks_inside_the_window_are_planned(seeded_tsdb_url, lookup, window):
    database = Database(seeded_tsdb_url)
    now = SEED_END + window - timedelta(hours=30)  # the window reaches back into yesterday's chunk
    with database.connect() as conn:
        with recorded_statements(database.engine) as ran:
            lookup(conn, now)
        expected = chunks_ending_after(conn, now - window)
        all_chunks = chunks_ending_after(conn, SEED_END - timedelta(days=400))
        assert len(ran) == 1
        assert planned_chunks(conn, *ran[0]) == expected
    assert 1 < len(expected) < len(all_chunks)
    database.dispose()
