"""The words of alert messages, from the shared catalogues (i18n/<language>/alerts.py).

The watcher writes in DASHBOARD_LANGUAGE (an explicit `language`); the Alerts page passes None,
so rule names and values follow the browser's language. The rest of the watcher asks
`text(language, key, **values)` and never branches on the language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import catalogue, current


def text(language: str | None, key: str, **values) -> str:
    """The alert message `key` (as saved states name it: "rule.candle_stale"). Strict, unlike
    i18n.t: a key or argument an older watcher saved raises, and the caller shows raw values."""
    template = catalogue(language or current().language)[f"alerts.{key}"]
    return template.format(**values) if values else template


def duration(language: str | None, seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if seconds < 120:
        return text(language, "duration.s", n=int(seconds))
    if seconds < 3600 * 2:
        return text(language, "duration.m", n=int(seconds // 60))
    if seconds < 86400 * 2:
        return text(language, "duration.h", n=seconds / 3600)
    return text(language, "duration.d", n=seconds / 86400)


def local_time(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
