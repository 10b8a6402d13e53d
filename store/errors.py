"""What can go wrong with the store, each with a sentence for the operator.

str(error) is that sentence in the language of whoever shows it (the error carries an
i18n.Message, as data.database's errors do); `kind` is what the System page keys its headline on.
"""

from __future__ import annotations

import sqlalchemy as sa

from i18n import Message


class StoreError(Exception):
    kind = "failed"

    @property
    def message(self) -> Message:
        return self.args[0]


class StoreUnreachable(StoreError):
    kind = "unreachable"


class StoreReadOnly(StoreError):
    kind = "read_only"


class StoreBusy(StoreError):
    kind = "busy"


class StoreNotSetUp(StoreError):
    kind = "empty"


class StoreOutdated(StoreError):
    """Older than the code: `coinpilot-dashboard store upgrade` brings it up to date."""

    kind = "outdated"


class StoreNewer(StoreError):
    """Newer than the code (a newer dashboard upgraded it): never written by this one."""

    kind = "newer"


class StoreIsBotDatabase(StoreError):
    kind = "bot_database"


class StoreFailed(StoreError):
    kind = "failed"


_UNREACHABLE_CODES = ("3D000", "28P01", "28000")
_READ_ONLY_CODES = ("25006", "42501")  # read-only transaction; insufficient privilege
_BUSY_CODES = ("57014", "55P03")  # statement timeout; lock not available


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def translate(exc: sa.exc.SQLAlchemyError, where: str) -> StoreError:
    """A driver error as the StoreError that says what the operator can do about it."""
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free
        return StoreUnreachable(Message("store.unreachable", where=where, detail=first_line(exc)))
    orig = getattr(exc, "orig", None)
    detail = first_line(orig if orig is not None else exc)
    pgcode = getattr(orig, "pgcode", None)
    sqlite_code = getattr(orig, "sqlite_errorname", None) or ""
    if sqlite_code.startswith("SQLITE_READONLY") or pgcode in _READ_ONLY_CODES:
        return StoreReadOnly(Message("store.read_only", where=where, detail=detail))
    if sqlite_code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or pgcode in _BUSY_CODES:
        return StoreBusy(Message("store.busy", where=where, detail=detail))
    if sqlite_code.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR")):
        return StoreUnreachable(Message("store.unreachable", where=where, detail=detail))
    if pgcode in _UNREACHABLE_CODES:
        return StoreUnreachable(Message("store.unreachable", where=where, detail=detail))
    broken_connection = pgcode is None or pgcode.startswith(("08", "57P"))
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and broken_connection and not sqlite_code:
        return StoreUnreachable(Message("store.unreachable", where=where, detail=detail))
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return StoreUnreachable(Message("store.unreachable", where=where, detail=detail))
    return StoreFailed(Message("store.failed", where=where, detail=detail))
