"""Units and spans of time (layouts/format.py)."""

MESSAGES = {
    "format.krw": "{amount} KRW",
    "format.krw_man": "{amount}만 KRW",
    "format.krw_eok": "{amount}억 KRW",
    "format.ago": "{span} ago",
    "format.seconds": "{n} s",
    "format.minutes": "{m} min",
    "format.minutes_seconds": "{m} min {s} s",
    "format.hours_minutes": "{h} h {m} min",
    "format.days_hours": "{d} d {h} h",
    "format.no_expiry": "no expiry",
}
