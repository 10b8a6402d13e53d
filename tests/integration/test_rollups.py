"""Candle rollups on real TimescaleDB: candles read from the continuous aggregates equal the
candles aggregated from the 1-minute rows (every width, the still-open newest bucket, buckets
across the compressed/uncompressed boundary, a gap), rollups are found and lost as they come and
go, and `coinpilot-dashboard rollups` refuses what it cannot do in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from admin.rollups import create_rollups, drop_rollups, refresh_rollups
from callbacks import system as system_callbacks
from dashboard.app import build_services
from dashboard.cli import main
from data.database import Backend, Database
from data.market import CANDLE_WIDTHS, bucket_floor, fetch_candles_between, fetch_recent_candles
from data.rollups import ROLLUP_SCHEMA, RollupCatalog, detect_rollups, rollup_status
from simulator.seeding import compress_chunks_older_than, copy_candles, create_schema
from simulator.writer import WritableDatabase
from tests.support.components import by_attribute, text
from tests.support.helpers import make_settings
from tests.support.readonly_role import run_readonly_role_script
from tests.support.timescale import chunk_compression

pytestmark = pytest.mark.postgres

DAYS = 24
# Which rollup each width must come from: the coarsest whose width divides it.
EXPECTED_SOURCE = {"1m": None, "5m": "5m", "15m": "5m", "30m": "5m", "1h": "1h", "4h": "1h", "1d": "1d", "1w": "1d"}


def this_minute() -> datetime:
    # Taken when a database is filled or a test writes, never at import: a long suite would
    # otherwise write "new" rows into buckets a refresh has long since materialised.
    return datetime.now(UTC).replace(second=0, microsecond=0)


def one_minute_rows(seed: int, days: float, gap: tuple[datetime, datetime] | None, now: datetime) -> pd.DataFrame:
    """A random walk ending a minute before now, 7% of minutes missing and one long gap."""
    minutes = int(days * 24 * 60)
    rng = np.random.default_rng(seed)
    times = pd.date_range(end=now - timedelta(minutes=1), periods=minutes, freq="1min", tz="UTC")
    close = np.round(1000 * np.exp(np.cumsum(rng.normal(0, 0.002, minutes))), 2)
    open_ = np.concatenate([[1000.0], close[:-1]])
    high = np.round(np.maximum(open_, close) + rng.uniform(0, 2, minutes), 2)
    low = np.round(np.minimum(open_, close) - rng.uniform(0, 2, minutes), 2)
    volume = np.round(rng.lognormal(0, 1, minutes), 6)
    frame = pd.DataFrame(
        {"timestamp": times, "open": open_, "high": high, "low": low, "close": close, "volume": volume}
    )
    keep = rng.uniform(size=minutes) > 0.07
    if gap is not None:
        keep &= ~((frame["timestamp"] >= gap[0]) & (frame["timestamp"] < gap[1]))
    return frame[keep].reset_index(drop=True)


def timescale_database(timescale, prefix: str, days: float, gap=None, now: datetime | None = None) -> str:
    """market_data as production lays it out: a hypertable whose older chunks are compressed.
    Chunks of 1 day 7 minutes put chunk boundaries inside buckets of every width, so buckets
    straddle the compressed/uncompressed boundary."""
    now = now or this_minute()
    url = timescale.create(prefix)
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.TIMESCALEDB, compression_policy=False)
    with writer.engine.begin() as conn:
        conn.execute(sa.text("SELECT set_chunk_time_interval('market_data', INTERVAL '1 day 7 minutes')"))
    for seed, symbol in enumerate(("KRW-AAA", "KRW-BBB"), start=1):
        copy_candles(writer.engine, symbol, one_minute_rows(seed, days, gap, now))
    compress_chunks_older_than(writer.engine, now - timedelta(days=2))
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def history(timescale):
    """24 days ending this minute, a 40-hour gap (from 13:13 nine days ago: one whole day and
    ragged buckets at both ends), rollups made by the CLI as an operator would (read-only use)."""
    now = this_minute()
    gap_start = now.replace(hour=13, minute=13) - timedelta(days=9)
    url = timescale_database(timescale, "cp_rollups", DAYS, (gap_start, gap_start + timedelta(hours=40)), now)
    assert main(["rollups", "create", "--database-url", url]) == 0
    return SimpleNamespace(url=url, now=now, gap_start=gap_start)


@pytest.fixture(scope="module")
def rolled_url(history):
    return history.url


@pytest.fixture
def small_rolled_url(timescale):
    """Three days with rollups created and refreshed (the test may change it)."""
    url = timescale_database(timescale, "cp_rollups_small", 3)
    owner = WritableDatabase(url)
    create_rollups(owner.engine)
    refresh_rollups(owner.engine)
    owner.dispose()
    return url


@pytest.fixture
def reader(rolled_url):
    database = Database(rolled_url)
    yield database
    database.dispose()


def both_paths(database: Database, fetch, *args) -> tuple[pd.DataFrame, pd.DataFrame, RollupCatalog]:
    catalog = RollupCatalog()
    with database.connect() as conn:
        raw = fetch(conn, database.backend, *args)
        rolled = fetch(conn, database.backend, *args, catalog)
    return raw, rolled, catalog


def assert_same_candles(rolled: pd.DataFrame, raw: pd.DataFrame) -> None:
    assert len(raw) > 0
    pd.testing.assert_frame_equal(rolled, raw, check_exact=True)


def test_the_data_has_a_gap_and_both_compressed_and_uncompressed_chunks(reader, history):
    compressed, uncompressed = chunk_compression(reader.engine)
    assert compressed >= 1 and uncompressed >= 1
    with reader.connect() as conn:
        days = fetch_candles_between(
            conn, reader.backend, "KRW-AAA", "1d", history.now - timedelta(days=DAYS + 1), history.now
        )
    missing_day = pd.Timestamp(history.gap_start.replace(hour=0, minute=0) + timedelta(days=1))
    assert len(days) >= DAYS - 1 and missing_day not in set(days["bucket"])


@pytest.mark.parametrize("width", list(CANDLE_WIDTHS))
def test_rollup_candles_equal_raw_candles_over_the_whole_history(reader, history, width):
    start, end = history.now - timedelta(days=DAYS + 7), history.now + timedelta(minutes=1)
    raw, rolled, catalog = both_paths(reader, fetch_candles_between, "KRW-AAA", width, start, end)
    source = catalog.source_for(None, reader.backend, CANDLE_WIDTHS[width])
    assert (source.width if source else None) == EXPECTED_SOURCE[width]
    assert_same_candles(rolled, raw)


@pytest.mark.parametrize("width", list(CANDLE_WIDTHS))
def test_the_recent_candles_a_chart_shows_are_the_same_from_rollups(reader, history, width):
    raw, rolled, _ = both_paths(reader, fetch_recent_candles, "KRW-BBB", width, 1200)
    newest_bucket = bucket_floor(history.now - timedelta(minutes=1), width)
    assert rolled["bucket"].iloc[-1] == pd.Timestamp(newest_bucket)  # the still-open bucket is there
    assert_same_candles(rolled, raw)


@pytest.mark.parametrize("width", ["15m", "4h", "1d", "1w"])
def test_a_window_that_cuts_rollup_buckets_gives_the_same_candles(reader, history, width):
    start = history.now - timedelta(days=17, hours=5, minutes=7)
    end = history.now - timedelta(days=1, hours=2, minutes=41)
    raw, rolled, _ = both_paths(reader, fetch_candles_between, "KRW-BBB", width, start, end)
    assert_same_candles(rolled, raw)


def test_each_width_reads_from_the_coarsest_rollup_that_divides_it(reader):
    catalog = RollupCatalog()
    with reader.connect() as conn:
        chosen = {w: catalog.source_for(conn, reader.backend, step) for w, step in CANDLE_WIDTHS.items()}
    assert {w: (r.width if r else None) for w, r in chosen.items()} == EXPECTED_SOURCE


def test_a_row_written_after_the_refresh_is_in_the_open_bucket(small_rolled_url):
    owner = WritableDatabase(small_rolled_url)
    with owner.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO market_data (symbol, interval, open_price, high_price, low_price, close_price, volume, "
                "timestamp) VALUES ('KRW-AAA', '1m', 1000, 999999, 1, 1000, 12345, :at)"
            ),
            {"at": this_minute()},  # the still-open bucket of every width: no refresh reaches it
        )
    owner.dispose()
    database = Database(small_rolled_url)
    for width in ("5m", "1h", "4h", "1d", "1w"):
        raw, rolled, _ = both_paths(database, fetch_recent_candles, "KRW-AAA", width, 50)
        assert rolled["high"].iloc[-1] == 999999.0, width
        assert_same_candles(rolled, raw)
    database.dispose()


def test_buckets_no_refresh_has_reached_come_from_real_time_aggregation(small_rolled_url):
    """A day of rows written after the last refresh (here: stamped a day ahead, so no refresh,
    not even a policy job of the background scheduler, can have reached them) is in the
    candles read from every level of the hierarchy."""
    now = this_minute()
    owner = WritableDatabase(small_rolled_url)
    with owner.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO market_data (symbol, interval, open_price, high_price, low_price, close_price, volume, "
                "timestamp) SELECT 'KRW-AAA', '1m', 1000 + g, 1001 + g, 999, 1000 - g, 1, "
                ":start + g * INTERVAL '1 minute' FROM generate_series(0, 26 * 60) g"
            ),
            {"start": now},
        )
        statuses = rollup_status(conn, Backend.TIMESCALEDB)
    owner.dispose()
    assert all(s.watermark is not None and s.watermark <= now for s in statuses)
    database = Database(small_rolled_url)
    for width in ("5m", "1h", "4h", "1d", "1w"):
        raw, rolled, _ = both_paths(database, fetch_recent_candles, "KRW-AAA", width, 200)
        assert rolled["bucket"].iloc[-1] == pd.Timestamp(bucket_floor(now + timedelta(hours=26), width))
        assert_same_candles(rolled, raw)
    database.dispose()


def test_a_vanished_rollup_falls_back_to_raw_and_is_redetected(small_rolled_url):
    database = Database(small_rolled_url)
    catalog = RollupCatalog()
    with database.connect() as conn:
        assert catalog.widths(conn, database.backend) == {"5m", "1h", "1d"}
    owner = WritableDatabase(small_rolled_url)
    drop_rollups(owner.engine)
    owner.dispose()
    with database.connect() as conn:
        rolled = fetch_recent_candles(conn, database.backend, "KRW-AAA", "4h", 12, catalog)
        raw = fetch_recent_candles(conn, database.backend, "KRW-AAA", "4h", 12)
    assert_same_candles(rolled, raw)
    assert catalog.known() == frozenset()
    database.dispose()


def test_a_rollup_without_real_time_aggregation_is_not_used(small_rolled_url):
    owner = WritableDatabase(small_rolled_url)
    with owner.engine.begin() as conn:
        conn.execute(
            sa.text("ALTER MATERIALIZED VIEW coinpilot_rollups.candles_1h SET (timescaledb.materialized_only = true)")
        )
        # 1d is built on 1h: without 1h's newest buckets it would miss them too.
        assert detect_rollups(conn, Backend.TIMESCALEDB) == {"5m"}
    owner.dispose()


def test_reading_the_rollup_status_updates_which_rollups_candles_use(timescale, redis_db):
    url = timescale_database(timescale, "cp_rollups_late", 1)
    services = build_services(make_settings(url, redis_db))
    with services.database.connect() as conn:
        fetch_recent_candles(conn, services.database.backend, "KRW-AAA", "1h", 5, services.rollups)
    assert services.rollups.known() == frozenset()
    owner = WritableDatabase(url)
    create_rollups(owner.engine)
    owner.dispose()
    system_callbacks.rollups_panel(services)  # the System page reads the status
    assert services.rollups.known() == {"5m", "1h", "1d"}
    services.database.dispose()


def test_drop_removes_only_what_create_made(small_rolled_url):
    owner = WritableDatabase(small_rolled_url)
    inspector_before = set(sa.inspect(owner.engine).get_table_names())
    with owner.engine.connect() as conn:
        rows_before = conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar()
    assert main(["rollups", "drop", "--database-url", small_rolled_url]) == 0
    with owner.engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": ROLLUP_SCHEMA}).scalar()
            == 0
        )
        assert conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar() == rows_before
        jobs = conn.execute(
            sa.text(
                "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'"
            )
        ).scalar()
    assert jobs == 0
    assert set(sa.inspect(owner.engine).get_table_names()) == inspector_before
    owner.dispose()


def test_rollups_status_prints_each_rollup_its_lag_and_its_policy_job(rolled_url, capsys):
    assert main(["rollups", "status", "--database-url", rolled_url]) == 0
    out = capsys.readouterr().out
    for view in ("candles_5m", "candles_1h", "candles_1d"):
        line = next(line for line in out.splitlines() if line.startswith(view))
        assert "materialised up to" in line and "behind" in line
    assert out.count("policy job") == 3


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
@pytest.mark.parametrize("action", ["create", "status", "refresh", "drop"])
def test_rollups_refuse_a_database_without_timescaledb(kind, action, postgres, tmp_path, capsys):
    url = postgres.create("cp_no_rollups") if kind == "postgresql" else f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE if kind == "sqlite" else Backend.POSTGRESQL)
    writer.dispose()
    assert main(["rollups", action, "--database-url", url]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "rollups need TimescaleDB" in err


def apply_read_only_role(timescale, url: str) -> str:
    """deploy/readonly-role.sql as an operator runs it; returns the role's URL."""
    return run_readonly_role_script(url, timescale.roles)


def test_the_documented_role_reads_rollups_created_after_it(timescale, redis_db):
    url = timescale_database(timescale, "cp_rollups_role", 1)
    read_only_url = apply_read_only_role(timescale, url)  # the role first, rollups later
    assert main(["rollups", "create", "--database-url", url]) == 0
    services = build_services(make_settings(read_only_url, redis_db))
    panel = system_callbacks.rollups_panel(services)
    assert {row["props"]["data-rollup"] for row in by_attribute(panel, "data-rollup")} == {
        "candles_5m",
        "candles_1h",
        "candles_1d",
    }
    assert "not used" not in text(panel)
    with services.database.connect() as conn:
        statuses = rollup_status(conn, services.database.backend)
        raw = fetch_recent_candles(conn, services.database.backend, "KRW-AAA", "1d", 3)
        rolled = fetch_recent_candles(conn, services.database.backend, "KRW-AAA", "1d", 3, services.rollups)
    assert all(s.readable and s.job is not None for s in statuses)
    assert not any(s.job.errors_visible for s in statuses)  # job_errors is for the job's owner
    assert_same_candles(rolled, raw)
    services.database.dispose()


def test_rollups_create_refuses_a_role_that_may_not_create_them(timescale, capsys):
    url = timescale_database(timescale, "cp_rollups_denied", 1)
    read_only_url = apply_read_only_role(timescale, url)
    assert main(["rollups", "create", "--database-url", read_only_url]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "needs an owner of the database" in err


def test_drop_keeps_the_schema_the_role_script_made_and_its_grants(timescale, capsys):
    url = timescale_database(timescale, "cp_rollups_keep", 1)
    apply_read_only_role(timescale, url)
    assert main(["rollups", "create", "--database-url", url]) == 0
    assert main(["rollups", "drop", "--database-url", url]) == 0
    assert f"schema {ROLLUP_SCHEMA} kept" in capsys.readouterr().err
    owner = WritableDatabase(url)
    with owner.engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": ROLLUP_SCHEMA}
        ).scalar()
        assert not detect_rollups(conn, Backend.TIMESCALEDB)
    owner.dispose()


def test_create_materialises_every_level_before_it_adds_the_refresh_policies(timescale):
    # A policy's first run starts as soon as it is added: added first, it refreshed the whole
    # history alongside create's own refresh, and create failed with "concurrent refresh".
    url = timescale_database(timescale, "cp_rollups_order", 1)
    owner = WritableDatabase(url)
    statements: list[str] = []
    sa.event.listen(owner.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    create_rollups(owner.engine)
    owner.dispose()
    refreshes = [i for i, sql in enumerate(statements) if "refresh_continuous_aggregate" in sql]
    policies = [i for i, sql in enumerate(statements) if "add_continuous_aggregate_policy" in sql]
    assert len(refreshes) >= 3 and len(policies) == 3, statements
    assert max(refreshes) < min(policies)
