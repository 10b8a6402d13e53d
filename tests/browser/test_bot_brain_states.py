"""The Bot Brain's three failure states, each with its own explanation, in the browser."""

import pytest

from dashboard.app import create_app
from data.services import services_of
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
        strip = " ".join(page.page.locator("#status-strip").inner_text().split())
        assert "Redis: unreachable" in strip and "Database: reachable" in strip
        page.page.wait_for_selector("#market-chart .main-svg")  # the chart does not need Redis
        page.screenshot("redis-down")
    services_of(app.server).database.dispose()
