"""The callback functions, called directly against the seeded history on each backend (plain
PostgreSQL, real TimescaleDB with compressed older chunks, SQLite) and the real Redis. The expected
numbers are computed here from the rows that were written, not with the dashboard's code."""

import csv
import io
import json
from datetime import timedelta

import pandas as pd
import pytest

from callbacks import history as history_callbacks
from callbacks import market as market_callbacks
from callbacks import overview as overview_callbacks
from callbacks import risk as risk_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services
from data import services as data_services
from data.database import Backend
from layouts import format as fmt
from layouts import ids
from tests.support.books import average_cost_books
from tests.support.components import by_attribute, one, text
from tests.support.helpers import SEED_END, SEED_SYMBOLS, FixedClock, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def kpi(kpis, key):
    return text(one(kpis, "data-kpi", key))


def test_overview_shows_assets_pnl_and_win_rate_implied_by_the_rows(seeded_services, seeded_history):
    kpis, positions, figure, _messages, _basis = overview_callbacks.overview_panels(seeded_services)
    bot = seeded_history.bot
    last_close = {s: float(c["close"].iloc[-1]) for s, c in seeded_history.candles.items()}
    total = bot.cash + sum(h.quantity * last_close[s] for s, h in bot.holdings.items())
    books = average_cost_books(seeded_history.orders)
    trip_wins, trips, realized = books["trip_wins"], books["trips"], books["realized"]
    assert kpi(kpis, "total-assets") == fmt.krw(total)
    assert kpi(kpis, "cash") == fmt.krw(bot.cash)
    assert kpi(kpis, "realized-pnl") == fmt.krw(realized, signed=True)
    assert kpi(kpis, "win-rate") == f"{trip_wins / trips * 100:.2f}%"
    assert kpi(kpis, "open-positions") == str(len(bot.holdings))
    assert kpi(kpis, "filled-trades") == f"{sum(o['status'] == 'FILLED' for o in seeded_history.orders):,}"
    rows = by_attribute(positions, "data-symbol")
    assert {r["props"]["data-symbol"] for r in rows} == set(bot.holdings)
    assert figure["layout"]["title"]["text"].startswith("Max drawdown")


def test_risk_panel_shows_todays_trade_count_and_state(seeded_services, seeded_history):
    state_card, _warnings, gauge, trades, losses, _cooldown, daily, _, _sources, _entries = risk_callbacks.risk_panels(
        seeded_services
    )
    today = seeded_history.bot.days[SEED_END.date()]
    # The seeded database is v3: the daily limit counts BUYs (6 in the bot's strategy file), and the
    # split is shown.
    assert text(one(trades, "data-limit", "trades")) == f"{today.buy_count} / 6"
    assert f"BUY {today.buy_count} · SELL {today.sell_count} · total {today.trade_count}" in text(trades)
    assert text(one(losses, "data-limit", "losses")) == f"{today.consecutive_losses} / 3"
    # No reference-equity key in this Redis: the forecast, cash + the open positions at their last close.
    bot = seeded_history.bot
    closes = {s: float(c["close"].iloc[-1]) for s, c in seeded_history.candles.items()}
    forecast = bot.cash + sum(h.quantity * closes[s] for s, h in bot.holdings.items())
    expected_state = (
        "HALTED"
        if today.is_trading_halted
        else "COOLDOWN"
        if today.cooldown_until and today.cooldown_until > seeded_services.now()
        else "LIMIT REACHED"
        if today.buy_count >= 6 or today.total_pnl <= -0.03 * forecast
        else "RUNNING"
    )
    assert one(state_card, "data-trading-state")["props"]["data-trading-state"] == expected_state
    assert gauge.data[0].value == pytest.approx(round(today.total_pnl / forecast * 100, 2))
    assert len(daily.data[0].x) == len(
        [d for d in seeded_history.bot.days if d >= SEED_END.date() - timedelta(days=29)]
    )


def test_history_grid_pages_sorts_and_counts_the_filtered_set(seeded_services, seeded_history):
    orders = pd.DataFrame(seeded_history.orders)
    expected = orders[(orders["side"] == "BUY") & (orders["symbol"].isin(["KRW-BTC", "KRW-ETH"]))]
    filters = (["KRW-BTC", "KRW-ETH"], ["BUY"], [], None, None)
    response = history_callbacks.history_rows(
        seeded_services, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "value", "sort": "desc"}]}, *filters
    )
    assert response["rowCount"] == len(expected)
    values = [float(r["value"].replace(",", "")) for r in response["rowData"]]
    assert values == sorted(values, reverse=True)
    assert {r["side"] for r in response["rowData"]} == {"BUY"}
    summary, side_figure, _status_figure, _pnl_figure, message = history_callbacks.history_summary(
        seeded_services, *filters
    )
    assert one(summary, "data-history-count")["props"]["data-history-count"] == str(len(expected))
    assert list(side_figure.data[0].labels) == ["BUY"]
    assert message is None


def test_history_rejects_a_forged_sort_column_without_querying(seeded_services):
    response = history_callbacks.history_rows(
        seeded_services,
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "1;DROP TABLE positions", "sort": "asc"}]},
        None,
        None,
        None,
        None,
        None,
    )
    assert response == {"rowData": [], "rowCount": 0}


def test_history_export_contains_every_filtered_trade(seeded_services, seeded_history):
    export = history_callbacks.export_csv(seeded_services, None, ["SELL"], None, None, None)
    lines = export.content.removeprefix("\ufeff").strip().splitlines()
    assert len(lines) - 1 == sum(o["side"] == "SELL" for o in seeded_history.orders)
    assert lines[0].startswith("id,created_at")


def _exported(content: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))


def test_history_export_rounds_amounts_as_the_grid_shows_them(seeded_services):
    grid = history_callbacks.history_rows(seeded_services, {"startRow": 0, "endRow": 200}, None, None, None, None, None)
    exported = {r["id"]: r for r in _exported(history_callbacks.export_csv(seeded_services, *[None] * 5).content)}
    for shown in grid["rowData"]:
        row = exported[shown["id"]]
        for column in ("price", "quantity", "value", "fee", "realized_pnl"):
            # The grid groups thousands and signs PnL; the file has the same number, plain.
            assert row[column] == shown[column].replace(",", "").removeprefix("+"), (column, shown["id"])


def test_an_export_over_the_cap_says_so_in_the_file_and_on_the_page(seeded_services, seeded_history):
    matching = len(seeded_history.orders)
    download, message = history_callbacks.export_download(seeded_services, *[None] * 5, max_rows=3)
    lines = download["content"].strip().splitlines()
    assert len(lines) == 1 + 3 + 1  # the header, three trades, the note
    expected = f"3 of the {matching:,} matching trades (the newest) are in this file"
    assert expected in lines[-1] and expected in text(message)


def test_market_chart_draws_candles_fills_and_indicators(seeded_services):
    figure, state, message = market_callbacks.market_chart(
        seeded_services, "KRW-BTC", "15m", 100, ["bb", "ma20", "fills"], None, ids.MARKET_SYMBOL
    )
    assert message is None
    assert len(figure.data[0].x) == 100 == state["n"]
    assert figure.layout.uirevision == "KRW-BTC|15m"
    assert figure.data[0].type == "candlestick" and figure.data[-1].name == "RSI 14"


def test_the_viewers_of_a_chart_share_its_indicators_within_a_tick(seeded_database, redis_db, monkeypatch):
    clock = FixedClock(SEED_END + timedelta(seconds=30))
    services = build_services(make_settings(seeded_database.url, redis_db, data_cache_seconds=4.0), clock=clock)
    computed = []
    real = data_services.chart_indicators
    monkeypatch.setattr(data_services, "chart_indicators", lambda frame: computed.append(len(frame)) or real(frame))
    try:
        for _viewer in range(3):
            _figure, state, _message = market_callbacks.market_chart(
                services, "KRW-BTC", "15m", 100, ["bb"], None, ids.MARKET_SYMBOL
            )
        assert len(computed) == 1
        # The last candle changed since the viewers drew it: each needs a patch, from one computation.
        changed = dict(state, last_values=[0.0] * 5)
        with services.database.connect() as conn:
            patches = [market_callbacks.chart_update(services, conn, "KRW-BTC", "15m", 100, changed) for _ in range(3)]
        assert len(computed) == 2
        assert all(patch is not None and new_state["n"] == 100 for patch, new_state in patches)
    finally:
        services.database.dispose()


def test_market_chart_explains_an_unknown_symbol(seeded_services):
    _figure, state, message = market_callbacks.market_chart(
        seeded_services, "KRW-FAKE", "15m", 100, [], None, ids.MARKET_SYMBOL
    )
    assert state is None and "unknown symbol KRW-FAKE" in text(message)


def test_bot_brain_shows_the_status_the_bot_published(seeded_services, redis_client):
    now = seeded_services.now()
    redis_client.set(
        "bot:status:KRW-ETH",
        json.dumps(
            {
                "timestamp": (now - timedelta(seconds=23)).isoformat(),
                "symbol": "KRW-ETH",
                "current_price": 4500000.0,
                "indicators": {"rsi": 27.5, "bb_upper": 4600000.0, "bb_lower": 4400000.0, "ma_200": 4300000.0},
                "position": {"has_position": True, "avg_price": 4450000.0, "quantity": 0.1},
                "action": "BUY",
                "reason": "매수: RSI(27.5) < 30",
            }
        ),
    )
    panel = market_callbacks.bot_brain_panel(seeded_services, "KRW-ETH")
    assert one(panel, "data-brain-action")["props"]["data-brain-action"] == "BUY"
    assert "23 s ago" in text(panel)
    assert text(one(panel, "data-brain-field", "rsi")) == "27.5"
    assert "매수: RSI(27.5) < 30" in text(panel)


def test_status_strip_reports_every_dependency(seeded_services):
    items, updated = shell_callbacks.status_strip(seeded_services)
    levels = {node["props"]["data-status"]: node["props"]["data-level"] for node in by_attribute(items, "data-status")}
    assert levels["database"] == "ok" and levels["redis"] == "ok" and levels["candle"] == "ok"
    assert updated.endswith("KST")


# What the System page says about each backend: (backend, server, TimescaleDB).
DATABASE_FACTS = {
    Backend.POSTGRESQL: ("PostgreSQL", "PostgreSQL 15", "not installed"),
    Backend.TIMESCALEDB: ("TimescaleDB", "PostgreSQL 15", "2.28.3"),
    Backend.SQLITE: ("SQLite", "SQLite 3.", "n/a (SQLite demo database)"),
}


def test_system_page_names_the_backend_and_timescaledb_state(seeded_services, seeded_database):
    card = system_callbacks.database_card(seeded_services)
    facts = {n["props"]["data-fact"]: text(n) for n in by_attribute(card, "data-fact")}
    backend, server, timescaledb = DATABASE_FACTS[seeded_database.backend]
    assert facts["database:backend"] == backend
    assert facts["database:server"].startswith(server)
    assert facts["database:timescaledb"] == timescaledb
    freshness = system_callbacks.freshness_panel(seeded_services)
    assert {r["props"]["data-symbol"] for r in by_attribute(freshness, "data-symbol")} == set(SEED_SYMBOLS)


def test_a_bot_status_older_than_two_minutes_is_marked_stale(seeded_services, redis_client):
    now = seeded_services.now()
    redis_client.set(
        "bot:status:KRW-BTC",
        json.dumps(
            {
                "timestamp": (now - timedelta(seconds=300)).isoformat(),
                "symbol": "KRW-BTC",
                "current_price": 1.0,
                "indicators": {"rsi": 50.0},
                "position": {"has_position": False},
                "action": "HOLD",
                "reason": "old",
            }
        ),
    )
    panel = market_callbacks.bot_brain_panel(seeded_services, "KRW-BTC")
    assert "stale (> 120 s)" in text(panel) and "5 min ago" in text(panel)


def test_a_stalled_collector_shows_as_stale_candles(seeded_services):
    seeded_services.test_clock.advance(10 * 60)  # ten minutes without a new candle
    items, _ = shell_callbacks.status_strip(seeded_services)
    candle = one(items, "data-status", "candle")
    assert candle["props"]["data-level"] == "warn" and "min" in text(candle)
    freshness = system_callbacks.freshness_panel(seeded_services)
    assert {n["props"]["data-candle-stale"] for n in by_attribute(freshness, "data-candle-stale")} == {"true"}
