"""One symbol-form resolver (data.symbols): rows stored as BTC-KRW are found when KRW-BTC is asked
for, in every SQL lookup (position pricing, the History symbol filter, AI decisions)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from callbacks import overview as overview_callbacks
from callbacks import round_trips as round_trip_callbacks
from dashboard.app import build_services
from data.ai import fetch_agent_decisions
from data.orders import count_trades
from data.selection import TradeFilter
from tests.support.components import text
from tests.support.helpers import FixedClock, make_settings
from tests.support.world import World

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 11, 26, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def world(empty_pg_url, redis_client):
    world = World(empty_pg_url, redis_client, NOW)
    world.cash(1_000_000.0)
    world.candle("KRW-BTC", 70, close=150.0)
    yield world
    world.close()


@pytest.fixture
def services(world, redis_db):
    services = build_services(make_settings(world.url, redis_db), clock=FixedClock(NOW))
    yield services
    services.database.dispose()


def test_a_position_recorded_as_btc_krw_is_priced_from_krw_btc_candles(world, services):
    world.position("BTC-KRW", 2.0, 100.0)
    _kpis, table, _figure, notes, _basis = overview_callbacks.overview_panels(services)
    assert "No candles for" not in text(notes)
    # 2 x (150 - 100) unrealized, valued at the candle's close, not at the average price.
    assert "+100" in text(table) and "150" in text(table)


def test_the_history_symbol_filter_finds_orders_recorded_as_btc_krw(world, services):
    world.order("BTC-KRW")
    world.order("BTC-KRW", side="SELL")
    world.order("KRW-ETH")
    with services.database.connect() as conn:
        assert count_trades(conn, TradeFilter(symbols=("KRW-BTC",))) == 2


def test_the_round_trips_of_the_history_symbol_filter_include_those_recorded_as_btc_krw(world, services):
    opened, closed = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    world.order("BTC-KRW", price=100.0, created_at=opened, executed_at=opened)
    world.order("BTC-KRW", side="SELL", price=110.0, created_at=closed, executed_at=closed)
    world.order("KRW-ETH", price=50.0, created_at=opened, executed_at=opened)
    world.order("KRW-ETH", side="SELL", price=40.0, created_at=closed, executed_at=closed)
    stats, rows, _periods = round_trip_callbacks.round_trip_panels(services, "day", ["KRW-BTC"], None, None, None, None)
    # The trade log on the same page keeps BTC-KRW's orders for KRW-BTC: so do its round trips.
    assert [(row["symbol"], row["pnl_krw"]) for row in rows] == [("BTC-KRW", "+10")]
    assert "+10" in text(stats)


def test_ai_decisions_recorded_as_btc_krw_show_for_krw_btc(world, services):
    world.decision("BTC-KRW", "REJECT")
    with services.database.connect() as conn:
        decisions = fetch_agent_decisions(conn, "KRW-BTC")
    assert list(decisions["decision"]) == ["REJECT"]


def test_a_position_in_the_candles_own_form_is_looked_up_once(world, services):
    world.position("KRW-BTC", 1.0, 100.0)
    statements = []
    sa.event.listen(services.database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with services.database.connect() as conn:
        latest = services.latest_candles(conn, ["KRW-BTC"])
    assert latest["KRW-BTC"].close == 150.0
    assert sum("market_data" in s for s in statements) == 1
