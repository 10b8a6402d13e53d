"""DataServices: the data layer's objects for one process, built once and handed to callbacks.

It also holds the two small per-process caches the refresh path needs: the symbol list
(symbols appear rarely; probing the index on every tick of every page is waste) and the
realized-PnL ledger (recomputed only when the orders change, see TradesFingerprint).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from data.database import Database
from data.market import fetch_symbols
from data.metrics import realized_pnl_ledger
from data.orders import TradesFingerprint, fetch_filled_trades, trades_fingerprint
from data.risk import RiskLimits
from data.status_reader import BotStatusReader

SYMBOL_CACHE_TTL_S = 30.0
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
    _symbols: tuple[float, list[str]] | None = field(default=None, repr=False)
    _ledger: tuple[TradesFingerprint, pd.DataFrame, pd.DataFrame] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        fingerprint = trades_fingerprint(conn)
        cached = self._ledger
        if cached is not None and cached[0] == fingerprint:
            return cached[1], cached[2]
        trades = fetch_filled_trades(conn)
        ledger = realized_pnl_ledger(trades)
        with self._lock:
            self._ledger = (fingerprint, trades, ledger)
        return trades, ledger


def services_of(server) -> DataServices:
    """The services attached to a Flask app by DataServices.init_app."""
    return server.extensions[EXTENSION_KEY]
