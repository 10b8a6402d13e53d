"""How numbers and times are shown: KRW without decimals, coins up to 8, percentages with 2,
and every timestamp in the display time zone (converted here, at the edge)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from i18n import current, t

MISSING = "–"
# 만 (10^4) and 억 (10^8): how Korean traders read KRW amounts (884.7만 원, 1.23억 원).
MAN = 10_000
EOK = 100_000_000


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def krw(value, signed: bool = False, compact: bool | None = None) -> str:
    """1234567.8 -> '1,234,568원' / '1,234,568 KRW' (no decimals; rounding half away from zero).

    With the browser's compact units (or `compact=True`), 만/억 units: 8,847,360 -> '884.7만 원',
    123,400,000 -> '1.23억 원'. Tooltips and exports keep the full figure (`krw(v, compact=False)`)."""
    if _is_missing(value):
        return MISSING
    rounded = math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)
    if compact is None:
        compact = current().compact_krw
    if compact and abs(rounded) >= MAN:
        return _compact_krw(rounded, signed)
    if rounded == 0:
        return t("format.krw", amount="0")
    text = f"{rounded:+,}" if signed else f"{rounded:,}"
    return t("format.krw", amount=text)


def krw_figure(value, signed: bool = False) -> str:
    """A KRW amount without its unit, for a table column whose header names it: 1234567.8 ->
    '1,234,568' (the full figure, rounded as krw() rounds)."""
    if _is_missing(value):
        return MISSING
    rounded = math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)
    if rounded == 0:
        return "0"
    return f"{rounded:+,}" if signed else f"{rounded:,}"


def _compact_krw(rounded: int, signed: bool) -> str:
    magnitude = abs(rounded)
    if magnitude >= EOK:
        number, key = magnitude / EOK, "format.krw_eok"
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
    else:
        number, key = magnitude / MAN, "format.krw_man"
        text = f"{number:,.1f}".rstrip("0").rstrip(".")
    sign = "-" if rounded < 0 else ("+" if signed else "")
    return t(key, amount=sign + text)


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
    """23 -> '23 s ago' / '23초 전', 150 -> '2 min 30 s ago', 7300 -> '2 h 1 min ago'."""
    if seconds is None:
        return MISSING
    return t("format.ago", span=span(max(0, int(seconds)), coarse=True))


def span(seconds: int, coarse: bool = False) -> str:
    """A length of time in the request's language: 45 -> '45 s', 150 -> '2 min 30 s'.
    Coarse (ages): seconds dropped from 10 min, minutes shown up to 48 h, then days and hours."""
    if seconds < 60:
        return t("format.seconds", n=seconds)
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        if not coarse or (rest and minutes < 10):
            return t("format.minutes_seconds", m=minutes, s=rest)
        return t("format.minutes", m=minutes)
    hours, rest = divmod(seconds, 3600)
    if coarse and hours >= 48:
        return t("format.days_hours", d=hours // 24, h=hours % 24)
    return t("format.hours_minutes", h=hours, m=rest // 60)


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
        return t("format.no_expiry")
    return span(max(0, math.ceil(seconds)))


def utc_day_span(first_day, tz: ZoneInfo, last_day=None) -> str:
    """The bot's UTC day(s) and the span they cover in the display zone: 'UTC day 2026-11-26 =
    09:00 KST 26 Nov to 09:00 KST 27 Nov' (the one day rule, data.days)."""
    last_day = first_day if last_day is None else last_day
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    end = datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC) + timedelta(days=1)
    if last_day == first_day:
        return t("format.utc_day", day=first_day.isoformat(), start=_zone_time(start, tz), end=_zone_time(end, tz))
    return t("format.utc_days", first=first_day, last=last_day, start=_zone_time(start, tz), end=_zone_time(end, tz))


def _zone_time(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    month_name = t(f"format.month.{local.month}")
    return t("format.zone_time", time=f"{local:%H:%M}", zone=local.tzname(), day=local.day, month_name=month_name)


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
