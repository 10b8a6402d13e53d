"""Shared set-up of the benchmarks: throw-away PostgreSQL databases on this machine."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.support.pg import create_database, drop_database

ADMIN_URL = os.environ.get("COINPILOT_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(prefix: str = "cp_bench", keep: bool = False):
    """A new, empty database for the benchmark; dropped afterwards unless keep=True."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL)
    create_database(admin, name)
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
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
