"""Validation of everything a browser sends to a callback.

A callback request can be forged, so no value reaches the data layer until it has been
checked here against a type, a range or an allow-list. Failures raise InvalidInput, whose
message the panel shows; nothing here ever lets a raw value through.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from urllib.parse import parse_qs

from data.days import utc_days_between
from data.market import CANDLE_WIDTHS
from data.orders import TRADE_SORT_KEYS, SortKey
from data.symbols import is_valid_symbol_format
from i18n import Message, catalogue

MAX_QUERY_CHARS = 2000
MAX_TEXT_ECHO = 40
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_EXIT_REASON_RE = re.compile(r"[A-Z][A-Z0-9_]{0,29}")  # exit_reason is varchar(30), upper snake case
# The dates a filter may name. Wider than any trade CoinPilot can have made, narrow enough that a
# day's bounds in any time zone stay inside what datetime, pandas and every backend can hold
# (9999-12-31 + 1 day or 0001-01-01 in UTC+14 overflow).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


class InvalidInput(ValueError):
    """A value from the browser that the dashboard will not use. Its message is an
    i18n.Message (catalogue i18n/<language>/inputs.py), put into words when the panel shows it;
    a plain string is shown as it is."""

    def __init__(self, message: Message | str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def field(name: str) -> Message | str:
    """A field's name in the operator's words ("look-back days" -> inputs.field.look_back_days);
    a name without a catalogue entry is shown as the caller wrote it."""
    key = "inputs.field." + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return Message(key) if key in catalogue("en") else name


def _invalid(key: str, **params) -> InvalidInput:
    return InvalidInput(Message(f"inputs.{key}", **params))


def _echo(value) -> str:
    """A safe, short rendering of a rejected value for the message (shown as text)."""
    text = repr(value)
    return text if len(text) <= MAX_TEXT_ECHO else text[:MAX_TEXT_ECHO] + "…"


def symbol(value, known: list[str]) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid("symbol_format", got=_echo(value))
    if not is_valid_symbol_format(value):
        raise _invalid("not_a_symbol", value=_echo(value))
    if value not in known:
        if known:
            raise _invalid("unknown_symbol", symbol=value, symbols=", ".join(known[:12]))
        raise _invalid("unknown_symbol_none", symbol=value)
    return value


def width(value) -> str:
    if not isinstance(value, str) or value not in CANDLE_WIDTHS:
        raise _invalid("width", allowed=", ".join(CANDLE_WIDTHS), got=_echo(value))
    return value


def integer(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _invalid("whole_number", name=field(name), got=_echo(value))
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        value = int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise _invalid("whole_number", name=field(name), got=_echo(value))
    if not low <= value <= high:
        raise _invalid("between", name=field(name), low=low, high=high, got=value)
    return value


def choices(value, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    """A multi-select: None or a list of allowed strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > max(len(allowed), 1):
        raise _invalid("list_of", name=field(name), allowed=", ".join(allowed))
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise _invalid("not_one_of", name=field(name), got=_echo(item), allowed=", ".join(allowed))
    return tuple(dict.fromkeys(value))


def is_exit_reason_format(value) -> bool:
    """Could be an exit_reason (STOP_LOSS): for URL values, before the database is asked."""
    return isinstance(value, str) and bool(_EXIT_REASON_RE.fullmatch(value))


def symbols(value, known: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > 200:
        raise _invalid("symbols_list")
    return tuple(dict.fromkeys(symbol(item, known) for item in value))


def day(value, name: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise _invalid("date_format", name=field(name), got=_echo(value))
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError:
        raise _invalid("not_a_date", name=field(name), got=_echo(value)) from None
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise _invalid("between", name=field(name), low=FIRST_DAY, high=LAST_DAY, got=parsed)
    return parsed


def date_range_utc(start_value, end_value) -> tuple[datetime | None, datetime | None]:
    """Dates picked -> [start, end) instants of those UTC days (the bot's day, data.days); the
    end day is included."""
    start_day, end_day = day(start_value, "start date"), day(end_value, "end date")
    if start_day and end_day and end_day < start_day:
        raise _invalid("end_before_start")
    return utc_days_between(start_day, end_day)


def refresh_seconds(value, allowed: tuple[int, ...]) -> int:
    seconds = integer(value, "refresh interval", min(allowed), max(allowed))
    if seconds not in allowed:
        raise _invalid("must_be_one_of", name=field("refresh interval"), allowed=", ".join(map(str, allowed)))
    return seconds


def rows_request(value, max_rows: int = 1000) -> tuple[int, int, tuple[SortKey, ...]]:
    """AG Grid's getRowsRequest: startRow, endRow and a sortModel over allowed columns."""
    if not isinstance(value, dict):
        raise _invalid("grid_request")
    start = integer(value.get("startRow", 0), "startRow", 0, 10_000_000)
    end = integer(value.get("endRow", start + 100), "endRow", 1, 10_000_000)
    if end <= start or end - start > max_rows:
        raise _invalid("grid_rows", max_rows=max_rows)
    sort_model = value.get("sortModel") or []
    if not isinstance(sort_model, list) or len(sort_model) > 3:
        raise _invalid("sort_model")
    keys = []
    for item in sort_model:
        if not isinstance(item, dict):
            raise _invalid("sort_model")
        column, direction = item.get("colId"), item.get("sort")
        if column not in TRADE_SORT_KEYS or direction not in ("asc", "desc"):
            raise _invalid("cannot_sort", column=_echo(column), direction=_echo(direction))
        keys.append(SortKey(column, direction == "desc"))
    return start, end, tuple(keys)


def query(search) -> dict[str, list[str]]:
    """The page's URL query (?symbol=KRW-BTC&width=15m) as lists of strings; junk is dropped."""
    if not isinstance(search, str) or not search or len(search) > MAX_QUERY_CHARS:
        return {}
    try:
        return parse_qs(search.lstrip("?"), keep_blank_values=False, max_num_fields=50)
    except ValueError:
        return {}


def first(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def one_of(value, allowed: tuple[str, ...], name: str) -> str:
    """A single choice from an allow-list (radio items, selects)."""
    if not isinstance(value, str) or value not in allowed:
        raise _invalid("one_of", name=field(name), allowed=", ".join(allowed), got=_echo(value))
    return value
