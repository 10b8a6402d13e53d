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
from data.bot_limits import BotLimits
from data.cache import TickCache
from data.database import Database
from data.equity import hourly_closes
from data.indicators import chart_indicators
from data.market import LatestCandle, fetch_symbols
from data.metrics import realized_pnl_ledger
from data.order_changes import LEDGER_MAX_AGE_S, OrderChangeWatch
from data.orders import CashBalance, fetch_filled_trades
from data.risk import (
    EntryOutcome,
    EntryRules,
    RiskAssessment,
    RiskLimits,
    assess_risk,
    entry_rules,
    parse_reference_equity,
    position_exposure,
    reference_equity,
)
from data.risk_records import fetch_daily_risk_state, utc_today
from data.rollups import RollupCatalog, RollupStatus, rollup_status
from data.round_trips import RoundTrips, round_trips
from data.status_payload import BotStatusReading, Silence, StatusState, why_no_status
from data.status_reader import BotStatusReader, RedisUnavailable
from data.symbols import same_market
from i18n import Message

T = TypeVar("T")
SYMBOL_CACHE_TTL_S = 30.0
# How long a refresh query's answer is shared (DASHBOARD_DATA_CACHE_SECONDS); see data.cache.
DEFAULT_DATA_CACHE_S = 1.0
# The key under which the services sit in the Flask app's `extensions`, as Flask extensions do.
EXTENSION_KEY = "coinpilot"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RiskPicture:
    """Today's trading state and the rules the bot applies to a BUY now, from one reading of the
    bot's records and its Redis keys (the Risk page, the strip, the Bot Brain and the watcher)."""

    assessment: RiskAssessment
    entries: EntryRules
    held_symbols: tuple[str, ...]
    # Redis could not be read: the reference equity is then the forecast, and this says why.
    redis_problem: Message | None = None


@dataclass
class DataServices:
    database: Database
    bot_status: BotStatusReader
    bot_limits: BotLimits
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

    @property
    def risk_limits(self) -> RiskLimits:
        """The bot's limits as they stand (its strategy file, re-read when it changes)."""
        return self.bot_limits.current()

    def risk_assessment(self, conn) -> RiskAssessment:
        """Today's trading state (HALTED, COOLDOWN, LIMIT REACHED, RUNNING), the one the Risk page,
        the status strip and the alert watcher all show."""
        return self.risk_picture(conn).assessment

    def risk_picture(self, conn) -> RiskPicture:
        """Today's assessment and the BUY rules, shared for a tick: every viewer's status strip asks
        for it on every refresh."""
        today = utc_today(self.now())
        return self._tick_cache.get(("risk_picture", today), lambda: self._risk_picture(conn))

    def _risk_picture(self, conn) -> RiskPicture:
        now = self.now()
        today = utc_today(now)
        limits = self.risk_limits
        cash_row = self.cash_balance(conn)
        features = self.database.schema(conn)
        row = fetch_daily_risk_state(conn, today, features)
        held = self.positions(conn)
        held = held[held["quantity"] > 0]
        held_symbols = tuple(held["symbol"])
        latest = self.latest_candles(conn, list(held_symbols)) if held_symbols else {}
        redis_problem = None
        try:
            keys = self.bot_status.read_risk_keys(today, list(held_symbols))
        except RedisUnavailable as exc:
            keys, redis_problem = None, exc.args[0] if exc.args else None
        prices = keys.prices if keys is not None else {}
        exposure = sum(
            position_exposure(
                row.quantity,
                row.avg_price,
                prices.get(row.symbol),
                latest[row.symbol].close if row.symbol in latest else None,
            )
            for row in held.itertuples(index=False)
        )
        stored, key_problem = parse_reference_equity(keys.reference_equity if keys is not None else None)
        cash = cash_row.balance if cash_row is not None else None
        reference = reference_equity(
            environment=self.bot_limits.reference_equity_setting,
            redis_value=stored,
            cash=cash,
            exposure=float(exposure),
            # Limits in % of the cash balance until the bot split its trade counts (v3.2.1); the
            # reference equity came after that (data.risk).
            balance_rule=not features.has_column("daily_risk_state", "buy_count"),
            redis_problem=redis_problem or key_problem,
        )
        assessment = assess_risk(row, today, reference, limits, now)
        volatility = keys.volatility if keys is not None else None
        entries = entry_rules(
            limits,
            assessment,
            cash=cash,
            exposure=float(exposure),
            held_symbols=held_symbols,
            high_volatility=volatility.is_high_volatility if volatility is not None else None,
        )
        return RiskPicture(assessment, entries, held_symbols, redis_problem)

    def silences(self, conn, readings: dict[str, BotStatusReading]) -> dict[str, Silence]:
        """Why each symbol without a status key is silent (data.status_payload.why_no_status): its
        candles by the bot's own freshness rule, then whether today's exposure or cash leaves a
        BUY of it (flat, in its regime) at size 0 while the bot's loop visibly runs."""
        missing = [symbol for symbol, reading in readings.items() if reading.state is StatusState.MISSING]
        if not missing:
            return {}
        now = self.now()
        latest = self.latest_candles(conn, missing)
        picture = self.risk_picture(conn)
        loop_alive = any(r.state is StatusState.OK and not r.stale for r in readings.values())
        silences = {}
        for symbol in missing:
            blocked = None
            held = any(same_market(symbol, other) for other in picture.held_symbols)
            if not held and not picture.assessment.balance_rule:
                sizing = picture.entries.for_regime(_regime_name(readings[symbol].regime))
                if sizing.outcome is EntryOutcome.SKIPPED_SILENTLY:
                    blocked = sizing.reason
            candle = latest.get(symbol)
            silences[symbol] = why_no_status(
                candle.timestamp if candle is not None else None, now, sizing_blocked=blocked, loop_alive=loop_alive
            )
        return silences

    def rollup_status(self, conn) -> list[RollupStatus]:
        """The rollups' state (System page); candle reads follow what it finds."""
        statuses = rollup_status(conn, self.database.backend)
        self.rollups.update_from(statuses)
        return statuses


def _regime_name(raw) -> str | None:
    """The market:regime:{symbol} value (a plain string in v3)."""
    return raw.strip()[:20] if isinstance(raw, str) and raw.strip() else None


def _with_indicators(candles: pd.DataFrame) -> pd.DataFrame:
    return chart_indicators(candles) if not candles.empty else candles


def services_of(server) -> DataServices:
    """The services attached to a Flask app by DataServices.init_app."""
    return server.extensions[EXTENSION_KEY]
