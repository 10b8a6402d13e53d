"""The Risk page's AI guardrails and volatility in headless Chromium: the values the test wrote
to Redis, as a person reads them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import redis

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def guard_keys(redis_db):
    client = redis.Redis.from_url(redis_db)

    def clear():
        for key in client.scan_iter(match="ai:*"):
            client.delete(key)
        client.delete("coinpilot:volatility_state")

    clear()
    yield client
    clear()
    client.close()


def test_risk_shows_the_ai_guardrails_and_volatility_written_to_redis(private_dashboard, guard_keys, watched):
    now = datetime.now(UTC)
    guard_keys.set("ai:guard:global:block", "1", ex=900)
    guard_keys.set("ai:guard:symbol:KRW-ETH:cooldown", "1", ex=600)
    guard_keys.set("ai:guard:symbol:KRW-ETH:reject_count", "3", ex=1800)
    guard_keys.set("ai:guard:error_streak", "2", ex=600)
    guard_keys.set(f"ai:usage:hour:{now:%Y%m%d%H}", "17", ex=3600)
    guard_keys.set(f"ai:usage:day:{now:%Y%m%d}", "64", ex=86400)
    guard_keys.set(
        "coinpilot:volatility_state",
        json.dumps({"current_volatility": 0.8765, "is_high_volatility": False, "timestamp": now.isoformat()}),
    )
    page = watched("risk-guardrails")
    page.page.goto(private_dashboard.url + "/risk")
    block = page.wait_for_text("[data-guard='global-block']", lambda t: "left" in t)
    minutes = int(re.search(r"(\d+) min", block).group(1))
    assert block.startswith("Blocked: ") and 13 <= minutes <= 15  # a 15-minute TTL, counting down
    assert page.wait_for_text("[data-guard='error-streak']", lambda t: t != "") == "2"
    assert page.wait_for_text("[data-limit='ai-hour']", lambda t: "/" in t) == "17 / 20"
    assert page.wait_for_text("[data-limit='ai-day']", lambda t: "/" in t) == "64 / 120"
    eth = page.wait_for_text("[data-guard-cooldown='KRW-ETH']", lambda t: "left" in t)
    assert 8 <= int(re.search(r"(\d+) min", eth).group(1)) <= 10
    assert page.wait_for_text("[data-guard-cooldown='KRW-BTC']", lambda t: t != "") == "none"
    assert page.wait_for_text("[data-guard-rejects='KRW-ETH']", lambda t: t != "") == "3"
    assert page.wait_for_text("[data-guard='volatility']", lambda t: t != "") == "0.8765"
    assert page.wait_for_text("[data-guard='high-volatility']", lambda t: t != "") == "no"
    page.page.locator("#risk-ai-guardrails").scroll_into_view_if_needed()
    page.screenshot("1440")
    page.page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_text("[data-limit='ai-day']", lambda t: t == "64 / 120")
    page.screenshot("390")


def test_risk_says_when_no_guardrail_key_is_recorded(live_dashboard, guard_keys, watched):
    page = watched("risk-no-guardrails")
    page.page.goto(live_dashboard.url + "/risk")
    note = page.wait_for_text("#risk-ai-guardrails", lambda t: "No AI guardrail keys" in t)
    assert "not recorded by this CoinPilot version, or nothing set" in note
    assert page.wait_for_text("[data-limit='ai-hour']", lambda t: "/" in t) == "0 / 20"
    assert page.wait_for_text("[data-guard='global-block']", lambda t: t != "") == "Not blocked"
    volatility = page.wait_for_text("#risk-volatility", lambda t: "Volatility" in t)
    assert volatility == "Volatility: not recorded by this CoinPilot version."
