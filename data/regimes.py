"""The bot's market regime history (`regime_history`, v3.0+) read for one chart window, and
turned into bands: one band per run of detections of the same regime.

The table may be absent (a bot before v3.0): callers ask SchemaFeatures first. The read is
bounded by the window and a row limit; the one detection before the window is read too, since
it says which regime the window starts in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.tables import regime_history

# About a year of hourly detections for one coin; older detections in a wider window are left out.
MAX_DETECTIONS = 10_000
# Regimes drawn as a band; UNKNOWN (not enough history) ends the band before it and draws none.
BANDED_REGIMES = ("BULL", "SIDEWAYS", "BEAR")
# The quote currencies a market code may carry, most likely first (Upbit: KRW-BTC; some
# deployments store BTC-KRW).
QUOTE_CURRENCIES = ("KRW", "USDT", "BTC")
DETECTION_COLUMNS = ["detected_at", "regime", "diff_pct"]


@dataclass(frozen=True)
class RegimeBand:
    """One run of same-regime detections: from its first detection (or the window's start)
    to the next detection of another regime (or the window's end)."""

    regime: str
    start: datetime
    end: datetime
    diff_pct_first: float | None
    diff_pct_last: float | None
    detections: int


@dataclass(frozen=True)
class RegimeDetections:
    frame: pd.DataFrame  # DETECTION_COLUMNS, oldest first, UTC
    capped: bool


def base_coin(symbol: str) -> str:
    """KRW-BTC and BTC-KRW -> BTC: regime_history names the base coin only."""
    first, _, second = symbol.upper().partition("-")
    if not second:
        return first
    for quote in QUOTE_CURRENCIES:  # most likely quote first: BTC-KRW is BTC priced in KRW
        if second == quote:
            return first
        if first == quote:
            return second
    # Neither part is a known quote: Upbit's order, QUOTE-BASE.
    return second


def fetch_detections(
    conn: Connection, symbol: str, start: datetime, end: datetime, limit: int = MAX_DETECTIONS
) -> RegimeDetections:
    """The symbol's detections in [start, end) (the newest `limit`) and the last one before start."""
    rh = regime_history
    coin = base_coin(symbol)
    columns = (rh.c.detected_at, rh.c.regime, rh.c.diff_pct)
    inside = (
        sa.select(*columns)
        .where(rh.c.coin_symbol == coin, rh.c.detected_at >= start, rh.c.detected_at < end)
        .order_by(rh.c.detected_at.desc())
        .limit(limit + 1)
    )
    rows = list(conn.execute(inside))
    capped = len(rows) > limit
    rows = rows[:limit]
    if not capped:
        before = (
            sa.select(*columns)
            .where(rh.c.coin_symbol == coin, rh.c.detected_at < start)
            .order_by(rh.c.detected_at.desc())
            .limit(1)
        )
        rows += list(conn.execute(before))
    frame = pd.DataFrame([tuple(r) for r in reversed(rows)], columns=DETECTION_COLUMNS)
    frame["detected_at"] = pd.to_datetime(frame["detected_at"], utc=True)
    frame["diff_pct"] = pd.to_numeric(frame["diff_pct"], errors="coerce").astype("float64")
    return RegimeDetections(frame, capped)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def regime_bands(detections: pd.DataFrame, start: datetime, end: datetime) -> list[RegimeBand]:
    """Bands over [start, end) from detections sorted oldest first: a band runs from a
    detection to the next detection of a different regime (the last to `end`); the first is
    clipped to `start`; consecutive detections of one regime are merged; UNKNOWN and unknown
    words draw no band."""
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    runs: list[list] = []  # [regime, first time, first diff, last diff, count]
    for row in detections.itertuples(index=False):
        regime = str(row.regime).strip().upper() if row.regime is not None else "UNKNOWN"
        at = pd.Timestamp(row.detected_at)
        if at >= end_ts:
            break
        diff = _number(row.diff_pct)
        if runs and runs[-1][0] == regime:
            runs[-1][3] = diff
            runs[-1][4] += 1
        else:
            runs.append([regime, at, diff, diff, 1])
    bands = []
    for index, (regime, first_at, diff_first, diff_last, count) in enumerate(runs):
        band_end = runs[index + 1][1] if index + 1 < len(runs) else end_ts
        band_start = max(first_at, start_ts)
        if regime not in BANDED_REGIMES or band_end <= start_ts:
            continue
        bands.append(
            RegimeBand(regime, band_start.to_pydatetime(), band_end.to_pydatetime(), diff_first, diff_last, count)
        )
    return bands
