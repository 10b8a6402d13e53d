"""How numbers and times are shown: KRW without decimals, coins up to 8, percentages with 2,
and every timestamp in the display time zone (converted here, at the edge)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

MISSING = "–"


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def krw(value, signed: bool = False) -> str:
    """1234567.8 -> '1,234,568 KRW' (no decimals; rounding half away from zero)."""
    if _is_missing(value):
        return MISSING
    rounded = math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)
    if rounded == 0:
        return "0 KRW"
    text = f"{rounded:+,}" if signed else f"{rounded:,}"
    return f"{text} KRW"


# From here on a price is written in scientific notation (1e+308): no coin costs 10^15 KRW.
PRICE_DIGITS_LIMIT = 1e15


def price(value) -> str:
    """A KRW price: no decimals above 100 KRW, up to 4 below (DOGE trades at a few hundred)."""
    if _is_missing(value):
        return MISSING
    if not math.isfinite(value) or abs(value) >= PRICE_DIGITS_LIMIT:
        return f"{value:.4g}"  # no market trades here: a bad value, shown short, not as 309 digits
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def quantity(value) -> str:
    """Coin quantities with up to 8 decimals, trailing zeros dropped."""
    if _is_missing(value):
        return MISSING
    text = f"{value:,.8f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def pct(value, signed: bool = True) -> str:
    if _is_missing(value):
        return MISSING
    return f"{value:+.2f}%" if signed else f"{value:.2f}%"


def pnl_class(value) -> str:
    """Gains green, losses red."""
    if _is_missing(value) or abs(value) < 0.5e-8:
        return "text-body"
    return "text-gain" if value > 0 else "text-loss"


def timezone_label(tz: ZoneInfo, at: datetime | None = None) -> str:
    """'Asia/Seoul (KST)'."""
    at = at or datetime.now(UTC)
    abbreviation = at.astimezone(tz).tzname() or ""
    return f"{tz.key} ({abbreviation})" if abbreviation and abbreviation != tz.key else tz.key


def timestamp(value, tz: ZoneInfo, seconds: bool = True) -> str:
    """A UTC instant in the display time zone, with the zone's abbreviation."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return MISSING
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return MISSING
        value = value.to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        local = value.astimezone(tz)
    except OverflowError:  # 9999-12-31 23:00 UTC is in year 10000 east of UTC: show it in UTC
        local = value.astimezone(UTC)
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def age(seconds: float | None) -> str:
    """23 -> '23 s ago', 150 -> '2 min 30 s ago', 7300 -> '2 h 1 min ago'."""
    if seconds is None:
        return MISSING
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s ago" if rest and minutes < 10 else f"{minutes} min ago"
    hours, rest = divmod(seconds, 3600)
    if hours < 48:
        return f"{hours} h {rest // 60} min ago"
    return f"{hours // 24} d {hours % 24} h ago"


def ahead(seconds: float) -> str:
    """How far in the future a time is: 90 -> '1 min 30 s in the future', 3 years -> '3 years
    in the future' (data dated ahead of the clock, which must never read as fresh)."""
    seconds = max(0, int(seconds))
    days = seconds // 86_400
    if days >= 365:
        return f"{days // 365:,} years in the future"
    if days >= 2:
        return f"{days} days in the future"
    return f"{duration(seconds)} in the future"


def duration(seconds: float | None) -> str:
    """Time left: 45 -> '45 s', 150 -> '2 min 30 s', 7300 -> '2 h 1 min'; None -> 'no expiry'."""
    if seconds is None:
        return "no expiry"
    seconds = max(0, math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s"
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min"
