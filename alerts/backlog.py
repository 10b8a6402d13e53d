"""What one rule's waiting messages for a channel become when they go out (pure).

Normally a message goes out within a second of being queued, alone. A backlog (the channel was
away or the watcher was down, so a message has already failed an attempt or is a minute old)
is tidied first, per rule: a reminder behind a newer message for the same rule is dropped (the
newer one says more), a firing followed by its resolution goes out as one message saying both
times, and every message that goes out a minute or more after it happened says it is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from alerts.compose import late, merged

# A message sent a minute or more after it happened is late: a retry after 2 or 4 s is not
# news to anyone, a channel that was away for a minute is.
LATE_AFTER_S = 60.0


@dataclass(frozen=True)
class Waiting:
    """One outbox row as the planner needs it."""

    id: int
    kind: str  # firing, resolved, reminder
    message: dict
    attempts: int


@dataclass(frozen=True)
class Outgoing:
    """One message to send and the outbox rows its delivery settles (itself first)."""

    rows: tuple[int, ...]
    message: dict

    @property
    def carrier(self) -> int:
        return self.rows[0]


def happened_at(row: Waiting) -> datetime:
    return datetime.fromisoformat(row.message["at"])


def is_late(row: Waiting, now: datetime) -> bool:
    return (now - happened_at(row)).total_seconds() >= LATE_AFTER_S


def plan(rows: list[Waiting], now: datetime, zone: ZoneInfo) -> list[Outgoing]:
    """One rule's waiting rows (oldest first) as the messages to send now, in order."""
    backlog = any(row.attempts > 0 or is_late(row, now) for row in rows)
    if not backlog:
        return [_single(row, now, zone) for row in rows]
    kept: list[Waiting] = []
    dropped: dict[int, list[int]] = {}  # a kept row's index -> reminders it stands for
    carried: list[int] = []
    for index, row in enumerate(rows):
        if row.kind == "reminder" and index < len(rows) - 1:
            carried.append(row.id)
            continue
        dropped[len(kept)] = carried
        carried = []
        kept.append(row)
    out: list[Outgoing] = []
    index = 0
    while index < len(kept):
        row = kept[index]
        following = kept[index + 1] if index + 1 < len(kept) else None
        if row.kind == "firing" and following is not None and following.kind == "resolved":
            message = merged(row.message, following.message, now, zone)
            ids = (row.id, following.id, *dropped[index], *dropped[index + 1])
            out.append(Outgoing(ids, message))
            index += 2
            continue
        single = _single(row, now, zone)
        out.append(Outgoing((row.id, *dropped[index]), single.message))
        index += 1
    return out


def _single(row: Waiting, now: datetime, zone: ZoneInfo) -> Outgoing:
    message = late(row.message, now, zone) if is_late(row, now) else row.message
    return Outgoing((row.id,), message)
