"""The Alerts page and the strip's firing count in headless Chromium: with no watcher, and with
the state a real watcher wrote after evaluating the seeded database and Redis."""

from __future__ import annotations

import pytest

from alerts.config import AlertSettings
from alerts.watcher import Watcher
from dashboard.app import build_services, create_app
from dashboard.extensions import services_of
from tests.support.helpers import make_settings
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


# --cp-off (assets/dashboard.css): the colour of a state that needs nothing done.
NEUTRAL_GREY = "rgb(148, 163, 184)"


def words(text: str) -> str:
    return " ".join(text.split())


def dot_colour(page) -> str:
    return page.page.locator("#alerts-strip .dot").evaluate("e => getComputedStyle(e).backgroundColor")


def serve(postgres, redis_db, template, alerts: AlertSettings):
    url = postgres.create("cp_alerts", template=template.name)
    settings = make_settings(url, redis_db, refresh_seconds=5, alerts=alerts)
    app = create_app(settings)
    return settings, app


def test_the_alerts_page_says_when_no_watcher_runs(postgres, redis_db, browser_template, watched, tmp_path):
    alerts = AlertSettings(state_dir=str(tmp_path / "never-written"))
    _, app = serve(postgres, redis_db, browser_template, alerts)
    with LiveServer(app.server) as server:
        page = watched()
        page.page.goto(server.url + "/alerts")
        text = page.wait_for_text("[data-watcher='none']", lambda t: "No alert watcher has run" in t)
        assert str(tmp_path / "never-written") in text
        assert words(page.wait_for_text("#alerts-strip", lambda t: "no watcher" in t)) == "Alerts: no watcher"
        # Running without a watcher is a valid deployment: the item is grey, not amber.
        assert dot_colour(page) == NEUTRAL_GREY
        page.screenshot("no-watcher")
    services_of(app.server).database.dispose()


def test_the_alerts_page_and_its_strip_item_read_in_korean(postgres, redis_db, browser_template, watched, tmp_path):
    alerts = AlertSettings(state_dir=str(tmp_path / "never-written"))
    _, app = serve(postgres, redis_db, browser_template, alerts)
    with LiveServer(app.server) as server:
        page = watched()
        page.page.goto(server.url + "/alerts?lang=ko")
        text = page.wait_for_text("[data-watcher='none']", lambda t: "알림 감시 프로세스가 없습니다" in t)
        assert "coinpilot-dashboard watch" in text
        assert (
            words(page.wait_for_text("#alerts-strip", lambda t: "알림 감시 프로세스 미실행" in t))
            == "알림: 알림 감시 프로세스 미실행"
        )
        assert dot_colour(page) == NEUTRAL_GREY
        assert page.page.locator("h1").inner_text() == "알림"
        assert "규칙" in page.page.locator("#page-content").inner_text()
        page.screenshot("korean")
    services_of(app.server).database.dispose()


def test_a_firing_rule_shows_on_the_page_and_in_the_strip(
    postgres, redis_db, redis_client, browser_template, watched, tmp_path
):
    alerts = AlertSettings(state_dir=str(tmp_path), pending_seconds=0.0, public_url=None)
    settings, app = serve(postgres, redis_db, browser_template, alerts)
    redis_client.delete("bot:status:KRW-BTC")
    redis_client.set(
        "bot:status:KRW-ETH",
        '{"timestamp": "2000-01-01T00:00:00+00:00", "symbol": "KRW-ETH", "action": "HOLD", "reason": "x", "indicators": {}}',
    )
    watcher = Watcher(build_services(settings), alerts, settings.timezone, language="en")
    watcher.evaluate()
    with LiveServer(app.server) as server:
        page = watched()
        page.page.goto(server.url + "/")
        strip = page.wait_for_text("#alerts-strip", lambda t: "firing" in t)
        firing = [r for r in watcher.store.load_states().values() if r.state.value == "firing"]
        assert words(strip) == f"Alerts: {len(firing)} firing" and len(firing) >= 2
        page.page.click("#alerts-strip")
        row = page.wait_for_text("[data-rule='bot_status_stale:KRW-BTC']", lambda t: "FIRING" in t)
        assert "Bot status missing or stale" in row and "no status" in row
        assert "Running" in page.wait_for_text("[data-watcher='ok']", bool)
        history = page.wait_for_text("#alerts-history", lambda t: "FIRING" in t)
        assert "Bot status missing or stale (KRW-BTC)" in history
        page.screenshot("firing")
    watcher.store.release_lease(watcher.holder)
    watcher.services.database.dispose()
    services_of(app.server).database.dispose()
