"""How a callback turns a failure into something a panel can say (never a traceback)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from callbacks.inputs import InvalidInput
from data.database import DataError
from data.status_reader import RedisUnavailable
from i18n import t

log = logging.getLogger("coinpilot.dashboard")


def internal_message() -> str:
    """What a panel says about an unexpected error (the traceback goes to the log, not the browser)."""
    return t("errors.internal")


P = ParamSpec("P")
T = TypeVar("T")


def describe(exc: BaseException) -> tuple[str, str]:
    """(kind, message) for a panel. Unexpected errors are logged with their traceback."""
    if isinstance(exc, DataError):
        return exc.kind, str(exc)
    if isinstance(exc, InvalidInput):
        return "invalid_input", str(exc)
    if isinstance(exc, RedisUnavailable):
        return "redis_unavailable", str(exc)
    log.exception("callback failed", exc_info=exc)
    return "internal", internal_message()


def panel(on_failure: Callable[[str, str], T]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Declare a panel's output on failure once, next to its signature:

        @panel(on_failure=lambda kind, message: (empty_figure(message), problem(kind, message)))
        def chart(services, symbol): ...

    Any exception the panel raises becomes on_failure(*describe(exc)), so the panel body needs
    no try/except and the browser never sees a traceback."""

    def decorate(build: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(build)
        def build_or_fall_back(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return build(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every failure becomes the panel's fallback
                return on_failure(*describe(exc))

        return build_or_fall_back

    return decorate
