"""What the bot's AI guardrail and usage keys say (SCHEMA.md "Redis, v3"): typed results and the
validation that names each key's problem. Pure: data.status_reader fetches the raw values.

A block or cooldown is in force while its key exists; its PTTL is the time left. Counters
(reject counts, the error streak, AI calls this hour and today) are whole numbers written as
strings; anything else is a per-key problem, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from data.status_payload import TooLarge, VolatilityState, WrongRedisType
from i18n import Message

GLOBAL_BLOCK_KEY = "ai:guard:global:block"
ERROR_STREAK_KEY = "ai:guard:error_streak"
# A counter is a short decimal string; only this many bytes of a guard key are ever fetched.
MAX_GUARD_VALUE_BYTES = 32


def cooldown_key(symbol: str) -> str:
    return f"ai:guard:symbol:{symbol}:cooldown"


def reject_count_key(symbol: str) -> str:
    return f"ai:guard:symbol:{symbol}:reject_count"


def usage_hour_key(now: datetime) -> str:
    """AI calls in `now`'s UTC hour."""
    return f"ai:usage:hour:{now:%Y%m%d%H}"


def usage_day_key(now: datetime) -> str:
    """AI calls on `now`'s UTC day."""
    return f"ai:usage:day:{now:%Y%m%d}"


@dataclass(frozen=True)
class RawKey:
    """One key as fetched: value None when absent (or a WrongRedisType/TooLarge marker), and
    its PTTL in ms (-1: no expiry, -2: absent)."""

    value: Any
    pttl_ms: int | None = None


@dataclass(frozen=True)
class Hold:
    """A block or cooldown: in force while its key exists, for `seconds_left` more (None: no expiry)."""

    active: bool
    seconds_left: float | None = None


@dataclass(frozen=True)
class SymbolGuard:
    symbol: str
    cooldown: Hold
    reject_count: int | None  # None: not readable (see problems); 0 when absent


@dataclass(frozen=True)
class AiGuardrails:
    global_block: Hold
    symbols: tuple[SymbolGuard, ...]
    error_streak: int | None
    calls_this_hour: int | None
    calls_today: int | None
    # False when not one ai:* key exists: an older bot, or nothing set yet.
    any_key: bool
    problems: tuple[Message, ...] = ()  # put into words when shown
    volatility: VolatilityState | None = None


def parse_counter(key: str, raw: Any) -> tuple[int | None, Message | None]:
    """(value, problem) of a counter key; an absent key counts 0."""
    if raw is None:
        return 0, None
    if isinstance(raw, WrongRedisType):
        return None, Message("status.counter_redis_type", name=key, detail=raw.detail)
    if isinstance(raw, TooLarge):
        return None, Message("status.counter_too_large", name=key, size=f"{raw.size:,}")
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        return None, Message("status.counter_not_integer", name=key, value=repr(text[:20]))
    return int(text), None


def parse_hold(key: str, raw: RawKey, clock_rate: float) -> tuple[Hold, Message | None]:
    """A block/cooldown key: any value means in force; time left = PTTL x clock_rate (the demo's
    TTLs run faster than the wall clock by its speed; in production clock_rate is 1)."""
    if raw.value is None:
        return Hold(False), None
    problem = None
    if isinstance(raw.value, WrongRedisType):
        problem = Message("status.hold_redis_type", name=key, detail=raw.value.detail)
    pttl = raw.pttl_ms
    if pttl is None or pttl < 0:
        return Hold(True, None), problem
    return Hold(True, pttl / 1000.0 * clock_rate), problem


def parse_guardrails(
    raw: dict[str, RawKey], symbols: list[str], now: datetime, clock_rate: float, volatility: VolatilityState | None
) -> AiGuardrails:
    """Every guardrail key of `symbols` from one fetch (keys absent from `raw` count as absent)."""
    problems: list[Message] = []

    def get(key: str) -> RawKey:
        return raw.get(key) or RawKey(None)

    def counter(key: str) -> int | None:
        value, problem = parse_counter(key, get(key).value)
        if problem:
            problems.append(problem)
        return value

    def hold(key: str) -> Hold:
        value, problem = parse_hold(key, get(key), clock_rate)
        if problem:
            problems.append(problem)
        return value

    block = hold(GLOBAL_BLOCK_KEY)
    guards = tuple(
        SymbolGuard(symbol, hold(cooldown_key(symbol)), counter(reject_count_key(symbol))) for symbol in symbols
    )
    return AiGuardrails(
        global_block=block,
        symbols=guards,
        error_streak=counter(ERROR_STREAK_KEY),
        calls_this_hour=counter(usage_hour_key(now)),
        calls_today=counter(usage_day_key(now)),
        any_key=any(item.value is not None for key, item in raw.items() if key.startswith("ai:")),
        problems=tuple(problems),
        volatility=volatility,
    )


def guardrail_keys(symbols: list[str], now: datetime) -> list[str]:
    """Every ai:* key the guardrail section reads, in a fixed order."""
    keys = [GLOBAL_BLOCK_KEY, ERROR_STREAK_KEY, usage_hour_key(now), usage_day_key(now)]
    for symbol in symbols:
        keys += [cooldown_key(symbol), reject_count_key(symbol)]
    return keys
