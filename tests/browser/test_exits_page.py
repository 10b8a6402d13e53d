"""The Exits page in headless Chromium, served on a v3 database of its own holding known SELLs:
the numbers and hints a person sees, recomputed here from the rows written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.app import create_app
from dashboard.extensions import services_of
from data.database import Backend
from layouts import format as fmt
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support import exit_rows
from tests.support.helpers import make_settings
from tests.support.live import LiveServer, WatchedPage

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def exits_dashboard(postgres, redis_db):
    """A fresh v3 database with the exit scenario (ending now) and a server of its own."""
    url = postgres.create("cp_browser_exits")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    now = datetime.now(UTC)
    orders = exit_rows.scenario(now)
    with writer.engine.begin() as conn:
        insert_rows(conn, orders, [], [])
    writer.dispose()
    app = create_app(make_settings(url, redis_db, refresh_seconds=5))
    with LiveServer(app.server) as server:
        yield server.url, orders, now
    services_of(app.server).database.dispose()


def kpi(page, key: str) -> str:
    selector = f"[data-kpi='{key}']"
    return page.wait_for_text(selector, lambda t: t.strip() not in ("", "–"))


def test_exits_shows_the_numbers_and_hints_the_sells_imply(exits_dashboard, watched):
    url, orders, now = exits_dashboard
    want = exit_rows.expected(orders, now - timedelta(days=30))
    page = watched("exits-numbers")
    page.page.goto(url + "/exits?days=30")
    assert page.page.locator("h1.page-title").inner_text() == "Exits"
    assert kpi(page, "sells") == str(want["sells"])
    assert kpi(page, "pnl-computable") == f"{want['computable']} / {want['sells']}"
    assert kpi(page, "tracked-24h") == f"{want['tracked_24h']} / {want['sells']}"
    assert kpi(page, "avg-pnl") == fmt.pct(want["avg_pnl"])

    hints = page.wait_for_text("#exits-hints", lambda t: "Consider loosening" in t)
    mean, n = want["mean_change"]("TRAILING_STOP", "24h")
    assert f"TRAILING_STOP: average change 24h after the exit {fmt.pct(mean)} over {n} tracked sell(s)" in hints
    mean, n = want["mean_change"]("STOP_LOSS", "4h")
    assert "The stop loss may be too tight." in hints and f"{fmt.pct(mean)} over {n} tracked" in hints
    assert "Review the BULL regime's exit settings." in hints and "5 of 10" in hints
    assert "The time limit is working" in hints
    assert page.page.locator("[data-hint]").count() == 4

    note = page.wait_for_text("[data-exits-note='malformed']", lambda t: "Skipped" in t)
    assert "1 window(s) and 1 whole value(s)" in note

    page.page.wait_for_selector("#exits-pnl-chart .main-svg")
    boxes = page.page.evaluate(
        "() => document.querySelector('#exits-pnl-chart .js-plotly-plot').data.map(t => [t.name, t.y.length])"
    )
    by_reason = {}
    for o in want["sell_rows"]:
        by_reason[o["exit_reason"]] = by_reason.get(o["exit_reason"], 0) + 1
    assert dict(boxes) == by_reason
    drift = page.page.evaluate(
        "() => document.querySelector('#exits-drift-chart .js-plotly-plot').data.map(t => [t.name, t.y[3]])"
    )
    expected_24h = {r: want["mean_change"](r, "24h")[0] for r in dict(drift)}
    assert dict(drift) == pytest.approx(expected_24h)

    page.page.wait_for_function(
        "n => document.querySelectorAll('#exits-grid .ag-center-cols-container .ag-row').length > 0", arg=0
    )
    symbols = page.page.locator("#exits-grid .ag-center-cols-container [col-id='symbol']").all_inner_texts()
    assert symbols[0] == "KRW-BTC"  # newest first
    page.page.wait_for_load_state("networkidle")
    page.screenshot("1440")


def test_exits_fits_a_phone_screen(exits_dashboard, browser, request):
    url, _orders, _now = exits_dashboard
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = WatchedPage(phone, "exits-phone")
    page.page.goto(url + "/exits")
    assert kpi(page, "sells") == "20"
    page.page.wait_for_selector("#exits-heatmap-chart .main-svg")
    page.page.wait_for_selector("#exits-grid .ag-row")
    page.page.wait_for_load_state("networkidle")
    # Nothing wider than the screen: the page does not scroll sideways.
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot("390")
    phone.close()
    assert not page.problems, page.problems


def test_a_days_value_out_of_range_shows_30_days_and_says_so(exits_dashboard, watched):
    url, orders, now = exits_dashboard
    page = watched("exits-bad-days")
    page.page.goto(url + "/exits?days=365")
    notice = page.wait_for_text("[data-exits-notice='days']", lambda t: "365" in t)
    assert "?days=365 is not a look-back of 7 to 90 days: showing the default 30 days." in notice
    assert page.page.locator("#exits-days").input_value() == "30"
    assert kpi(page, "sells") == str(exit_rows.expected(orders, now - timedelta(days=30))["sells"])


def test_a_shorter_look_back_says_how_many_more_sells_hints_need(exits_dashboard, watched):
    url, orders, now = exits_dashboard
    sells = exit_rows.expected(orders, now - timedelta(days=7))["sells"]
    page = watched("exits-seven-days")
    page.page.goto(url + "/exits?days=7")
    assert kpi(page, "sells") == str(sells)
    shown = page.wait_for_text("[data-hints-needed]", lambda t: "more needed" in t)
    assert f"{sells} so far, {20 - sells} more needed" in shown
    page.page.locator("#exits-days").fill("30")
    page.page.locator("#exits-days").press("Enter")
    page.page.wait_for_url("**days=30**")
    assert page.wait_for_text("[data-kpi='sells']", lambda t: t == "20") == "20"
