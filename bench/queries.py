"""Market queries on one year of 1-minute data for five symbols (2.6 M rows), per backend, compared
with the original dashboard's queries in one run.

    .venv/bin/python -m bench.queries [--backend timescaledb|postgresql|sqlite|all] [--days 365]

TimescaleDB is laid out as CoinPilot's production: a hypertable (7-day chunks) whose chunks
older than 7 days are compressed (`seed --compress`). Prints each lookup's median time (the
project's own functions, called as the dashboard calls them) and its ratio to the original
dashboard's whole-table queries (DISTINCT ON for latest prices, SELECT DISTINCT for symbols; on
SQLite, which has no DISTINCT ON, GROUP BY with max()), and on PostgreSQL/TimescaleDB how the
lookups' time splits between planning and execution (EXPLAIN ANALYZE of the statements they ran).
Candles: 1,200 of every width by raw aggregation of the 1-minute rows and, on TimescaleDB, again
after `rollups create` on the same rows, with the ratio between the two.
Ratios, not absolute times, are what to compare: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import sqlalchemy as sa

from bench.common import median_ms, scratch_database
from data.database import Backend, Database
from data.market import CANDLE_WIDTHS, fetch_latest_candles, fetch_recent_candles, fetch_symbols
from data.rollups import RollupCatalog
from tests.support.helpers import recorded_statements

CANDLE_ORDER = list(CANDLE_WIDTHS)
SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
ORIGINAL_LATEST = """
SELECT DISTINCT ON (symbol) symbol, close_price, timestamp FROM market_data
WHERE symbol IN ('KRW-BTC','KRW-ETH','KRW-XRP','KRW-SOL','KRW-DOGE') ORDER BY symbol, timestamp DESC
"""
ORIGINAL_LATEST_SQLITE = """
SELECT symbol, close_price, max(timestamp) FROM market_data
WHERE symbol IN ('KRW-BTC','KRW-ETH','KRW-XRP','KRW-SOL','KRW-DOGE') GROUP BY symbol
"""
ORIGINAL_SYMBOLS = "SELECT DISTINCT symbol FROM market_data"
BACKENDS = {"timescaledb": [Backend.TIMESCALEDB], "postgresql": [Backend.POSTGRESQL], "sqlite": [Backend.SQLITE]}
BACKENDS["all"] = [Backend.TIMESCALEDB, Backend.POSTGRESQL, Backend.SQLITE]


def seed(url: str, backend: Backend, days: float) -> None:
    print(f"seeding {days:g} days x five symbols into {backend.label} ...", file=sys.stderr)
    command = [sys.executable, "-m", "dashboard.cli", "seed", "--database-url", url, "--days", f"{days:g}"]
    command += ["--symbols", *SYMBOLS]
    if backend is Backend.TIMESCALEDB:
        command.append("--compress")
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    raw = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with raw.connect() as conn:
        conn.execute(sa.text("ANALYZE" if backend is Backend.SQLITE else "VACUUM ANALYZE market_data"))
    raw.dispose()


def planning_and_execution_ms(conn, function) -> tuple[float, float]:
    """EXPLAIN ANALYZE of every statement `function` runs: (planning, execution) in ms, summed."""
    with recorded_statements(conn.engine) as statements:
        function()
    planning = execution = 0.0
    cursor = conn.connection.driver_connection.cursor()
    for statement, parameters in statements:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        planning += plan[0]["Planning Time"]
        execution += plan[0]["Execution Time"]
    cursor.close()
    return planning, execution


def measure(backend: Backend, days: float) -> None:
    with scratch_database("cp_bench_queries", backend=backend) as url:
        seed(url, backend, days)
        database = Database(url, statement_timeout_ms=60_000)
        with database.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar()
            original_sql = ORIGINAL_LATEST_SQLITE if backend is Backend.SQLITE else ORIGINAL_LATEST
            original_latest = median_ms(lambda: conn.execute(sa.text(original_sql)).all())
            ours_latest = median_ms(lambda: fetch_latest_candles(conn, SYMBOLS))
            original_symbols = median_ms(lambda: conn.execute(sa.text(ORIGINAL_SYMBOLS)).all())
            ours_symbols = median_ms(lambda: fetch_symbols(conn))
            layout = ""
            if backend is Backend.TIMESCALEDB:
                chunks, compressed = conn.execute(
                    sa.text(
                        "SELECT count(*), count(*) FILTER (WHERE is_compressed) FROM timescaledb_information.chunks "
                        "WHERE hypertable_name = 'market_data'"
                    )
                ).one()
                layout = f", {chunks} chunks, {compressed} compressed"
            print(f"\n{backend.label}: {rows:,} rows of market_data{layout}")
            print(
                f"  latest prices, 5 symbols: original {original_latest:8.1f} ms | ours {ours_latest:6.2f} ms"
                f" | original / ours = {original_latest / ours_latest:,.1f}"
            )
            print(
                f"  symbol list:              original {original_symbols:8.1f} ms | ours {ours_symbols:6.2f} ms"
                f" | original / ours = {original_symbols / ours_symbols:,.1f}"
            )
            if backend is not Backend.SQLITE:
                for name, function in (
                    ("latest prices", lambda: fetch_latest_candles(conn, SYMBOLS)),
                    ("symbol list", lambda: fetch_symbols(conn)),
                ):
                    planning, execution = planning_and_execution_ms(conn, function)
                    print(f"    {name} (EXPLAIN ANALYZE): planning {planning:5.2f} ms, execution {execution:5.2f} ms")
            raw = {
                width: median_ms(
                    lambda w=width: fetch_recent_candles(conn, database.backend, "KRW-BTC", w, 1200), repeat=3
                )
                for width in CANDLE_WIDTHS
            }
        rolled = rollup_candles_ms(url, database) if backend is Backend.TIMESCALEDB else {}
        for width in CANDLE_WIDTHS:
            line = f"  1,200 candles of {width:>3} (1,000 shown + 200 warm-up): raw aggregation {raw[width]:8.1f} ms"
            if width in rolled:
                line += f" | with rollups {rolled[width]:6.1f} ms | raw / rollups = {raw[width] / rolled[width]:5.1f}"
            elif backend is not Backend.TIMESCALEDB:
                line += " | rollups: TimescaleDB only"
            print(line)
        database.dispose()


def rollup_candles_ms(url: str, database: Database) -> dict[str, float]:
    """1,200 candles of every width again, after `rollups create` (the same database, so the
    ratio to raw aggregation compares the two read paths on the same rows)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "dashboard.cli", "rollups", "create", "--database-url", url]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"  rollups create: {time.perf_counter() - started:.0f} s")
    catalog = RollupCatalog()
    with database.connect() as conn:
        print(f"  rollups in use: {', '.join(sorted(catalog.widths(conn, database.backend), key=CANDLE_ORDER.index))}")
        return {
            width: median_ms(
                lambda w=width: fetch_recent_candles(conn, database.backend, "KRW-BTC", w, 1200, catalog), repeat=5
            )
            for width in CANDLE_WIDTHS
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=list(BACKENDS), default="all")
    parser.add_argument("--days", type=float, default=365.0, help="days of history (default: one year)")
    args = parser.parse_args(argv)
    for backend in BACKENDS[args.backend]:
        measure(backend, args.days)


if __name__ == "__main__":
    main()
