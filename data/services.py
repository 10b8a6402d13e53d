"""DataServices: the data layer's objects for one process, built once and handed to callbacks
(with the page settings, as callbacks.pages.PageServices) and to the alert watcher.

Its methods are the reads the refresh path needs, each through the one per-process cache
(data.cache.DataCache, one rule: a value is kept for the version of the data it was computed
from, up to a max age): the symbol list (symbols appear rarely; probing the index on every tick
of every page is waste), the realized-PnL ledger (recomputed only when the orders change, see
data.order_changes), its round trips, the hourly closes of the equity curve, the values derived
from a version of the data (the Overview's KPIs), and the refresh queries (every viewer of a
symbol asks the same question on a tick, so a worker answers it once). They wrap data.market,
data.orders, data.ai and the status reader without changing them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import pandas as pd

from data import market, orders
from data.ai import fetch_agent_decisions
from data.bot_limits import BotLimits
from data.cache import DataCache, Same
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
    clock: Callable[[], datetime] = utc_now
    # How fast `clock` runs against the wall clock: 1 in production, the demo's --speed there.
    clock_rate: float = 1.0
    n8n_url: str | None = None
    n8n_timeout_s: float = 2.0
    candle_stale_s: float = 120.0
    data_cache_s: float = DEFAULT_DATA_CACHE_S
    # Which candle rollups (TimescaleDB continuous aggregates) candle reads may use.
    rollups: RollupCatalog = field(default_factory=RollupCatalog)
    order_changes: OrderChangeWatch = field(default_factory=OrderChangeWatch, repr=False)
    cache: DataCache = field(default_factory=DataCache, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def symbols(self, conn) -> list[str]:
        """Symbols with candles, kept for SYMBOL_CACHE_TTL_S."""
        return self.cache.get(("symbols",), lambda: fetch_symbols(conn, now=self.now()), max_age_s=SYMBOL_CACHE_TTL_S)

    def cached_symbols(self) -> list[str] | None:
        """The last symbol list read from the database, without touching it (None if none yet)."""
        return self.cache.peek(("symbols",))

    def filled_trades_and_ledger(self, conn) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every FILLED order and its average-cost ledger, recomputed only when orders change
        (and at least every LEDGER_MAX_AGE_S). The same frames for every caller until then."""

        def compute():
            trades = fetch_filled_trades(conn)
            return trades, realized_pnl_ledger(trades)

        marker = self.orders_marker(conn)
        return self.cache.get(("ledger",), compute, version=marker, max_age_s=LEDGER_MAX_AGE_S)

    def orders_marker(self, conn):
        """Changes whenever an order is written (cheap write counters, shared for a tick; see
        data.order_changes): what the ledger and the Overview's version are keyed on."""
        backend = self.database.backend
        return self._tick(("orders_marker",), lambda: self.order_changes.marker(conn, backend))

    def derived(self, name: str, version: Hashable, compute: Callable[[], T]) -> T:
        """The value computed from the data identified by `version` (KPIs, equity curve), kept
        until the version changes: every viewer of a page shows the same numbers, so a worker
        computes them once per change, not once per viewer and tick. Only data is kept; each
        viewer renders it in its own language, zone and units."""
        return self.cache.get(("derived", name), compute, version=version)

    def round_trips(self, ledger: pd.DataFrame, exit_reasons: dict[str, str] | None = None) -> RoundTrips:
        """The ledger's round trips, paired once per ledger (the ledger object changes only when
        the orders do): pairing 100,000 fills takes seconds, too long for every refresh."""
        reasons = exit_reasons or {}
        return self.cache.get(("round_trips",), lambda: round_trips(ledger, reasons), version=(Same(ledger), reasons))

    def hourly_closes(self, conn, windows: dict[str, tuple[datetime, datetime]]) -> dict[str, pd.Series]:
        """Hourly closes per symbol over its holding window (data.equity), kept until a window
        changes: a new fill, or a new hour while a position is open. Closed hours do not change,
        so the equity curve costs one aggregation per symbol per hour, not per refresh."""
        version = tuple(sorted(windows.items()))
        return self.cache.get(
            ("hourly_closes",),
            lambda: hourly_closes(conn, self.database.backend, windows, self.rollups),
            version=version,
        )

    def _tick(self, key: tuple, compute: Callable[[], T]) -> T:
        """A refresh query's answer, shared for DASHBOARD_DATA_CACHE_SECONDS, a copy per caller."""
        return self.cache.get(key, compute, max_age_s=self.data_cache_s, copies=True)

    # -- refresh queries, shared for a tick (keys: the query's name and every argument) ------

    def latest_candle_time(self, conn, symbol: str) -> datetime | None:
        return self._tick(
            ("latest_candle_time", symbol), lambda: market.latest_candle_time(conn, symbol, now=self.now())
        )

    def latest_candles(self, conn, symbols: list[str]) -> dict[str, LatestCandle]:
        key = ("latest_candles", tuple(symbols))
        return self._tick(key, lambda: market.fetch_latest_candles(conn, symbols, now=self.now()))

    def future_candles(self, conn, symbols: list[str]) -> dict[str, datetime]:
        """Per symbol with candles dated ahead of now, the furthest one's time."""
        key = ("future_candles", tuple(symbols))
        return self._tick(key, lambda: market.fetch_future_candles(conn, symbols, now=self.now()))

    def recent_candles(self, conn, symbol: str, width: str, count: int) -> pd.DataFrame:
        backend = self.database.backend
        key = ("recent_candles", backend, symbol, width, count)
        return self._tick(
            key, lambda: market.fetch_recent_candles(conn, backend, symbol, width, count, self.rollups, now=self.now())
        )

    def candles_between(self, conn, symbol: str, width: str, start: datetime, end: datetime) -> pd.DataFrame:
        backend = self.database.backend
        key = ("candles_between", backend, symbol, width, start, end)
        return self._tick(
            key, lambda: market.fetch_candles_between(conn, backend, symbol, width, start, end, self.rollups)
        )

    # The chart's candles with their indicator columns (data.indicators): every viewer of a symbol
    # and width asks for the same frame when a candle arrives, so it is computed once per tick.

    def chart_recent_candles(self, conn, symbol: str, width: str, count: int) -> pd.DataFrame:
        key = ("chart_recent_candles", self.database.backend, symbol, width, count)
        return self._tick(key, lambda: _with_indicators(self.recent_candles(conn, symbol, width, count)))

    def chart_candles_between(self, conn, symbol: str, width: str, start: datetime, end: datetime) -> pd.DataFrame:
        key = ("chart_candles_between", self.database.backend, symbol, width, start, end)
        return self._tick(key, lambda: _with_indicators(self.candles_between(conn, symbol, width, start, end)))

    def fills_between(self, conn, symbols: tuple[str, ...], start: datetime, end: datetime) -> pd.DataFrame:
        key = ("fills_between", tuple(symbols), start, end)
        return self._tick(key, lambda: orders.fetch_fills_between(conn, symbols, start, end))

    def agent_decisions(self, conn, symbol: str, limit: int) -> pd.DataFrame:
        key = ("agent_decisions", symbol, limit)
        return self._tick(key, lambda: fetch_agent_decisions(conn, symbol, limit=limit))

    # Bot statuses are not shared: one Redis pipeline is cheap, and a Redis outage must show on
    # the very next read (tests/resilience/test_service_faults.py), not one tick later.

    def cash_balance(self, conn) -> CashBalance | None:
        return self._tick(("cash_balance",), lambda: orders.fetch_cash_balance(conn))

    def positions(self, conn) -> pd.DataFrame:
        return self._tick(("positions",), lambda: orders.fetch_positions(conn))

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
        return self._tick(("risk_picture", today), lambda: self._risk_picture(conn))

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
