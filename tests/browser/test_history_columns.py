"""The History page's v3 columns in headless Chromium, on a v3 database of its own holding
known orders: the regime, exit reason, entry price and PnL % a person sees, worked out here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.app import create_app
from dashboard.extensions import services_of
from data.database import Backend
from layouts import format as fmt
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support.helpers import make_settings
from tests.support.history_rows import history_orders
from tests.support.live import LiveServer, WatchedPage

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

ROWS = "#history-grid .ag-center-cols-container .ag-row"


@pytest.fixture
def history_dashboard(postgres, redis_db):
    url = postgres.create("cp_browser_history_v3")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    orders = history_orders(datetime.now(UTC))
    with writer.engine.begin() as conn:
        insert_rows(conn, orders, [], [])
    writer.dispose()
    app = create_app(make_settings(url, redis_db, refresh_seconds=5))
    with LiveServer(app.server) as server:
        yield server.url, orders
    services_of(app.server).database.dispose()


def visible_rows(page, n: int) -> list[dict]:
    """Wait for n loaded rows, then each row's cells by column id."""
    page.page.wait_for_function(
        f'n => {{ const rows = [...document.querySelectorAll("{ROWS}")];'
        " return rows.length === n && rows.every(r => r.querySelector(\"[col-id='symbol']\")"
        " && r.querySelector(\"[col-id='symbol']\").textContent.trim() !== ''); }",
        arg=n,
        timeout=15_000,
    )
    return page.page.evaluate(
        f"""() => [...document.querySelectorAll("{ROWS}")].map(row => Object.fromEntries(
            [...row.querySelectorAll('[col-id]')].map(c => [c.getAttribute('col-id'), c.textContent.trim()])))"""
    )


def test_filtered_by_regime_and_exit_reason_the_grid_shows_the_v3_columns(history_dashboard, watched):
    url, orders = history_dashboard
    wanted = [o for o in orders if o["regime"] == "BULL" and o["exit_reason"] == "TAKE_PROFIT"]
    page = watched("history-v3-columns")
    page.page.set_viewport_size({"width": 1440, "height": 1000})
    page.page.goto(url + "/history?regime=BULL&exit_reason=TAKE_PROFIT")
    rows = visible_rows(page, len(wanted))
    assert {(r["regime"], r["exit_reason"]) for r in rows} == {("BULL", "TAKE_PROFIT")}
    link = next(r for r in rows if r["symbol"] == "KRW-LINK")
    # Bought 2 at 1,000, sold 1 at 1,100 with 990 recorded: 100 KRW realized, 100 / 990 = +10.10 %.
    assert link["entry_avg_price"] == fmt.price(990.0)
    assert link["realized_pnl_pct"] == fmt.pct(100 / 990 * 100)
    eth = [r for r in rows if r["symbol"] == "KRW-ETH"]
    assert {r["entry_avg_price"] for r in eth} == {fmt.price(50_000.0)}
    assert {r["realized_pnl_pct"] for r in eth} == {""}  # never bought here: no realized PnL
    page.page.wait_for_load_state("networkidle")
    page.screenshot("1440")

    # Unticking a column hides it; the filters stay in the URL.
    page.page.locator("#history-columns label", has_text="Regime").click()
    page.page.wait_for_function(f"() => !document.querySelector(\"{ROWS} [col-id='regime']\")")
    assert "regime=BULL" in page.page.url and "exit_reason=TAKE_PROFIT" in page.page.url


def test_history_with_v3_columns_fits_a_phone_screen(history_dashboard, browser):
    url, orders = history_dashboard
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = WatchedPage(phone, "history-v3-phone")
    page.page.goto(url + "/history?exit_reason=STOP_LOSS")
    wanted = [o for o in orders if o["exit_reason"] == "STOP_LOSS"]
    rows = visible_rows(page, len(wanted))
    assert {r["exit_reason"] for r in rows} == {"STOP_LOSS"}
    page.page.wait_for_load_state("networkidle")
    page.screenshot("390")
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not page.problems
    phone.close()


def test_in_korean_the_trade_log_shows_korean_labels_and_keeps_the_side_colours(history_dashboard, watched):
    url, orders = history_dashboard
    wanted = [o for o in orders if o["regime"] == "BULL" and o["exit_reason"] == "TAKE_PROFIT"]
    page = watched("history-ko")
    page.page.set_viewport_size({"width": 1440, "height": 1000})
    page.page.goto(url + "/history?lang=ko&regime=BULL&exit_reason=TAKE_PROFIT")
    page.wait_for_text("h1.page-title", lambda t: t == "거래 내역")
    rows = visible_rows(page, len(wanted))
    assert {(r["regime"], r["exit_reason"], r["side"]) for r in rows} == {("상승장", "익절", "매도")}
    # The side is coloured by the bot's code, not by the label now in Korean.
    sell_cell = page.page.locator(f"{ROWS} [col-id='side'] span").first
    assert "text-loss" in (sell_cell.get_attribute("class") or "")
    header = page.page.locator("#history-grid .ag-header-cell[col-id='regime'] .ag-header-cell-text")
    assert header.inner_text() == "시장 국면"
    # The grid's own paging words are Korean, and its cells draw Korean in the served font.
    assert "페이지" in page.page.locator("#history-grid .ag-paging-panel").inner_text()
    cell_font = page.page.evaluate(
        "() => getComputedStyle(document.querySelector(\"#history-grid .ag-cell[col-id='side']\")).fontFamily"
    )
    assert cell_font.startswith('"CoinPilot Hangul"')
    page.page.wait_for_load_state("networkidle")
    page.screenshot("ko-1440")
