"""Viewers on the same symbol share one tick's Market queries (data.cache through DataServices)."""

import pytest
from sqlalchemy import event

from callbacks import market as market_callbacks
from callbacks import shell as shell_callbacks
from dashboard.app import build_services
from layouts import ids
from tests.support.helpers import make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SYMBOL = "KRW-BTC"


def market_tick(services, state):
    """What one Market viewer's refresh tick asks the server for."""
    market_callbacks.market_chart(services, SYMBOL, "15m", 200, ["bb"], state, ids.REFRESH_INTERVAL)
    market_callbacks.bot_brain_panel(services, SYMBOL)
    market_callbacks.status_overview(services, SYMBOL)
    shell_callbacks.status_strip(services)


def queries_of_one_tick(url, redis_db, states) -> list[str]:
    services = build_services(make_settings(url, redis_db))
    statements: list[str] = []
    event.listen(services.database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        for state in states:
            market_tick(services, state)
    finally:
        services.database.dispose()
    return statements


def test_a_refresh_tick_of_two_viewers_on_one_symbol_queries_the_database_once(seeded_pg_url, redis_db):
    # The chart state each viewer's browser holds after loading the page.
    loader = build_services(make_settings(seeded_pg_url, redis_db, data_cache_seconds=0))
    _figure, state, _ = market_callbacks.market_chart(loader, SYMBOL, "15m", 200, ["bb"], None, ids.MARKET_SYMBOL)
    loader.database.dispose()
    assert isinstance(state, dict)

    one_viewer = queries_of_one_tick(seeded_pg_url, redis_db, [state])
    two_viewers = queries_of_one_tick(seeded_pg_url, redis_db, [state, dict(state)])

    assert any("market_data" in statement for statement in one_viewer)
    assert sorted(two_viewers) == sorted(one_viewer)


def test_viewers_of_different_symbols_in_one_tick_get_each_their_own_candles(seeded_pg_url, redis_db):
    shared = build_services(make_settings(seeded_pg_url, redis_db))
    alone = build_services(make_settings(seeded_pg_url, redis_db, data_cache_seconds=0))
    try:
        for symbol in ("KRW-BTC", "KRW-ETH"):
            figure, _state, _ = market_callbacks.market_chart(shared, symbol, "15m", 100, [], None, ids.MARKET_SYMBOL)
            expected, _state, _ = market_callbacks.market_chart(alone, symbol, "15m", 100, [], None, ids.MARKET_SYMBOL)
            assert list(figure.data[0].close) == list(expected.data[0].close)
    finally:
        shared.database.dispose()
        alone.database.dispose()
