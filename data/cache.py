"""DataCache: every value the data layer keeps between requests, per process, under one rule.

An entry is the value computed for a name and its arguments, stamped with the version of the
data it was computed from. It is served while the caller asks for that same version and while
it is younger than the caller's max age; otherwise it is computed again. Concurrent callers of
one entry and version wait for a single computation (single flight). A computation that raises
is not kept. Only data is kept (candles, prices, the ledger, KPIs), never a rendered panel:
language, time zone and overlays differ per browser and are applied after the cache.

What each use passes (data.services):

- the refresh queries (candles, prices, positions): no version, max age DASHBOARD_DATA_CACHE_SECONDS
  (1 s; below the shortest refresh interval, 5 s, so a viewer's next tick never gets an answer
  older than its previous one), every viewer of a symbol sharing one answer per tick, each caller
  getting its own copy of a frame, list or dict;
- the symbol list: no version, 30 s;
- the ledger: the orders' write marker (data.order_changes), at most a minute;
- the round trips, the hourly closes, the Overview's KPIs: the ledger, the holding windows, the
  data's version they were computed from, no age limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
FOREVER = math.inf
# Entries past their max age are swept when the cache holds more than this many.
_SWEEP_ABOVE = 256


class Same:
    """A version that is the very object it wraps (a ledger frame: equal frames are not the
    same data, and comparing 100,000 rows to find out costs what the cache saves)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other) -> bool:
        return isinstance(other, Same) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


class _Entry:
    __slots__ = ("computed_at", "max_age_s", "value", "version")

    def __init__(self, version, computed_at: float, max_age_s: float, value):
        self.version, self.computed_at, self.max_age_s, self.value = version, computed_at, max_age_s, value


class _Flight:
    """One computation that concurrent callers of the same entry and version wait for."""

    def __init__(self, version):
        self.version = version
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class DataCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._entries: dict[Hashable, _Entry] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def get(
        self,
        key: Hashable,
        compute: Callable[[], T],
        *,
        version: Any = None,
        max_age_s: float = FOREVER,
        copies: bool = False,
    ) -> T:
        """The value kept for `key` if it was computed from `version` less than `max_age_s` ago,
        else compute() (once for all concurrent callers of `key` and `version`). `copies`: each
        caller gets its own frame, list or dict. A max age of 0 or less keeps nothing."""
        hand_out = _own_copy if copies else _same
        if max_age_s <= 0:
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version and self._clock() - entry.computed_at < max_age_s:
                return hand_out(entry.value)
            flight = self._flights.get(key)
            leader = flight is None or flight.version != version
            if leader:
                flight = _Flight(version)
                if key not in self._flights:
                    self._flights[key] = flight
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return hand_out(flight.value)
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.error = exc
            flight.done.set()
            raise
        with self._lock:
            self._store(key, _Entry(version, self._clock(), max_age_s, value))
            if self._flights.get(key) is flight:
                del self._flights[key]
        flight.value = value
        flight.done.set()
        return hand_out(value)

    def peek(self, key: Hashable) -> Any:
        """The value last kept for `key`, however old and whatever its version (None if none)."""
        with self._lock:
            entry = self._entries.get(key)
        return entry.value if entry is not None else None

    def _store(self, key: Hashable, entry: _Entry) -> None:
        if len(self._entries) > _SWEEP_ABOVE:
            now = entry.computed_at
            for old in [k for k, e in self._entries.items() if now - e.computed_at >= e.max_age_s]:
                del self._entries[old]
        self._entries[key] = entry


def _same(value):
    return value


def _own_copy(value):
    """Each caller gets its own frame, list or dict, so no viewer can change another's data."""
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
