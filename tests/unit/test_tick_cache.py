"""The refresh-query cache: answers shared for one tick, one computation per key at a time."""

import threading

import pandas as pd
import pytest

from data.cache import TickCache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Counting:
    def __init__(self, value="answer"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_second_call_within_the_ttl_does_not_compute_again():
    clock, compute = Clock(), Counting()
    cache = TickCache(1.0, clock)
    assert cache.get("k", compute) == "answer"
    clock.now += 0.9
    assert cache.get("k", compute) == "answer"
    assert compute.calls == 1


def test_a_call_after_the_ttl_computes_again():
    clock, compute = Clock(), Counting()
    cache = TickCache(1.0, clock)
    cache.get("k", compute)
    clock.now += 1.0
    cache.get("k", compute)
    assert compute.calls == 2


def test_keys_that_differ_by_an_argument_are_computed_separately():
    cache = TickCache(1.0, Clock())
    btc, eth = Counting("btc"), Counting("eth")
    assert cache.get(("candles", "KRW-BTC", "15m"), btc) == "btc"
    assert cache.get(("candles", "KRW-ETH", "15m"), eth) == "eth"
    assert cache.get(("candles", "KRW-BTC", "5m"), Counting("btc 5m")) == "btc 5m"
    assert (btc.calls, eth.calls) == (1, 1)


def test_concurrent_callers_of_one_key_wait_for_a_single_computation():
    cache = TickCache(1.0, Clock())
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "answer"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    # The other seven arrive while the first is still computing (held until released).
    threading.Event().wait(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == ["answer"] * 8
    assert len(calls) == 1


def test_a_failure_is_not_kept_and_the_next_caller_computes_again():
    cache = TickCache(1.0, Clock())

    def failing():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        cache.get("k", failing)
    compute = Counting()
    assert cache.get("k", compute) == "answer"
    assert compute.calls == 1


def test_concurrent_waiters_get_the_failure_of_the_computation_they_waited_for():
    cache = TickCache(1.0, Clock())
    started, release = threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(5)
        raise RuntimeError("database down")

    errors = []

    def call():
        try:
            cache.get("k", failing)
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    threading.Event().wait(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert errors == ["database down"] * 4


def test_a_value_refused_by_keep_is_not_kept():
    cache = TickCache(1.0, Clock())
    compute = Counting("redis unreachable")
    cache.get("k", compute, keep=lambda value: value != "redis unreachable")
    cache.get("k", compute, keep=lambda value: value != "redis unreachable")
    assert compute.calls == 2


def test_a_ttl_of_zero_turns_the_cache_off():
    cache = TickCache(0.0, Clock())
    compute = Counting()
    cache.get("k", compute)
    cache.get("k", compute)
    assert compute.calls == 2


def test_a_caller_changing_its_frame_does_not_change_another_callers():
    cache = TickCache(1.0, Clock())
    frame = pd.DataFrame({"close": [1.0, 2.0]})
    first = cache.get("k", lambda: frame)
    first.loc[0, "close"] = 99.0
    first["extra"] = 1
    second = cache.get("k", lambda: frame)
    assert list(second.columns) == ["close"] and second["close"].tolist() == [1.0, 2.0]
