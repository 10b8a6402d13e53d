"""The realized-PnL ledger cache follows every change to the bot's orders, on each backend, and
its change check never reads trading_history (data.order_changes)."""

import shutil
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dashboard.app import build_services
from data import metrics
from data.database import Backend
from data.tables import trading_history
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.conftest import SEED_END
from tests.support.helpers import FixedClock, make_settings


@pytest.fixture(params=[Backend.POSTGRESQL, Backend.TIMESCALEDB, Backend.SQLITE], ids=lambda b: b.value)
def writable_url(request, tmp_path):
    """A copy of the seeded history this test may write to."""
    if request.param is Backend.SQLITE:
        source = make_url(request.getfixturevalue("seeded_sqlite_url")).database
        copy = tmp_path / "orders.sqlite3"
        shutil.copy(source, copy)
        return f"sqlite:///{copy}"
    if request.param is Backend.POSTGRESQL:
        template = make_url(request.getfixturevalue("seeded_pg_url")).database
        return request.getfixturevalue("postgres").create("cp_pnl_cache", template=template)
    # TimescaleDB's job scheduler keeps a session in every database with the extension, so a
    # seeded one cannot serve as a template: write a short history afresh.
    url = request.getfixturevalue("timescale").create("cp_pnl_cache")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.TIMESCALEDB, compression_policy=False)
    write_history(writer.engine, Backend.TIMESCALEDB, generate_history(["KRW-BTC", "KRW-ETH"], 2, SEED_END, seed=3))
    writer.dispose()
    return url


@pytest.fixture
def services(writable_url, redis_db):
    services = build_services(
        make_settings(writable_url, redis_db, data_cache_seconds=0), clock=FixedClock(SEED_END + timedelta(seconds=30))
    )
    yield services
    services.database.dispose()


def realized_figures(services) -> tuple[int, float]:
    """What the Overview shows from the ledger: filled trades and cumulative realized PnL."""
    with services.database.connect() as conn:
        filled, ledger = services.filled_trades_and_ledger(conn)
    return len(filled), round(metrics.total_realized_pnl(ledger), 6)


def refreshes_until(services, moved, within_s: float = 3.0) -> tuple[int, float]:
    """Refresh as the page does until `moved(figures)`; PostgreSQL publishes a writer's counters
    when its session goes idle or ends (within about a second, data.order_changes), so the
    change may show one refresh later there. Far below LEDGER_MAX_AGE_S (60 s): a cache that
    is never invalidated cannot pass."""
    deadline = time.monotonic() + within_s
    figures = realized_figures(services)
    while not moved(figures) and time.monotonic() < deadline:
        time.sleep(0.1)
        figures = realized_figures(services)
    return figures


def write(url: str, statement) -> None:
    """One write as the bot makes it: its own session, committed, then closed."""
    writer = WritableDatabase(url)
    with writer.engine.begin() as conn:
        conn.execute(statement)
    writer.dispose()


def a_filled_sell(symbol: str, price: float, quantity: float) -> dict:
    at = SEED_END
    return {
        "id": uuid.uuid4(),
        "symbol": symbol,
        "side": "SELL",
        "order_type": "MARKET",
        "price": price,
        "quantity": quantity,
        "fee": 0.0,
        "status": "FILLED",
        "strategy_name": "test",
        "signal_info": None,
        "created_at": at,
        "executed_at": at,
    }


def test_a_new_filled_order_moves_the_numbers_on_the_next_refresh(services, writable_url):
    trades_before, pnl_before = realized_figures(services)
    held = services_position(services)
    write(writable_url, trading_history.insert().values(**a_filled_sell(held, 10_000_000_000.0, 0.0001)))
    trades_after, pnl_after = refreshes_until(services, lambda f: f[0] != trades_before)
    assert trades_after == trades_before + 1
    assert pnl_after > pnl_before


def test_a_corrected_fill_price_moves_the_numbers_on_the_next_refresh(services, writable_url):
    # Same row count and the same newest times: only the price of one sell changes.
    _trades, pnl_before = realized_figures(services)
    with services.database.connect() as conn:
        sell_id = conn.execute(
            sa.select(trading_history.c.id)
            .where(trading_history.c.status == "FILLED", trading_history.c.side == "SELL")
            .order_by(trading_history.c.executed_at.desc())
            .limit(1)
        ).scalar_one()
    write(
        writable_url,
        trading_history.update().where(trading_history.c.id == sell_id).values(price=trading_history.c.price * 2),
    )
    _trades, pnl_after = refreshes_until(services, lambda f: f[1] != pnl_before)
    assert pnl_after > pnl_before


def test_unchanged_orders_are_not_read_again(services):
    realized_figures(services)
    statements = []
    sa.event.listen(
        services.database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]), named=False
    )
    realized_figures(services)
    assert statements and not any("FROM trading_history" in statement for statement in statements)


def services_position(services) -> str:
    """A symbol the ledger holds some of, so a sell of it realizes PnL."""
    with services.database.connect() as conn:
        _filled, ledger = services.filled_trades_and_ledger(conn)
    held = ledger.groupby("symbol")["position_after"].last() if "position_after" in ledger else None
    if held is not None and (held > 0.0001).any():
        return str(held[held > 0.0001].index[0])
    return str(ledger["symbol"].iloc[-1])
