"""The Bot Brain's Redis I/O: every symbol's `bot:status:{symbol}` (both key forms), the regime
keys and the volatility state in one pipeline round trip, validated by data.status_payload; and
the AI guardrail and usage keys with the volatility state in another, validated by
data.guardrail_payload.

The bot SETs `bot:status:{symbol}` (JSON, 5-minute TTL) every loop. Reads are bounded: a
value larger than MAX_PAYLOAD_BYTES is recognised by its length and never transferred.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from data.guardrail_payload import (
    MAX_GUARD_VALUE_BYTES,
    AiGuardrails,
    RawKey,
    guardrail_keys,
    parse_guardrails,
)
from data.status_payload import (
    MAX_PAYLOAD_BYTES,
    BotStatusReading,
    BotStatusSnapshot,
    ProblemKind,
    StatusProblem,
    StatusState,
    TooLarge,
    WrongRedisType,
    decode_optional,
    parse_volatility,
    validate_payload,
)
from data.symbols import is_valid_symbol_format, symbol_forms
from i18n import Message

STATUS_KEY_PREFIX = "bot:status:"
REGIME_KEY_PREFIX = "market:regime:"
VOLATILITY_KEY = "coinpilot:volatility_state"
# The v3 bot's reference equity of a UTC day (data.risk), and the per-symbol price its risk
# manager prefers to the newest candle when it values the open positions.
REFERENCE_EQUITY_KEY_PREFIX = "coinpilot:reference_equity:"
PRICE_KEY_PREFIX = "price:"
# Both are short decimal strings: only this much of either is fetched.
MAX_NUMBER_KEY_BYTES = 64
_KEY_DISCOVERY_TTL_S = 30.0
_KEY_DISCOVERY_BUDGET = 10_000


class RedisUnavailable(Exception):
    pass


def reference_equity_key(day: date) -> str:
    return f"{REFERENCE_EQUITY_KEY_PREFIX}{day.isoformat()}"


@dataclass(frozen=True)
class RiskKeys:
    """What the bot's risk manager reads from Redis: the day's reference equity, the price keys of
    the held symbols (raw values, None when absent) and the volatility state."""

    reference_equity: Any
    prices: dict[str, Any]
    volatility: Any


def make_redis_client(url: str, socket_timeout_s: float) -> redis.Redis:
    """A client that gives up after one timeout: a silent Redis must not hold a worker."""
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=socket_timeout_s,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
        decode_responses=False,
    )


class BotStatusReader:
    def __init__(
        self,
        client: redis.Redis,
        clock: Callable[[], datetime],
        *,
        stale_after_s: float = 120.0,
        description: str = "Redis",
    ):
        self.client = client
        self.clock = clock
        self.stale_after_s = stale_after_s
        self.description = description
        self._discovered: tuple[float, tuple[str, ...]] | None = None
        self._discovery_lock = threading.Lock()

    def read(self, symbols: list[str], *, include_unknown: bool = False) -> BotStatusSnapshot:
        """Read every symbol's status (both key forms) in one pipeline round trip."""
        symbols = [s for s in dict.fromkeys(symbols) if is_valid_symbol_format(s)]
        try:
            extra_keys = self._discover_unknown_keys(symbols) if include_unknown else ()
            raw = self._fetch(symbols, extra_keys)
        except (redis.RedisError, OSError) as exc:
            message = redis_error_message(exc, self.description)
            return BotStatusSnapshot(
                readings={s: BotStatusReading(s, StatusState.REDIS_UNAVAILABLE, message=message) for s in symbols},
                redis_error=message,
            )
        now = self.clock()
        readings = {}
        for symbol in symbols:
            regime = next(
                (
                    decode_optional(raw[k])
                    for k in (REGIME_KEY_PREFIX + form for form in symbol_forms(symbol))
                    if raw.get(k) is not None
                ),
                None,
            )
            found = [
                validate_payload(symbol, key, raw[key], now, self.stale_after_s, regime=regime)
                for key in (STATUS_KEY_PREFIX + form for form in symbol_forms(symbol))
                if raw[key] is not None
            ]
            if not found:
                readings[symbol] = BotStatusReading(
                    symbol,
                    StatusState.MISSING,
                    message=Message("status.no_status"),
                    regime=regime,
                )
            else:
                readings[symbol] = fresher_reading(found)
        unknown = {}
        for key in extra_keys:
            if raw.get(key) is None:
                continue
            symbol = key[len(STATUS_KEY_PREFIX) :]
            reading = validate_payload(symbol, key, raw[key], now, self.stale_after_s)
            problem = StatusProblem(ProblemKind.INVALID_VALUE, Message("status.unknown_symbol", symbol=symbol))
            unknown[symbol] = BotStatusReading(
                symbol,
                StatusState.INVALID,
                key=key,
                status=reading.status,
                problems=(problem,) + reading.problems,
                age_s=reading.age_s,
                stale=reading.stale,
            )
        volatility = parse_volatility(raw.get(VOLATILITY_KEY))
        return BotStatusSnapshot(readings, volatility, None, unknown)

    def _fetch(self, symbols: list[str], extra_keys: tuple[str, ...]) -> dict[str, Any]:
        keys: list[str] = []
        for symbol in symbols:
            keys += [STATUS_KEY_PREFIX + form for form in symbol_forms(symbol)]
            keys += [REGIME_KEY_PREFIX + form for form in symbol_forms(symbol)]
        keys += list(extra_keys)
        keys.append(VOLATILITY_KEY)
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            # TYPE tells a missing key from an empty or non-string one; STRLEN lets a huge
            # value be recognised without being transferred.
            pipe.type(key)
            pipe.strlen(key)
            pipe.getrange(key, 0, MAX_PAYLOAD_BYTES - 1)
        replies = pipe.execute(raise_on_error=False)
        raw: dict[str, Any] = {}
        for index, key in enumerate(keys):
            kind, length, value = replies[3 * index : 3 * index + 3]
            if isinstance(kind, Exception):
                raise kind
            kind = kind.decode() if isinstance(kind, bytes) else str(kind)
            if kind == "none":
                raw[key] = None
            elif kind != "string":
                raw[key] = WrongRedisType(kind)
            elif isinstance(length, Exception) or isinstance(value, Exception):
                raise length if isinstance(length, Exception) else value
            elif length > MAX_PAYLOAD_BYTES:
                raw[key] = TooLarge(int(length))
            else:
                raw[key] = value
        return raw

    def read_guardrails(self, symbols: list[str], clock_rate: float = 1.0) -> AiGuardrails:
        """The AI guardrail and usage keys of `symbols` and the volatility state, in one pipeline
        round trip; raises RedisUnavailable."""
        symbols = [s for s in dict.fromkeys(symbols) if is_valid_symbol_format(s)]
        now = self.clock()
        keys = guardrail_keys(symbols, now)
        try:
            raw = self._fetch_with_ttl(keys + [VOLATILITY_KEY], {VOLATILITY_KEY: MAX_PAYLOAD_BYTES})
        except (redis.RedisError, OSError) as exc:
            raise RedisUnavailable(redis_error_message(exc, self.description)) from exc
        volatility = parse_volatility(raw.pop(VOLATILITY_KEY).value)
        return parse_guardrails(raw, symbols, now, clock_rate, volatility)

    def read_risk_keys(self, day: date, held_symbols: list[str]) -> RiskKeys:
        """The keys behind the bot's limits, in one pipeline round trip; raises RedisUnavailable."""
        symbols = [s for s in dict.fromkeys(held_symbols) if is_valid_symbol_format(s)]
        reference_key = reference_equity_key(day)
        price_keys = {s: PRICE_KEY_PREFIX + s for s in symbols}
        keys = [reference_key, *price_keys.values(), VOLATILITY_KEY]
        limits = dict.fromkeys(keys, MAX_NUMBER_KEY_BYTES) | {VOLATILITY_KEY: MAX_PAYLOAD_BYTES}
        try:
            raw = self._fetch_with_ttl(keys, limits)
        except (redis.RedisError, OSError) as exc:
            raise RedisUnavailable(redis_error_message(exc, self.description)) from exc

        def plain(key: str) -> Any:
            value = raw[key].value
            return value if isinstance(value, (bytes, str)) else None

        return RiskKeys(
            reference_equity=raw[reference_key].value,
            prices={s: plain(k) for s, k in price_keys.items()},
            volatility=parse_volatility(raw[VOLATILITY_KEY].value),
        )

    def _fetch_with_ttl(self, keys: list[str], limits: dict[str, int]) -> dict[str, RawKey]:
        """TYPE, STRLEN, a bounded GETRANGE and PTTL of every key, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.type(key)
            pipe.strlen(key)
            pipe.getrange(key, 0, limits.get(key, MAX_GUARD_VALUE_BYTES) - 1)
            pipe.pttl(key)
        replies = pipe.execute(raise_on_error=False)
        raw: dict[str, RawKey] = {}
        for index, key in enumerate(keys):
            kind, length, value, pttl = replies[4 * index : 4 * index + 4]
            if isinstance(kind, Exception):
                raise kind
            if isinstance(pttl, Exception):
                raise pttl
            kind = kind.decode() if isinstance(kind, bytes) else str(kind)
            if kind == "none":
                raw[key] = RawKey(None)
            elif kind != "string":
                raw[key] = RawKey(WrongRedisType(kind), int(pttl))
            elif isinstance(length, Exception) or isinstance(value, Exception):
                raise length if isinstance(length, Exception) else value
            elif length > limits.get(key, MAX_GUARD_VALUE_BYTES):
                raw[key] = RawKey(TooLarge(int(length)), int(pttl))
            else:
                raw[key] = RawKey(value, int(pttl))
        return raw

    def discover_symbols(self) -> list[str]:
        """Symbols that have a status key now (bounded SCAN, cached for 30 s); for when the
        database cannot say which symbols exist."""
        try:
            keys = self._discovered_keys()
        except (redis.RedisError, OSError) as exc:
            raise RedisUnavailable(redis_error_message(exc, self.description)) from exc
        symbols = [k[len(STATUS_KEY_PREFIX) :] for k in keys]
        return [s for s in symbols if is_valid_symbol_format(s)]

    def _discover_unknown_keys(self, known_symbols: list[str]) -> tuple[str, ...]:
        """Status keys of symbols that have no candles."""
        discovered = self._discovered_keys()
        known = set()
        for symbol in known_symbols:
            known |= {STATUS_KEY_PREFIX + form for form in symbol_forms(symbol)}
        return tuple(k for k in discovered if k not in known and is_valid_symbol_format(k[len(STATUS_KEY_PREFIX) :]))

    def _discovered_keys(self) -> tuple[str, ...]:
        """Status keys found by a bounded SCAN, cached for _KEY_DISCOVERY_TTL_S."""
        with self._discovery_lock:
            now = time.monotonic()
            if self._discovered is None or now - self._discovered[0] > _KEY_DISCOVERY_TTL_S:
                found = []
                for examined, key in enumerate(self.client.scan_iter(match=STATUS_KEY_PREFIX + "*", count=1000)):
                    if examined >= _KEY_DISCOVERY_BUDGET:
                        break
                    found.append(key.decode("utf-8", "replace") if isinstance(key, bytes) else key)
                self._discovered = (now, tuple(sorted(found)))
            return self._discovered[1]

    def server_info(self) -> tuple[str, float]:
        """(Redis version, ping round trip in ms); raises RedisUnavailable."""
        try:
            started = time.perf_counter()
            self.client.ping()
            latency_ms = (time.perf_counter() - started) * 1000.0
            try:
                version = str(self.client.info("server").get("redis_version", "unknown"))
            except redis.ResponseError:  # INFO disabled (renamed command) or the demo's substitute
                version = "unknown (INFO not available)"
        except (redis.RedisError, OSError) as exc:
            raise RedisUnavailable(redis_error_message(exc, self.description)) from exc
        return version, latency_ms


def fresher_reading(readings: list[BotStatusReading]) -> BotStatusReading:
    """Of a symbol's readings under both key forms, the one with the newest timestamp: a bot that
    moved to the other form leaves the old key to expire, and that one must not win. A reading
    whose age cannot be read loses to one whose age can."""
    return min(readings, key=lambda r: (r.age_s is None, r.age_s if r.age_s is not None else 0.0))


def redis_error_message(exc: BaseException, where: str) -> Message:
    if isinstance(exc, redis.TimeoutError):
        return Message("status.redis_timeout", where=where)
    if isinstance(exc, redis.AuthenticationError):
        return Message("status.redis_auth", where=where)
    # The client library's own words: what went wrong, as the operator would search for it.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Message("status.redis_error", where=where, detail=text)
