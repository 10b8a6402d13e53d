"""The bot's strategy file (its `config/strategy_v3.yaml`), read the way the bot's own loader reads it.

The v3 bot reads the file once when it starts (PyYAML `safe_load`) and maps three sections onto its
settings: `risk_management` (the order, exposure and daily limits), `regimes` (per regime: the order
size ratio and the AI call budget) and two it does not need here. Its loader is lenient in ways that
matter to an operator, and this module reproduces them:

- a missing or empty file, one that does not parse, or one whose sections the loader cannot map
  gives the code's defaults for everything (the bot prints "Using defaults");
- a key missing from `risk_management` gives that key's default;
- a `regimes` section replaces the default regimes whole: a regime left out of it has an order
  size ratio of 0 (the bot then sizes every entry of that regime at 0 and skips it), and a regime
  without AI call limits has the guardrails' defaults (20 an hour, 120 a day).

Pure except `read_strategy_file`, which reads at most MAX_FILE_BYTES from disk.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from i18n import Message

MAX_FILE_BYTES = 256 * 1024
# How often the file's modification time is looked at (a stat, not a read).
CHECK_EVERY_S = 5.0

# The bot's code defaults (its StrategyConfig dataclass), used where the file or a key is missing.
DEFAULT_RISK = {
    "max_position_size": 0.05,
    "max_total_exposure": 0.20,
    "max_concurrent_positions": 3,
    "allow_same_coin_duplicate": False,
    "max_daily_loss": 0.05,
    "max_daily_trades": 10,
    "cooldown_after_consecutive_losses": 3,
    "cooldown_hours": 2,
}
# The code's default regimes: the order size ratio of each (the AI call limits are the guardrails').
DEFAULT_REGIME_RATIOS = {"BULL": 1.0, "SIDEWAYS": 0.8, "BEAR": 0.5}
# The guardrails' fallbacks when a regime's entry section has no (usable) limit.
DEFAULT_AI_CALLS_PER_HOUR = 20
DEFAULT_AI_CALLS_PER_DAY = 120
# What kind of value each risk key must hold for the bot to use it.
_FRACTIONS = ("max_position_size", "max_total_exposure", "max_daily_loss")
_COUNTS = ("max_concurrent_positions", "max_daily_trades", "cooldown_after_consecutive_losses")
_HOURS = ("cooldown_hours",)
_FLAGS = ("allow_same_coin_duplicate",)
# Sections the bot's loader tests with `in` and indexes: one that is not a mapping makes the
# loader fail, and the bot fall back to its defaults for everything.
_MAPPED_SECTIONS = ("regime_detection", "data", "risk_management")


@dataclass(frozen=True)
class RegimeEntry:
    """What the bot reads from one regime of the file: its order size ratio and AI call budget.
    A value is None where the file does not give a usable one (the caller applies the default)."""

    name: str
    position_size_ratio: float | None
    ai_max_calls_per_hour: int | None
    ai_max_calls_per_day: int | None


@dataclass(frozen=True)
class StrategyFile:
    """The strategy file as the bot would map it.

    `risk` holds the `risk_management` keys the file sets (and the bot can use); `regimes` is the
    file's regime list, or None when the bot keeps its default regimes (no `regimes` section, or
    the whole file fell back). `fallback` is why the bot uses its defaults for everything (the
    file is missing, empty, unparsable or unmappable), `problems` are keys whose values the bot
    cannot use (the dashboard shows the default there and says so)."""

    path: str
    risk: dict[str, Any]
    regimes: tuple[RegimeEntry, ...] | None
    fallback: Message | None = None
    problems: tuple[Message, ...] = ()
    modified_at: datetime | None = None

    @property
    def used_defaults(self) -> bool:
        return self.fallback is not None


def read_strategy_file(path: str) -> StrategyFile:
    """Read and map the file at `path`; never raises (an unreadable file is a fallback)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return _defaults(path, Message("strategy.file_missing", path=path))
    except OSError as exc:
        return _defaults(path, Message("strategy.file_unreadable", path=path, detail=_os_detail(exc)))
    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    if stat.st_size > MAX_FILE_BYTES:
        return _defaults(path, Message("strategy.file_too_large", size=f"{stat.st_size:,}"), modified)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _defaults(path, Message("strategy.file_unreadable", path=path, detail=_os_detail(exc)), modified)
    return parse_strategy_text(path, raw, modified)


def parse_strategy_text(path: str, raw: bytes | str, modified_at: datetime | None = None) -> StrategyFile:
    """Map the text of a strategy file as the bot's loader does."""
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "?"
        return _defaults(path, Message("strategy.not_yaml", where=where), modified_at)
    except (UnicodeDecodeError, RecursionError, ValueError):
        return _defaults(path, Message("strategy.not_yaml", where="?"), modified_at)
    if not document:
        return _defaults(path, Message("strategy.file_empty"), modified_at)
    if not isinstance(document, dict):
        return _defaults(path, Message("strategy.not_mapping", what="(top level)"), modified_at)
    for section in _MAPPED_SECTIONS:
        if section in document and not isinstance(document[section], dict):
            return _defaults(path, Message("strategy.not_mapping", what=section), modified_at)
    problems: list[Message] = []
    risk = _risk_section(document.get("risk_management") or {}, problems)
    regimes = _regimes_section(document["regimes"], problems) if "regimes" in document else None
    return StrategyFile(path, risk, regimes, None, tuple(problems), modified_at)


def _risk_section(section: dict, problems: list[Message]) -> dict[str, Any]:
    risk: dict[str, Any] = {}
    for key in DEFAULT_RISK:
        if key not in section:
            continue
        value = _usable(key, section[key])
        if value is None:
            problems.append(Message("strategy.bad_value", setting=f"risk_management.{key}", value=_shown(section[key])))
        else:
            risk[key] = value
    return risk


def _usable(key: str, value: Any) -> Any:
    """The value the bot can compute with, or None. YAML gives numbers as int/float; the bot
    converts with Decimal(str(v)) and int(v), so a numeric string works too."""
    if key in _FLAGS:
        return value if isinstance(value, bool) else None
    number = _number(value)
    if number is None:
        return None
    if key in _FRACTIONS:
        return number if number > 0 else None
    if key in _HOURS:
        return number if number >= 0 else None
    if key in _COUNTS:
        return int(number) if number >= 0 else None  # the bot truncates with int()
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _regimes_section(section: Any, problems: list[Message]) -> tuple[RegimeEntry, ...]:
    if not isinstance(section, dict):
        problems.append(Message("strategy.regimes_not_mapping"))
        return ()
    entries = []
    for name, body in section.items():
        name = str(name)[:20]
        body = body if isinstance(body, dict) else {}
        entry = body.get("entry") if isinstance(body.get("entry"), dict) else {}
        ratio = _number(body.get("position_size_ratio")) if "position_size_ratio" in body else None
        if "position_size_ratio" in body and (ratio is None or ratio < 0):
            problems.append(
                Message(
                    "strategy.bad_value",
                    setting=f"regimes.{name}.position_size_ratio",
                    value=_shown(body.get("position_size_ratio")),
                )
            )
            ratio = None
        entries.append(
            RegimeEntry(
                name,
                ratio,
                _calls(entry.get("ai_max_calls_per_hour")),
                _calls(entry.get("ai_max_calls_per_day")),
            )
        )
    return tuple(entries)


def _calls(value: Any) -> int | None:
    """The guardrails read a budget with int(v), falling back when that fails."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _defaults(path: str, why: Message, modified_at: datetime | None = None) -> StrategyFile:
    return StrategyFile(path, {}, None, why, (), modified_at)


def _shown(value: Any) -> str:
    return repr(value)[:40]


def _os_detail(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class StrategyFileWatch:
    """The strategy file as last read, read again when its size or modification time changes
    (looked at no more than every CHECK_EVERY_S). The bot itself reads its file only when it
    starts, so a changed file is what the bot will use after its next restart."""

    def __init__(self, path: str, clock: Callable[[], float] = time.monotonic, check_every_s: float = CHECK_EVERY_S):
        self.path = path
        self.clock = clock
        self.check_every_s = check_every_s
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._signature: tuple | None = None
        self._file: StrategyFile | None = None

    def current(self) -> StrategyFile:
        with self._lock:
            now = self.clock()
            if self._file is not None and self._checked_at is not None and now - self._checked_at < self.check_every_s:
                return self._file
            self._checked_at = now
            signature = _signature(self.path)
            if self._file is None or signature != self._signature:
                self._file = read_strategy_file(self.path)
                self._signature = signature
            return self._file


def _signature(path: str) -> tuple | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)
