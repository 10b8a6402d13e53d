"""TickCache: query results kept for about one refresh tick, per process, with single flight.

Every viewer of a symbol asks the database the same question on each tick; with this cache a
gunicorn worker asks it once per tick and hands the answer to all of them. Only data is kept
(candles, prices, positions, keyed by the query's arguments), never a rendered panel: language,
time zone and overlays differ per browser and are applied after the cache.

Freshness: an answer is at most `ttl_s` old. The TTL must stay below the shortest refresh
interval (5 s), so a viewer's next tick never gets an answer older than its previous one and a
new candle shows up at most `ttl_s` later than without the cache (the collector writes once a
minute; staleness warnings start at 120 s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
# Expired entries are swept when the cache holds more than this many keys.
_SWEEP_ABOVE = 256


class _Flight:
    """One computation that concurrent callers of the same key wait for."""

    def __init__(self):
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class TickCache:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, keep: Callable[[T], bool] | None = None) -> T:
        """The cached value of `key`, or compute() once for all concurrent callers of `key`.

        A computation that raises is not kept (its concurrent waiters get the same exception, the
        next caller computes again); nor is a value for which keep(value) is false."""
        if self.ttl_s <= 0:
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() < entry[0]:
                return _own_copy(entry[1])
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return _own_copy(flight.value)
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                del self._flights[key]
            flight.error = exc
            flight.done.set()
            raise
        with self._lock:
            if keep is None or keep(value):
                self._store(key, value)
            del self._flights[key]
        flight.value = value
        flight.done.set()
        return _own_copy(value)

    def _store(self, key: Hashable, value: Any) -> None:
        now = self._clock()
        if len(self._entries) > _SWEEP_ABOVE:
            for stale in [k for k, (expires, _v) in self._entries.items() if expires <= now]:
                del self._entries[stale]
        self._entries[key] = (now + self.ttl_s, value)


def _own_copy(value):
    """Each caller gets its own frame, list or dict, so no viewer can change another's data."""
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
