"""`coinpilot-dashboard store upgrade`: bring the dashboard's own store to this code's schema
version (start-up does it by itself only for an empty store; a store holding data is upgraded on
purpose)."""

from __future__ import annotations

import sys

from store.config import StoreSettings
from store.errors import StoreError
from store.store import DashboardStore


def upgrade(settings: StoreSettings, connect_timeout_s: int, language: str) -> int:
    # No statement timeout: a later step may rewrite a large table.
    store = DashboardStore(settings.url, connect_timeout_s=connect_timeout_s, statement_timeout_ms=None)
    try:
        report = store.upgrade()
    except StoreError as exc:
        print(f"error: {exc.message.text(language)}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    if not report.applied:
        print(f"store {store.display_url}: at schema version {report.now} (current), nothing to do")
    else:
        steps = ", ".join(str(version) for version in report.applied)
        before = "empty" if report.found is None else f"schema version {report.found}"
        print(f"store {store.display_url}: {before} -> schema version {report.now} (applied step {steps})")
    return 0
