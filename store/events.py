"""An append-only log of what happened, shared by every process on the store: the kind of
event, who did it (actor), through what (channel: web, cli, telegram, discord ...), when, and a
JSON payload. Rows are never updated; retention deletes the old ones in bounded batches.
A feature whose rows need their own columns or indexes adds a table in a migration step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from store import names
from store.maintenance import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCHES, PruneReport, prune_in_batches
from store.tables import event_log

if TYPE_CHECKING:
    from store.store import DashboardStore

MAX_RECENT = 1000


@dataclass(frozen=True)
class LoggedEvent:
    id: int
    kind: str
    actor: str | None
    channel: str | None
    at: datetime
    payload: dict[str, Any] | None


class EventLog:
    def __init__(self, store: DashboardStore):
        self.store = store

    def append(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        actor: str | None = None,
        channel: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Write one event; its id (ids grow in the order events were written)."""
        names.name(kind, "an event's kind")
        if actor is not None:
            names.key(actor, "an event's actor")
        if channel is not None:
            names.name(channel, "an event's channel")
        if payload is not None and not isinstance(payload, dict):
            raise ValueError("an event's payload is a JSON object (a dict) or None")
        names.json_value(payload, "an event's payload")
        at = self.store.now(at)
        with self.store.write() as conn:
            result = conn.execute(
                sa.insert(event_log).values(kind=kind, actor=actor, channel=channel, at=at, payload=payload)
            )
            return int(result.inserted_primary_key[0])

    def recent(self, *, kind: str | None = None, since: datetime | None = None, limit: int = 100) -> list[LoggedEvent]:
        """The newest events first (of one kind, after `since`), at most `limit` (<= 1000)."""
        if not 1 <= limit <= MAX_RECENT:
            raise ValueError(f"limit must be between 1 and {MAX_RECENT}")
        query = sa.select(
            event_log.c.id,
            event_log.c.kind,
            event_log.c.actor,
            event_log.c.channel,
            event_log.c.at,
            event_log.c.payload,
        )
        if kind is not None:
            query = query.where(event_log.c.kind == names.name(kind, "an event's kind"))
        if since is not None:
            query = query.where(event_log.c.at > self.store.now(since))
        query = query.order_by(event_log.c.at.desc(), event_log.c.id.desc()).limit(limit)
        with self.store.read() as conn:
            return [LoggedEvent(*row) for row in conn.execute(query)]

    def prune(
        self,
        *,
        older_than: datetime,
        kind: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batches: int = DEFAULT_MAX_BATCHES,
    ) -> PruneReport:
        """Delete events at or before `older_than` (of one kind, or all), oldest first, in
        bounded batches; `complete` is False when more are left for the next call."""
        condition = event_log.c.at <= self.store.now(older_than)
        if kind is not None:
            condition = condition & (event_log.c.kind == names.name(kind, "an event's kind"))
        return prune_in_batches(
            self.store, event_log, condition, event_log.c.at, batch_size=batch_size, max_batches=max_batches
        )
