"""The five pages in headless Chromium against a seeded PostgreSQL and Redis: what an operator
sees, with the numbers computed here from the rows that were written."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from layouts import format as fmt
from simulator.seeding import insert_candles, insert_rows
from tests.support.books import average_cost_books, total_assets
from tests.support.helpers import start_cooldown, wait_until
from tests.support.live import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

PAGES = [
    ("/", "Overview"),
    ("/market", "Market"),
    ("/risk", "Risk"),
    ("/history", "History"),
    ("/system", "System"),
    ("/ai", "AI"),
]
# What marks each page as interactive: its main data has been drawn.
READY = {
    "/": "[data-kpi='total-assets']",
    "/market": "#market-chart .main-svg",
    "/risk": "[data-trading-state]",
    "/history": "[data-history-count]",
    "/system": "[data-health='database']",
    "/ai": "#ai-outcomes [data-outcome], #ai-outcomes [data-not-recorded], #ai-outcomes [data-empty]",
}


def publish_status(redis_client, symbol, **changes):
    body = {
        "timestamp": datetime.now(UTC).isoformat(),
        "symbol": symbol,
        "current_price": 95_000_000.0,
        "indicators": {"rsi": 45.2, "bb_upper": 96_000_000.0, "bb_lower": 94_000_000.0, "ma_200": 93_000_000.0},
        "position": {"has_position": False, "avg_price": None, "quantity": None},
        "action": "HOLD",
        "reason": "관망 중: RSI(45.2) > 30 (과매도 아님)",
    }
    body.update(changes)
    redis_client.set(f"bot:status:{symbol}", json.dumps(body), ex=300)


@pytest.fixture(scope="module")
def interactive_times():
    """Seconds from navigation to each page's main data, written to artifacts/ for the
    closing notes (figures, not assertions: benchmarks live in bench/)."""
    times: dict[str, float] = {}
    yield times
    if times:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "time-to-interactive.json").write_text(json.dumps(times, indent=1))


@pytest.mark.parametrize("path, title", PAGES)
def test_every_page_loads_without_errors_and_becomes_interactive(
    live_dashboard, watched, redis_client, interactive_times, path, title
):
    for symbol in ("KRW-BTC", "KRW-ETH", "KRW-XRP"):
        publish_status(redis_client, symbol)
    page = watched(f"page{path.replace('/', '-') or '-overview'}")
    started = time.perf_counter()
    page.page.goto(live_dashboard.url + path)
    page.page.wait_for_selector(READY[path], timeout=20_000)
    interactive_times[path] = round(time.perf_counter() - started, 3)
    assert page.page.locator("h1.page-title").inner_text() == title
    page.page.wait_for_load_state("networkidle")
    page.screenshot("loaded")
    strip = " ".join(page.page.locator("#status-strip").inner_text().split())
    assert "Database: reachable" in strip and "Redis: reachable" in strip
    assert "Asia/Seoul (KST)" in strip


def test_overview_shows_the_numbers_the_rows_imply(live_dashboard, watched):
    history = live_dashboard.history
    books = average_cost_books(history.orders)
    last_close = {s: float(c["close"].iloc[-1]) for s, c in history.candles.items()}
    page = watched("overview-numbers")
    page.page.goto(live_dashboard.url + "/")

    def kpi(key: str) -> str:
        selector = "[data-kpi='" + key + "']"
        return page.wait_for_text(selector, lambda t: t.strip() not in ("", "–"))

    assert kpi("total-assets") == fmt.krw(total_assets(history.bot.cash, books["held"], last_close))
    assert kpi("win-rate") == f"{books['trip_wins'] / books['trips'] * 100:.2f}%"
    assert kpi("open-positions") == str(len(books["held"]))
    rows = page.page.locator(".positions-table tbody tr")
    assert sorted(rows.nth(i).get_attribute("data-symbol") for i in range(rows.count())) == sorted(books["held"])


def test_risk_shows_todays_trade_count_against_its_limit(live_dashboard, watched):
    today = datetime.now(UTC).date()
    day = live_dashboard.history.bot.days.get(today)
    page = watched("risk-numbers")
    page.page.goto(live_dashboard.url + "/risk")
    # The seeded database is v3: the daily limit counts BUYs (v3.2.1), not every trade.
    expected = f"{day.buy_count if day else 0} / 6"  # the strategy file's max_daily_trades
    assert page.wait_for_text("[data-limit='trades']", lambda t: "/" in t) == expected


def expected_trading_state(day, now: datetime) -> str:
    """What the bot's own rules make of today's row: halted beats cooldown beats the reached
    daily limit (BUYs on this v3 database) beats running."""
    if day is None:
        return "RUNNING"
    if day.is_trading_halted:
        return "HALTED"
    if day.cooldown_until is not None and day.cooldown_until > now:
        return "COOLDOWN"
    if day.buy_count >= 10:
        return "LIMIT REACHED"
    return "RUNNING"


def test_risk_shows_the_trading_state_todays_row_implies(live_dashboard, watched):
    day = live_dashboard.history.bot.days.get(datetime.now(UTC).date())
    page = watched("risk-state")
    page.page.goto(live_dashboard.url + "/risk")
    shown = page.wait_for_text("[data-trading-state]", lambda t: t.strip() != "")
    assert shown == expected_trading_state(day, datetime.now(UTC))
    assert page.page.locator("[data-trading-state]").get_attribute("data-trading-state") == shown


def test_history_filters_narrow_the_grid_and_the_charts(live_dashboard, watched):
    orders = pd.DataFrame(live_dashboard.history.orders)
    page = watched("history-filters")
    page.page.goto(live_dashboard.url + "/history?symbol=KRW-BTC")
    btc = orders[orders["symbol"] == "KRW-BTC"]
    assert page.wait_for_text("[data-history-count]", lambda t: t == f"{len(btc):,}") == f"{len(btc):,}"
    page.page.get_by_label("SELL").check()
    btc_sells = btc[btc["side"] == "SELL"]
    page.wait_for_text("[data-history-count]", lambda t: t == f"{len(btc_sells):,}")
    page.page.wait_for_function(
        "n => document.querySelectorAll('#history-grid .ag-center-cols-container .ag-row').length === n",
        arg=min(len(btc_sells), 50),
        timeout=15_000,
    )
    sides = page.page.locator("#history-grid .ag-center-cols-container [col-id='side']").all_inner_texts()
    assert set(sides) == {"SELL"}
    pie_labels = page.page.evaluate(
        "() => document.querySelector('#history-side-chart .js-plotly-plot').data[0].labels"
    )
    assert list(pie_labels) == ["SELL"]
    assert "side=SELL" in page.page.url and "symbol=KRW-BTC" in page.page.url
    page.screenshot("filtered")


def chart_state(page):
    """The drawn candles; waits for the first draw (the page's empty figure has an svg too)."""
    return wait_until(lambda: page.page.evaluate(CHART_STATE), timeout=30)


CHART_STATE = """() => { const g = document.querySelector('#market-chart .js-plotly-plot');
                  if (!g || !g.data || !g.data[0] || !g.data[0].x) { return null; }
                  return {n: g.data[0].x.length, lastX: g.data[0].x[g.data[0].x.length - 1],
                          lastClose: g.data[0].close[g.data[0].close.length - 1],
                          range: g.layout.xaxis.range, autorange: g.layout.xaxis.autorange}; }"""


def test_market_chart_and_bot_brain_update_live_and_keep_the_zoom(private_dashboard, watched, redis_client):
    publish_status(redis_client, "KRW-BTC", reason="first status")
    page = watched("market-live")
    patches = []
    page.page.on("response", lambda r: patches.append(r) if "_dash-update-component" in r.url else None)
    page.page.goto(private_dashboard.url + "/market?symbol=KRW-BTC&width=1m&count=120")
    page.page.wait_for_selector("#market-chart .main-svg")
    page.wait_for_text("[data-brain-field='reason']", lambda t: "first status" in t)
    # Let the first draw settle: on a loaded machine a refresh tick can fire before the first
    # chart response has stored its state, and that tick draws the chart whole once more.
    page.page.wait_for_load_state("networkidle")
    before = chart_state(page)
    assert before["n"] == 120
    # The operator zooms into the middle of the chart with the mouse, as a person does: a drag
    # across the price panel (Plotly keeps such a zoom through redraws of the same uirevision).
    drag = page.page.locator("#market-chart .nsewdrag").first.bounding_box()
    y = drag["y"] + drag["height"] / 2
    page.page.mouse.move(drag["x"] + drag["width"] * 0.35, y)
    page.page.mouse.down()
    page.page.mouse.move(drag["x"] + drag["width"] * 0.5, y + 2, steps=5)
    page.page.mouse.move(drag["x"] + drag["width"] * 0.65, y + 2, steps=5)
    page.page.mouse.up()
    page.page.wait_for_function(
        "() => { const g = document.querySelector('#market-chart .js-plotly-plot');"
        " return g.layout.xaxis.autorange === false && Array.isArray(g.layout.xaxis.range); }",
        timeout=10_000,
    )
    zoom = chart_state(page)["range"]
    newest = private_dashboard.history.candles["KRW-BTC"]["timestamp"].iloc[-1] + pd.Timedelta(minutes=1)
    frame = pd.DataFrame(
        {
            "timestamp": [newest],
            "open": [90_000_000.0],
            "high": [90_500_000.0],
            "low": [89_900_000.0],
            "close": [90_123_000.0],
            "volume": [3.0],
        }
    )
    patches.clear()  # before the insert: the very next tick may carry the patch
    with private_dashboard.writer.engine.begin() as conn:
        insert_candles(conn, "KRW-BTC", frame)
    publish_status(redis_client, "KRW-BTC", action="BUY", reason="second status: RSI(28.1) < 30")
    page.page.wait_for_function(
        "() => { const g = document.querySelector('#market-chart .js-plotly-plot'); return g.data[0].close[g.data[0].close.length - 1] === 90123000; }",
        timeout=20_000,
    )
    page.wait_for_text("[data-brain-field='reason']", lambda t: "second status" in t)
    after = chart_state(page)
    assert after["n"] == 120  # one candle in, the oldest out
    assert after["range"] == zoom and not after["autorange"]  # the zoom survived the update
    assert page.page.locator("[data-brain-action]").get_attribute("data-brain-action") == "BUY"
    bodies = [r.text() for r in patches if r.request.post_data and "market-chart.figure" in r.request.post_data]
    assert bodies and all(len(b) < 20_000 for b in bodies)
    assert any('"__dash_patch_update"' in b for b in bodies)  # only the change travelled
    page.screenshot("updated")


def test_turning_refresh_off_stops_updates(private_dashboard, watched):
    page = watched("refresh-off")
    page.page.goto(private_dashboard.url + "/market?symbol=KRW-ETH&width=1m&count=60")
    page.page.wait_for_selector("#market-chart .main-svg")
    page.page.locator("label[for='refresh-enabled']").click()
    page.page.wait_for_function("() => !document.getElementById('refresh-enabled').checked")
    page.page.wait_for_load_state("networkidle")  # a tick already in flight may still land
    requests = []
    page.page.on("request", lambda r: requests.append(r) if "_dash-update-component" in r.url else None)
    before = chart_state(page)
    newest = private_dashboard.history.candles["KRW-ETH"]["timestamp"].iloc[-1] + pd.Timedelta(minutes=5)
    frame = pd.DataFrame(
        {"timestamp": [newest], "open": [1.0], "high": [2.0], "low": [0.5], "close": [1.5], "volume": [1.0]}
    )
    with private_dashboard.writer.engine.begin() as conn:
        insert_candles(conn, "KRW-ETH", frame)
    # Nothing happening is the behaviour: wait out more than two 5 s refresh intervals.
    page.page.wait_for_timeout(12_000)
    assert chart_state(page)["lastX"] == before["lastX"]
    assert not requests
    page.page.reload()  # the choice is remembered
    page.page.wait_for_selector("#market-chart .main-svg")
    assert not page.page.locator("#refresh-enabled").is_checked()


def test_market_state_lives_in_the_url(live_dashboard, watched):
    page = watched("market-url")
    page.page.goto(live_dashboard.url + "/market?symbol=KRW-XRP&width=1h&count=50")
    page.page.wait_for_selector("#market-chart .main-svg")
    assert page.page.locator("#market-symbol").input_value() == "KRW-XRP"
    assert page.page.locator("#market-width input[value='1h']").is_checked()
    page.page.locator("#market-width label", has_text="4h").click()
    page.page.wait_for_url("**width=4h**")
    assert "symbol=KRW-XRP" in page.page.url


def test_refresh_pauses_while_the_tab_is_hidden(live_dashboard, watched):
    page = watched("hidden-tab")
    page.page.goto(live_dashboard.url + "/system")
    page.page.wait_for_selector("[data-health='database']")
    requests = []
    page.page.on("request", lambda r: requests.append(r) if "_dash-update-component" in r.url else None)
    page.page.evaluate("""() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});
                                  document.dispatchEvent(new Event('visibilitychange')); }""")
    # Nothing happening is the behaviour: wait out two 5 s refresh intervals.
    page.page.wait_for_timeout(11_000)
    assert not requests
    with page.page.expect_request(lambda r: "_dash-update-component" in r.url, timeout=10_000):  # polling resumes
        page.page.evaluate("""() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});
                                      document.dispatchEvent(new Event('visibilitychange')); }""")


def test_a_refresh_keeps_the_trade_log_page_and_sort_order(private_dashboard, watched):
    # Enough orders for several pages (cancelled orders of a symbol the other tests ignore).
    now = datetime.now(UTC)
    orders = [
        {
            "id": uuid.uuid4(),
            "symbol": "KRW-ADA",
            "side": "BUY",
            "order_type": "LIMIT",
            "price": 500.0 + i,
            "quantity": 10.0,
            "fee": 0.0,
            "status": "CANCELLED",
            "strategy_name": "test",
            "signal_info": None,
            "created_at": now - timedelta(minutes=i),
            "executed_at": None,
        }
        for i in range(120)
    ]
    with private_dashboard.writer.engine.begin() as conn:
        insert_rows(conn, orders, [], [])
    page = watched("history-keeps-state")
    page.page.goto(private_dashboard.url + "/history")
    page.page.wait_for_selector("#history-grid .ag-row")
    price_header = "#history-grid .ag-header-cell[col-id='price']"
    page.page.locator(price_header).click()  # sort by price, ascending
    page.page.wait_for_selector(price_header + "[aria-sort='ascending']")
    page.page.locator("#history-grid .ag-paging-button").nth(2).click()  # next page
    page.page.wait_for_function(
        "() => document.querySelector('#history-grid .ag-paging-number') && "
        "document.querySelectorAll('#history-grid .ag-paging-number')[0].textContent === '2'"
    )
    cells = "#history-grid .ag-center-cols-container [col-id='price']"

    def loaded_prices():
        # Rows are blank while their block loads; wait for the block to arrive.
        page.page.wait_for_function(
            f'() => {{ const c = [...document.querySelectorAll("{cells}")];'
            " return c.length > 0 && c.every(cell => cell.textContent.trim() !== ''); }",
            timeout=15_000,
        )
        return page.page.locator(cells).all_inner_texts()

    before = loaded_prices()
    # The next refresh tick reloads the grid's cached blocks: wait for those rows to arrive.
    with page.page.expect_response(
        lambda r: "_dash-update-component" in r.url and "getRowsResponse" in (r.request.post_data or ""),
        timeout=15_000,
    ):
        pass
    after = loaded_prices()
    assert page.page.locator("#history-grid .ag-paging-number").first.inner_text() == "2"
    assert page.page.locator(price_header).get_attribute("aria-sort") == "ascending"
    assert after == before and after == sorted(after, key=lambda p: float(p.replace(",", "")))


def test_an_active_cooldown_counts_down_on_the_risk_page(private_dashboard, watched):
    start_cooldown(private_dashboard.writer.engine, timedelta(hours=1, minutes=30))
    page = watched("risk-cooldown")
    page.page.goto(private_dashboard.url + "/risk")
    assert page.wait_for_text("[data-trading-state]", lambda t: t == "COOLDOWN") == "COOLDOWN"
    first = page.wait_for_text("#risk-cooldown", lambda t: "left" in t)
    second = page.wait_for_text("#risk-cooldown", lambda t: t != first, timeout=5)  # it ticks on its own
    assert "1 h 2" in second  # about 1 h 29 min left, counting down
    page.screenshot("cooldown")
