"""How one browser wants the dashboard shown: language, theme, market colours, KRW units.

The settings give the defaults; a browser overrides them with cookies (set by the sidebar
switches) and a link overrides both with `?lang=` and friends. The web layer sets the
preferences of each request here; layouts read them with `current()`. Preferences never change
what data is fetched, so cached data serves every browser."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

LANGUAGES = ("ko", "en")
THEMES = ("dark", "light")
# Korean convention (Upbit): red is up, blue is down. Western: green up, red down.
COLOUR_CONVENTIONS = ("korean", "western")
UNITS = ("full", "compact")

# Each preference: (query parameter, cookie name, allowed values).
FIELDS = {
    "language": ("lang", "cp_lang", LANGUAGES),
    "theme": ("theme", "cp_theme", THEMES),
    "colours": ("colours", "cp_colours", COLOUR_CONVENTIONS),
    "units": ("units", "cp_units", UNITS),
}
COOKIE_MAX_AGE_S = 365 * 24 * 3600


@dataclass(frozen=True)
class Preferences:
    language: str = "ko"
    theme: str = "dark"
    colours: str = "korean"
    units: str = "full"

    @property
    def compact_krw(self) -> bool:
        return self.units == "compact"

    def resolve(self, query: Mapping[str, str], cookies: Mapping[str, str]) -> tuple[Preferences, dict[str, str]]:
        """These defaults overridden by cookies, then by the query string. Returns the result and
        the query-string choices, which the caller remembers as cookies (a link wins and sticks).
        Unknown values are ignored: a hand-edited cookie cannot break a page."""
        chosen: dict[str, str] = {}
        from_query: dict[str, str] = {}
        for field_name, (parameter, cookie, allowed) in FIELDS.items():
            cookie_value = (cookies.get(cookie) or "").lower()
            if cookie_value in allowed:
                chosen[field_name] = cookie_value
            query_value = (query.get(parameter) or "").lower()
            if query_value in allowed:
                chosen[field_name] = query_value
                from_query[cookie] = query_value
        return replace(self, **chosen), from_query


_DEFAULT = Preferences()
_current: ContextVar[Preferences | None] = ContextVar("coinpilot_preferences", default=None)


def current() -> Preferences:
    """The preferences of the request being served (outside a request: the product defaults)."""
    return _current.get() or _DEFAULT


def set_current(preferences: Preferences):
    """For the web layer: returns a token to `reset_current` with when the request ends."""
    return _current.set(preferences)


def reset_current(token) -> None:
    _current.reset(token)


@contextmanager
def using(preferences: Preferences | None = None, **changes) -> Iterator[Preferences]:
    """Run a block with these preferences (tests, the CLI, the alerts watcher)."""
    chosen = replace(preferences or current(), **changes)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)
