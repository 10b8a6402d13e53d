"""The Risk page's AI guardrails and volatility, read from the real Redis with real TTLs. Expected
values are what the test wrote; time left is checked against the TTL the test set."""

import json
import re
from datetime import timedelta

import pytest

from callbacks import risk as risk_callbacks
from dashboard.app import build_services
from data.bot_limits import BotLimits
from data.risk import DashboardRiskSettings
from tests.support.components import by_attribute, one, text
from tests.support.helpers import SEED_END, FixedClock, make_settings
from tests.support.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NOW = SEED_END + timedelta(seconds=30)
HOUR_KEY = f"ai:usage:hour:{NOW:%Y%m%d%H}"
DAY_KEY = f"ai:usage:day:{NOW:%Y%m%d}"


def clear_guard_keys(client):
    for key in client.scan_iter(match="ai:*"):
        client.delete(key)
    client.delete("coinpilot:volatility_state")


@pytest.fixture
def guard_redis(redis_client):
    clear_guard_keys(redis_client)
    yield redis_client
    clear_guard_keys(redis_client)


def services_on(database_url, redis_url, **overrides):
    services = build_services(make_settings(database_url, redis_url), clock=FixedClock(NOW), **overrides)
    return services


@pytest.fixture
def services(seeded_pg_url, redis_db, guard_redis):
    services = services_on(seeded_pg_url, redis_db)
    yield services
    services.database.dispose()


def guard_text(section, key):
    return text(one(section, "data-guard", key))


def seconds_left(shown: str) -> int:
    """'Blocked: 4 min 59 s left' -> 299."""
    match = re.search(r"(?:(\d+) min )?(\d+) s left", shown)
    assert match, shown
    return int(match.group(1) or 0) * 60 + int(match.group(2))


def test_a_global_block_shows_its_ttl_as_time_left(services, guard_redis):
    guard_redis.set("ai:guard:global:block", "1", ex=300)
    section, _volatility = risk_callbacks.guardrail_panels(services)
    shown = guard_text(section, "global-block")
    assert shown.startswith("Blocked: ")
    assert 295 <= seconds_left(shown) <= 300


def test_no_block_key_means_not_blocked(services, guard_redis):
    guard_redis.set("ai:guard:error_streak", "2")
    section, _ = risk_callbacks.guardrail_panels(services)
    assert guard_text(section, "global-block") == "Not blocked"
    assert guard_text(section, "error-streak") == "2"


def test_time_left_is_in_demo_time_when_the_clock_runs_fast(seeded_pg_url, redis_db, guard_redis):
    services = services_on(seeded_pg_url, redis_db, clock_rate=60.0)
    guard_redis.set("ai:guard:global:block", "1", ex=10)  # 10 wall seconds = 10 demo minutes
    section, _ = risk_callbacks.guardrail_panels(services)
    services.database.dispose()
    assert 590 <= seconds_left(guard_text(section, "global-block")) <= 600


def test_per_symbol_cooldowns_and_reject_counts(services, guard_redis):
    guard_redis.set("ai:guard:symbol:KRW-ETH:cooldown", "1", ex=125)
    guard_redis.set("ai:guard:symbol:KRW-ETH:reject_count", "3", ex=1800)
    guard_redis.set("ai:guard:symbol:KRW-XRP:reject_count", "1", ex=1800)
    section, _ = risk_callbacks.guardrail_panels(services)
    cooldowns = {c["props"]["data-guard-cooldown"]: text(c) for c in by_attribute(section, "data-guard-cooldown")}
    rejects = {c["props"]["data-guard-rejects"]: text(c) for c in by_attribute(section, "data-guard-rejects")}
    assert cooldowns["KRW-BTC"] == "none" and cooldowns["KRW-XRP"] == "none"
    assert 120 <= seconds_left(cooldowns["KRW-ETH"]) <= 125
    assert rejects == {"KRW-BTC": "0", "KRW-ETH": "3", "KRW-XRP": "1"}


def test_the_ai_budget_counts_this_utc_hour_and_day_against_the_limits(seeded_pg_url, redis_db, guard_redis):
    guard_redis.set(HOUR_KEY, "7", ex=3600)
    guard_redis.set(DAY_KEY, "45", ex=86400)
    guard_redis.set(f"ai:usage:hour:{NOW - timedelta(hours=1):%Y%m%d%H}", "19")  # last hour's: not counted
    services = services_on(seeded_pg_url, redis_db)
    services.bot_limits = BotLimits(DashboardRiskSettings(ai_max_calls_per_hour=30))
    section, _ = risk_callbacks.guardrail_panels(services)
    services.database.dispose()
    assert text(one(section, "data-limit", "ai-hour")) == "7 / 30"
    assert text(one(section, "data-limit", "ai-day")) == "45 / 120"


def test_without_any_ai_key_the_section_says_so_and_the_budget_is_unused(services, guard_redis):
    section, volatility = risk_callbacks.guardrail_panels(services)
    assert "No AI guardrail keys: not recorded by this CoinPilot version, or nothing set." in text(section)
    assert text(one(section, "data-limit", "ai-hour")) == "0 / 20"
    assert text(one(section, "data-limit", "ai-day")) == "0 / 120"
    assert text(volatility) == "Volatility: not recorded by this CoinPilot version."


def test_a_bad_counter_is_named_and_the_rest_is_shown(services, guard_redis):
    guard_redis.set(HOUR_KEY, "seven")
    guard_redis.hset("ai:guard:error_streak", "n", "1")
    guard_redis.set(DAY_KEY, "12")
    section, _ = risk_callbacks.guardrail_panels(services)
    shown = text(section)
    assert f"{HOUR_KEY} holds 'seven', expected a whole number" in shown
    assert "ai:guard:error_streak holds a Redis hash, expected a whole number" in shown
    assert guard_text(section, "ai-hour") == "unreadable (see the warning)"
    assert text(one(section, "data-limit", "ai-day")) == "12 / 120"
    assert "No AI guardrail keys" not in shown


def test_the_volatility_state_is_shown_as_written(services, guard_redis):
    stamp = NOW - timedelta(seconds=90)
    guard_redis.set(
        "coinpilot:volatility_state",
        json.dumps({"current_volatility": 1.2345, "is_high_volatility": True, "timestamp": stamp.isoformat()}),
    )
    _, volatility = risk_callbacks.guardrail_panels(services)
    assert guard_text(volatility, "volatility") == "1.2345"
    assert guard_text(volatility, "high-volatility") == "yes"
    assert guard_text(volatility, "volatility-time") == "2026-01-30 20:59:00 KST (1 min 30 s ago)"


def test_all_guardrail_keys_and_the_volatility_come_in_one_round_trip(services, guard_redis):
    sent = []
    client = services.bot_status.client
    original = client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipe = original(*args, **kwargs)
        execute = pipe.execute
        pipe.execute = lambda *a, **k: sent.append(len(pipe.command_stack)) or execute(*a, **k)
        return pipe

    client.pipeline = counting_pipeline
    risk_callbacks.guardrail_panels(services)
    # 4 global keys + 2 per symbol + the volatility state, 4 commands each.
    assert sent == [4 * (4 + 2 * 3 + 1)]


def test_redis_down_is_said_in_the_section_and_risk_keeps_working(seeded_pg_url):
    services = services_on(seeded_pg_url, f"redis://127.0.0.1:{free_port()}/0")
    section, volatility = risk_callbacks.guardrail_panels(services)
    risk = risk_callbacks.risk_panels(services)
    services.database.dispose()
    for panel in (section, volatility):
        assert one(panel, "data-problem", "redis_unavailable")
        assert "Redis unreachable" in text(panel)
    assert by_attribute(risk[0], "data-trading-state")
