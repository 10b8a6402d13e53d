"""The Plotly bundle is fetched by the pages that draw a chart, not by every first load
(assets/lazy-bundles.js, issue 14), and what they draw is unchanged."""

from __future__ import annotations

import pytest

from tests.support.page_weight import PAGES

READY = {**PAGES, "/alerts": "h1.page-title"}

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

PLOTLY_BUNDLE = "/assets/plotly-partial.min.js"
FULL_PLOTLY = "plotly.min.js"
DRAWN = """() => ({
    grids: document.querySelectorAll('.ag-root-wrapper').length,
    gridRows: document.querySelectorAll('.ag-center-cols-container .ag-row').length,
    charts: document.querySelectorAll('.js-plotly-plot .main-svg').length,
})"""


def open_and_count(watched, base_url: str, path: str) -> tuple[list[str], dict]:
    watched_page = watched(path.strip("/") or "overview")
    page = watched_page.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + path)
    page.wait_for_selector(READY[path], timeout=30_000)
    page.wait_for_load_state("networkidle")
    return requested, page.evaluate(DRAWN)


@pytest.mark.parametrize("path", ["/", "/alerts", "/system", "/history", "/risk"])
def test_a_page_fetches_the_chart_bundle_only_when_it_draws_a_chart(live_dashboard, watched, path):
    requested, drawn = open_and_count(watched, live_dashboard.url, path)
    fetched_plotly = any(PLOTLY_BUNDLE in url for url in requested)
    assert fetched_plotly == (drawn["charts"] > 0), (drawn, requested)
    assert not [url for url in requested if FULL_PLOTLY in url and PLOTLY_BUNDLE not in url]
    # What each page is known to draw, so the equalities above cannot hold vacuously.
    expected = {
        "/": (False, True),
        "/alerts": (False, False),
        "/system": (True, False),
        "/history": (True, True),
        "/risk": (True, True),
    }
    assert (drawn["grids"] > 0, drawn["charts"] > 0) == expected[path], drawn
    if drawn["grids"]:
        assert drawn["gridRows"] > 0, drawn


def test_moving_to_chart_pages_in_the_app_fetches_plotly_once_and_draws_the_charts(live_dashboard, watched):
    watched_page = watched("navigate")
    page = watched_page.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_dashboard.url + "/alerts")
    page.wait_for_selector(READY["/alerts"], timeout=30_000)
    assert not any(PLOTLY_BUNDLE in url for url in requested)
    page.click("#nav-history")
    page.wait_for_selector(".ag-center-cols-container .ag-row", timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    page.click("#nav-risk")
    page.wait_for_selector(PAGES["/risk"], timeout=30_000)
    page.wait_for_selector(".ag-center-cols-container .ag-row", timeout=30_000)
    page.click("#nav-history")
    page.wait_for_selector(PAGES["/history"], timeout=30_000)
    page.wait_for_selector(".ag-center-cols-container .ag-row", timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    assert sum(PLOTLY_BUNDLE in url for url in requested) == 1, requested


def test_a_chart_bundle_that_cannot_be_fetched_is_said_in_place_of_the_chart(live_dashboard, context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(f"**{PLOTLY_BUNDLE}**", lambda route: route.abort())
    page.goto(live_dashboard.url + "/history?lang=en")
    failed = page.locator(".lazy-bundle-failed[role=alert]").first
    failed.wait_for(timeout=30_000)
    assert "could not be loaded" in failed.inner_text()
    # The rest of the page still works: the trade log is drawn, the renderer did not stop.
    page.wait_for_selector(".ag-center-cols-container .ag-row", timeout=30_000)
    assert not [
        url
        for url in page.evaluate("() => performance.getEntries().map(e => e.name)")
        if FULL_PLOTLY in url and PLOTLY_BUNDLE not in url
    ]
    assert not errors, errors
