"""What an operator sees of the round trips (History) and of a reconciliation discrepancy
(System), the numbers recomputed from the seeded rows without the dashboard's code."""

from __future__ import annotations

import sqlalchemy as sa

from data.tables import daily_risk_state
from layouts import format as fmt
from tests.support.books import average_cost_books

ROUND_TRIP_ROWS = "#history-round-trips .ag-center-cols-container .ag-row"


def test_the_round_trips_table_shows_every_trip_and_the_win_rate_over_them(live_dashboard, watched):
    books = average_cost_books(live_dashboard.history.orders)
    trips, still_open = books["trips"], len(books["held"])
    page = watched("round-trips")
    page.page.goto(live_dashboard.url + "/history")
    panel = page.wait_for_text("#history-round-trip-stats", lambda t: t.strip() != "", timeout=30)
    shown = page.page.locator("[data-round-trip-stat='win-rate']").inner_text() if "%" in panel else panel
    assert f"{books['trip_wins'] / trips * 100:.2f}%" in shown
    assert page.wait_for_text("[data-round-trip-stat='closed']", lambda t: t.strip() != "").endswith(f"{trips:,}")
    page.page.locator("#history-round-trips").scroll_into_view_if_needed()
    # The grid's paging line counts every row: the closed trips and the positions still open.
    total = trips + still_open
    page.wait_for_text("#history-round-trips .ag-paging-row-summary-panel", lambda t: t.split()[-1] == f"{total:,}")
    page.page.wait_for_selector(ROUND_TRIP_ROWS)
    results = page.page.locator(f"{ROUND_TRIP_ROWS} [col-id='outcome']").all_inner_texts()
    assert set(results) <= {"win", "loss", "break-even", "open"}
    assert results.count("win") <= books["trip_wins"]
    page.screenshot("history")
    assert page.problems == []


def test_a_day_the_bot_booked_differently_shows_as_a_discrepancy_with_its_size_and_fills(private_dashboard, watched):
    days = private_dashboard.history.bot.days
    day = max(d for d, state in days.items() if state.sell_count)
    with private_dashboard.writer.engine.begin() as conn:
        conn.execute(
            sa.update(daily_risk_state)
            .where(daily_risk_state.c.date == day)
            # Well beyond the tolerance (0.01 % of a day's turnover: about 1,100 KRW on 11 M of orders).
            .values(total_pnl=daily_risk_state.c.total_pnl + 10_000)
        )
    page = watched("reconciliation")
    page.page.goto(private_dashboard.url + "/system")
    row = f"[data-day='{day.isoformat()}']"
    page.wait_for_text(row, lambda t: "DISCREPANCY" in t)
    assert page.page.locator(row).get_attribute("data-discrepancy") == "true"
    assert page.page.locator(f"[data-difference='{day.isoformat()}']").inner_text() == fmt.krw(-10_000, signed=True)
    fills = page.page.locator(f"[data-rows-behind='{day.isoformat()}'] [data-fill]")
    sold_that_day = [
        o for o in private_dashboard.history.orders if o["status"] == "FILLED" and o["executed_at"].date() == day
    ]
    assert fills.count() == len(sold_that_day)
    assert "1 of" in page.page.locator("[data-reconciliation]").inner_text()
    page.screenshot("discrepancy")
    assert page.problems == []
