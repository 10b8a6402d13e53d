"""Shared set-up of the benchmarks: throw-away databases on this machine (PostgreSQL, the
TimescaleDB server with the extension, or a SQLite file)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from data.database import Backend
from tests.support.pg import create_database, drop_database

ADMIN_URL = os.environ.get("COINPILOT_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
# Real TimescaleDB: ../shared/timescaledb/start-cluster runs it on port 5433.
TSDB_ADMIN_URL = os.environ.get("COINPILOT_BENCH_TSDB_URL", "postgresql+psycopg2://postgres@127.0.0.1:5433/postgres")


@contextmanager
def scratch_database(prefix: str = "cp_bench", keep: bool = False, backend: Backend = Backend.POSTGRESQL):
    """A new, empty database for the benchmark (on TimescaleDB with the extension created, on
    SQLite a file in a temporary directory); dropped afterwards unless keep=True."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if backend is Backend.SQLITE:
        directory = Path(tempfile.mkdtemp(prefix=f"{prefix}_"))
        try:
            yield f"sqlite:///{directory / (name + '.sqlite3')}"
        finally:
            if not keep:
                for path in directory.iterdir():
                    path.unlink()
                directory.rmdir()
        return
    admin_url = TSDB_ADMIN_URL if backend is Backend.TIMESCALEDB else ADMIN_URL
    admin = sa.create_engine(admin_url)
    create_database(admin, name)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if backend is Backend.TIMESCALEDB:
            engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
            engine.dispose()
        yield url
    finally:
        if not keep:
            drop_database(admin, name)
        admin.dispose()


def median_ms(function, repeat: int = 5) -> float:
    """Median wall time of `function` in ms, after one warm-up call (we compare plans and
    code paths, not cold disk reads)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
