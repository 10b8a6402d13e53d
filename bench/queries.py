"""Market queries on one year of 1-minute data for five symbols (2.6 M rows), compared in one run.

    .venv/bin/python -m bench.queries

Prints each query's median time and its ratio to the original dashboard's whole-table
queries (DISTINCT ON for latest prices, SELECT DISTINCT for symbols). Ratios, not absolute
times, are what to compare: the machine is shared.
"""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from bench.common import median_ms, scratch_database
from data.database import Database
from data.market import CANDLE_WIDTHS, fetch_latest_candles, fetch_recent_candles, fetch_symbols

SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
ORIGINAL_LATEST = """
SELECT DISTINCT ON (symbol) symbol, close_price, timestamp FROM market_data
WHERE symbol IN ('KRW-BTC','KRW-ETH','KRW-XRP','KRW-SOL','KRW-DOGE') ORDER BY symbol, timestamp DESC
"""
ORIGINAL_SYMBOLS = "SELECT DISTINCT symbol FROM market_data"


def main() -> None:
    with scratch_database("cp_bench_queries") as url:
        print("seeding one year x five symbols ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard.cli",
                "seed",
                "--database-url",
                url,
                "--days",
                "365",
                "--symbols",
                *SYMBOLS,
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        raw = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with raw.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE market_data"))
            rows = conn.execute(sa.text("SELECT count(*) FROM market_data")).scalar()
        database = Database(url, statement_timeout_ms=60_000)
        with database.connect() as conn:
            backend = database.backend
            original_latest = median_ms(lambda: conn.execute(sa.text(ORIGINAL_LATEST)).all())
            ours_latest = median_ms(lambda: fetch_latest_candles(conn, SYMBOLS))
            original_symbols = median_ms(lambda: conn.execute(sa.text(ORIGINAL_SYMBOLS)).all())
            ours_symbols = median_ms(lambda: fetch_symbols(conn))
            print(f"{rows:,} rows of market_data ({backend.label})")
            print(
                f"latest prices, 5 symbols: DISTINCT ON {original_latest:8.1f} ms | index lookups {ours_latest:6.2f} ms"
                f" | {original_latest / ours_latest:,.0f}x faster"
            )
            print(
                f"symbol list:              DISTINCT    {original_symbols:8.1f} ms | loose index scan {ours_symbols:5.2f} ms"
                f" | {original_symbols / ours_symbols:,.0f}x faster"
            )
            for width in CANDLE_WIDTHS:
                elapsed = median_ms(lambda w=width: fetch_recent_candles(conn, backend, "KRW-BTC", w, 1200), repeat=3)
                print(f"1,200 candles of {width:>3} (1,000 shown + 200 warm-up): {elapsed:8.1f} ms")
        database.dispose()


if __name__ == "__main__":
    main()
