"""The Exits page's callbacks against PostgreSQL databases this module fills with known SELLs: a
v3 one and a week-6 one. Expected numbers come from tests.support.exit_rows, worked out from
the rows written, not with the dashboard's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callbacks import exits as exits_callbacks
from dashboard.app import build_services
from data.database import Backend
from i18n import using
from layouts import format as fmt
from layouts import ids
from simulator.seeding import create_schema, insert_rows
from simulator.writer import WritableDatabase
from tests.support import exit_rows
from tests.support.components import by_attribute, english_words, one, text
from tests.support.helpers import FixedClock, make_settings

pytestmark = [pytest.mark.postgres]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def filled_database(postgres, generation: str, orders: list[dict]) -> str:
    url = postgres.create(f"cp_exits_{generation}")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL, generation)
    with writer.engine.begin() as conn:
        insert_rows(conn, orders, [], [])
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def orders():
    return exit_rows.scenario(NOW)


@pytest.fixture(scope="module")
def v3_services(postgres, orders):
    url = filled_database(postgres, "v3", orders)
    services = build_services(make_settings(url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))
    yield services
    services.database.dispose()


@pytest.fixture(scope="module")
def week6_services(postgres, orders):
    url = filled_database(postgres, "week6", exit_rows.week6(orders))
    services = build_services(make_settings(url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))
    yield services
    services.database.dispose()


def panels(services, days=30) -> dict:
    names = ("kpis", "notes", "hints", "pnl", "drift", "heatmap", "rows", "grid_message")
    return dict(zip(names, exits_callbacks.exit_panels(services, days), strict=True))


def kpi(kpis, key) -> str:
    return text(one(kpis, "data-kpi", key))


def figure_of(panel) -> dict:
    return panel.figure.to_plotly_json() if hasattr(panel.figure, "to_plotly_json") else panel.figure


def test_the_kpis_are_what_the_sells_imply(v3_services, orders):
    shown = panels(v3_services)
    want = exit_rows.expected(orders, NOW - timedelta(days=30))
    assert kpi(shown["kpis"], "sells") == str(want["sells"]) == "20"
    assert kpi(shown["kpis"], "pnl-computable") == f"{want['computable']} / {want['sells']}"
    assert kpi(shown["kpis"], "tracked-24h") == f"{want['tracked_24h']} / {want['sells']}"
    assert kpi(shown["kpis"], "avg-pnl") == fmt.pct(want["avg_pnl"])
    # Which entry price each PnL came from is said.
    assert f"{want['recorded']} from the bot's entry_avg_price, {want['ledger']} from the average-cost ledger" in text(
        shown["kpis"]
    )


def test_every_hint_shows_the_numbers_behind_it(v3_services, orders):
    hints = panels(v3_services)["hints"]
    want = exit_rows.expected(orders, NOW - timedelta(days=30))
    fired = {
        (n["props"]["data-hint"], n["props"]["data-hint-subject"]): text(n) for n in by_attribute(hints, "data-hint")
    }
    assert set(fired) == {
        ("trailing_stop_loosen", "TRAILING_STOP"),
        ("stop_loss_tight", "STOP_LOSS"),
        ("time_limit_working", "TIME_LIMIT"),
        ("regime_early_exits", "BULL"),
    }
    mean, n = want["mean_change"]("TRAILING_STOP", "24h")
    assert f"{fmt.pct(mean)} over {n} tracked sell(s)" in fired[("trailing_stop_loosen", "TRAILING_STOP")]
    assert "loosening the trailing stop by 0.5 pp" in fired[("trailing_stop_loosen", "TRAILING_STOP")]
    mean, n = want["mean_change"]("STOP_LOSS", "4h")
    assert f"{fmt.pct(mean)} over {n} tracked sell(s)" in fired[("stop_loss_tight", "STOP_LOSS")]
    assert "5 of 10 TRAILING_STOP / TAKE_PROFIT exits" in fired[("regime_early_exits", "BULL")]
    assert "50.0%" in fired[("regime_early_exits", "BULL")]
    quiet = one(hints, "data-hint-checked", "take_profit_low")
    mean, n = want["mean_change"]("TAKE_PROFIT", "4h")
    assert f"{fmt.pct(mean)} over {n} tracked sell(s)" in text(quiet)


def test_the_charts_draw_pnl_by_reason_drift_after_exit_and_regime_by_reason(v3_services, orders):
    shown = panels(v3_services)
    want = exit_rows.expected(orders, NOW - timedelta(days=30))
    boxes = {trace["name"]: trace["y"] for trace in figure_of(shown["pnl"])["data"]}
    for reason, values in boxes.items():
        rows = [o for o in want["sell_rows"] if o["exit_reason"] == reason]
        assert len(values) == len(rows)
    assert sorted(boxes["STOP_LOSS"]) == pytest.approx(sorted([-5.0, -4.0, -3.0, -3.0, -3.0]))
    lines = {trace["name"]: trace["y"] for trace in figure_of(shown["drift"])["data"]}
    assert set(lines) == {"TRAILING_STOP", "TAKE_PROFIT", "STOP_LOSS", "TIME_LIMIT"}  # RSI_OVERBOUGHT: untracked
    for reason, means in lines.items():
        for window, value in zip(exit_rows.WINDOWS, means, strict=True):
            expected_mean, _ = want["mean_change"](reason, window)
            assert value == (pytest.approx(expected_mean) if expected_mean is not None else None)
    heat = figure_of(shown["heatmap"])["data"][0]
    cells = {(y, x): heat["z"][i][j] for i, y in enumerate(heat["y"]) for j, x in enumerate(heat["x"])}
    assert cells[("BULL", "TRAILING_STOP")] == 6 and cells[("BEAR", "STOP_LOSS")] == 5
    assert cells[("SIDEWAYS", "RSI_OVERBOUGHT")] == 2 and cells[("BEAR", "TAKE_PROFIT")] == 0


def test_malformed_post_exit_json_is_skipped_and_counted_in_a_note(v3_services):
    shown = panels(v3_services)
    note = text(one(shown["notes"], "data-exits-note", "malformed"))
    assert "1 window(s) and 1 whole value(s)" in note and "in 2 sell(s)" in note
    rows = [r for r in shown["rows"] if r["symbol"] == "KRW-TRX"]
    assert len(rows) == 2 and all(r["drift_1h"] is None for r in rows)


def test_the_table_lists_every_exit_with_its_pnl_and_where_it_came_from(v3_services, orders):
    rows = panels(v3_services)["rows"]
    want = exit_rows.expected(orders, NOW - timedelta(days=30))
    assert len(rows) == want["sells"]
    sol = one_row(rows, "KRW-SOL")
    assert (sol["entry_avg_price"], sol["pnl_pct"], sol["pnl_source"]) == (1100, -5.0, "ledger")
    btc = rows[0]  # newest first
    assert btc["time"] == fmt.timestamp(NOW - timedelta(days=0.5), v3_services.display_timezone)
    assert (btc["exit_reason"], btc["regime"], btc["pnl_pct"], btc["drift_24h"]) == ("TRAILING_STOP", "BULL", 3.0, 4.0)


def one_row(rows, symbol):
    found = [r for r in rows if r["symbol"] == symbol]
    assert len(found) == 1
    return found[0]


def test_fewer_than_20_sells_say_how_many_more_hints_need(v3_services, orders):
    shown = panels(v3_services, days=7)
    want = exit_rows.expected(orders, NOW - timedelta(days=7))
    assert want["sells"] == 6
    needed = one(shown["hints"], "data-hints-needed")
    assert needed["props"]["data-hints-needed"] == "14"
    assert "6 so far, 14 more needed" in text(needed)
    assert kpi(shown["kpis"], "sells") == "6"


def test_a_week6_database_says_not_recorded_per_panel_and_still_counts_the_sells(week6_services, orders):
    shown = panels(week6_services)
    for key, panel_name in (("hints", "hints"), ("pnl", "pnl"), ("drift", "drift"), ("heatmap", "heatmap")):
        absent = one(shown[key], "data-exits-absent", panel_name)
        assert "not recorded by this CoinPilot version" in text(absent)
    assert "not recorded by this CoinPilot version" in text(one(shown["grid_message"], "data-exits-absent", "table"))
    assert "not recorded by this CoinPilot version" in text(shown["kpis"])  # tracked to 24 h
    assert not by_attribute(shown["notes"], "data-problem")
    # Without entry_avg_price only the two sells the ledger can price have a PnL.
    assert kpi(shown["kpis"], "sells") == "20"
    assert kpi(shown["kpis"], "pnl-computable") == "2 / 20"
    assert kpi(shown["kpis"], "avg-pnl") == fmt.pct((-5.0 - 4.0) / 2)


def test_an_empty_v3_database_says_there_are_no_sells(empty_pg_url):
    services = build_services(make_settings(empty_pg_url, "redis://127.0.0.1:1/0"), clock=FixedClock(NOW))
    shown = panels(services)
    services.database.dispose()
    assert kpi(shown["kpis"], "sells") == "0" and kpi(shown["kpis"], "avg-pnl") == "n/a"
    assert "No FILLED SELL in the last 30 days" in text(shown["pnl"])
    assert "20 more needed" in text(shown["hints"]) and shown["rows"] == []


@pytest.mark.parametrize("forged", [500, 6, "30; DROP TABLE trading_history", None, 12.5, True, {"a": 1}])
def test_a_forged_look_back_is_refused_at_the_door(v3_services, forged):
    shown = panels(v3_services, days=forged)
    problem = one(shown["notes"], "data-problem", "invalid_input")
    assert text(problem).split(":", 1)[1].strip().startswith("look-back days must be")
    assert shown["rows"] == []


@pytest.mark.parametrize("query", ["days=500", "days=6", "days=abc", "days=", "days=30.5", "days=-7"])
def test_a_days_value_out_of_range_falls_back_to_30_and_says_so(query):
    page = exits_callbacks.page({"days": [query.split("=", 1)[1]]} if query != "days=" else {})
    control = one(page, "id", ids.EXITS_DAYS)
    assert control["props"]["value"] == 30
    if query != "days=":
        notice = text(one(page, "data-exits-notice", "days"))
        assert "showing the default 30 days" in notice and "7 to 90" in notice


@pytest.mark.parametrize("days", [7, 45, 90])
def test_a_valid_days_value_sets_the_look_back_without_a_notice(days):
    page = exits_callbacks.page({"days": [str(days)]})
    assert one(page, "id", ids.EXITS_DAYS)["props"]["value"] == days
    assert not by_attribute(page, "data-exits-notice")


def test_the_look_back_is_written_to_the_url_only_when_valid():
    assert exits_callbacks.exits_query(14) == "?days=14"
    assert exits_callbacks.exits_query(500) is exits_callbacks.no_update


def test_the_page_and_its_panels_read_in_korean(v3_services):
    with using(language="ko"):
        page = exits_callbacks.page({"days": ["30"]})
        shown = [page, *exits_callbacks.exit_panels(v3_services, 30)]
        assert english_words(shown) == set()
        assert "청산 사유별 수익률" in text(page)
        assert "트레일링 스탑을 0.5%p 느슨하게 하는 것을 고려하세요." in text(shown[3])


def test_the_not_recorded_panels_of_a_week6_database_read_in_korean(week6_services):
    with using(language="ko"):
        shown = exits_callbacks.exit_panels(week6_services, 30)
        assert english_words(shown) == set()
        assert "이 CoinPilot 버전은 기록하지 않습니다" in text(shown[2])
