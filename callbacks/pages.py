"""What the pages' callbacks receive: the data services (data.services.DataServices, the reads
and their cache) and the page settings, which only the pages use and the data layer never reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from data.services import DataServices
from layouts.access import AccessMode

DEFAULT_TIMEZONE = ZoneInfo("Asia/Seoul")


@dataclass
class PageServices(DataServices):
    # Times are shown in this zone (DASHBOARD_TIMEZONE), converted at the edge.
    display_timezone: ZoneInfo = DEFAULT_TIMEZONE
    # The refresh interval a browser starts with until it picks its own (DASHBOARD_REFRESH_SECONDS).
    refresh_s: int = 10
    # How the dashboard checks who may see it: the System page says so in the page's language.
    access: AccessMode = field(default_factory=AccessMode)
    # DASHBOARD_SYMBOLS: the symbols the status strip watches; empty = the current ones (data.freshness).
    watched_symbols: tuple[str, ...] = ()
