"""The sidebar's display switches as an operator uses them: language, market colours, KRW units
and theme change the page at once and are remembered by the browser."""

from __future__ import annotations

import re

import pytest

from tests.support.helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

RISING_CANDLE_COLOUR = (
    "() => { const g = document.querySelector('#market-chart .js-plotly-plot');"
    " return g && g._fullData && g._fullData[0] ? g._fullData[0].increasing.line.color : null; }"
)


def switch(page, preference: str, value: str) -> None:
    page.page.locator(f"[data-pref='{preference}'][data-value='{value}']").click()
    page.page.wait_for_load_state("load")


def test_the_language_switch_redraws_the_page_and_is_remembered(live_dashboard, watched):
    page = watched("language-switch")
    page.page.goto(live_dashboard.url + "/market?lang=ko")
    title = page.page.locator("h1.page-title")
    page.wait_for_text("h1.page-title", lambda t: t == "시장")
    assert page.page.locator("html").get_attribute("lang") == "ko"
    switch(page, "lang", "en")
    page.wait_for_text("h1.page-title", lambda t: t == "Market")
    assert "lang=" not in page.page.url  # the link's choice gave way to the switch
    page.page.reload()
    page.wait_for_text("h1.page-title", lambda t: t == "Market")
    assert title.inner_text() == "Market"
    assert page.page.locator("html").get_attribute("lang") == "en"


def test_a_rising_candle_is_red_in_the_korean_convention_and_green_in_the_western(live_dashboard, watched):
    page = watched("colour-convention")
    page.page.goto(live_dashboard.url + "/market?colours=korean")
    page.page.wait_for_selector("#market-chart .main-svg", timeout=30_000)
    # Polled from here: a function polled inside the page would need the CSP's unsafe-eval.
    assert wait_until(lambda: page.page.evaluate(RISING_CANDLE_COLOUR), timeout=30) == "#ef4444"
    switch(page, "colours", "western")
    assert wait_until(lambda: page.page.evaluate(RISING_CANDLE_COLOUR) == "#22c55e", timeout=30)
    page.screenshot("western")


def test_compact_units_show_man_and_eok_and_keep_the_full_figure_elsewhere(live_dashboard, watched):
    page = watched("compact-units")
    page.page.goto(live_dashboard.url + "/?units=full")
    full = page.wait_for_text("[data-kpi='total-assets']", lambda t: t.strip() not in ("", "–"))
    assert re.fullmatch(r"[\d,]+ KRW", full)
    switch(page, "units", "compact")
    compact = page.wait_for_text("[data-kpi='total-assets']", lambda t: "만" in t or "억" in t)
    amount = int(full.split()[0].replace(",", ""))
    assert compact == f"{amount / 10_000:,.1f}".rstrip("0").rstrip(".") + "만 KRW"


def test_the_light_theme_lightens_the_page_and_its_cards(live_dashboard, watched):
    page = watched("light-theme")
    page.page.goto(live_dashboard.url + "/?theme=light")
    page.page.wait_for_selector("[data-kpi='total-assets']", timeout=20_000)
    assert page.page.locator("html").get_attribute("data-bs-theme") == "light"
    card = page.page.locator(".card").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert card == "rgb(255, 255, 255)"
    page.screenshot("light")
