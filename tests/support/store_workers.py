"""What each process of the multi-process store tests runs (spawned: a fresh interpreter, like a
gunicorn worker importing the app). Kept to the store's own imports so a child starts quickly."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime, timedelta

from store import DashboardStore


def prepare_then_count(url: str, barrier, results, hits: int) -> None:
    """Start on the same store as the others at the same moment: prepare it (the first one
    creates its tables), then record `hits` failures of one key; report what came back."""
    try:
        store = DashboardStore(url, busy_timeout_s=30.0, statement_timeout_ms=30_000)
        counter = store.counter("login.address")
        barrier.wait(timeout=60)
        report = store.prepare()
        counts = []
        since = datetime.now(UTC) - timedelta(hours=1)
        for _ in range(hits):
            counts.append(counter.record("203.0.113.7", since=since).count)
        store.dispose()
        results.put({"created": report.created, "counts": counts})
    except BaseException:  # noqa: BLE001 - the test shows the child's traceback instead of waiting
        results.put({"error": traceback.format_exc()})
