"""An 87 KB AI reasoning (the probe's, issue 13.8) leaves the Market page a normal height, and
the whole text can still be read: behind "Show all", in a box of bounded height. (A refresh
that redraws the decisions closes the box again: not solved yet, see the branch report.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from layouts import ids
from simulator.seeding import insert_rows

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

REASONING = ("The RSI is oversold and the lower band was touched twice; volume confirms. " * 1_200)[:87_000]
DECISIONS = f"#{ids.MARKET_DECISIONS}"


def test_an_87_kb_ai_reasoning_is_clamped_and_opens_in_a_bounded_box(private_dashboard, watched):
    with private_dashboard.writer.engine.begin() as conn:
        insert_rows(
            conn,
            [],
            [],
            [
                {
                    "symbol": "KRW-BTC",
                    "strategy_name": "MeanReversion",
                    "decision": "CONFIRM",
                    "reasoning": REASONING,
                    "confidence": 81,
                    "model_used": "probe",
                    "created_at": datetime.now(UTC),
                }
            ],
        )
    page = watched("long-reasoning")
    page.page.set_viewport_size({"width": 1440, "height": 900})
    page.page.goto(private_dashboard.server.url + "/market?symbol=KRW-BTC")
    page.wait_for_text(DECISIONS, lambda t: "Show all (87,000 characters)" in t, timeout=45)
    page.page.wait_for_selector("#market-chart .main-svg")
    height = page.page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 4_000, height  # the probe measured 39,400 px
    page.screenshot("clamped")

    page.page.locator(f"{DECISIONS} summary").first.click()
    full = page.page.locator(f"{DECISIONS} .long-text-full").first
    full.wait_for(state="visible")
    box = full.evaluate("e => ({shown: e.clientHeight, whole: e.scrollHeight, text: e.textContent.length})")
    assert box["text"] == len(REASONING) and box["shown"] <= 400 < box["whole"], box
    assert page.page.evaluate("() => document.documentElement.scrollHeight") < height + 500
    page.screenshot("expanded")
