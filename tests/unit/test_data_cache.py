"""The data cache's one rule: a value is served while it is of the version asked for and younger
than the max age asked for; one computation per entry at a time; a failure is not kept."""

import threading

import pandas as pd
import pytest

from data.cache import DataCache, Same


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
    cache = DataCache(clock)
    assert cache.get("k", compute, max_age_s=1.0) == "answer"
    clock.now += 0.9
    assert cache.get("k", compute, max_age_s=1.0) == "answer"
    assert compute.calls == 1


def test_a_call_after_the_ttl_computes_again():
    clock, compute = Clock(), Counting()
    cache = DataCache(clock)
    cache.get("k", compute, max_age_s=1.0)
    clock.now += 1.0
    cache.get("k", compute, max_age_s=1.0)
    assert compute.calls == 2


def test_keys_that_differ_by_an_argument_are_computed_separately():
    cache = DataCache(Clock())
    btc, eth = Counting("btc"), Counting("eth")
    assert cache.get(("candles", "KRW-BTC", "15m"), btc, max_age_s=1.0) == "btc"
    assert cache.get(("candles", "KRW-ETH", "15m"), eth, max_age_s=1.0) == "eth"
    assert cache.get(("candles", "KRW-BTC", "5m"), Counting("btc 5m"), max_age_s=1.0) == "btc 5m"
    assert (btc.calls, eth.calls) == (1, 1)


def test_concurrent_callers_of_one_key_wait_for_a_single_computation():
    cache = DataCache(Clock())
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "answer"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow, max_age_s=1.0))) for _ in range(8)]
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
    cache = DataCache(Clock())

    def failing():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        cache.get("k", failing, max_age_s=1.0)
    compute = Counting()
    assert cache.get("k", compute, max_age_s=1.0) == "answer"
    assert compute.calls == 1


def test_concurrent_waiters_get_the_failure_of_the_computation_they_waited_for():
    cache = DataCache(Clock())
    started, release = threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(5)
        raise RuntimeError("database down")

    errors = []

    def call():
        try:
            cache.get("k", failing, max_age_s=1.0)
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


def test_a_max_age_of_zero_keeps_nothing():
    cache = DataCache(Clock())
    compute = Counting()
    cache.get("k", compute, max_age_s=0.0)
    cache.get("k", compute, max_age_s=0.0)
    assert compute.calls == 2


def test_a_caller_changing_its_frame_does_not_change_another_callers():
    cache = DataCache(Clock())
    frame = pd.DataFrame({"close": [1.0, 2.0]})
    first = cache.get("k", lambda: frame, max_age_s=1.0, copies=True)
    first.loc[0, "close"] = 99.0
    first["extra"] = 1
    second = cache.get("k", lambda: frame, max_age_s=1.0, copies=True)
    assert list(second.columns) == ["close"] and second["close"].tolist() == [1.0, 2.0]


def test_a_value_is_computed_again_for_another_version_and_kept_for_its_own():
    clock, compute = Clock(), Counting()
    cache = DataCache(clock)
    cache.get("ledger", compute, version="orders 1")
    clock.now += 3600.0  # no max age: a version is kept until the data changes
    cache.get("ledger", compute, version="orders 1")
    assert compute.calls == 1
    cache.get("ledger", compute, version="orders 2")
    assert compute.calls == 2


def test_a_versioned_value_is_also_computed_again_past_its_max_age():
    clock, compute = Clock(), Counting()
    cache = DataCache(clock)
    cache.get("ledger", compute, version="orders 1", max_age_s=60.0)
    clock.now += 59.0
    cache.get("ledger", compute, version="orders 1", max_age_s=60.0)
    clock.now += 1.0
    cache.get("ledger", compute, version="orders 1", max_age_s=60.0)
    assert compute.calls == 2


def test_same_compares_the_object_not_its_contents():
    frame = pd.DataFrame({"pnl": [1.0]})
    assert Same(frame) == Same(frame)
    assert Same(frame) != Same(frame.copy())
    cache, compute = DataCache(Clock()), Counting()
    cache.get("trips", compute, version=Same(frame))
    cache.get("trips", compute, version=Same(frame.copy()))
    assert compute.calls == 2


def test_without_copies_every_caller_gets_the_one_value_kept():
    cache = DataCache(Clock())
    frame = pd.DataFrame({"close": [1.0]})
    assert cache.get("ledger", lambda: frame) is cache.get("ledger", lambda: frame.copy()) is frame


def test_peek_gives_the_last_value_whatever_its_age_without_computing():
    clock = Clock()
    cache = DataCache(clock)
    assert cache.peek("symbols") is None
    cache.get("symbols", lambda: ["KRW-BTC"], max_age_s=30.0)
    clock.now += 3600.0
    assert cache.peek("symbols") == ["KRW-BTC"]
