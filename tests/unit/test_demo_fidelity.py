"""The demo writes what the real v3 bot writes: statuses built by its writer's rules (hwm 0.0 while
flat, a bare NaN RSI over a flat window), no status at all for a BUY sized at 0, the day's
reference equity in Redis, and no risk-audit rows."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import fakeredis
import numpy as np
import pandas as pd

from data.status_payload import StatusState, validate_payload
from data.status_reader import reference_equity_key
from simulator.demo import SUSPENSION, SUSPENSION_START_UTC_HOUR, DemoClock, Simulator
from simulator.paper_bot import BotConfig, Holding, Indicators, PaperBot

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
# An entry signal for a BULL coin (RSI under 35, close under the lower band).
SIGNAL = Indicators(rsi=25.0, bb_upper=110.0, bb_lower=100.0, ma_200=100.0, ma_20=104.0, low_60=97.0, candles=200)


def bot() -> PaperBot:
    paper = PaperBot(BotConfig(), np.random.default_rng(1))
    paper.regimes = {"KRW-BTC": "BULL", "KRW-ETH": "BULL"}
    return paper


def test_a_flat_symbols_status_has_the_writers_zero_high_water_mark_and_reads_valid():
    paper = bot()
    calm = Indicators(rsi=60.0, bb_upper=130.0, bb_lower=110.0, ma_200=120.0, ma_20=121.0, low_60=115.0, candles=200)
    status = paper.on_candle("KRW-BTC", NOW, 120.0, calm, want_status=True)
    assert status["action"] == "HOLD" and status["indicators"]["hwm"] == 0.0
    assert status["position"] == {
        "has_position": False,
        "avg_price": None,
        "quantity": None,
        "pnl_pct": 0.0,
        "regime": None,
    }
    reading = validate_payload("KRW-BTC", "bot:status:KRW-BTC", json.dumps(status).encode(), NOW, 120)
    assert reading.state is StatusState.OK


def test_over_a_flat_window_the_bots_rsi_is_nan_written_bare():
    flat = Indicators(rsi=100.0, bb_upper=100.0, bb_lower=100.0, ma_200=100.0, ma_20=100.0, low_60=100.0, flat=True)
    status = bot().on_candle("KRW-BTC", NOW, 100.0, flat, want_status=True)
    assert math.isnan(status["indicators"]["rsi"])
    assert '"rsi": NaN' in json.dumps(status)


def test_the_days_reference_is_fixed_at_its_first_entry_check_as_cash_plus_exposure():
    paper = bot()
    paper.cash = 500_000.0
    paper.holdings["KRW-ETH"] = Holding(0.5, 4_000_000.0, NOW - timedelta(hours=1), 0.0, NOW, "BULL", 4_000_000.0)
    paper.last_close["KRW-ETH"] = 4_000_000.0
    paper.on_candle("KRW-BTC", NOW, 99.0, SIGNAL, want_status=True)
    assert paper.reference[NOW.date()] == 500_000.0 + 0.5 * 4_000_000.0
    paper.last_close["KRW-ETH"] = 5_000_000.0
    paper.on_candle("KRW-BTC", NOW + timedelta(minutes=1), 99.0, SIGNAL, want_status=True)
    assert paper.reference[NOW.date()] == 2_500_000.0  # fixed for the UTC day


def test_a_buy_sized_at_zero_writes_no_status():
    paper = bot()
    paper.cash = 500_000.0
    # The day's reference was fixed at 1,000,000 this morning; ETH is worth 2,000,000 now: with 100 %
    # of the reference allowed, no room is left and the BUY's size comes out below 0.
    paper.reference[NOW.date()] = 1_000_000.0
    paper.holdings["KRW-ETH"] = Holding(0.5, 4_000_000.0, NOW - timedelta(hours=1), 0.0, NOW, "BULL", 4_000_000.0)
    paper.last_close["KRW-ETH"] = 4_000_000.0
    assert paper.on_candle("KRW-BTC", NOW, 99.0, SIGNAL, want_status=True) is None


def test_the_v3_bot_writes_no_risk_audit_rows_even_when_it_refuses():
    paper = bot()
    day = paper._day(NOW)
    day.buy_count = 6  # the strategy file's daily limit
    status = paper.on_candle("KRW-BTC", NOW, 99.0, SIGNAL, want_status=True)
    assert status["action"] == "SKIP" and status["reason"].startswith("Risk Rejected: ")
    assert paper.audits == []


def test_the_days_reference_equity_is_published_once_and_expires_at_utc_midnight():
    paper = bot()
    paper.reference_equity(paper._day(NOW))
    redis_client = fakeredis.FakeRedis()

    class World:
        pass

    world = World()
    world.bot, world.next_minute = paper, NOW
    simulator = Simulator(world, redis_client, DemoClock(NOW, 1.0))
    pipe = redis_client.pipeline()
    simulator.publish_reference_equity(pipe, NOW)
    pipe.execute()
    key = reference_equity_key(NOW.date())
    assert float(redis_client.get(key)) == paper.reference[NOW.date()]
    assert redis_client.ttl(key) == 19 * 3600  # 05:00 UTC to midnight
    assert not paper.unpublished_reference


def test_the_suspended_market_repeats_its_last_price_with_no_volume():
    start = NOW.replace(hour=SUSPENSION_START_UTC_HOUR) - timedelta(minutes=2)
    times = pd.date_range(start, periods=6, freq="1min", tz="UTC")
    frame = pd.DataFrame(
        {"timestamp": times, "open": 1.0, "high": 2.0, "low": 0.5, "close": [10.0, 11.0, 12, 13, 14, 15], "volume": 3.0}
    )
    Simulator.suspend(frame, last_close=9.0)
    inside = frame["timestamp"] >= start + timedelta(minutes=2)
    assert (frame.loc[inside, ["open", "high", "low", "close"]] == 11.0).all().all()  # frozen at the last close
    assert (frame.loc[inside, "volume"] == 0).all() and (frame.loc[~inside, "volume"] == 3.0).all()
    assert timedelta(minutes=200) < SUSPENSION  # long enough for a 200-candle window to go flat
