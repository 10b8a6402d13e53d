"""How fresh the bot's inputs are: candle age from the candle's close, and the WORST of the current
symbols (the status strip must not show the best symbol while another one is stale)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.market import LatestCandle
from data.status_payload import BotStatusReading, Silence, SilenceCause, StatusState

# market_data holds 1-minute candles stamped with their OPEN time: a candle is complete, and its
# data current, one minute later. Measured from the open, a healthy feed reads 60-120 s.
STORED_CANDLE_WIDTH = timedelta(minutes=1)
# A symbol counts as current when it had a candle or a bot status within this window.
CURRENT_WINDOW = timedelta(days=1)


def candle_close(open_time: datetime) -> datetime:
    return open_time + STORED_CANDLE_WIDTH


def candle_age_s(candle: LatestCandle, now: datetime) -> float:
    """Seconds since the candle closed (never negative: a candle still open is 0 s old)."""
    return max(0.0, (now - candle_close(candle.timestamp)).total_seconds())


def current_symbols(
    configured: Iterable[str],
    candles: Mapping[str, LatestCandle],
    readings: Mapping[str, BotStatusReading],
    now: datetime,
) -> list[str]:
    """The operator's list (DASHBOARD_SYMBOLS) when set; else the symbols with a candle or a status
    within CURRENT_WINDOW (or a status key whose payload has no usable time), sorted."""
    configured = list(configured)
    if configured:
        return configured
    recent = {symbol for symbol, candle in candles.items() if now - candle_close(candle.timestamp) <= CURRENT_WINDOW}
    # A status key holding an unusable payload is current too: the key exists now (status keys
    # expire), and "invalid payload" is exactly what the operator must see for it.
    recent |= {
        symbol
        for symbol, reading in readings.items()
        if (reading.age_s is not None and reading.age_s <= CURRENT_WINDOW.total_seconds())
        or (reading.age_s is None and reading.state.value == "invalid")
    }
    return sorted(recent)


@dataclass(frozen=True)
class WorstCandle:
    symbol: str
    age_s: float | None  # None: the symbol has no candle at all


def worst_candle(symbols: list[str], candles: Mapping[str, LatestCandle], now: datetime) -> WorstCandle | None:
    """The current symbol whose newest candle closed longest ago (a symbol without one is worst)."""
    if not symbols:
        return None
    ages = {s: (candle_age_s(candles[s], now) if s in candles else None) for s in symbols}
    symbol = max(symbols, key=lambda s: (ages[s] is None, ages[s] or 0.0))
    return WorstCandle(symbol, ages[symbol])


class StatusStanding(str, enum.Enum):
    """How bad a symbol's bot status is, worst last (the order the strip ranks by)."""

    OK = "ok"
    STALE = "stale"
    # No status because the bot skips this symbol's BUY signals it cannot size (exposure full, no
    # cash) while its loop visibly runs (data.status_payload.why_no_status): explained silence.
    SKIPPING = "skipping"
    INVALID = "invalid"
    MISSING = "missing"


_RANK = {standing: rank for rank, standing in enumerate(StatusStanding)}


@dataclass(frozen=True)
class WorstStatus:
    symbol: str
    standing: StatusStanding
    age_s: float | None
    fresh_count: int  # how many of the current symbols have a fresh, valid status
    total: int
    silence: Silence | None = None


def status_standing(reading: BotStatusReading | None, silence: Silence | None = None) -> StatusStanding:
    missing = reading is not None and reading.state is StatusState.MISSING
    if missing and silence is not None and silence.cause is SilenceCause.ENTRY_SKIPPED:
        return StatusStanding.SKIPPING
    if reading is None or reading.state in (StatusState.MISSING, StatusState.REDIS_UNAVAILABLE):
        return StatusStanding.MISSING
    if reading.state is StatusState.INVALID:
        return StatusStanding.INVALID
    return StatusStanding.STALE if reading.stale else StatusStanding.OK


def worst_status(
    symbols: list[str], readings: Mapping[str, BotStatusReading], silences: Mapping[str, Silence] | None = None
) -> WorstStatus | None:
    """The current symbol whose bot status is worst: missing, then invalid, then skipping, then the
    oldest."""
    if not symbols:
        return None
    silences = silences or {}
    standing = {s: status_standing(readings.get(s), silences.get(s)) for s in symbols}

    def age(symbol: str) -> float:
        reading = readings.get(symbol)
        return reading.age_s if reading is not None and reading.age_s is not None else 0.0

    symbol = max(symbols, key=lambda s: (_RANK[standing[s]], age(s)))
    reading = readings.get(symbol)
    fresh = sum(1 for s in symbols if standing[s] is StatusStanding.OK)
    return WorstStatus(
        symbol,
        standing[symbol],
        reading.age_s if reading is not None else None,
        fresh,
        len(symbols),
        silences.get(symbol),
    )
