"""Equity marked to market: cash plus every open position valued at each hour's close, so the
equity curve and its drawdown include losses on positions still held.

`hourly_closes` reads the candles (one bounded, index-served query per symbol over the hours it
was held); `marked_equity_curve` is pure and works on the average-cost ledger of data.metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from data.database import Backend
from data.market import fetch_candles_between
from data.rollups import RollupCatalog

HOUR = timedelta(hours=1)
# The width the curve is valued at: one point per hour keeps a year at ~8,800 points.
VALUATION_WIDTH = "1h"


def _floor_hour(moment) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert("UTC").floor("h")


def holding_windows(ledger: pd.DataFrame, now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Per symbol the hours its positions span: from the hour of its first BUY to the hour after
    its last fill when flat now, else to now. Candles outside these hours are never needed."""
    windows: dict[str, tuple[datetime, datetime]] = {}
    end_now = _floor_hour(now) + HOUR
    for symbol, fills in ledger.groupby("symbol", sort=True):
        buys = fills[fills["side"] == "BUY"]
        if buys.empty:
            continue
        start = _floor_hour(buys["executed_at"].min())
        still_held = fills["position_after"].iloc[-1] > 0
        end = end_now if still_held else min(_floor_hour(fills["executed_at"].max()) + HOUR, end_now)
        windows[symbol] = (start.to_pydatetime(), end.to_pydatetime())
    return windows


def hourly_closes(
    conn: Connection,
    backend: Backend,
    windows: dict[str, tuple[datetime, datetime]],
    rollups: RollupCatalog | None = None,
) -> dict[str, pd.Series]:
    """Per symbol its hourly closes over its window, indexed by the hour's end (when that close
    was the price): one query per symbol, bounded by the window."""
    closes = {}
    for symbol, (start, end) in windows.items():
        candles = fetch_candles_between(conn, backend, symbol, VALUATION_WIDTH, start, end, rollups)
        if candles.empty:
            continue
        ends = pd.to_datetime(candles["bucket"], utc=True) + HOUR
        closes[symbol] = pd.Series(candles["close"].astype("float64").to_numpy(), index=ends).sort_index()
    return closes


@dataclass(frozen=True)
class MarkedEquity:
    """The curve (columns time, equity) and the symbols valued at average cost for some hours
    because no candle was found for them."""

    curve: pd.DataFrame
    unpriced_symbols: tuple[str, ...]


def _state_at(times: pd.DatetimeIndex, when: pd.Series, values: np.ndarray, before: float) -> np.ndarray:
    """The value after the last event at or before each time (`before` when none yet)."""
    series = pd.Series(values, index=pd.DatetimeIndex(when)).groupby(level=0).last()
    positions = series.index.searchsorted(times, side="right") - 1
    out = np.where(positions >= 0, series.to_numpy()[np.clip(positions, 0, None)], before)
    return out.astype("float64")


def marked_equity_curve(
    ledger: pd.DataFrame,
    starting_capital: float,
    closes: dict[str, pd.Series],
    now: datetime,
    total_assets_now: float,
) -> MarkedEquity:
    """Equity at the first fill (the starting capital), at every hour's end since, and now.

    At each hour: cash (starting capital plus every fill's cash flow so far: sells bring
    price x qty - fee, buys cost price x qty + fee) plus each position the ledger holds then,
    valued at that hour's close (the last close before it when the hour had no candle; the
    average cost when the symbol has no candle yet). The last point is `total_assets_now`
    (cash plus positions at the latest price), as the Overview's total assets.
    """
    if ledger.empty:
        return MarkedEquity(pd.DataFrame({"time": pd.to_datetime([], utc=True), "equity": []}), ())
    first = pd.Timestamp(ledger["executed_at"].iloc[0])
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    hours = pd.date_range(_floor_hour(first) + HOUR, _floor_hour(now_ts), freq="h", tz="UTC")
    hours = hours[hours < now_ts]
    notional = ledger["price"] * ledger["quantity"]
    flow = np.where(ledger["side"] == "SELL", notional - ledger["fee"], -(notional + ledger["fee"]))
    cash = starting_capital + _state_at(hours, ledger["executed_at"], np.cumsum(flow), 0.0)
    equity = cash.copy()
    unpriced: set[str] = set()
    for symbol, fills in ledger.groupby("symbol", sort=True):
        held = _state_at(hours, fills["executed_at"], fills["position_after"].to_numpy(), 0.0)
        avg = _state_at(hours, fills["executed_at"], fills["avg_price_after"].to_numpy(), 0.0)
        series = closes.get(symbol)
        if series is not None and not series.empty:
            price = _state_at(hours, series.index.to_series(), series.to_numpy(), np.nan)
        else:
            price = np.full(len(hours), np.nan)
        missing = np.isnan(price) & (held > 0)
        if missing.any():
            unpriced.add(symbol)
        equity += held * np.where(np.isnan(price), avg, price)
    times = [first, *hours, now_ts]
    values = [starting_capital, *equity.tolist(), total_assets_now]
    curve = pd.DataFrame({"time": pd.to_datetime(times, utc=True), "equity": np.asarray(values, dtype="float64")})
    return MarkedEquity(curve, tuple(sorted(unpriced)))
