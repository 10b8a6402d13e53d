"""The AI guardrail keys' parsing: each key's good and bad forms, and the budget's UTC hour/day."""

from datetime import UTC, datetime

import pytest

from data.guardrail_payload import (
    Hold,
    RawKey,
    cooldown_key,
    parse_counter,
    parse_guardrails,
    parse_hold,
    reject_count_key,
    usage_day_key,
    usage_hour_key,
)
from data.status_payload import TooLarge, WrongRedisType
from layouts import format as fmt

NOW = datetime(2026, 3, 5, 23, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize("raw, expected", [(b"7", 7), (b" 12\n", 12), (b"0", 0), (None, 0)])
def test_a_counter_is_a_whole_number_and_absent_counts_zero(raw, expected):
    assert parse_counter("ai:guard:error_streak", raw) == (expected, None)


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"3.5", "'3.5', expected a whole number"),
        (b"-1", "'-1', expected a whole number"),
        (b"many", "'many', expected a whole number"),
        (b"", "'', expected a whole number"),
        (b"\xff\xfe", "expected a whole number"),
        ("\u0663".encode(), "expected a whole number"),  # an Arabic-Indic digit is not a counter
        (WrongRedisType("hash"), "holds a Redis hash"),
        (TooLarge(5000), "holds 5,000 bytes"),
    ],
)
def test_a_counter_that_is_not_a_whole_number_is_a_named_problem(raw, says):
    value, problem = parse_counter("ai:guard:error_streak", raw)
    assert value is None
    assert str(problem).startswith("ai:guard:error_streak ") and says in str(problem)


def test_a_block_is_in_force_while_its_key_exists_for_its_ttl():
    assert parse_hold("k", RawKey(None), 1.0) == (Hold(False), None)
    hold, problem = parse_hold("k", RawKey(b"1", 90_500), 1.0)
    assert hold.active and hold.seconds_left == 90.5 and problem is None


def test_time_left_is_scaled_by_the_clock_rate():
    hold, _ = parse_hold("k", RawKey(b"1", 10_000), 60.0)  # the demo at 60x: 10 s of wall time
    assert hold.seconds_left == 600.0


def test_a_block_without_expiry_says_so():
    hold, _ = parse_hold("k", RawKey(b"1", -1), 1.0)
    assert hold.active and hold.seconds_left is None and fmt.duration(None) == "no expiry"


def test_a_block_of_the_wrong_redis_type_counts_as_in_force_with_a_problem():
    hold, problem = parse_hold("ai:guard:global:block", RawKey(WrongRedisType("list"), 5000), 1.0)
    assert hold.active and "holds a Redis list" in str(problem)


def test_usage_keys_are_the_utc_hour_and_day():
    assert usage_hour_key(NOW) == "ai:usage:hour:2026030523"
    assert usage_day_key(NOW) == "ai:usage:day:20260305"


def test_guardrails_read_every_key_and_name_each_bad_one():
    raw = {
        "ai:guard:global:block": RawKey(b"1", 30_000),
        "ai:guard:error_streak": RawKey(b"oops", -1),
        "ai:usage:hour:2026030523": RawKey(b"4", 1000),
        "ai:usage:day:20260305": RawKey(b"55", 1000),
        cooldown_key("KRW-ETH"): RawKey(b"1", 125_000),
        reject_count_key("KRW-ETH"): RawKey(b"3", 1000),
        reject_count_key("KRW-BTC"): RawKey(WrongRedisType("set"), 1000),
    }
    guard = parse_guardrails(raw, ["KRW-BTC", "KRW-ETH"], NOW, 1.0, None)
    assert guard.any_key and guard.global_block.active and guard.global_block.seconds_left == 30.0
    assert (guard.calls_this_hour, guard.calls_today, guard.error_streak) == (4, 55, None)
    btc, eth = guard.symbols
    assert not btc.cooldown.active and btc.reject_count is None
    assert eth.cooldown.seconds_left == 125.0 and eth.reject_count == 3
    assert len(guard.problems) == 2
    assert any(str(p).startswith("ai:guard:error_streak holds 'oops'") for p in guard.problems)
    assert any(str(p).startswith("ai:guard:symbol:KRW-BTC:reject_count holds a Redis set") for p in guard.problems)


def test_no_ai_key_at_all_is_told_apart_from_nothing_blocked():
    guard = parse_guardrails({"ai:guard:global:block": RawKey(None)}, ["KRW-BTC"], NOW, 1.0, None)
    assert not guard.any_key
    assert (guard.calls_this_hour, guard.calls_today, guard.error_streak) == (0, 0, 0)
    assert parse_guardrails({"ai:usage:day:20260305": RawKey(b"1", 5)}, [], NOW, 1.0, None).any_key


@pytest.mark.parametrize(
    "seconds, shown", [(0.2, "1 s"), (45, "45 s"), (150, "2 min 30 s"), (7300, "2 h 1 min"), (-3, "0 s")]
)
def test_time_left_reads_in_hours_minutes_and_seconds(seconds, shown):
    assert fmt.duration(seconds) == shown
