"""Every page in Korean and English at phone (390 px), tablet (768 px) and desktop width: nothing
wider than the screen, no catalogue key shown in place of its text, the Korean font in use, and
axe-core (tests/browser/vendor/axe.min.js, MPL-2.0) finds no serious or critical violation; the
light theme on two pages.

One page load per page and language, resized, serves every check, to keep CI short: overflow at
390 and 768, axe at 390 and 1440."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from i18n import catalogue
from tests.support.live import WatchedPage
from tests.support.page_weight import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE, TABLET, DESKTOP = 390, 768, 1440
HEIGHTS = {PHONE: 844, TABLET: 1024, DESKTOP: 900}

# Wider than the screen: the elements that stick out past the right edge, for the message.
SPILLING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 1 && r.width > 0; })
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 8)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`);
}"""


def open_page(browser, base_url: str, path: str, name: str, query: str = ""):
    # axe is injected as an inline script, which the dashboard's CSP rightly forbids.
    context = browser.new_context(viewport={"width": PHONE, "height": HEIGHTS[PHONE]}, bypass_csp=True)
    watched = WatchedPage(context, name)
    watched.page.goto(base_url + path + query)
    watched.page.wait_for_selector(PAGES[path], timeout=30_000)
    watched.page.wait_for_load_state("networkidle")
    return context, watched


def resize(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
    page.wait_for_function(f"() => window.innerWidth === {width}")


def overflow(page, width: int) -> str | None:
    """None when the page fits the screen (charts re-lay themselves out after a resize, so poll a
    little), else what sticks out."""
    try:
        page.wait_for_function(f"() => document.documentElement.scrollWidth <= {width}", polling=100, timeout=10_000)
        return None
    except Exception:  # noqa: BLE001 - a timeout: report the culprits
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        return f"{wide} px wide at {width} px: {page.evaluate(SPILLING)}"


# Inside Dash 4's own dcc.Dropdown and dcc.DatePickerRange markup, which the dashboard does not
# render and cannot change (a hidden focus target, aria-* on a wrapper and a clear button);
# everything else on the page is checked.
DASH_INTERNALS = [".dash-dropdown-focus-target", ".dash-datepicker-clear", "[id$='-dates-wrapper']"]


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (internals) => await axe.run({exclude: internals.map(s => [s])}, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})",
        DASH_INTERNALS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + json.dumps([node["target"] for node in violation["nodes"][:5]])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def keys_shown(page) -> list[str]:
    """Catalogue keys on the page in place of their text (a t() call whose key is missing)."""
    shown = page.evaluate("() => document.body.innerText")
    return sorted(key for key in catalogue("en") if key in shown)


KOREAN_FONT_IN_USE = """() => [...document.fonts].some(f => f.family.replace(/"/g, '') === 'CoinPilot Hangul'
  && f.status === 'loaded')"""


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_page_fits_phone_and_tablet_and_has_no_serious_accessibility_violation(live_dashboard, browser, path, language):
    name = f"widths-{language}-{path.strip('/') or 'overview'}"
    context, watched = open_page(browser, live_dashboard.url, path, name, f"?lang={language}")
    page = watched.page
    try:
        problems = []
        assert page.locator("html").get_attribute("lang") == language
        if keys := keys_shown(page):
            problems.append(f"catalogue keys shown instead of text: {keys}")
        if language == "ko":
            page.wait_for_function(KOREAN_FONT_IN_USE, timeout=10_000)
        for width in (PHONE, TABLET, DESKTOP):
            resize(page, width)
            if width in (PHONE, TABLET) and (spill := overflow(page, width)):
                problems.append(spill)
            watched.screenshot(str(width))
            if width in (PHONE, DESKTOP):
                problems += [f"at {width} px: {violation}" for violation in serious_violations(page)]
        assert not problems, "\n".join(problems)
        assert not watched.problems, watched.problems
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/market", "/history"])
def test_the_light_theme_fits_the_phone_and_has_no_serious_accessibility_violation(live_dashboard, browser, path):
    name = f"widths-light-{path.strip('/')}"
    context, watched = open_page(browser, live_dashboard.url, path, name, "?lang=ko&theme=light")
    page = watched.page
    try:
        assert page.locator("html").get_attribute("data-bs-theme") == "light"
        problems = []
        for width in (PHONE, DESKTOP):
            resize(page, width)
            if width == PHONE and (spill := overflow(page, width)):
                problems.append(spill)
            watched.screenshot(str(width))
            problems += [f"at {width} px: {violation}" for violation in serious_violations(page)]
        assert not problems, "\n".join(problems)
        assert not watched.problems, watched.problems
    finally:
        context.close()


# The Market chart on a phone: its time-axis labels level and short, the legend a small share of
# the chart. Each tick label's transform says whether Plotly turned it.
CHART_AT_PHONE = """() => {
  const chart = document.querySelector('#market-chart');
  const legend = chart.querySelector('.legend');
  return {
    turned: [...chart.querySelectorAll('.xaxislayer-above text')]
      .filter(e => /rotate\\((?!0[,)])/.test(e.getAttribute('transform') || '')).length,
    labels: [...chart.querySelectorAll('.xaxislayer-above text')].map(e => e.textContent),
    legend: legend ? legend.getBoundingClientRect().height : 0,
    chart: chart.getBoundingClientRect().height,
  };
}"""


def test_on_a_phone_the_market_chart_keeps_its_dates_level_and_its_legend_small(live_dashboard, browser):
    context, watched = open_page(browser, live_dashboard.url, "/market", "widths-market-chart", "?lang=ko")
    try:
        drawn = watched.page.evaluate(CHART_AT_PHONE)
        assert drawn["labels"], drawn
        assert drawn["turned"] == 0, drawn
        # "%H:%M" over "%m/%d" (or "%m/%d" over the year): no month names, which stand vertical.
        assert all(
            any(ch.isdigit() for ch in label) and not any(ch.isalpha() for ch in label) for label in drawn["labels"]
        ), drawn
        # Five entries in three rows (eight in four before the Bollinger lines shared one).
        assert 0 < drawn["legend"] <= 0.13 * drawn["chart"], drawn
        watched.screenshot("phone")
    finally:
        context.close()
