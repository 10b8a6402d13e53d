"""Candles from the rollups (TimescaleDB continuous aggregates) against raw aggregation, on
TimescaleDB laid out like production: 1-minute rows of five symbols, chunks older than 7 days
compressed (segmented by symbol and interval).

    .venv/bin/python -m bench.rollups                # one year
    .venv/bin/python -m bench.rollups --years 1 3    # one year, then three: does it grow?

For each history it prints the median time of 1,200 candles of every width and of 1,000 daily
candles, raw aggregation vs rollups, and their ratio. Ratios, not absolute times, are what to
compare: the machine is shared. Needs the TimescaleDB server (COINPILOT_BENCH_TSDB_URL, default
127.0.0.1:5433; ../shared/timescaledb/start-cluster starts it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import median_ms
from data.database import Database
from data.market import CANDLE_WIDTHS, fetch_recent_candles
from data.rollups import RollupCatalog
from simulator.seeding import compress_chunks_older_than
from tests.support.pg import create_database, drop_database

ADMIN_URL = os.environ.get("COINPILOT_BENCH_TSDB_URL", "postgresql+psycopg2://postgres@127.0.0.1:5433/postgres")
SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]


def prepare(url: str, years: float) -> dict[str, float]:
    """Seed, compress like production and create the rollups; returns seconds per step."""
    seconds = {}
    started = time.perf_counter()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
    cli = [sys.executable, "-m", "dashboard.cli"]
    days = str(int(365 * years))
    subprocess.run([*cli, "seed", "--database-url", url, "--days", days, "--symbols", *SYMBOLS], check=True)
    seconds["seed"] = time.perf_counter() - started
    started = time.perf_counter()
    compress_chunks_older_than(engine, datetime.now(UTC) - timedelta(days=7))
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE market_data"))
    seconds["compress"] = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([*cli, "rollups", "create", "--database-url", url], check=True, stdout=subprocess.DEVNULL)
    seconds["rollups create"] = time.perf_counter() - started
    engine.dispose()
    return seconds


def measure(url: str) -> list[tuple[str, float, float]]:
    """(what, raw ms, rollups ms) for each read."""
    database = Database(url, statement_timeout_ms=120_000)
    catalog = RollupCatalog()
    results = []
    with database.connect() as conn:
        backend = database.backend
        rows = conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar()
        print(f"{rows:,} rows of market_data; rollups in use: {sorted(catalog.widths(conn, backend))}")
        reads = [(f"1,200 candles of {w:>3}", w, 1200) for w in CANDLE_WIDTHS] + [("1,000 daily candles  ", "1d", 1000)]
        for label, width, count in reads:
            raw = median_ms(lambda w=width, n=count: fetch_recent_candles(conn, backend, "KRW-BTC", w, n), repeat=3)
            rolled = median_ms(
                lambda w=width, n=count: fetch_recent_candles(conn, backend, "KRW-BTC", w, n, catalog), repeat=5
            )
            results.append((label, raw, rolled))
    database.dispose()
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, nargs="+", default=[1.0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    admin = sa.create_engine(ADMIN_URL)
    summary = {}
    for years in args.years:
        name = f"cp_bench_rollups_{uuid.uuid4().hex[:8]}"
        create_database(admin, name)
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        try:
            print(f"== {years:g} year(s) x {len(SYMBOLS)} symbols of 1-minute rows ({name})", file=sys.stderr)
            steps = prepare(url, years)
            print(f"== {years:g} year(s): " + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items()))
            results = measure(url)
            for label, raw, rolled in results:
                print(f"{label}: raw {raw:8.1f} ms | rollups {rolled:6.1f} ms | {raw / rolled:6.1f}x faster")
            summary[years] = results
        finally:
            if not args.keep:
                drop_database(admin, name)
    if len(summary) > 1:
        first, *others = sorted(summary)
        for years in others:
            for (label, raw_a, rolled_a), (_, raw_b, rolled_b) in zip(summary[first], summary[years], strict=True):
                print(
                    f"{label}: {years:g} y / {first:g} y history: raw x{raw_b / raw_a:.2f}, rollups x{rolled_b / rolled_a:.2f}"
                )
    admin.dispose()


if __name__ == "__main__":
    main()
