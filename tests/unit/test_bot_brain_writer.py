"""Every branch of the v3 bot's status writer, built as the writer builds it (simulator.status_writer:
float() of each indicator with 0 where not computed, json.dumps defaults so NaN is written bare),
read by the Bot Brain, the status table and the freshness rules without calling any of them invalid."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from data.freshness import StatusStanding, status_standing
from data.status_payload import StatusState, validate_payload
from data.status_reasons import ReasonFamily
from layouts import market
from simulator import status_writer as writer
from tests.support.components import by_attribute, one, text

NOW = datetime(2026, 3, 5, 12, 35, tzinfo=UTC)
AT = NOW - timedelta(seconds=20)
SEOUL = ZoneInfo("Asia/Seoul")
HELD = writer.HeldPosition(avg_price=94_000_000.0, quantity=0.01, regime="BULL")


def status(**values) -> dict:
    """A loop that reached the status write, as the writer builds it (flat unless told)."""
    base = {
        "price": 95_000_000.0,
        "regime": "BULL",
        "rsi": 45.2,
        "ma_trend": 94_500_000.0,
        "action": "HOLD",
        "reason": writer.hold_reason("BULL", "RSI 45.2 > 42"),
    }
    return writer.v3_status("KRW-BTC", AT, **(base | values))


def read(payload: dict):
    raw = writer.dumps(payload).encode()
    return validate_payload("KRW-BTC", "bot:status:KRW-BTC", raw, NOW, 120)


def field(panel, name):
    return text(one(panel, "data-brain-field", name))


def test_a_flat_symbol_as_the_writer_writes_it_is_a_valid_status_with_no_high_water_mark():
    payload = status()
    assert payload["indicators"]["hwm"] == 0.0 and payload["position"]["pnl_pct"] == 0.0
    reading = read(payload)
    assert reading.state is StatusState.OK, reading.problem_summary
    assert reading.status.hwm is None and "hwm" in reading.status.not_recorded
    assert reading.status.pnl_pct is None  # no position: no PnL, not a flat 0 %
    panel = market.bot_brain(reading, SEOUL, 120)
    assert not by_attribute(panel, "data-brain-field", "hwm") and not by_attribute(panel, "data-brain-field", "pnl_pct")
    assert status_standing(reading) is StatusStanding.OK


def test_an_uncomputable_indicator_arrives_as_a_bare_nan_and_shows_as_not_recorded():
    raw = writer.dumps(status(rsi=math.nan, ma_trend=math.nan))
    assert '"rsi": NaN' in raw and '"ma_trend": NaN' in raw  # what json.dumps writes
    reading = read(status(rsi=math.nan, ma_trend=math.nan))
    assert reading.state is StatusState.OK, reading.problem_summary
    assert {"rsi", "ma_trend"} <= reading.status.not_recorded
    panel = market.bot_brain(reading, SEOUL, 120)
    assert field(panel, "rsi") == "not recorded" and field(panel, "ma_trend") == "not recorded"


def test_nan_outside_the_indicators_is_still_a_bad_value():
    payload = status()
    payload["current_price"] = math.nan
    reading = read(payload)
    assert reading.state is StatusState.INVALID and "current_price" in reading.problem_summary


def test_holding_writes_the_trailing_stops_high_water_mark_and_the_positions_pnl():
    payload = status(
        action="HOLD (POS)",
        reason=writer.hold_position_reason("BULL", 1.06, -1.15),
        position=HELD,
        new_hwm=96_100_000.0,
    )
    reading = read(payload)
    panel = market.bot_brain(reading, SEOUL, 120)
    assert field(panel, "hwm") == "96,100,000"
    assert field(panel, "pnl_pct") == "+1.06 %"  # (95,000,000 - 94,000,000) / 94,000,000


def test_right_after_an_exit_the_high_water_mark_is_the_closed_positions_and_is_labelled_so():
    payload = status(action="SELL", reason=writer.sell_done_reason("BULL", "TRAILING_STOP"), new_hwm=96_100_000.0)
    assert payload["position"]["has_position"] is False and payload["indicators"]["hwm"] == 96_100_000.0
    panel = market.bot_brain(read(payload), SEOUL, 120)
    assert "High-water mark at exit" in text(panel) and field(panel, "hwm") == "96,100,000"
    assert one(panel, "data-reason-family")["props"]["data-reason-family"] == "sell_done"


def test_a_stop_loss_exit_writes_no_high_water_mark():
    payload = status(action="SELL", reason=writer.sell_done_reason("BULL", "STOP_LOSS"))
    panel = market.bot_brain(read(payload), SEOUL, 120)
    assert not by_attribute(panel, "data-brain-field", "hwm")


def test_a_failed_sell_says_the_position_is_still_held():
    payload = status(
        action="SELL", reason=writer.sell_failed_reason("BULL", "TAKE_PROFIT"), position=HELD, new_hwm=96_100_000.0
    )
    reading = read(payload)
    assert reading.status.failed_sell
    panel = market.bot_brain(reading, SEOUL, 120)
    assert "the sell order failed" in text(panel)
    assert one(panel, "data-reason-family")["props"]["data-reason-family"] == "sell_failed"


def test_a_buy_carries_an_empty_reason_and_the_panel_says_what_that_means():
    reading = read(status(action="BUY", reason=""))
    assert reading.state is StatusState.OK
    panel = market.bot_brain(reading, SEOUL, 120)
    assert "The bot writes no reason with a BUY" in text(panel)


@pytest.mark.parametrize(
    "reason, family, sub_reason, words",
    [
        (
            writer.risk_rejected_reason("일일 최대 거래 횟수(6회)를 초과했습니다."),
            ReasonFamily.RISK_REJECTED,
            "trade_limit",
            "daily trade limit",
        ),
        (writer.risk_rejected_reason("3연패로 인한 쿨다운 중"), ReasonFamily.RISK_REJECTED, "cooldown", "cooldown"),
        (
            writer.risk_rejected_reason("단일 주문 한도(20.0%)를 초과했습니다."),
            ReasonFamily.RISK_REJECTED,
            "per_order",
            "per-order cap",
        ),
        (writer.prefilter_reason("AI 컨텍스트 부족 (8 < 12)"), ReasonFamily.AI_PREFILTER, None, "pre-filter"),
        (
            writer.guardrail_reason("Hourly AI budget exhausted (20/20)"),
            ReasonFamily.AI_GUARDRAIL,
            "hour_budget",
            "hourly AI budget used up",
        ),
        (
            writer.guardrail_reason("Symbol AI cooldown active (240s left)"),
            ReasonFamily.AI_GUARDRAIL,
            "symbol_cooldown",
            "this coin's AI cooldown",
        ),
        (writer.AI_REJECTED_REASON, ReasonFamily.AI_REJECTED, None, "AI rejected or order failed"),
    ],
)
def test_each_skip_family_the_bot_writes_is_named_with_its_rule(reason, family, sub_reason, words):
    reading = read(status(action="SKIP", reason=reason))
    assert reading.state is StatusState.OK
    assert reading.status.reason_reading.family is family
    assert reading.status.reason_reading.sub_reason == sub_reason
    panel = market.bot_brain(reading, SEOUL, 120)
    assert words in text(one(panel, "data-brain-field", "reason-family"))
    assert reason in field(panel, "reason")  # the bot's own words stay on the page


def test_waiting_as_the_writer_writes_it():
    reading = read(writer.waiting_status("KRW-BTC", AT, 12))
    assert reading.state is StatusState.OK and reading.status.action == "WAITING"
    assert "데이터 부족: 12 lines" in text(market.bot_brain(reading, SEOUL, 120))


def test_the_status_table_calls_none_of_the_writers_branches_invalid():
    payloads = [
        status(),
        status(rsi=math.nan),
        status(action="HOLD (POS)", position=HELD, new_hwm=96_100_000.0, reason="x"),
        status(action="SELL", reason=writer.sell_done_reason("BULL", "STOP_LOSS")),
        status(action="SKIP", reason=writer.AI_REJECTED_REASON),
        status(action="BUY", reason=""),
    ]
    table = market.status_table([read(p) for p in payloads], SEOUL)
    assert "invalid" not in text(table).lower()
