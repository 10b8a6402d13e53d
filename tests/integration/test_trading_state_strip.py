"""One trading state for the Risk page and the status strip, and a strip that reports the worst
current symbol (which one, how old), with candle age counted from the candle's close."""

from datetime import UTC, datetime, timedelta

import pytest

from callbacks import risk as risk_callbacks
from callbacks import shell as shell_callbacks
from dashboard.app import build_services
from tests.support.components import one
from tests.support.components import text as tree_text
from tests.support.helpers import FixedClock, make_settings
from tests.support.world import World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NOW = datetime(2026, 11, 26, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def world(empty_pg_url, redis_client):
    world = World(empty_pg_url, redis_client, NOW)
    world.cash(1_000_000.0)
    yield world
    world.close()


def strip_for(world, redis_db, **settings) -> dict:
    services = build_services(make_settings(world.url, redis_db, **settings), clock=FixedClock(NOW))
    try:
        items, _updated = shell_callbacks.status_strip(services)
        return {key: one(items, "data-status", key) for key in ("trading", "candle", "bot")}
    finally:
        services.database.dispose()


def risk_state(world, redis_db) -> str:
    services = build_services(make_settings(world.url, redis_db), clock=FixedClock(NOW))
    try:
        card = risk_callbacks.risk_panels(services)[0]
        return one(card, "data-trading-state")["props"]["data-trading-state"]
    finally:
        services.database.dispose()


def text(node) -> str:
    """The entry's text as a person reads it (one space between words)."""
    return " ".join(tree_text(node).split())


def healthy(world, *symbols):
    for symbol in symbols:
        world.candle(symbol, 70)
        world.status(symbol, 5)


# The bot's strategy file (the demo's, as the upstream's) allows 6 BUYs a day.
def test_six_buys_of_six_read_limit_reached_on_risk_and_in_the_strip(world, redis_db):
    healthy(world, "KRW-BTC")
    world.risk_day(trade_count=9, buy_count=6, sell_count=3)
    strip = strip_for(world, redis_db)
    assert risk_state(world, redis_db) == "LIMIT REACHED"
    assert text(strip["trading"]) == "Trading: LIMIT REACHED" and strip["trading"]["props"]["data-level"] == "warn"


def test_five_buys_of_six_read_running_in_both(world, redis_db):
    healthy(world, "KRW-BTC")
    world.risk_day(trade_count=8, buy_count=5, sell_count=3)
    assert risk_state(world, redis_db) == "RUNNING"
    assert text(strip_for(world, redis_db)["trading"]) == "Trading: RUNNING"


def test_a_cooldown_shows_in_the_strip_with_its_time_left(world, redis_db):
    healthy(world, "KRW-BTC")
    world.risk_day(consecutive_losses=3, cooldown_until=NOW + timedelta(hours=1, minutes=12))
    assert risk_state(world, redis_db) == "COOLDOWN"
    assert text(strip_for(world, redis_db)["trading"]) == "Trading: COOLDOWN (1 h 12 min left)"


def test_a_halted_bot_shows_halted_in_the_strip(world, redis_db):
    healthy(world, "KRW-BTC")
    world.risk_day(is_trading_halted=True, buy_count=10, trade_count=10)
    assert risk_state(world, redis_db) == "HALTED"
    assert strip_for(world, redis_db)["trading"]["props"]["data-level"] == "down"


def test_the_strip_names_the_stalest_bot_status_not_the_freshest(world, redis_db):
    healthy(world, "KRW-BTC", "KRW-ETH")
    world.candle("KRW-XRP", 70)
    world.status("KRW-XRP", 600)
    bot = strip_for(world, redis_db)["bot"]
    assert bot["props"]["data-symbol"] == "KRW-XRP" and bot["props"]["data-level"] == "warn"
    assert "KRW-XRP 10 min ago" in text(bot) and "2/3 fresh" in text(bot)


def test_a_current_symbol_without_a_status_is_the_worst(world, redis_db):
    healthy(world, "KRW-BTC")
    world.candle("KRW-ETH", 70)  # candles, but the bot has not reported for 5 minutes
    bot = strip_for(world, redis_db)["bot"]
    assert bot["props"]["data-symbol"] == "KRW-ETH" and "no status" in text(bot)


def test_the_strip_names_the_symbol_whose_candle_is_oldest(world, redis_db):
    healthy(world, "KRW-BTC", "KRW-ETH")
    world.candle("KRW-XRP", 6 * 60)
    world.status("KRW-XRP", 5)
    candle = strip_for(world, redis_db)["candle"]
    # Opened 6 min ago, closed 5 min ago.
    assert candle["props"]["data-symbol"] == "KRW-XRP" and "KRW-XRP 5 min ago" in text(candle)
    assert candle["props"]["data-level"] == "warn"


def test_candle_age_counts_from_the_candles_close(world, redis_db):
    # Opened 150 s ago: closed 90 s ago, within the 120 s a healthy 1-minute feed must stay under.
    world.candle("KRW-BTC", 150)
    world.status("KRW-BTC", 5)
    candle = strip_for(world, redis_db)["candle"]
    assert text(candle) == "Last candle: 1 min 30 s ago" and candle["props"]["data-level"] == "ok"


def test_a_symbol_silent_for_over_a_day_is_not_watched(world, redis_db):
    healthy(world, "KRW-BTC")
    world.candle("KRW-DOGE", 2 * 86400)  # delisted two days ago, no status
    strip = strip_for(world, redis_db)
    assert strip["candle"]["props"]["data-level"] == "ok" and strip["bot"]["props"]["data-level"] == "ok"


def test_dashboard_symbols_chooses_what_the_strip_watches(world, redis_db):
    healthy(world, "KRW-BTC")
    world.candle("KRW-XRP", 70)
    world.status("KRW-XRP", 600)
    strip = strip_for(world, redis_db, watched_symbols=("KRW-BTC",))
    assert strip["bot"]["props"]["data-level"] == "ok" and "KRW-XRP" not in text(strip["bot"])
