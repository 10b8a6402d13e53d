"""The History page's server-side paging, sorting, counting and summaries on 100,000 trades.

    .venv/bin/python -m bench.history_100k

Runs the History callbacks exactly as the grid calls them, against PostgreSQL holding
100,000 orders (the bot's schema: no index on trading_history beyond its primary key), and
prints the median time of each. Compare the rows with each other (first page vs. last page,
one sort vs. another), not with another machine.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from bench.common import median_ms, scratch_database
from callbacks import history
from dashboard.app import build_services
from dashboard.settings import Settings
from data.database import Backend
from data.order_changes import OrderChangeWatch
from data.tables import trading_history
from simulator.seeding import create_schema, insert_rows, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase

TRADES = 100_000
SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]


def orders(now: datetime) -> list[dict]:
    rng = np.random.default_rng(1)
    rows = []
    for i in range(TRADES):
        symbol = SYMBOLS[i % len(SYMBOLS)]
        side = "BUY" if (i // len(SYMBOLS)) % 2 == 0 else "SELL"
        status = "FILLED" if rng.random() > 0.1 else "CANCELLED"
        created = now - timedelta(minutes=TRADES - i)
        rows.append(
            {
                "id": uuid.UUID(int=i + 1, version=4),
                "symbol": symbol,
                "side": side,
                "order_type": "LIMIT",
                "price": float(rng.uniform(100, 1000)),
                "quantity": 1.0,
                "fee": 0.05,
                "status": status,
                "strategy_name": "bench",
                "signal_info": None,
                "created_at": created,
                "executed_at": created if status == "FILLED" else None,
            }
        )
    return rows


def main() -> None:
    now = datetime.now(UTC)
    with scratch_database("cp_bench_history") as url:
        writer = WritableDatabase(url)
        create_schema(writer.engine, Backend.POSTGRESQL)
        write_history(writer.engine, Backend.POSTGRESQL, generate_history(SYMBOLS, 0.1, now))
        with writer.engine.begin() as conn:
            insert_rows(conn, orders(now), [], [])
        with writer.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE trading_history")
        writer.dispose()
        services = build_services(Settings(database_url=url, n8n_url=None))
        none = (None, None, None, None, None)
        filtered = (["KRW-BTC"], ["SELL"], ["FILLED"], None, None)
        page = lambda start, sort, filters=none: history.history_rows(  # noqa: E731
            services, {"startRow": start, "endRow": start + 50, "sortModel": sort}, *filters
        )
        cases = {
            "page 1, newest first": lambda: page(0, []),
            "page 2,000 (the last), newest first": lambda: page(TRADES - 50, []),
            "page 1 sorted by value": lambda: page(0, [{"colId": "value", "sort": "desc"}]),
            "page 1 sorted by symbol then price": lambda: page(
                0, [{"colId": "symbol", "sort": "asc"}, {"colId": "price", "sort": "asc"}]
            ),
            "page 1 of a filtered set (BTC sells, filled)": lambda: page(0, [], filtered),
            "summary charts, whole set": lambda: history.history_summary(services, *none),
            "summary charts, filtered set": lambda: history.history_summary(services, *filtered),
        }
        assert page(0, [])["rowCount"] >= TRADES
        print(f"{TRADES:,} trades in trading_history (PostgreSQL, primary key only)")
        for name, function in cases.items():
            print(f"  {name:<48} {median_ms(function):7.1f} ms")
        print("The realized-PnL cache's change check, once per refresh tick:")
        for name, function in pnl_cache_cases(services).items():
            print(f"  {name:<48} {median_ms(function):7.1f} ms")
        services.database.dispose()


def pnl_cache_cases(services) -> dict:
    """Before: the fingerprint the cache was keyed on until issue 12 (count and newest times over
    the whole table). After: data.order_changes (the table's write counters), and a whole
    Overview-style ledger read with nothing changed."""
    th = trading_history
    old_fingerprint = sa.select(
        sa.func.count(), sa.func.count(th.c.executed_at), sa.func.max(th.c.created_at), sa.func.max(th.c.executed_at)
    )
    backend = services.database.backend

    def run(statement_or_check):
        with services.database.connect() as conn:
            return statement_or_check(conn)

    services.data_cache_s = 0  # every call is a new tick
    run(services.filled_trades_and_ledger)  # the ledger computed once, as after the first refresh
    return {
        "before: fingerprint (count/max, reads the table)": lambda: run(lambda c: c.execute(old_fingerprint).one()),
        "after: write counters (pg_stat_user_tables)": lambda: run(lambda c: OrderChangeWatch().marker(c, backend)),
        "after: ledger on a tick with orders unchanged": lambda: run(services.filled_trades_and_ledger),
    }


if __name__ == "__main__":
    main()
