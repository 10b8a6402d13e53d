"""The message catalogues: one per language, same keys, merged from `i18n/<language>/*.py`."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from functools import cache
from string import Formatter

from i18n.josa import is_particle_spec, particle
from i18n.preferences import LANGUAGES, current

log = logging.getLogger("coinpilot.i18n")


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every message of one language. Each module of the language's package holds a
    `MESSAGES` dict (one module per area keeps parallel work from colliding)."""
    package = importlib.import_module(f"i18n.{language}")
    merged: dict[str, str] = {}
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for key, text in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise ValueError(f"i18n.{language}: {key!r} is defined twice (again in {module_info.name})")
            merged[key] = text
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class _MessageFormatter(Formatter):
    """str.format with one addition: a Korean particle as the format spec (`{name:은}` writes the
    value and 은 or 는 after it, i18n.josa); every other spec is Python's."""

    def format_field(self, value, format_spec: str) -> str:
        if is_particle_spec(format_spec):
            shown = str(value)
            return shown + particle(shown, format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = _MessageFormatter()


def t(key: str, language: str | None = None, **params) -> str:
    """The message `key` in the request's language (or `language`), with {params} filled in.

    A key missing from the language falls back to English, then to the key itself, logged:
    the page still shows, and the catalogue test fails."""
    language = language or current().language
    text = catalogue(language).get(key)
    if text is None and language != "en":
        text = catalogue("en").get(key)
    if text is None:
        log.error("no message %s in the %s catalogue", loggable(key), language)
        return key
    if not params:
        return text
    try:
        return _FORMATTER.vformat(text, (), params)
    except (KeyError, IndexError, ValueError):
        log.error("message %s does not take the parameters %s", loggable(key), ", ".join(sorted(params)))
        return text


LOGGED_TEXT_MAX = 200


def loggable(value) -> str:
    """A value for a log line, escaped and clipped: quotes, newlines, control and bidi characters
    written as escapes (repr), so text from the bot's data cannot forge or break a line, and at
    most LOGGED_TEXT_MAX characters of it."""
    text = value if isinstance(value, str) else str(value)
    clipped = text[:LOGGED_TEXT_MAX]
    return repr(clipped) + (f" (+{len(text) - len(clipped):,} characters)" if len(text) > len(clipped) else "")


class Message:
    """A message translated when shown, not when made: data and caches can hold it while
    browsers in different languages read it. Dash serialises it as its text."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params

    def text(self, language: str | None = None) -> str:
        params = {name: str(value) if isinstance(value, Message) else value for name, value in self.params.items()}
        return t(self.key, language, **params)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items(), key=lambda item: item[0]))))

    def to_plotly_json(self) -> str:
        return self.text()


__all__ = ["LANGUAGES", "Message", "catalogue", "placeholders", "t"]
