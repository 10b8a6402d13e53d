"""The AI page in headless Chromium: rows written by the test, numbers worked out here from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.ai_rows import ai_rows, write_ai_rows

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

# Symbols the seeded history has no candles for: only the test's candles judge the decisions.
SYMBOLS = ("KRW-SOL", "KRW-DOGE")


def expected_hit_rate(rows, model: str, decision: str, days: int, hours: int = 4) -> tuple[int, str]:
    """(scored, hit rate text) for one model's decisions, by the rule read off SCHEMA-level terms:
    a REJECT is right when the close `hours` later is below the price at decision, a CONFIRM when
    it is above; not yet `hours` old, or no price or candle: not scored."""
    right = scored = 0
    for d in rows.decisions:
        if d["model_used"] != model or d["decision"] != decision:
            continue
        if d["created_at"] < rows.now - timedelta(days=days) or d["price_at_decision"] is None:
            continue
        later_at = d["created_at"] + timedelta(hours=hours)
        if later_at > datetime.now(UTC):
            continue
        later = rows.close_at(d["symbol"], later_at.replace(second=0, microsecond=0))
        if later is None:
            continue
        scored += 1
        went_down = later < d["price_at_decision"]
        right += went_down if decision == "REJECT" else later > d["price_at_decision"]
    return scored, f"{right / scored * 100:.2f}%" if scored else "–"


def cell(page, row: str, column: str, predicate=lambda t: t.strip() not in ("", "–")) -> str:
    selector = f"[data-outcome='{row}'] [data-col='{column}']"
    return page.wait_for_text(selector, predicate)


def test_ai_page_shows_outcomes_usage_and_bills_the_rows_imply(private_dashboard, watched):
    rows = ai_rows(datetime.now(UTC), SYMBOLS)
    write_ai_rows(private_dashboard.writer.engine, rows)
    page = watched("ai-numbers")
    page.page.goto(private_dashboard.url + "/ai")

    scored, hit_rate = expected_hit_rate(rows, "model-a", "REJECT", 7)
    assert cell(page, "model:model-a:REJECT", "hit_rate_pct") == hit_rate
    assert cell(page, "model:model-a:REJECT", "scored") == str(scored)
    scored, hit_rate = expected_hit_rate(rows, "model-b", "CONFIRM", 7)
    assert cell(page, "model:model-b:CONFIRM", "hit_rate_pct") == hit_rate

    claude = [e for e in rows.events if e["model"] == "claude-x" and e["created_at"] >= rows.now - timedelta(days=7)]
    calls = page.wait_for_text("[data-usage='model:claude-x'] [data-col='calls']", lambda t: t.strip() != "")
    assert calls == str(len(claude))
    cost = page.page.locator("[data-usage='model:claude-x'] [data-col='cost_usd']").inner_text()
    assert cost == f"${sum(e['estimated_cost_usd'] for e in claude):,.4f}"

    bill = rows.bills[0]
    ledger = sum(
        e["estimated_cost_usd"]
        for e in rows.events
        if e["provider"] == bill["provider"] and bill["window_start"] <= e["created_at"] < bill["window_end"]
    )
    difference = page.wait_for_text("[data-bill='0'] [data-col='difference_pct']", lambda t: "%" in t)
    assert difference == f"{(bill['cost_usd'] - ledger) / bill['cost_usd'] * 100:+.2f}%"
    newest = max((c for c in rows.credits if c["provider"] == "anthropic"), key=lambda c: c["created_at"])
    assert page.page.locator("[data-credit='anthropic']").inner_text() == f"${newest['balance_usd']:,.4f}"
    page.screenshot("loaded")


def test_the_look_back_control_widens_the_window_and_goes_into_the_url(private_dashboard, watched):
    rows = ai_rows(datetime.now(UTC), SYMBOLS)
    write_ai_rows(private_dashboard.writer.engine, rows)
    page = watched("ai-look-back")
    page.page.goto(private_dashboard.url + "/ai")

    def model_a_rejects(days):
        return sum(
            d["model_used"] == "model-a"
            and d["decision"] == "REJECT"
            and d["created_at"] >= rows.now - timedelta(days=days)
            for d in rows.decisions
        )

    week = str(model_a_rejects(7))
    assert cell(page, "model:model-a:REJECT", "decisions", lambda t: t == week) == week
    page.page.fill("#ai-days", "30")
    page.page.press("#ai-days", "Enter")
    month = str(model_a_rejects(30))
    assert cell(page, "model:model-a:REJECT", "decisions", lambda t: t == month) == month
    _scored, hit_rate = expected_hit_rate(rows, "model-a", "REJECT", 30)
    assert cell(page, "model:model-a:REJECT", "hit_rate_pct") == hit_rate
    page.page.wait_for_function("() => window.location.search === '?days=30'", timeout=10_000)


def test_a_week6_page_says_not_recorded(private_dashboard, watched):
    with private_dashboard.writer.engine.begin() as conn:
        for table in ("llm_usage_events", "llm_credit_snapshots", "llm_provider_cost_snapshots"):
            conn.exec_driver_sql("DROP TABLE " + table)
        conn.exec_driver_sql("ALTER TABLE agent_decisions DROP COLUMN price_at_decision, DROP COLUMN regime")
    page = watched("ai-week6")
    page.page.goto(private_dashboard.url + "/ai?days=30")
    for panel in ("#ai-outcomes", "#ai-usage-kpis", "#ai-reconciliation", "#ai-credit"):
        shown = page.wait_for_text(panel, lambda t: "not recorded" in t)
        assert "not recorded by this CoinPilot version" in shown
