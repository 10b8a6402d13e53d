"""The Bot Brain for both bot generations: every v3 action with its own badge and meaning, an
unknown action flagged, v3 and week-6 fields each shown when present, and a missing status
explained by the candles' freshness."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from data.status_payload import BotStatusReading, Silence, SilenceCause, StatusState, validate_payload, why_no_status
from i18n import Message
from layouts import market
from tests.support.components import by_attribute, one, text

NOW = datetime(2026, 3, 5, 12, 35, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
V3 = {
    "timestamp": (NOW - timedelta(seconds=20)).isoformat(),
    "symbol": "KRW-BTC",
    "current_price": 95000000.0,
    "regime": "BULL",
    "indicators": {"rsi": 45.2, "ma_trend": 94000000.0, "hwm": 96100000.0},
    "position": {"has_position": True, "avg_price": 94000000.0, "quantity": 0.01, "pnl_pct": 1.06, "regime": "BULL"},
    "action": "HOLD (POS)",
    "reason": "보유 중: 청산 조건 미충족",
}
WEEK6 = {
    "timestamp": (NOW - timedelta(seconds=20)).isoformat(),
    "symbol": "KRW-ETH",
    "current_price": 4500000.0,
    "indicators": {"rsi": 28.1, "bb_upper": 4600000.0, "bb_lower": 4400000.0, "ma_200": 4450000.0},
    "position": {"has_position": False, "avg_price": None, "quantity": None},
    "action": "BUY",
    "reason": "과매도 + 하단 밴드 이탈",
}


def brain(body: dict, regime_key=None, silence=None):
    reading = validate_payload(
        body["symbol"], "bot:status:" + body["symbol"], json.dumps(body).encode(), NOW, 120, regime=regime_key
    )
    return market.bot_brain(reading, SEOUL, 120, silence)


def field(panel, name):
    return text(one(panel, "data-brain-field", name))


@pytest.mark.parametrize("action", ["HOLD", "HOLD (POS)", "BUY", "SELL", "SKIP"])
def test_each_v3_action_has_its_own_badge_and_meaning(action):
    panel = brain(dict(V3, action=action))
    assert one(panel, "data-brain-state")["props"]["data-brain-state"] == "ok"
    assert text(one(panel, "data-brain-action", action)) == action
    assert market.action_meaning(action) in text(panel)
    assert not by_attribute(panel, "data-brain-unknown-action")


def test_waiting_says_it_lacks_candles_and_shows_no_indicators():
    body = {
        "timestamp": V3["timestamp"],
        "symbol": "KRW-BTC",
        "action": "WAITING",
        "reason": "데이터 부족",
        "indicators": {},
    }
    panel = brain(body)
    assert text(one(panel, "data-brain-action", "WAITING")) == "WAITING"
    assert market.action_meaning("WAITING") in text(panel)
    assert field(panel, "rsi") == "–"


def test_the_six_actions_have_six_different_badges_and_meanings():
    assert len(set(market.ACTION_COLOURS.values())) == 6
    assert len({market.action_meaning(a) for a in market.ACTION_MEANING_KEYS}) == 6


def test_an_unknown_action_is_shown_as_written_and_flagged_not_invalid():
    panel = brain(dict(V3, action="REBALANCE"))
    assert one(panel, "data-brain-state")["props"]["data-brain-state"] == "ok"
    assert text(one(panel, "data-brain-action", "REBALANCE")) == "REBALANCE"
    assert text(one(panel, "data-brain-unknown-action")) == "unknown action"
    assert "Invalid status payload" not in text(panel)


def test_a_v3_payload_shows_regime_trend_high_water_mark_and_position_pnl():
    panel = brain(V3)
    assert text(one(panel, "data-regime", "BULL")) == "BULL"
    assert field(panel, "ma_trend") == "94,000,000"
    assert field(panel, "hwm") == "96,100,000"
    assert field(panel, "pnl_pct") == "+1.06 %"
    assert not by_attribute(panel, "data-brain-field", "bb_upper")
    assert "v3 payload" in text(panel)


def test_a_week6_payload_beside_it_keeps_its_bands_and_ma200():
    panel = brain(WEEK6)
    assert field(panel, "bb_upper") == "4,600,000"
    assert field(panel, "bb_lower") == "4,400,000"
    assert field(panel, "ma_200") == "4,450,000"
    assert not by_attribute(panel, "data-brain-field", "hwm")
    assert not by_attribute(panel, "data-regime")
    assert "week-6 payload" in text(panel)


def test_the_regime_key_is_used_when_the_payload_has_none():
    body = {k: v for k, v in V3.items() if k != "regime"}
    body["position"] = {"has_position": False}
    panel = brain(body, regime_key="BEAR")
    assert text(one(panel, "data-regime", "BEAR")) == "BEAR"
    assert market.regime_meaning("BEAR") in text(panel)


def test_the_status_table_shows_each_symbols_regime_and_flags_unknown_actions():
    readings = [
        validate_payload("KRW-BTC", "bot:status:KRW-BTC", json.dumps(dict(V3, action="REBALANCE")).encode(), NOW, 120),
        validate_payload("KRW-ETH", "bot:status:KRW-ETH", json.dumps(WEEK6).encode(), NOW, 120, regime="SIDEWAYS"),
    ]
    table = market.status_table(readings, SEOUL)
    btc, eth = one(table, "data-symbol", "KRW-BTC"), one(table, "data-symbol", "KRW-ETH")
    assert "unknown action" in text(btc) and "BULL" in text(btc)
    assert "SIDEWAYS" in text(eth) and "invalid" not in text(eth)


@pytest.mark.parametrize(
    "candle_open, cause",
    [
        (NOW - timedelta(minutes=1, seconds=30), SilenceCause.BOT_STOPPED),  # opened 90 s ago: the bot reads it
        (NOW - timedelta(minutes=2, seconds=1), SilenceCause.COLLECTOR_STALLED),  # opened 121 s ago: the bot skips
        (NOW - timedelta(minutes=2), SilenceCause.BOT_STOPPED),  # exactly 2 min: the bot's rule is "more than"
        (None, SilenceCause.UNKNOWN),
    ],
)
def test_a_missing_status_is_blamed_on_the_collector_by_the_bots_own_two_minute_rule(candle_open, cause):
    # The bot skips a symbol whose newest candle opened over 2 minutes ago (its loop's rule).
    assert why_no_status(candle_open, NOW).cause is cause


def test_a_silent_symbol_is_skipping_its_buy_only_while_the_bot_visibly_runs():
    fresh = NOW - timedelta(seconds=70)
    exposure = Message("risk.entry.silent_exposure", used="1,000,000", limit="1,000,000")
    skipping = why_no_status(fresh, NOW, sizing_blocked=exposure, loop_alive=True)
    assert skipping.cause is SilenceCause.ENTRY_SKIPPED and skipping.detail == exposure
    # No other symbol reports: a stopped bot, whatever the room for a BUY.
    assert why_no_status(fresh, NOW, sizing_blocked=exposure, loop_alive=False).cause is SilenceCause.BOT_STOPPED
    assert why_no_status(fresh, NOW, loop_alive=True).cause is SilenceCause.BOT_STOPPED
    # Stale candles explain the silence first (the bot skips before it sizes anything).
    stale = NOW - timedelta(minutes=5)
    assert why_no_status(stale, NOW, sizing_blocked=exposure, loop_alive=True).cause is SilenceCause.COLLECTOR_STALLED


@pytest.mark.parametrize(
    "cause, words",
    [
        (SilenceCause.COLLECTOR_STALLED, "the collector has stalled"),
        (SilenceCause.BOT_STOPPED, "the bot itself has stopped"),
        (SilenceCause.UNKNOWN, "could not be read"),
        (SilenceCause.ENTRY_SKIPPED, "skips such a signal without writing its status"),
    ],
)
def test_the_missing_status_panel_says_which_part_stopped(cause, words):
    reading = BotStatusReading("KRW-BTC", StatusState.MISSING, message="No status.")
    panel = market.bot_brain(reading, SEOUL, 120, Silence(cause, Message("risk.entry.silent_cash")))
    assert words in text(panel)
    assert one(panel, "data-brain-silence")["props"]["data-brain-silence"] == cause.value
