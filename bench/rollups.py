"""Candles from the rollups (TimescaleDB continuous aggregates) against raw aggregation, on
TimescaleDB laid out like production: 1-minute rows of five symbols, chunks older than 7 days
compressed (segmented by symbol and interval).

    .venv/bin/python -m bench.rollups                # one year
    .venv/bin/python -m bench.rollups --years 1 3    # one year, then three: does it grow?
    nice -n 19 .venv/bin/python -m bench.rollups --years 3 --symbols 20   # the scale run (~31 M rows)

For each history it prints the median time of the latest prices and the symbol list (against the
original dashboard's whole-table queries), of 1,200 candles of every width and of 1,000 daily
candles, raw aggregation vs rollups, and their ratio.

The rollups are created (and materialised) before the older chunks are compressed: the refresh
then reads plain heap rows instead of decompressing every chunk, which is what made `rollups
create` on an already-compressed history the slowest step of preparing (724 s for 2 years x 5
symbols). `--rollups-after-compress` keeps production's order (a bot's history is already
compressed when its owner runs `rollups create`) to time that path. Ratios, not absolute times, are what to
compare: the machine is shared. Needs the TimescaleDB server (COINPILOT_BENCH_TSDB_URL, default
127.0.0.1:5433; ../shared/timescaledb/start-cluster starts it).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import median_ms
from bench.queries import ORIGINAL_SYMBOLS
from data.database import Backend, Database
from data.market import CANDLE_WIDTHS, fetch_latest_candles, fetch_recent_candles, fetch_symbols
from data.rollups import RollupCatalog
from data.tables import STORED_CANDLE_INTERVAL
from simulator.seeding import compress_chunks_older_than, create_schema
from simulator.synthetic import RandomWalk
from tests.support.pg import create_database, drop_database

ADMIN_URL = os.environ.get("COINPILOT_BENCH_TSDB_URL", "postgresql+psycopg2://postgres@127.0.0.1:5433/postgres")
_COPY_ROWS = 500_000
_COPY_SQL = (
    "COPY market_data (symbol, interval, open_price, high_price, low_price, close_price, volume, timestamp) "
    "FROM STDIN WITH (FORMAT csv)"
)
KNOWN_SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
# The original dashboard's latest prices for any symbol list (DISTINCT ON over the whole table).
ORIGINAL_LATEST = sa.text(
    "SELECT DISTINCT ON (symbol) symbol, close_price, timestamp FROM market_data "
    "WHERE symbol IN :symbols ORDER BY symbol, timestamp DESC"
).bindparams(sa.bindparam("symbols", expanding=True))


def symbols_for(count: int) -> list[str]:
    """The five profiled symbols, then made-up ones (the seeder derives a stable profile)."""
    made_up = [f"KRW-S{n:02d}" for n in range(1, max(0, count - len(KNOWN_SYMBOLS)) + 1)]
    return (KNOWN_SYMBOLS + made_up)[:count]


def seed_candles(engine: sa.Engine, years: float, symbols: list[str]) -> int:
    """The 1-minute candles only, ending now: what the measured reads touch. (`seed` also
    simulates the paper bot minute by minute, hours for years of history, and writes nothing
    these reads look at.) No compression policy: its job would compress chunks while the
    rollups are refreshed; the compressed layout comes from compressing explicitly."""
    create_schema(engine, Backend.TIMESCALEDB, compression_policy=False)
    minutes = int(365 * years * 24 * 60)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes)
    written = 0
    for index, symbol in enumerate(symbols):
        frame = RandomWalk(symbol, np.random.default_rng([7, index])).generate(start, minutes)
        frame.insert(0, "interval", STORED_CANDLE_INTERVAL)
        frame.insert(0, "symbol", symbol)
        frame = frame[["symbol", "interval", "open", "high", "low", "close", "volume", "timestamp"]]
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for begin in range(0, len(frame), _COPY_ROWS):
                buffer = io.StringIO()
                frame.iloc[begin : begin + _COPY_ROWS].to_csv(buffer, header=False, index=False)
                buffer.seek(0)
                cursor.copy_expert(_COPY_SQL, buffer)
            raw.commit()
        finally:
            raw.close()
        written += len(frame)
        print(f"  {symbol}: {len(frame):,} rows", file=sys.stderr, flush=True)
    return written


def prepare(url: str, years: float, symbols: list[str], rollups_after_compress: bool) -> dict[str, float]:
    """Seed, create the rollups and compress like production; returns seconds per step."""
    seconds = {}
    started = time.perf_counter()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
    cli = [sys.executable, "-m", "dashboard.cli"]
    rows = seed_candles(engine, years, symbols)
    seconds["seed"] = time.perf_counter() - started
    print(f"seeded {rows:,} rows in {seconds['seed']:.0f} s", file=sys.stderr, flush=True)

    def create_rollups() -> None:
        started = time.perf_counter()
        subprocess.run([*cli, "rollups", "create", "--database-url", url], check=True, stdout=subprocess.DEVNULL)
        seconds["rollups create"] = time.perf_counter() - started

    if not rollups_after_compress:
        create_rollups()
    started = time.perf_counter()
    compress_chunks_older_than(engine, datetime.now(UTC) - timedelta(days=7))
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE market_data"))
    seconds["compress"] = time.perf_counter() - started
    if rollups_after_compress:
        create_rollups()
    engine.dispose()
    return seconds


def measure(url: str, symbols: list[str]) -> list[tuple[str, float, float]]:
    """(what, baseline ms, ours ms) for each read: the original dashboard's query vs ours for
    the lookups, raw aggregation vs rollups for the candles."""
    database = Database(url, statement_timeout_ms=120_000)
    catalog = RollupCatalog()
    results = []
    with database.connect() as conn:
        backend = database.backend
        rows = conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar()
        chunks, compressed = conn.execute(
            sa.text(
                "SELECT count(*), count(*) FILTER (WHERE is_compressed) FROM timescaledb_information.chunks "
                "WHERE hypertable_name = 'market_data'"
            )
        ).one()
        print(
            f"{rows:,} rows of market_data, {len(symbols)} symbols, {chunks} chunks ({compressed} compressed); "
            f"rollups in use: {sorted(catalog.widths(conn, backend))}"
        )
        results.append(
            (
                f"latest prices, {len(symbols)} symbols",
                median_ms(lambda: conn.execute(ORIGINAL_LATEST, {"symbols": symbols}).all(), repeat=3),
                median_ms(lambda: fetch_latest_candles(conn, symbols)),
            )
        )
        results.append(
            (
                "symbol list",
                median_ms(lambda: conn.execute(sa.text(ORIGINAL_SYMBOLS)).all(), repeat=3),
                median_ms(lambda: fetch_symbols(conn)),
            )
        )
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
    parser.add_argument("--symbols", type=int, default=len(KNOWN_SYMBOLS), help="how many symbols to seed")
    parser.add_argument(
        "--rollups-after-compress", action="store_true", help="create the rollups on the compressed history"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    admin = sa.create_engine(ADMIN_URL)
    summary = {}
    symbols = symbols_for(args.symbols)
    for years in args.years:
        name = f"cp_bench_rollups_{uuid.uuid4().hex[:8]}"
        create_database(admin, name)
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        try:
            print(f"== {years:g} year(s) x {len(symbols)} symbols of 1-minute rows ({name})", file=sys.stderr)
            steps = prepare(url, years, symbols, args.rollups_after_compress)
            print(f"== {years:g} year(s): " + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items()), flush=True)
            results = measure(url, symbols)
            for label, baseline, ours in results:
                against = "original" if label.startswith(("latest", "symbol")) else "raw     "
                print(
                    f"{label:<26}: {against} {baseline:8.1f} ms | ours {ours:6.2f} ms | {baseline / ours:7.1f}x faster",
                    flush=True,
                )
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
