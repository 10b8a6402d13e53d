"""The System page's store card as a person sees it, at phone and desktop width: writable on a
healthy deployment; on a store another dashboard upgraded past this one, named in red while every
other card keeps working."""

from __future__ import annotations

import pytest

from dashboard.app import create_app, prepare_store
from dashboard.extensions import services_of
from store import DashboardStore, StoreSettings, store_of
from store.migrations import MIGRATIONS
from tests.browser.test_widths_and_accessibility import DESKTOP, PHONE, open_page, overflow, resize, serious_violations
from tests.support.helpers import make_settings
from tests.support.live import LiveServer
from tests.support.stores import next_release_steps

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LATEST = MIGRATIONS[-1].version
STORE_LINE = "[data-health='store']"


def look_at_both_widths(watched) -> list[str]:
    problems = []
    for width in (PHONE, DESKTOP):
        resize(watched.page, width)
        if width == PHONE and (spill := overflow(watched.page, width)):
            problems.append(spill)
        watched.screenshot(str(width))
        problems += [f"at {width} px: {violation}" for violation in serious_violations(watched.page)]
    return problems


def test_the_system_page_shows_the_store_writable(live_dashboard, browser):
    context, watched = open_page(browser, live_dashboard.url, "/system", "store-card-writable", "?lang=en")
    try:
        line = watched.page.locator(STORE_LINE)
        line.wait_for(timeout=15_000)
        assert line.inner_text() == "writable" and line.get_attribute("data-level") == "ok"
        assert watched.page.locator("[data-fact='store:schema']").inner_text() == (
            f"version {LATEST} (this dashboard: {LATEST})"
        )
        assert not look_at_both_widths(watched)
        assert not watched.problems, watched.problems
    finally:
        context.close()


@pytest.fixture
def newer_store_dashboard(postgres, redis_db, browser_template, tmp_path):
    store_url = f"sqlite:///{tmp_path}/dashboard.sqlite3"
    DashboardStore(store_url, migrations=next_release_steps()).upgrade()
    url = postgres.create("cp_browser", template=browser_template.name)
    app = create_app(make_settings(url, redis_db, refresh_seconds=5, store=StoreSettings(url=store_url)))
    assert prepare_store(store_of(app.server)) is False
    with LiveServer(app.server) as server:
        yield server
    services_of(app.server).database.dispose()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_store_newer_than_the_dashboard_is_named_in_red_and_the_other_cards_still_work(
    newer_store_dashboard, browser, language
):
    name = f"store-card-newer-{language}"
    context, watched = open_page(browser, newer_store_dashboard.url, "/system", name, f"?lang={language}")
    try:
        line = watched.page.locator(STORE_LINE)
        line.wait_for(timeout=15_000)
        expected = {"en": "newer than this dashboard: not written", "ko": "이 대시보드보다 새 버전: 쓰지 않음"}
        assert line.inner_text() == expected[language] and line.get_attribute("data-level") == "down"
        assert "text-danger" in line.get_attribute("class")
        effect = watched.page.locator("[data-fact='store:effect']").inner_text()
        assert effect.startswith({"en": "The pages keep working", "ko": "페이지는 계속 동작합니다"}[language])
        assert watched.page.locator("[data-health='database']").get_attribute("data-level") == "ok"
        assert watched.page.locator("[data-health='redis']").get_attribute("data-level") == "ok"
        assert not look_at_both_widths(watched)
        assert not watched.problems, watched.problems
    finally:
        context.close()
