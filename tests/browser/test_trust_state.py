"""What an operator sees of the trading state and the worst symbol: the Risk page and the status
strip agree on LIMIT REACHED, and the strip names the symbol whose bot status is stalest."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from data.tables import daily_risk_state
from tests.support.helpers import SEED_SYMBOLS

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def write_status(redis_client, symbol: str, seconds_ago: float) -> None:
    body = {
        "timestamp": (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(),
        "symbol": symbol,
        "current_price": 100.0,
        "indicators": {"rsi": 50.0},
        "position": {"has_position": False},
        "action": "HOLD",
        "reason": "browser test",
    }
    redis_client.set(f"bot:status:{symbol}", json.dumps(body), ex=300)


def ten_buys_today(writer) -> None:
    today = datetime.now(UTC).date()
    with writer.engine.begin() as conn:
        conn.execute(daily_risk_state.delete().where(daily_risk_state.c.date == today))
        conn.execute(
            daily_risk_state.insert().values(
                date=today,
                total_pnl=0.0,
                trade_count=13,
                buy_count=10,
                sell_count=3,
                consecutive_losses=0,
                is_trading_halted=False,
                updated_at=sa.func.now(),
            )
        )


def strip_entry(page, key: str) -> str:
    return " ".join(page.page.locator(f"#status-strip [data-status='{key}']").inner_text().split())


def test_risk_and_the_strip_both_say_limit_reached_and_name_the_stalest_symbol(
    private_dashboard, redis_client, watched
):
    ten_buys_today(private_dashboard.writer)
    stale = "KRW-XRP"
    for symbol in SEED_SYMBOLS:
        write_status(redis_client, symbol, 600 if symbol == stale else 5)
    page = watched("trust-state")
    page.page.goto(private_dashboard.url + "/risk")
    assert page.wait_for_text("[data-trading-state]", lambda t: t.strip() != "") == "LIMIT REACHED"
    page.wait_for_text("#status-strip [data-status='trading']", lambda t: "LIMIT REACHED" in t)
    bot = page.wait_for_text("#status-strip [data-status='bot']", lambda t: stale in t)
    assert re.search(r"KRW-XRP 1[01] min ago \(stale", " ".join(bot.split()))
    assert f"{len(SEED_SYMBOLS) - 1}/{len(SEED_SYMBOLS)} fresh" in bot
    assert page.page.locator("#status-strip [data-status='bot']").get_attribute("data-level") == "warn"
    # The day the Risk page counts is spelled out in the display zone.
    assert re.match(r"Today: UTC day \d{4}-\d\d-\d\d = 09:00 KST", page.page.locator("[data-day-rule]").inner_text())
    page.screenshot("risk-limit-reached-strip-worst")
