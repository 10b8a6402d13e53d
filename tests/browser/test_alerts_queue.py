"""The Alerts page in headless Chromium while n8n refuses (issue 23, item 3): the channel's
waiting message is listed with when it happened, its attempts and its next try, at 1440 px in
English and 390 px in Korean, without overflow or a serious axe-core violation, and no URL of
the channel shows."""

from __future__ import annotations

import pytest

from alerts.config import AlertSettings
from alerts.watcher import Watcher
from dashboard.app import build_services, create_app
from dashboard.extensions import services_of
from tests.browser.test_widths_and_accessibility import serious_violations
from tests.support.helpers import make_settings, wait_until
from tests.support.live import LiveServer, WatchedPage
from tests.support.webhooks import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_message_waiting_for_a_refusing_channel_is_listed_with_its_retries(
    postgres, redis_db, redis_client, browser_template, browser, tmp_path
):
    with WebhookReceiver() as receiver:
        receiver.mode = WebhookReceiver.REFUSE
        hook = receiver.url + "/webhook/SECRET-PATH"
        alerts = AlertSettings(state_dir=str(tmp_path), pending_seconds=0.0, webhook_urls=(hook,))
        url = postgres.create("cp_alerts_queue", template=browser_template.name)
        settings = make_settings(url, redis_db, refresh_seconds=5, alerts=alerts)
        app = create_app(settings)
        redis_client.delete("bot:status:KRW-BTC")
        watcher = Watcher(build_services(settings), alerts, settings.timezone, language="en")
        watcher.start_delivery()
        try:
            watcher.evaluate()
            # The channel is away: its oldest message probes it, the others wait their turn.
            assert wait_until(lambda: any(r["attempts"] >= 1 for r in watcher.store.outbox_rows()), timeout=10)
        finally:
            watcher.stop()
        [probe] = [r for r in watcher.store.outbox_rows() if r["attempts"] >= 1]
        # axe is injected as an inline script, which the dashboard's CSP rightly forbids.
        context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
        with LiveServer(app.server) as server:
            page = WatchedPage(context, "alerts-queue")
            page.page.goto(server.url + "/alerts?lang=en")
            entry = page.wait_for_text(f"[data-queued='{probe['key']}']", lambda t: "attempts" in t)
            assert words(entry).startswith("FIRING ") and " happened " in words(entry)
            assert f"attempts: {probe['attempts']}" in entry and "next try" in entry and "given up" in entry
            btc = page.wait_for_text("[data-queued='bot_status_stale:KRW-BTC']", bool)
            assert words(btc).startswith("FIRING Bot status missing or stale (KRW-BTC) happened ")
            channels = page.page.locator("#alerts-channels").inner_text()
            assert "waiting" in channels and "HTTP 503" in channels and "SECRET-PATH" not in channels
            assert serious_violations(page.page) == []
            page.screenshot("1440-en")
            page.page.set_viewport_size({"width": 390, "height": 844})
            page.page.goto(server.url + "/alerts?lang=ko")
            korean = page.wait_for_text("[data-queued='bot_status_stale:KRW-BTC']", lambda t: "시도" in t)
            assert words(korean).startswith("경보 발생 봇 상태 없음 또는 오래됨 (KRW-BTC) 발생 ")
            assert "다음 시도" in korean and "포기 시각" in korean
            overflow = page.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0
            assert serious_violations(page.page) == []
            page.screenshot("390-ko")
            assert page.problems == []
        context.close()
        watcher.services.database.dispose()
        services_of(app.server).database.dispose()
