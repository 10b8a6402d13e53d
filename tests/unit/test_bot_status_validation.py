"""Every way a Redis value can be wrong becomes a typed result that says which way."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from data.status_payload import MAX_PAYLOAD_BYTES, ProblemKind, StatusState, TooLarge, WrongRedisType, validate_payload

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def payload(**changes):
    body = {
        "timestamp": (NOW - timedelta(seconds=23)).isoformat(),
        "symbol": "KRW-BTC",
        "current_price": 95000000.0,
        "indicators": {"rsi": 45.2, "bb_upper": 96000000.0, "bb_lower": 94000000.0, "ma_200": 93000000.0},
        "position": {"has_position": False, "avg_price": None, "quantity": None},
        "action": "HOLD",
        "reason": "관망 중: RSI(45.2) > 30 (과매도 아님)",
    }
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return json.dumps(body).encode()


def read(raw, symbol="KRW-BTC"):
    return validate_payload(symbol, "bot:status:" + symbol, raw, NOW, 120)


def test_the_contracts_example_payload_is_valid_with_its_age_computed():
    reading = read(payload())
    assert reading.state is StatusState.OK
    assert reading.age_s == pytest.approx(23)
    assert not reading.stale
    assert reading.status.rsi == 45.2 and reading.status.action == "HOLD"
    assert reading.status.reason.startswith("관망 중")


def test_a_status_older_than_120_seconds_is_stale():
    reading = read(payload(timestamp=(NOW - timedelta(seconds=121)).isoformat()))
    assert reading.state is StatusState.OK and reading.stale


def test_waiting_needs_no_indicators_or_price():
    reading = read(
        json.dumps({"timestamp": NOW.isoformat(), "symbol": "KRW-BTC", "indicators": {}, "action": "WAITING"}).encode()
    )
    assert reading.state is StatusState.OK


def test_the_reversed_symbol_form_in_the_payload_is_accepted():
    assert read(payload(symbol="BTC-KRW")).state is StatusState.OK


@pytest.mark.parametrize(
    "raw, kind, words",
    [
        (b"{not json", ProblemKind.NOT_JSON, "not valid JSON"),
        (b"", ProblemKind.NOT_JSON, "empty"),
        (b"[1, 2]", ProblemKind.WRONG_TYPE, "array"),
        (payload(action=...), ProblemKind.MISSING_FIELD, "'action'"),
        (payload(timestamp=...), ProblemKind.MISSING_FIELD, "'timestamp'"),
        (payload(indicators=...), ProblemKind.MISSING_FIELD, "'indicators'"),
        (payload(action=3), ProblemKind.WRONG_TYPE, "'action'"),
        (payload(current_price="95000000"), ProblemKind.WRONG_TYPE, "'current_price'"),
        (payload(indicators=[1]), ProblemKind.WRONG_TYPE, "'indicators'"),
        (payload(action=""), ProblemKind.INVALID_VALUE, "empty string"),
        (payload(regime=7), ProblemKind.WRONG_TYPE, "'regime'"),
        (payload(position={"has_position": True, "pnl_pct": "1%"}), ProblemKind.WRONG_TYPE, "'position.pnl_pct'"),
        (payload(indicators={"rsi": 40, "hwm": -5}), ProblemKind.INVALID_VALUE, "'indicators.hwm'"),
        (payload(timestamp="2026-01-30T11:59:00"), ProblemKind.INVALID_VALUE, "no time zone"),
        (payload(timestamp=(NOW + timedelta(hours=1)).isoformat()), ProblemKind.INVALID_VALUE, "in the future"),
        (payload(timestamp="yesterday"), ProblemKind.INVALID_VALUE, "not an ISO-8601"),
        # Year 1 at +14:00 is before year 1 in UTC: no datetime can hold it.
        (payload(timestamp="0001-01-01T00:00:00+14:00"), ProblemKind.INVALID_VALUE, "not an ISO-8601"),
        (payload(symbol="KRW-ETH"), ProblemKind.INVALID_VALUE, "does not match"),
        (payload(current_price=-1), ProblemKind.INVALID_VALUE, "positive"),
        (payload(indicators={"rsi": 140}), ProblemKind.INVALID_VALUE, "out of range"),
        (payload(position={"has_position": "yes"}), ProblemKind.WRONG_TYPE, "has_position"),
        (
            b'{"timestamp": "2026-01-30T11:59:00+00:00", "symbol": "KRW-BTC", "action": "HOLD", "current_price": NaN,'
            b' "indicators": {"rsi": 40}, "position": {}}',
            ProblemKind.INVALID_VALUE,
            "NaN",
        ),
        (b'{"action": "HOLD", "current_price": Infinity}', ProblemKind.INVALID_VALUE, "Infinity"),
        (TooLarge(10 * 1024 * 1024), ProblemKind.TOO_LARGE, "10,485,760 bytes"),
        (WrongRedisType("hash"), ProblemKind.WRONG_TYPE, "Redis hash"),
        (b"[" * 100_000, ProblemKind.NOT_JSON, "not valid JSON"),
    ],
)
def test_each_kind_of_bad_payload_is_named(raw, kind, words):
    reading = read(raw)
    assert reading.state is StatusState.INVALID
    assert kind in reading.problem_kinds
    assert words in reading.problem_summary


def test_what_could_be_read_is_kept_next_to_the_problem():
    reading = read(payload(indicators={"rsi": "high", "bb_upper": 96000000.0}))
    assert reading.state is StatusState.INVALID
    assert reading.status.current_price == 95000000.0
    assert reading.status.bb_upper == 96000000.0
    assert reading.status.rsi is None


def test_a_very_long_reason_is_cut_for_display():
    reading = read(payload(reason="x" * 50_000))
    assert len(reading.status.reason) < 2100


def test_the_payload_size_limit_is_well_above_a_real_status():
    assert len(payload()) * 50 < MAX_PAYLOAD_BYTES


def v3_payload(**changes):
    """The v3 example payload of SCHEMA.md ("CoinPilot v3")."""
    body = {
        "timestamp": (NOW - timedelta(seconds=12)).isoformat(),
        "symbol": "KRW-BTC",
        "current_price": 95000000.0,
        "regime": "BULL",
        "indicators": {"rsi": 45.2, "ma_trend": 94000000.0, "hwm": 96100000.0},
        "position": {
            "has_position": True,
            "avg_price": 94000000.0,
            "quantity": 0.01,
            "pnl_pct": 1.06,
            "regime": "BULL",
        },
        "action": "HOLD (POS)",
        "reason": "보유 중 ...",
    }
    body.update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize("action", ["HOLD", "HOLD (POS)", "BUY", "SELL", "SKIP"])
def test_every_v3_action_is_a_valid_status(action):
    reading = read(v3_payload(action=action))
    assert reading.state is StatusState.OK, reading.problem_summary
    assert reading.status.action == action and not reading.status.unknown_action


def test_a_v3_waiting_status_carries_only_its_few_fields():
    body = {
        "timestamp": NOW.isoformat(),
        "symbol": "KRW-BTC",
        "action": "WAITING",
        "reason": "데이터 부족",
        "indicators": {},
    }
    reading = read(json.dumps(body).encode())
    assert reading.state is StatusState.OK and reading.status.action == "WAITING"


def test_the_v3_fields_are_read_not_dropped():
    status = read(v3_payload()).status
    assert (status.regime, status.ma_trend, status.hwm) == ("BULL", 94000000.0, 96100000.0)
    assert (status.pnl_pct, status.position_regime, status.quantity) == (1.06, "BULL", 0.01)
    assert status.generation == "v3"
    assert (status.bb_upper, status.ma_200) == (None, None)


def test_a_week6_payload_keeps_its_bands_and_says_so():
    status = read(payload()).status
    assert status.generation == "week-6"
    assert (status.bb_upper, status.bb_lower, status.ma_200) == (96000000.0, 94000000.0, 93000000.0)


def test_an_action_the_dashboard_does_not_know_is_shown_as_written_and_flagged():
    reading = read(json.dumps({"timestamp": NOW.isoformat(), "symbol": "KRW-BTC", "action": "REBALANCE"}).encode())
    assert reading.state is StatusState.OK
    assert reading.status.action == "REBALANCE" and reading.status.unknown_action


def test_a_negative_position_pnl_is_a_loss_not_an_error():
    assert read(v3_payload(position={"has_position": True, "pnl_pct": -2.4})).status.pnl_pct == -2.4
