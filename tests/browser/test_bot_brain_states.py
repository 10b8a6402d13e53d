"""The Bot Brain's three failure states, each with its own explanation, in the browser."""

import json
from datetime import UTC, datetime

import pytest

from dashboard.app import create_app
from dashboard.extensions import services_of
from layouts import market
from tests.support.helpers import make_settings
from tests.support.live import LiveServer
from tests.support.services import free_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

BRAIN = "#market-bot-brain"


def test_no_status_says_the_bot_has_not_reported_for_five_minutes(live_dashboard, watched, redis_client):
    page = watched("brain-missing")
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-BTC")
    text = page.wait_for_text(BRAIN, lambda t: "No status" in t)
    assert "the bot has not reported for 5 minutes" in text
    assert page.page.locator("[data-brain-state]").get_attribute("data-brain-state") == "missing"


def test_an_invalid_payload_says_why(live_dashboard, watched, redis_client):
    redis_client.set("bot:status:KRW-BTC", '{"action": "HOLD", "timestamp": "2026-01-30T12:00:00", "symbol": "KRW-BTC"')
    page = watched("brain-invalid")
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-BTC")
    text = page.wait_for_text(BRAIN, lambda t: "Invalid status payload" in t)
    assert "not valid JSON" in text
    page.screenshot("invalid")


def test_redis_unreachable_is_its_own_state(live_dashboard, watched):
    app = create_app(make_settings(live_dashboard.database_url, f"redis://127.0.0.1:{free_port()}/0"))
    with LiveServer(app.server) as server:
        page = watched("brain-redis-down")
        page.page.goto(server.url + "/market?symbol=KRW-BTC")
        text = page.wait_for_text(BRAIN, lambda t: "Redis unreachable" in t)
        assert "127.0.0.1" in text
        # The strip is its own callback: it may answer after the Bot Brain.
        strip = " ".join(
            page.wait_for_text("#status-strip", lambda t: "Redis: unreachable" in " ".join(t.split())).split()
        )
        assert "Redis: unreachable" in strip and "Database: reachable" in strip
        page.page.wait_for_selector("#market-chart .main-svg")  # the chart does not need Redis
        page.screenshot("redis-down")
    services_of(app.server).database.dispose()


def v3_status(symbol: str, action: str) -> str:
    """A v3 bot's payload (SCHEMA.md, "CoinPilot v3")."""
    return json.dumps(
        {
            "timestamp": datetime.now(UTC).isoformat(),
            "symbol": symbol,
            "current_price": 95_000_000.0,
            "regime": "BULL",
            "indicators": {"rsi": 45.2, "ma_trend": 94_000_000.0, "hwm": 96_100_000.0},
            "position": {"has_position": True, "avg_price": 94_000_000.0, "quantity": 0.01, "pnl_pct": 1.06},
            "action": action,
            "reason": f"v3 says {action}",
        }
    )


@pytest.mark.parametrize("action", ["HOLD", "HOLD (POS)", "BUY", "SELL", "SKIP", "WAITING", "REBALANCE"])
def test_every_v3_action_shows_its_badge_and_meaning(live_dashboard, watched, redis_client, action):
    redis_client.set("bot:status:KRW-BTC", v3_status("KRW-BTC", action), ex=300)
    page = watched(f"brain-{action}")
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-BTC")
    text = page.wait_for_text(BRAIN, lambda t: f"v3 says {action}" in t)
    assert page.page.locator("[data-brain-action]").inner_text().strip() == action
    assert market.action_meaning(action) in text
    assert ("unknown action" in text) == (action not in market.ACTION_MEANING_KEYS)
    assert "Invalid status payload" not in text


def test_a_v3_payload_and_a_week6_payload_side_by_side(live_dashboard, watched, redis_client):
    redis_client.set("bot:status:KRW-BTC", v3_status("KRW-BTC", "HOLD (POS)"), ex=300)
    week6 = {
        "timestamp": datetime.now(UTC).isoformat(),
        "symbol": "KRW-ETH",
        "current_price": 4_500_000.0,
        "indicators": {"rsi": 28.1, "bb_upper": 4_600_000.0, "bb_lower": 4_400_000.0, "ma_200": 4_450_000.0},
        "position": {"has_position": False, "avg_price": None, "quantity": None},
        "action": "BUY",
        "reason": "week-6 says BUY",
    }
    redis_client.set("bot:status:KRW-ETH", json.dumps(week6), ex=300)
    page = watched("brain-side-by-side")
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-BTC")
    text = page.wait_for_text(BRAIN, lambda t: "v3 says" in t)
    assert "v3 payload" in text and "BULL" in text
    assert page.page.locator("[data-brain-field='hwm']").inner_text() == "96,100,000"
    assert page.page.locator("[data-brain-field='pnl_pct']").inner_text() == "+1.06 %"
    # Every symbol's table shows both generations at once.
    table = page.wait_for_text(".status-table [data-symbol='KRW-ETH']", lambda t: "BUY" in t)
    assert "invalid" not in table
    assert "HOLD (POS)" in page.page.locator(".status-table [data-symbol='KRW-BTC']").inner_text()
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-ETH")
    text = page.wait_for_text(BRAIN, lambda t: "week-6 says BUY" in t)
    assert "week-6 payload" in text
    assert page.page.locator("[data-brain-field='bb_upper']").inner_text() == "4,600,000"
    assert page.page.locator("[data-brain-field='ma_200']").inner_text() == "4,450,000"
    page.screenshot("v3-and-week6")
