"""The dashboard's own store: what the dashboard itself must remember, shared by every gunicorn
worker and the alert watcher (login counts, shared cache bookkeeping, an event log).

A SQLite file in DASHBOARD_STATE_DIR by default, or a PostgreSQL database of the dashboard's own
(DASHBOARD_STORE_URL), never the bot's database and never Redis. Its tables are versioned by the
numbered steps in `store.migrations`. Nothing here imports Dash or the layers above `data`, and
a store that cannot be written raises StoreError, which the pages and the CLI name and survive.
"""

from store.config import STORE_FILE_NAME, StoreSettings, default_store_url
from store.counters import SlidingWindowCounter, WindowCount
from store.errors import StoreError
from store.events import EventLog, LoggedEvent
from store.expiring import Entry, ExpiringValues
from store.maintenance import PruneReport
from store.status import StoreState, StoreStatus
from store.store import DashboardStore, store_of

__all__ = [
    "STORE_FILE_NAME",
    "DashboardStore",
    "Entry",
    "EventLog",
    "ExpiringValues",
    "LoggedEvent",
    "PruneReport",
    "SlidingWindowCounter",
    "StoreError",
    "StoreSettings",
    "StoreState",
    "StoreStatus",
    "WindowCount",
    "default_store_url",
    "store_of",
]
