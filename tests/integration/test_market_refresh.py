"""On refresh the chart sends only what changed: a Patch with the new candle, or nothing."""

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from dash import Patch, no_update

from callbacks import market as market_callbacks
from dashboard.app import build_services
from data.database import Backend
from layouts import ids
from layouts import market as market_layout
from simulator.seeding import create_schema, insert_candles, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import text
from tests.support.helpers import SEED_END, FixedClock, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def live(postgres, redis_db):
    url = postgres.create("cp_live")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    history = generate_history(["KRW-BTC"], 1, SEED_END, seed=4)
    write_history(writer.engine, Backend.POSTGRESQL, history)
    clock = FixedClock(SEED_END)
    services = build_services(make_settings(url, redis_db), clock=clock)
    yield services, writer, history
    services.database.dispose()
    writer.dispose()


def add_candle(writer, at, close):
    frame = pd.DataFrame(
        {
            "timestamp": [pd.Timestamp(at)],
            "open": [close],
            "high": [close + 10],
            "low": [close - 10],
            "close": [close],
            "volume": [1.5],
        }
    )
    with writer.engine.begin() as conn:
        insert_candles(conn, "KRW-BTC", frame)


def operations(patch: Patch):
    return patch.to_plotly_json()["operations"]


def test_a_new_candle_arrives_as_a_patch_that_appends_it_and_drops_the_oldest(live):
    services, writer, _history = live
    _figure, state, _ = market_callbacks.market_chart(services, "KRW-BTC", "1m", 60, ["bb"], None, ids.MARKET_SYMBOL)
    add_candle(writer, SEED_END, 123_456_000.0)
    patch, new_state, _ = market_callbacks.market_chart(
        services, "KRW-BTC", "1m", 60, ["bb"], state, ids.REFRESH_INTERVAL
    )
    assert isinstance(patch, Patch)
    ops = operations(patch)
    extends = [op for op in ops if op["operation"] == "Extend" and op["location"] == ["data", 0, "close"]]
    assert extends and extends[0]["params"]["value"] == [123_456_000.0]
    deletes = [op for op in ops if op["operation"] == "Delete" and op["location"] == ["data", 0, "x", 0]]
    assert len(deletes) == 1  # the chart keeps 60 candles
    assert new_state["n"] == 60 and new_state["last_bucket"] == pd.Timestamp(SEED_END).isoformat()


def test_an_update_of_the_last_candle_replaces_it_in_place(live):
    """The collector upserts the newest minute; the chart's last 15m candle changes in place."""
    services, writer, _history = live
    _figure, state, _ = market_callbacks.market_chart(services, "KRW-BTC", "15m", 50, [], None, ids.MARKET_SYMBOL)
    newest = SEED_END - timedelta(minutes=1)
    with writer.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE market_data SET close_price = 99000000, high_price = 200000000 "
                "WHERE symbol = 'KRW-BTC' AND timestamp = :at"
            ),
            {"at": newest},
        )
    patch, new_state, _ = market_callbacks.market_chart(services, "KRW-BTC", "15m", 50, [], state, ids.REFRESH_INTERVAL)
    assert isinstance(patch, Patch)
    assigned = {tuple(op["location"]): op["params"]["value"] for op in operations(patch) if op["operation"] == "Assign"}
    last = state["n"] - 1
    assert assigned[("data", 0, "close", last)] == 99_000_000.0
    assert assigned[("data", 0, "high", last)] == 200_000_000.0
    assert not any(op["operation"] == "Extend" for op in operations(patch))
    assert new_state["last_bucket"] == state["last_bucket"]


def test_nothing_new_sends_nothing(live):
    services, _writer, _history = live
    _figure, state, _ = market_callbacks.market_chart(services, "KRW-BTC", "5m", 80, [], None, ids.MARKET_SYMBOL)
    figure, same_state, _ = market_callbacks.market_chart(
        services, "KRW-BTC", "5m", 80, [], state, ids.REFRESH_INTERVAL
    )
    assert figure is no_update and same_state is no_update


def test_toggling_an_overlay_patches_only_visibility(live):
    services, _writer, _history = live
    _figure, state, _ = market_callbacks.market_chart(services, "KRW-BTC", "5m", 80, ["bb"], None, ids.MARKET_SYMBOL)
    patch, _state, _ = market_callbacks.market_chart(
        services, "KRW-BTC", "5m", 80, ["ma200"], state, ids.MARKET_OVERLAYS
    )
    ops = operations(patch)
    assert {op["location"][-1] for op in ops} == {"visible"}
    visible = {op["location"][1]: op["params"]["value"] for op in ops}
    assert visible[market_layout.TRACE_MA200] is True and visible[market_layout.TRACE_BB_UPPER] is False


def test_a_forged_chart_state_cannot_widen_the_query(live):
    services, _writer, _history = live
    forged = {
        "symbol": "KRW-BTC",
        "width": "1m",
        "count": 60,
        "n": 60,
        "last_bucket": "2000-01-03T00:00:00+00:00",
        "last_values": [1, 1, 1, 1, 1],
        "last_fill": None,
        "overlays": [],
    }
    statements = []
    engine = services.database.engine
    listener = lambda conn, cursor, statement, params, context, many: statements.append(params)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        figure, _state, _ = market_callbacks.market_chart(
            services, "KRW-BTC", "1m", 60, [], forged, ids.REFRESH_INTERVAL
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert not isinstance(figure, Patch)  # redrawn whole, from a window anchored at the data
    starts = [p["start"] for p in statements if isinstance(p, dict) and "start" in p]
    assert starts and min(starts) > SEED_END - timedelta(days=1)


@pytest.mark.parametrize("typed", [None, 5000, 10])
def test_a_candle_count_out_of_range_keeps_the_chart_and_says_the_range(live, typed):
    services, _writer, _history = live
    _figure, state, _ = market_callbacks.market_chart(services, "KRW-BTC", "15m", 200, [], None, ids.MARKET_SYMBOL)
    figure, kept_state, message = market_callbacks.market_chart(
        services, "KRW-BTC", "15m", typed, [], state, ids.MARKET_COUNT
    )
    assert figure is no_update and kept_state is no_update
    assert "from 50 to 1000" in text(message)


@pytest.mark.parametrize("typed", [None, 5000])
def test_a_candle_count_out_of_range_leaves_the_address_as_it_was(typed):
    assert market_callbacks.market_query("KRW-BTC", "15m", typed, ["bb"]) is None
    assert "count=300" in market_callbacks.market_query("KRW-BTC", "15m", 300, ["bb"])
