"""Out-of-range dates (issue 13.3): a trade and a candle dated 9999-12-31 23:00 UTC, on plain
PostgreSQL, real TimescaleDB and SQLite. Every page shows them or reports them as future-dated;
none crashes, and no future candle reads as fresh. History dates outside the allowed range are
explained, not a blank page or errored panels."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from callbacks import history as history_callbacks
from callbacks import market as market_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services
from data.database import Backend
from data.tables import market_data, trading_history
from layouts import ids
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import by_attribute, text
from tests.support.helpers import SEED_END, FixedClock, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
NOW = SEED_END + timedelta(seconds=30)
TRADE_ID = uuid.UUID("99999999-0000-4000-8000-000000000001")


def _write(url: str, backend: Backend) -> None:
    writer = WritableDatabase(url)
    create_schema(writer.engine, backend, compression_policy=False)
    write_history(writer.engine, backend, generate_history(["KRW-BTC", "KRW-ETH"], 1, SEED_END, seed=5))
    with writer.engine.begin() as conn:
        conn.execute(
            trading_history.insert(),
            [
                {
                    "id": TRADE_ID,
                    "symbol": "KRW-BTC",
                    "side": "BUY",
                    "order_type": "LIMIT",
                    "price": 1_000.0,
                    "quantity": 1.0,
                    "fee": 0.0,
                    "status": "FILLED",
                    "strategy_name": "clock-wrong",
                    "created_at": FAR_FUTURE,
                    "executed_at": FAR_FUTURE,
                }
            ],
        )
        conn.execute(
            market_data.insert(),
            [
                {
                    "id": 10**12,  # SQLite has no identity default for this BigInteger key
                    "symbol": "KRW-ETH",
                    "interval": "1m",
                    "open_price": 1.0,
                    "high_price": 1.0,
                    "low_price": 1.0,
                    "close_price": 1.0,
                    "volume": 1.0,
                    "timestamp": FAR_FUTURE,
                }
            ],
        )
    writer.dispose()


@pytest.fixture(scope="module", params=list(Backend), ids=[b.value for b in Backend])
def future_dated_url(request, tmp_path_factory):
    """A short history plus a trade (KRW-BTC) and a candle (KRW-ETH) dated 9999-12-31 23:00 UTC."""
    backend = request.param
    if backend is Backend.SQLITE:
        url = f"sqlite:///{tmp_path_factory.mktemp('future') / 'coinpilot.sqlite3'}"
    else:
        factory = request.getfixturevalue("timescale" if backend is Backend.TIMESCALEDB else "postgres")
        url = factory.create("cp_future")
    _write(url, backend)
    return url


@pytest.fixture
def services(future_dated_url, redis_db):
    services = build_services(make_settings(future_dated_url, redis_db), clock=FixedClock(NOW))
    yield services
    services.database.dispose()


def test_a_trade_dated_9999_is_listed_in_the_trade_log_in_utc(services):
    response = history_callbacks.history_rows(services, {"startRow": 0, "endRow": 5}, None, None, None, None, None)
    newest = response["rowData"][0]
    # Seoul is UTC+9: 9999-12-31 23:00 UTC there is in year 10000, which no datetime holds.
    assert newest["id"] == str(TRADE_ID) and newest["created_at"] == "9999-12-31 23:00:00 UTC"


def test_a_trade_dated_9999_is_exported_in_utc(services):
    export = history_callbacks.export_csv(services, None, None, None, None, None)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export.content.removeprefix("\ufeff")))}
    assert rows[str(TRADE_ID)]["created_at"] == "9999-12-31T23:00:00+00:00"


def test_a_candle_dated_9999_does_not_become_the_charts_newest_candle(services):
    figure, state, message = market_callbacks.market_chart(services, "KRW-ETH", "15m", 50, [], None, ids.MARKET_SYMBOL)
    assert message is None and state["n"] == 50
    # The real candles are drawn, up to the real newest, not one lone candle in 9999.
    assert state["last_bucket"] < NOW.isoformat() and str(figure.data[0].x[-1]).startswith("2026-01-30")


def test_system_freshness_reports_the_future_dated_candle_and_how_far_ahead(services):
    table = system_callbacks.freshness_panel(services)
    eth = by_attribute(table, "data-symbol", "KRW-ETH")[0]
    future = by_attribute(eth, "data-candle-future", "KRW-ETH")
    assert future and "9999-12-31 23:00:00 UTC" in text(future) and "7,97" in text(future)
    assert "years in the future" in text(future)
    assert not by_attribute(table, "data-candle-future", "KRW-BTC")


def test_system_freshness_ages_the_newest_real_candle_not_the_future_one(services):
    table = system_callbacks.freshness_panel(services)
    eth = by_attribute(table, "data-symbol", "KRW-ETH")[0]
    age = by_attribute(eth, "data-candle-stale")[0]
    # The history's last candle opened at SEED_END - 1 min and closed at SEED_END; now is +30 s. Ages
    # run from the close, as the strip's and the alerts' (one age rule).
    assert text(age).startswith("30 s ago")


def test_the_status_strip_names_future_dated_candles_instead_of_saying_0_s_ago(services):
    items, _updated = shell_callbacks.status_strip(services)
    strip = text(items)
    # KRW-BTC's newest candle opened 90 s ago and closed 30 s ago (ages run from the close).
    assert "Last candle: KRW-BTC 30 s ago (oldest of 2) · future-dated candles (KRW-ETH)" in strip.replace(":  ", ": ")
    assert "0 s ago" not in strip.replace("30 s ago", "")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, "9999-12-31", "end date must be between 2000-01-01 and 2099-12-31, got 9999-12-31"),
        ("0001-01-01", None, "start date must be between 2000-01-01 and 2099-12-31, got 0001-01-01"),
    ],
)
def test_history_panels_explain_dates_outside_the_allowed_range(services, start, end, expected):
    summary, *_figures, message = history_callbacks.history_summary(services, None, None, None, start, end)
    assert expected in text(message) and summary is None


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?to=9999-12-31", "end date must be between 2000-01-01 and 2099-12-31, got 9999-12-31"),
        ("?from=0001-01-01", "start date must be between 2000-01-01 and 2099-12-31, got 0001-01-01"),
    ],
)
def test_a_history_link_with_dates_outside_the_range_opens_and_says_why_they_were_dropped(services, search, expected):
    page = shell_callbacks.render_page(services, "/history", search, lambda p: p, lambda p: p.strip("/"))
    notice = by_attribute(page, "data-problem", "invalid_input")
    assert notice and "Dates not applied" in text(notice) and expected in text(notice)
    picker = next(n for n in by_attribute(page, "id", ids.HISTORY_DATES))
    assert picker["props"].get("start_date") is None and picker["props"].get("end_date") is None
