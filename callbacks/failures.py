"""How a callback turns a failure into something a panel can say (never a traceback)."""

from __future__ import annotations

import logging

from callbacks.inputs import InvalidInput
from data.database import DataError
from data.status_reader import RedisUnavailable

log = logging.getLogger("coinpilot.dashboard")

INTERNAL_MESSAGE = "Unexpected error while building this panel; the details are in the server log."


def describe(exc: BaseException) -> tuple[str, str]:
    """(kind, message) for a panel. Unexpected errors are logged with their traceback."""
    if isinstance(exc, DataError):
        return exc.kind, str(exc)
    if isinstance(exc, InvalidInput):
        return "invalid_input", str(exc)
    if isinstance(exc, RedisUnavailable):
        return "redis_unavailable", str(exc)
    log.exception("callback failed", exc_info=exc)
    return "internal", INTERNAL_MESSAGE
