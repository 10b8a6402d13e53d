"""DataServices: the data layer's objects for one process, built once and handed to callbacks.

It also holds the per-process caches the refresh path needs: the symbol list (symbols appear
rarely; probing the index on every tick of every page is waste), the realized-PnL ledger
(recomputed only when the orders change, see data.order_changes) and the tick cache of the
refresh queries (data.cache.TickCache: every viewer of a symbol asks the same question on a
tick, so a worker answers it once). The refresh queries are reached through the methods below,
which wrap data.market, data.orders, data.ai and the status reader without changing them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from data import market, orders
from data.ai import fetch_agent_decisions
from data.cache import TickCache
from data.database import Database
from data.equity import hourly_closes
from data.indicators import chart_indicators
from data.market import LatestCandle, fetch_symbols
from data.metrics import realized_pnl_ledger
from data.order_changes import LEDGER_MAX_AGE_S, OrderChangeWatch
from data.orders import CashBalance, fetch_filled_trades
from data.risk import RiskAssessment, RiskLimits, assess_risk
from data.risk_records import fetch_daily_risk_state, utc_today
from data.rollups import RollupCatalog, RollupStatus, rollup_status
from data.round_trips import RoundTrips, round_trips
from data.status_reader import BotStatusReader

T = TypeVar("T")
SYMBOL_CACHE_TTL_S = 30.0
# How long a refresh query's answer is shared (DASHBOARD_DATA_CACHE_SECONDS); see data.cache.
DEFAULT_DATA_CACHE_S = 1.0
# The key under which the services sit in the Flask app's `extensions`, as Flask extensions do.
EXTENSION_KEY = "coinpilot"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DataServices:
    database: Database
    bot_status: BotStatusReader
    risk_limits: RiskLimits
    display_timezone: ZoneInfo
    clock: Callable[[], datetime] = utc_now
    # How fast `clock` runs against the wall clock: 1 in production, the demo's --speed there.
    clock_rate: float = 1.0
    n8n_url: str | None = None
    n8n_timeout_s: float = 2.0
    candle_stale_s: float = 120.0
    default_refresh_s: int = 10
    access_description: str = "open access (no credentials configured)"
    data_cache_s: float = DEFAULT_DATA_CACHE_S
    # DASHBOARD_SYMBOLS: the symbols the status strip watches; empty = the current ones (data.freshness).
    watched_symbols: tuple[str, ...] = ()
    # Which candle rollups (TimescaleDB continuous aggregates) candle reads may use.
    rollups: RollupCatalog = field(default_factory=RollupCatalog)
    _symbols: tuple[float, list[str]] | None = field(default=None, repr=False)
    # (orders marker, when computed (monotonic), filled trades, ledger); see data.order_changes.
    _ledger: tuple[Hashable, float, pd.DataFrame, pd.DataFrame] | None = field(default=None, repr=False)
    order_changes: OrderChangeWatch = field(default_factory=OrderChangeWatch, repr=False)
    _hourly_closes: tuple[tuple, dict[str, pd.Series]] | None = field(default=None, repr=False)
    _round_trips: tuple[pd.DataFrame, dict[str, str], RoundTrips] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tick_cache: TickCache = field(init=False, repr=False)
    _derived: dict[str, tuple[Hashable, object]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._tick_cache = TickCache(self.data_cache_s)

    def init_app(self, server) -> None:
        """Attach to a Flask app (Dash's `app.server`) the way Flask extensions do."""
        server.extensions[EXTENSION_KEY] = self

    def now(self) -> datetime:
        return self.clock()

    def symbols(self, conn) -> list[str]:
        """Symbols with candles, cached for SYMBOL_CACHE_TTL_S."""
        cached = self._symbols
        if cached is not None and time.monotonic() - cached[0] < SYMBOL_CACHE_TTL_S:
            return cached[1]
        symbols = fetch_symbols(conn, now=self.now())
        self._symbols = (time.monotonic(), symbols)
        return symbols

    def cached_symbols(self) -> list[str] | None:
        """The last symbol list read from the database, without touching it (None if none yet)."""
        return self._symbols[1] if self._symbols is not None else None

    def filled_trades_and_ledger(self, conn) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every FILLED order and its average-cost ledger, recomputed only when orders change."""
        marker = self.orders_marker(conn)
        cached = self._ledger
        if cached is not None and cached[0] == marker and time.monotonic() - cached[1] < LEDGER_MAX_AGE_S:
            return cached[2], cached[3]
        trades = fetch_filled_trades(conn)
        ledger = realized_pnl_ledger(trades)
        with self._lock:
            self._ledger = (marker, time.monotonic(), trades, ledger)
        return trades, ledger

    def orders_marker(self, conn):
        """Changes whenever an order is written (cheap write counters, shared for a tick; see
        data.order_changes): what the ledger and the Overview's version are keyed on."""
        backend = self.database.backend
        return self._tick_cache.get(("orders_marker",), lambda: self.order_changes.marker(conn, backend))

    def derived(self, name: str, version: Hashable, compute: Callable[[], T]) -> T:
        """The value computed from the data identified by `version` (KPIs, equity curve), kept
        until the version changes: every viewer of a page shows the same numbers, so a worker
        computes them once per change, not once per viewer and tick. Only data is kept; each
        viewer renders it in its own language, zone and units."""
        with self._lock:
            cached = self._derived.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        value = compute()
        with self._lock:
            self._derived[name] = (version, value)
        return value

    def round_trips(self, ledger: pd.DataFrame, exit_reasons: dict[str, str] | None = None) -> RoundTrips:
        """The ledger's round trips, paired once per ledger (the ledger object changes only when
        the orders do): pairing 100,000 fills takes seconds, too long for every refresh."""
        reasons = exit_reasons or {}
        cached = self._round_trips
        if cached is not None and cached[0] is ledger and cached[1] == reasons:
            return cached[2]
        result = round_trips(ledger, reasons)
        with self._lock:
            self._round_trips = (ledger, reasons, result)
        return result

    def hourly_closes(self, conn, windows: dict[str, tuple[datetime, datetime]]) -> dict[str, pd.Series]:
        """Hourly closes per symbol over its holding window (data.equity), kept until a window
        changes: a new fill, or a new hour while a position is open. Closed hours do not change,
        so the equity curve costs one aggregation per symbol per hour, not per refresh."""
        key = tuple(sorted(windows.items()))
        cached = self._hourly_closes
        if cached is not None and cached[0] == key:
            return cached[1]
        closes = hourly_closes(conn, self.database.backend, windows, self.rollups)
        with self._lock:
            self._hourly_closes = (key, closes)
        return closes

    # -- refresh queries, shared for a tick (keys: the query's name and every argument) ------

    def latest_candle_time(self, conn, symbol: str) -> datetime | None:
        return self._tick_cache.get(
            ("latest_candle_time", symbol), lambda: market.latest_candle_time(conn, symbol, now=self.now())
        )

    def latest_candles(self, conn, symbols: list[str]) -> dict[str, LatestCandle]:
        key = ("latest_candles", tuple(symbols))
        return self._tick_cache.get(key, lambda: market.fetch_latest_candles(conn, symbols, now=self.now()))

    def future_candles(self, conn, symbols: list[str]) -> dict[str, datetime]:
        """Per symbol with candles dated ahead of now, the furthest one's time."""
        key = ("future_candles", tuple(symbols))
        return self._tick_cache.get(key, lambda: market.fetch_future_candles(conn, symbols, now=self.now()))

    def recent_candles(self, conn, symbol: str, width: str, count: int) -> pd.DataFrame:
        backend = self.database.backend
        key = ("recent_candles", backend, symbol, width, count)
        return self._tick_cache.get(
            key, lambda: market.fetch_recent_candles(conn, backend, symbol, width, count, self.rollups, now=self.now())
        )

    def candles_between(self, conn, symbol: str, width: str, start: datetime, end: datetime) -> pd.DataFrame:
        backend = self.database.backend
        key = ("candles_between", backend, symbol, width, start, end)
        return self._tick_cache.get(
            key, lambda: market.fetch_candles_between(conn, backend, symbol, width, start, end, self.rollups)
        )

    # The chart's candles with their indicator columns (data.indicators): every viewer of a symbol
    # and width asks for the same frame when a candle arrives, so it is computed once per tick.

    def chart_recent_candles(self, conn, symbol: str, width: str, count: int) -> pd.DataFrame:
        key = ("chart_recent_candles", self.database.backend, symbol, width, count)
        return self._tick_cache.get(key, lambda: _with_indicators(self.recent_candles(conn, symbol, width, count)))

    def chart_candles_between(self, conn, symbol: str, width: str, start: datetime, end: datetime) -> pd.DataFrame:
        key = ("chart_candles_between", self.database.backend, symbol, width, start, end)
        return self._tick_cache.get(
            key, lambda: _with_indicators(self.candles_between(conn, symbol, width, start, end))
        )

    def fills_between(self, conn, symbols: tuple[str, ...], start: datetime, end: datetime) -> pd.DataFrame:
        key = ("fills_between", tuple(symbols), start, end)
        return self._tick_cache.get(key, lambda: orders.fetch_fills_between(conn, symbols, start, end))

    def agent_decisions(self, conn, symbol: str, limit: int) -> pd.DataFrame:
        key = ("agent_decisions", symbol, limit)
        return self._tick_cache.get(key, lambda: fetch_agent_decisions(conn, symbol, limit=limit))

    # Bot statuses are not shared: one Redis pipeline is cheap, and a Redis outage must show on
    # the very next read (tests/resilience/test_service_faults.py), not one tick later.

    def cash_balance(self, conn) -> CashBalance | None:
        return self._tick_cache.get(("cash_balance",), lambda: orders.fetch_cash_balance(conn))

    def positions(self, conn) -> pd.DataFrame:
        return self._tick_cache.get(("positions",), lambda: orders.fetch_positions(conn))

    def risk_assessment(self, conn) -> RiskAssessment:
        """Today's trading state (HALTED, COOLDOWN, LIMIT REACHED, RUNNING), the one the Risk page
        and the status strip both show."""
        now = self.now()
        today = utc_today(now)
        cash_row = self.cash_balance(conn)
        features = self.database.schema(conn)
        # Shared for a tick: every viewer's status strip asks it on every refresh.
        row = self._tick_cache.get(("daily_risk_state", today), lambda: fetch_daily_risk_state(conn, today, features))
        balance = cash_row.balance if cash_row is not None else 0.0
        return assess_risk(row, today, balance, self.risk_limits, now)

    def rollup_status(self, conn) -> list[RollupStatus]:
        """The rollups' state (System page); candle reads follow what it finds."""
        statuses = rollup_status(conn, self.database.backend)
        self.rollups.update_from(statuses)
        return statuses


def _with_indicators(candles: pd.DataFrame) -> pd.DataFrame:
    return chart_indicators(candles) if not candles.empty else candles


def services_of(server) -> DataServices:
    """The services attached to a Flask app by DataServices.init_app."""
    return server.extensions[EXTENSION_KEY]
