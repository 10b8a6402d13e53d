"""The Overview's refresh sends nothing when the browser already shows the current data, and
redraws when a price, an order or the minute changes (callbacks.overview.overview_refresh)."""

import shutil
from datetime import timedelta

import pandas as pd
import pytest
from dash import no_update

from callbacks import overview as overview_callbacks
from dashboard.app import build_services
from data.database import DatabaseUnreachable
from i18n import using
from layouts import format as fmt
from simulator.seeding import insert_candles, next_candle_id
from simulator.writer import WritableDatabase
from tests.support.components import one, text
from tests.support.helpers import SEED_END, FixedClock, make_settings

pytestmark = [pytest.mark.redis]


@pytest.fixture
def own_sqlite_url(seeded_sqlite_url, tmp_path):
    """A copy of the seeded SQLite history this test may write to."""
    copy = tmp_path / "overview.sqlite3"
    shutil.copy(seeded_sqlite_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def services(own_sqlite_url, redis_db):
    # No tick cache: each refresh reads what the database holds at that moment.
    built = build_services(
        make_settings(own_sqlite_url, redis_db, data_cache_seconds=0),
        clock=FixedClock(SEED_END + timedelta(seconds=30)),
    )
    yield built
    built.database.dispose()


def refresh(services, shown_version):
    return overview_callbacks.overview_refresh(services, shown_version)


def total_assets(kpis) -> str:
    return text(one(kpis, "data-kpi", "total-assets"))


def test_a_refresh_with_nothing_changed_sends_no_update(services):
    *_panels, version = refresh(services, None)
    assert isinstance(version, str)
    assert refresh(services, version) == (no_update,) * 6


def test_a_browser_showing_another_version_gets_the_panels(services):
    *_panels, version = refresh(services, None)
    kpis, _positions, figure, _messages, _basis, again = refresh(services, "a version this server never made")
    assert again == version
    assert total_assets(kpis)
    assert figure["layout"]["title"]["text"].startswith("Max drawdown")


def test_a_new_price_of_a_held_symbol_redraws_the_overview(services, own_sqlite_url, seeded_history):
    kpis, *_rest, version = refresh(services, None)
    symbol = next(iter(seeded_history.bot.holdings))
    last = seeded_history.candles[symbol].iloc[-1]
    new_close = float(last["close"]) * 1.5
    writer = WritableDatabase(own_sqlite_url)
    with writer.engine.begin() as conn:
        frame = pd.DataFrame(
            {
                "timestamp": [last["timestamp"] + pd.Timedelta(minutes=1)],
                "open": [new_close],
                "high": [new_close],
                "low": [new_close],
                "close": [new_close],
                "volume": [1.0],
            }
        )
        insert_candles(conn, symbol, frame, first_id=next_candle_id(conn))
    writer.dispose()

    new_kpis, *_rest, new_version = refresh(services, version)

    assert new_version != version
    bot = seeded_history.bot
    closes = {s: float(c["close"].iloc[-1]) for s, c in seeded_history.candles.items()} | {symbol: new_close}
    assert total_assets(new_kpis) == fmt.krw(bot.cash + sum(h.quantity * closes[s] for s, h in bot.holdings.items()))
    assert total_assets(new_kpis) != total_assets(kpis)


def test_the_next_minute_moves_the_equity_curve_end(services):
    *_panels, version = refresh(services, None)
    services.clock.advance(60)
    _kpis, _positions, figure, _messages, _basis, new_version = refresh(services, version)
    assert new_version != version
    last_x = pd.Timestamp(figure["data"][0]["x"][-1])
    assert last_x == pd.Timestamp(services.now()).tz_convert(services.display_timezone).tz_localize(None)


def test_a_failed_refresh_forgets_the_version(services, monkeypatch):
    *_panels, version = refresh(services, None)

    def unreachable(_conn):
        raise DatabaseUnreachable("database unreachable")

    monkeypatch.setattr(services, "cash_balance", unreachable)
    _kpis, positions, _figure, _messages, _basis, failed_version = refresh(services, version)
    assert failed_version is None
    assert one(positions, "data-problem", "unreachable")
    monkeypatch.undo()
    assert refresh(services, failed_version)[5] == version


def test_browsers_on_one_version_share_the_numbers_computed_once(services, monkeypatch):
    computed = []
    marked = overview_callbacks.marked_equity_curve
    monkeypatch.setattr(overview_callbacks, "marked_equity_curve", lambda *args: computed.append(args) or marked(*args))
    first = refresh(services, None)
    second = refresh(services, None)  # another browser, just loaded
    assert len(computed) == 1
    assert first[5] == second[5]


def test_a_browser_that_switched_language_gets_the_panels_again(services):
    *_panels, english_version = refresh(services, None)
    with using(language="ko"):
        kpis, *_rest, korean_version = refresh(services, english_version)
        assert korean_version != english_version
        assert "총 자산" in text(kpis)
