"""The store's settings as a plain value (parsed from the environment in dashboard/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

STORE_FILE_NAME = "dashboard.sqlite3"
DEFAULT_STATE_DIR = "alert-state"


def default_store_url(state_dir: str | Path) -> str:
    """The SQLite file in the state directory (beside the alert watcher's alerts.sqlite3)."""
    return f"sqlite:///{Path(state_dir) / STORE_FILE_NAME}"


@dataclass(frozen=True)
class StoreSettings:
    # DASHBOARD_STORE_URL: sqlite:///path or postgresql+psycopg2://... (normalised by the settings).
    url: str = default_store_url(DEFAULT_STATE_DIR)
    # DASHBOARD_STATE_DIR: where the dashboard keeps its files (the default store among them).
    state_dir: str = DEFAULT_STATE_DIR

    def __repr__(self) -> str:  # settings get printed in tracebacks; a PostgreSQL URL may hold a password
        shown = make_url(self.url).render_as_string(hide_password=True)
        return f"StoreSettings(url={shown!r}, state_dir={self.state_dir!r})"
