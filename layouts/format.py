"""How numbers and times are shown: KRW without decimals, coins up to 8, percentages with 2,
and every timestamp in the display time zone (converted here, at the edge)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
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


def price(value) -> str:
    """A KRW price: no decimals above 100 KRW, up to 4 below (DOGE trades at a few hundred)."""
    if _is_missing(value):
        return MISSING
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
    local = value.astimezone(tz)
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


def utc_day_span(first_day, tz: ZoneInfo, last_day=None) -> str:
    """The bot's UTC day(s) and the span they cover in the display zone: 'UTC day 2026-11-26 =
    09:00 KST 26 Nov to 09:00 KST 27 Nov' (the one day rule, data.days)."""
    last_day = first_day if last_day is None else last_day
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    end = datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC) + timedelta(days=1)
    head = f"UTC day {first_day.isoformat()}" if last_day == first_day else f"UTC days {first_day} to {last_day}"
    return f"{head} = {_zone_time(start, tz)} to {_zone_time(end, tz)}"


def _zone_time(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%H:%M} {local.tzname()} {local.day} {local:%b}"


_UTC_CLOCK = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d) UTC\b")


def utc_times_in_text(text: str, written_at: datetime, tz: ZoneInfo) -> str:
    """'cooldown until 10:23 UTC' -> 'cooldown until 19:23 KST' in a text the bot wrote at
    `written_at`: the clock time is taken as the next such UTC time within 12 h before or
    after `written_at` (a cooldown lies ahead, an event just behind)."""
    if tz.key == "UTC" or not isinstance(text, str):
        return text
    written_at = written_at.astimezone(UTC)

    def convert(match: re.Match) -> str:
        candidate = written_at.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
        if candidate - written_at > timedelta(hours=12):
            candidate -= timedelta(days=1)
        elif written_at - candidate > timedelta(hours=12):
            candidate += timedelta(days=1)
        local = candidate.astimezone(tz)
        return f"{local:%H:%M} {local.tzname()}"

    return _UTC_CLOCK.sub(convert, text)
