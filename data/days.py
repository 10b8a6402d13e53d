"""The one day rule: a "day" on every page is the bot's UTC day, the day of its daily_risk_state
row (its trade counter and loss limit reset at 00:00 UTC, 09:00 in Seoul)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def utc_day(at: datetime) -> date:
    """The bot's day an instant belongs to."""
    return at.astimezone(UTC).date()


def utc_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day, as UTC instants."""
    start = datetime.combine(day, time(0), UTC)
    return start, start + timedelta(days=1)


def utc_days_between(start_day: date | None, end_day: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the UTC days start_day..end_day, both included; None leaves a side open."""
    start = utc_day_bounds(start_day)[0] if start_day is not None else None
    end = utc_day_bounds(end_day)[1] if end_day is not None else None
    return start, end
