"""The Market chart's regime bands read from a real PostgreSQL: on v3 the shapes match the
regime_history rows the test wrote; on week-6 (no table) the chart draws and says why no band."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from callbacks import market as market_callbacks
from dashboard.app import build_services
from data.database import Backend
from data.tables import regime_history
from layouts import ids, market
from simulator.paper_bot import BotConfig
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import text
from tests.support.helpers import SEED_END, FixedClock, make_settings

pytestmark = [pytest.mark.postgres]
WIDTH, COUNT = "15m", 100
# (hours before SEED_END, regime, diff_pct); the window is the last 25 hours.
DETECTIONS = [
    (40, "BEAR", -3.0),  # before the window: the window starts BEAR
    (10, "BULL", 1.5),
    (9, "BULL", 2.0),  # merged with the one before
    (5, "SIDEWAYS", 0.2),
    (2, "UNKNOWN", None),  # no band
    (1, "BEAR", -0.5),
]


@pytest.fixture(scope="module")
def history():
    return generate_history(["KRW-BTC"], 2, SEED_END, seed=5, config=BotConfig(limit_counts_buys=False))


def _database(postgres, history, generation: str) -> str:
    url = postgres.create(f"cp_regime_{generation}")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL, generation)
    write_history(writer.engine, Backend.POSTGRESQL, history)
    if generation == "v3":
        with writer.engine.begin() as conn:
            conn.execute(sa.delete(regime_history))
            conn.execute(
                sa.insert(regime_history),
                [
                    {"detected_at": SEED_END - timedelta(hours=h), "regime": r, "diff_pct": d, "coin_symbol": "BTC"}
                    for h, r, d in DETECTIONS
                ]
                # Another coin's detections must not show on BTC's chart.
                + [
                    {
                        "detected_at": SEED_END - timedelta(hours=3),
                        "regime": "BULL",
                        "diff_pct": 1.0,
                        "coin_symbol": "ETH",
                    }
                ],
            )
    writer.dispose()
    return url


def _services(url, redis_db):
    return build_services(make_settings(url, redis_db), clock=FixedClock(SEED_END + timedelta(seconds=30)))


def _wall(at, tz) -> str:
    return pd.Timestamp(at).tz_convert(tz).strftime("%Y-%m-%d %H:%M:%S")


def test_on_v3_the_chart_shades_each_regime_run_from_the_rows(postgres, history, redis_db):
    services = _services(_database(postgres, history, "v3"), redis_db)
    figure, state, message = market_callbacks.market_chart(
        services, "KRW-BTC", WIDTH, COUNT, ["regimes"], None, ids.MARKET_SYMBOL
    )
    tz = services.display_timezone
    left = figure.data[0].x[0]
    right = _wall(pd.Timestamp(figure.data[0].x[-1]).tz_localize(tz) + timedelta(minutes=15), tz)
    hours = lambda h: _wall(SEED_END - timedelta(hours=h), tz)  # noqa: E731
    bands = [s for s in figure.layout.shapes if s.yref == "y domain"]
    assert [(s.x0, s.x1, s.fillcolor, s.visible) for s in bands] == [
        (left, hours(10), market.regime_band_colour("BEAR"), True),
        (hours(10), hours(5), market.regime_band_colour("BULL"), True),
        (hours(5), hours(2), market.regime_band_colour("SIDEWAYS"), True),
        (hours(1), right, market.regime_band_colour("BEAR"), True),
    ]
    assert bands[1].label.text == "BULL · MA50/MA200 diff +1.50% → +2.00%"
    assert message is None and state["regime_bands"] == 4


def test_the_regimes_toggle_patches_every_band_hidden(postgres, history, redis_db):
    services = _services(_database(postgres, history, "v3"), redis_db)
    _figure, state, _message = market_callbacks.market_chart(
        services, "KRW-BTC", WIDTH, COUNT, ["regimes"], None, ids.MARKET_SYMBOL
    )
    patch, _state, _message = market_callbacks.market_chart(
        services, "KRW-BTC", WIDTH, COUNT, ["bb"], state, ids.MARKET_OVERLAYS
    )
    hidden = {
        op["location"][2]
        for op in patch.to_plotly_json()["operations"]
        if op["location"][:2] == ["layout", "shapes"] and op["params"]["value"] is False
    }
    assert hidden == {2, 3, 4, 5}


def test_on_week6_the_chart_draws_and_says_regimes_are_not_recorded(postgres, history, redis_db):
    services = _services(_database(postgres, history, "week6"), redis_db)
    figure, state, message = market_callbacks.market_chart(
        services, "KRW-BTC", WIDTH, COUNT, ["regimes", "bb"], None, ids.MARKET_SYMBOL
    )
    assert len(figure.data[0].x) == COUNT == state["n"]
    assert not [s for s in figure.layout.shapes if s.yref == "y domain"]
    assert "regime history not recorded by this CoinPilot version" in text(message)


def test_bands_are_drawn_hidden_when_the_regimes_overlay_is_off(postgres, history, redis_db):
    services = _services(_database(postgres, history, "v3"), redis_db)
    figure, _state, _message = market_callbacks.market_chart(
        services, "KRW-BTC", WIDTH, COUNT, ["bb"], None, ids.MARKET_SYMBOL
    )
    assert [s.visible for s in figure.layout.shapes if s.yref == "y domain"] == [False] * 4
