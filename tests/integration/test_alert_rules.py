"""The alert rules read what the bot wrote, through the data layer the pages use (real PostgreSQL
and Redis): the trading state, the loss thresholds, consecutive losses, the AI guardrails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from alerts.config import AlertSettings
from alerts.rules import observe
from dashboard.app import build_services
from data.guardrail_payload import GLOBAL_BLOCK_KEY, usage_hour_key
from data.tables import daily_risk_state, market_data
from simulator.writer import WritableDatabase
from tests.support.alert_world import STATUS_KEY
from tests.support.helpers import make_settings
from tests.support.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def write_today(database_url, **row):
    writer = WritableDatabase(database_url)
    values = {"date": datetime.now(UTC).date(), "total_pnl": 0, "trade_count": 0, "consecutive_losses": 0}
    values.update(row)
    with writer.engine.begin() as conn:
        conn.execute(sa.insert(daily_risk_state), [values])
    writer.dispose()


def holding(database_url, redis_url, alerts=None) -> dict[str, bool | None]:
    services = build_services(make_settings(database_url, redis_url))
    try:
        observations = observe(services, alerts or AlertSettings())
        return {o.key: o.holds(False) for o in observations}
    finally:
        services.database.dispose()


def test_a_halted_bot_holds_only_the_halted_rule(bot_database, redis_db, redis_client):
    write_today(bot_database, is_trading_halted=True)
    held = holding(bot_database, redis_db)
    assert (held["trading_halted"], held["trading_cooldown"], held["trading_limit_reached"]) == (True, False, False)


def test_the_loss_rules_follow_the_share_of_the_limit_used(bot_database, redis_db, redis_client):
    # 1,000,000 KRW of cash and no position (the day's reference equity, until the bot fixes it) and
    # the strategy file's 3 %: a 30,000 KRW limit. A loss of 18,000 is 60 % of it.
    write_today(bot_database, total_pnl=-18_000)
    held = holding(bot_database, redis_db)
    assert (held["daily_loss:50%"], held["daily_loss:80%"]) == (True, False)


def test_consecutive_losses_one_short_of_the_cooldown_hold(bot_database, redis_db, redis_client):
    write_today(bot_database, consecutive_losses=2)  # RISK_MAX_CONSECUTIVE_LOSSES defaults to 3
    assert holding(bot_database, redis_db)["consecutive_losses"] is True


def test_consecutive_losses_two_short_do_not_hold(bot_database, redis_db, redis_client):
    write_today(bot_database, consecutive_losses=1)
    assert holding(bot_database, redis_db)["consecutive_losses"] is False


def test_the_ai_guardrails_hold_when_blocked_and_over_budget(bot_database, redis_db, redis_client):
    redis_client.set(GLOBAL_BLOCK_KEY, "1", ex=600)
    redis_client.set(usage_hour_key(datetime.now(UTC)), "17", ex=3600)  # 85 % of 20 calls per hour
    try:
        held = holding(bot_database, redis_db)
        assert held["ai_global_block"] is True and held["ai_budget:hour"] is True and held["ai_budget:day"] is False
    finally:
        redis_client.delete(GLOBAL_BLOCK_KEY, usage_hour_key(datetime.now(UTC)))


def test_with_redis_down_the_bot_status_rules_are_unknown_not_firing(bot_database, redis_client):
    redis_client.delete(STATUS_KEY)
    held = holding(bot_database, f"redis://127.0.0.1:{free_port()}/0")
    assert held["redis_unreachable"] is True
    assert held["bot_status_stale:KRW-BTC"] is None


def insert_candle(database_url, symbol: str, opened: datetime) -> None:
    writer = WritableDatabase(database_url)
    row = {"symbol": symbol, "interval": "1m", "timestamp": opened, "volume": 1}
    row.update(dict.fromkeys(("open_price", "high_price", "low_price", "close_price"), 1))
    with writer.engine.begin() as conn:
        conn.execute(sa.insert(market_data), [row])
    writer.dispose()


def test_a_candle_is_stale_by_the_time_since_it_closed_as_the_status_strip_says(bot_database, redis_db, redis_client):
    # The stale threshold is 120 s. A 1-minute candle opened 150 s ago closed 90 s ago: fresh,
    # as the strip shows it; one opened 200 s ago closed 140 s ago: stale.
    now = datetime.now(UTC)
    insert_candle(bot_database, "KRW-FRESH", now - timedelta(seconds=150))
    insert_candle(bot_database, "KRW-STALE", now - timedelta(seconds=200))
    held = holding(bot_database, redis_db)
    assert (held["candle_stale:KRW-FRESH"], held["candle_stale:KRW-STALE"]) == (False, True)
