"""The store's health as a typed value: what the System page and `check` show."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from i18n import Message


class StoreState(str, enum.Enum):
    OK = "ok"  # at this code's schema version and writable
    EMPTY = "empty"  # no tables yet: made at start-up or by `store upgrade`
    OUTDATED = "outdated"  # older schema: `store upgrade` needed before it is written
    NEWER = "newer"  # newer schema than this code: never written by it
    READ_ONLY = "read_only"  # a read-only file, a read-only role or server
    UNREACHABLE = "unreachable"  # PostgreSQL down, the file cannot be opened
    BUSY = "busy"  # locked by another writer past the busy timeout
    BOT_DATABASE = "bot_database"  # the URL reaches the bot's tables: refused
    FAILED = "failed"

    @property
    def writable(self) -> bool:
        return self is StoreState.OK


@dataclass(frozen=True)
class StoreStatus:
    state: StoreState
    backend: str  # SQLite or PostgreSQL
    where: str  # the URL without its password, or the file's path
    supported_version: int  # the newest schema version this code knows
    found_version: int | None = None  # None: unknown or no tables
    server_version: str | None = None
    latency_ms: float | None = None
    problem: Message | None = None
