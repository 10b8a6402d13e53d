"""What a Bot Brain status payload says: typed results and the validation that names every problem.

Pure: no Redis here (data.status_reader fetches the raw values). A reading is one of OK,
MISSING (no key: the bot has not reported for 5 minutes), INVALID (with the kind of problem:
not JSON, wrong type, missing field, invalid value, too large) or REDIS_UNAVAILABLE. Age and
staleness are computed from the payload's timestamp.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from data.status_reasons import ReasonReading, is_failed_sell, read_reason
from data.symbols import same_market
from i18n import Message

# Every action a bot of either generation writes: week-6 knew HOLD, BUY, SELL and WAITING; v3
# added HOLD (POS) (holding, no exit) and SKIP (a signal vetoed). An action not listed here is
# shown as written and flagged, never called an invalid payload: a newer bot may add one.
ACTIONS = ("HOLD", "HOLD (POS)", "BUY", "SELL", "SKIP", "WAITING")
# What a v3 bot writes as the regime; another string is shown as written.
REGIMES = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")
MAX_ACTION_CHARS = 40
# Anything larger is not a status the bot wrote; only this much is ever fetched.
MAX_PAYLOAD_BYTES = 64 * 1024
# Clock skew between the bot's host and this one that is tolerated before a timestamp is
# called "in the future".
FUTURE_TOLERANCE_S = 30.0
MAX_REASON_CHARS = 2000


class StatusState(str, enum.Enum):
    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"
    REDIS_UNAVAILABLE = "redis_unavailable"


class SilenceCause(str, enum.Enum):
    """Why a symbol has no status key (catalogue "market.silence.<value>"). A v3 bot writes nothing
    while its candles are over two minutes old (the collector), when a BUY signal's order size comes
    out at 0 (exposure full, no cash: it skips before its status write), or when it is not running."""

    COLLECTOR_STALLED = "collector_stalled"
    ENTRY_SKIPPED = "entry_skipped"
    BOT_STOPPED = "bot_stopped"
    UNKNOWN = "unknown"  # the candles' freshness could not be read


@dataclass(frozen=True)
class Silence:
    cause: SilenceCause
    # For ENTRY_SKIPPED: why the order size is 0 (data.risk.EntrySizing.reason).
    detail: Message | None = None


# The bot skips a symbol (and writes no status) while its newest candle's open time is more than
# two minutes ago: its own rule, fixed in its loop, whatever CANDLE_STALE_SECONDS says.
BOT_MAX_CANDLE_OPEN_AGE_S = 120.0


def why_no_status(
    last_candle_open: datetime | None,
    now: datetime,
    *,
    sizing_blocked: Message | None = None,
    loop_alive: bool = False,
) -> Silence:
    """The likely cause of a missing status, from the symbol's newest candle and, with fresh candles,
    today's room for a BUY: `sizing_blocked` is why the bot would size a BUY of this flat symbol
    (in its current regime) at 0, and `loop_alive` says another symbol's status is fresh, so the
    bot's loop runs. Without that evidence a silent bot is a stopped bot."""
    if last_candle_open is None:
        return Silence(SilenceCause.UNKNOWN)
    if (now - last_candle_open).total_seconds() > BOT_MAX_CANDLE_OPEN_AGE_S:
        return Silence(SilenceCause.COLLECTOR_STALLED)
    if sizing_blocked is not None and loop_alive:
        return Silence(SilenceCause.ENTRY_SKIPPED, sizing_blocked)
    return Silence(SilenceCause.BOT_STOPPED)


class ProblemKind(str, enum.Enum):
    NOT_JSON = "not_json"
    WRONG_TYPE = "wrong_type"
    MISSING_FIELD = "missing_field"
    INVALID_VALUE = "invalid_value"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class BotStatus:
    """What could be read from a payload. Fields the payload lacked or spoiled are None."""

    symbol: str | None = None
    timestamp: datetime | None = None
    action: str | None = None
    current_price: float | None = None
    rsi: float | None = None
    bb_upper: float | None = None
    bb_lower: float | None = None
    ma_200: float | None = None
    has_position: bool | None = None
    avg_price: float | None = None
    quantity: float | None = None
    reason: str | None = None
    # Indicators the bot wrote but did not compute (0.0 for a price, or NaN): shown as a dash
    # with that explanation, never as a problem.
    not_recorded: frozenset[str] = frozenset()
    # v3 fields: the regime the bot trades under, its trend MA, the trailing stop's
    # high-water mark, and the held position's PnL % and entry regime.
    regime: str | None = None
    ma_trend: float | None = None
    hwm: float | None = None
    pnl_pct: float | None = None
    position_regime: str | None = None

    @property
    def reason_reading(self) -> ReasonReading:
        """The reason's family (data.status_reasons): Risk Rejected, AI guardrail, a failed sell..."""
        return read_reason(self.reason)

    @property
    def failed_sell(self) -> bool:
        """A SELL whose order did not go through: the bot still holds the position."""
        return is_failed_sell(self.action, self.reason)

    @property
    def unknown_action(self) -> bool:
        """An action this dashboard does not know yet (shown as written, flagged)."""
        return self.action is not None and self.action not in ACTIONS

    @property
    def generation(self) -> str:
        """'v3' when the payload carries any v3-only field, else 'week-6'."""
        v3_only = (self.regime, self.ma_trend, self.hwm, self.pnl_pct, self.position_regime)
        v3_action = self.action in ("HOLD (POS)", "SKIP")
        return "v3" if v3_action or any(value is not None for value in v3_only) else "week-6"


@dataclass(frozen=True)
class StatusProblem:
    kind: ProblemKind
    message: Message  # put into words when shown (catalogue i18n/<language>/status.py)


@dataclass(frozen=True)
class BotStatusReading:
    symbol: str
    state: StatusState
    key: str | None = None
    status: BotStatus | None = None
    problems: tuple[StatusProblem, ...] = ()
    age_s: float | None = None
    stale: bool = False
    message: Message | None = None  # for MISSING and REDIS_UNAVAILABLE
    regime: Any = None

    @property
    def problem_summary(self) -> str:
        """Every problem, in the language of the request that asks."""
        return "; ".join(str(p.message) for p in self.problems)

    @property
    def problem_kinds(self) -> tuple[ProblemKind, ...]:
        return tuple(p.kind for p in self.problems)


@dataclass(frozen=True)
class VolatilityState:
    current_volatility: float | None
    is_high_volatility: bool | None
    timestamp: datetime | None
    problem: Message | None = None


@dataclass(frozen=True)
class BotStatusSnapshot:
    """All symbols' readings from one round trip, plus the optional extras."""

    readings: dict[str, BotStatusReading]
    volatility: VolatilityState | None = None
    redis_error: Message | None = None
    unknown_symbol_readings: dict[str, BotStatusReading] = field(default_factory=dict)


@dataclass(frozen=True)
class WrongRedisType:
    detail: str


@dataclass(frozen=True)
class TooLarge:
    size: int


class _RejectConstant(ValueError):
    pass


def _reject_constant(name: str):
    raise _RejectConstant(name)


def _loads_strict(data: bytes) -> Any:
    return json.loads(data, parse_constant=_reject_constant)


class NonNumberToken:
    """A bare NaN / Infinity / -Infinity in the payload. The v3 bot writes its status with
    json.dumps' defaults, so an indicator it could not compute arrives as `NaN`: in the indicators
    that means "not recorded", anywhere else it is a bad value."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def _loads_bot_json(data: bytes) -> Any:
    return json.loads(data, parse_constant=NonNumberToken)


# The v3 writer fills what it did not compute with 0.0 (`float(indicators.get(name, 0))`): the
# trend MA and the trailing stop's high-water mark are prices, so 0 means "not recorded"; the high-
# water mark is set only in a loop that checked an exit, so it is 0.0 for every flat symbol.
ZERO_MEANS_NOT_RECORDED = ("ma_trend", "hwm")


def validate_payload(
    symbol: str,
    key: str,
    raw: Any,
    now: datetime,
    stale_after_s: float,
    *,
    regime: Any = None,
) -> BotStatusReading:
    """Turn one raw Redis value into a reading that says exactly what is wrong, if anything."""

    def invalid(kind: ProblemKind, message: Message, status: BotStatus | None = None, problems=()):
        return BotStatusReading(
            symbol,
            StatusState.INVALID,
            key=key,
            status=status,
            problems=(StatusProblem(kind, message),) + tuple(problems),
            regime=regime,
        )

    if isinstance(raw, WrongRedisType):
        return invalid(ProblemKind.WRONG_TYPE, Message("status.key_redis_type", detail=raw.detail))
    if isinstance(raw, TooLarge):
        return invalid(
            ProblemKind.TOO_LARGE,
            Message("status.too_large", size=f"{raw.size:,}", limit=f"{MAX_PAYLOAD_BYTES:,}"),
        )
    try:
        payload = _loads_bot_json(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        if not raw:
            return invalid(ProblemKind.NOT_JSON, Message("status.empty_payload"))
        return invalid(ProblemKind.NOT_JSON, Message("status.not_json"))
    if not isinstance(payload, dict):
        return invalid(
            ProblemKind.WRONG_TYPE, Message("status.not_object", type=Message(f"status.json.{_json_type(payload)}"))
        )

    problems: list[StatusProblem] = []
    fields: dict[str, Any] = {}

    def problem(kind: ProblemKind, message: Message):
        problems.append(StatusProblem(kind, message))

    # Required in every payload, WAITING included.
    action = payload.get("action")
    if "action" not in payload:
        problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field="'action'"))
    elif not isinstance(action, str):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'action'", action, "string"))
    elif not action.strip():
        problem(ProblemKind.INVALID_VALUE, Message("status.empty_string", field="'action'"))
    else:
        fields["action"] = action[:MAX_ACTION_CHARS]

    timestamp = payload.get("timestamp")
    if "timestamp" not in payload:
        problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field="'timestamp'"))
    elif not isinstance(timestamp, str):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'timestamp'", timestamp, "timestamp"))
    else:
        parsed = _parse_timestamp(timestamp[:64])
        if parsed is None:
            problem(ProblemKind.INVALID_VALUE, Message("status.bad_timestamp", value=repr(timestamp[:40])))
        elif parsed.tzinfo is None:
            problem(ProblemKind.INVALID_VALUE, Message("status.naive_timestamp"))
        elif (parsed - now).total_seconds() > FUTURE_TOLERANCE_S:
            ahead = (parsed - now).total_seconds()
            problem(ProblemKind.INVALID_VALUE, Message("status.future_timestamp", ahead=f"{ahead:,.0f}"))
        else:
            fields["timestamp"] = parsed

    payload_symbol = payload.get("symbol")
    if "symbol" not in payload:
        problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field="'symbol'"))
    elif not isinstance(payload_symbol, str):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'symbol'", payload_symbol, "string"))
    elif not same_market(symbol, payload_symbol):
        problem(
            ProblemKind.INVALID_VALUE, Message("status.symbol_mismatch", value=repr(payload_symbol[:24]), symbol=symbol)
        )
    else:
        fields["symbol"] = payload_symbol

    # WAITING carries only timestamp, symbol, action and reason; an action this dashboard does
    # not know yet is not held to fields it may not have.
    waiting = fields.get("action") == "WAITING" or fields.get("action", "HOLD") not in ACTIONS
    fields["current_price"] = _number(payload, "current_price", problem, required=not waiting, positive=True)

    indicators = payload.get("indicators")
    if indicators is None and "indicators" in payload:
        indicators = {}
    if indicators is None:
        if not waiting:
            problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field="'indicators'"))
        indicators = {}
    elif not isinstance(indicators, dict):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'indicators'", indicators, "object"))
        indicators = {}
    require_indicators = not waiting
    not_recorded: set[str] = set()
    for name in ("rsi", "ma_trend", "hwm", "bb_upper", "bb_lower", "ma_200"):
        if isinstance(indicators.get(name), NonNumberToken) or (
            name in ZERO_MEANS_NOT_RECORDED and indicators.get(name) == 0 and not isinstance(indicators[name], bool)
        ):
            not_recorded.add(name)
    readable = {k: v for k, v in indicators.items() if k not in not_recorded}
    if "rsi" not in not_recorded:
        fields["rsi"] = _number(
            readable, "rsi", problem, required=require_indicators, prefix="indicators.", low=0, high=100
        )
    for name in ("bb_upper", "bb_lower", "ma_200", "ma_trend", "hwm"):
        # week-6 only: ma_200 is absent until the bot has 200 candles; the bands appear with 20.
        # v3: ma_trend and hwm (0.0 when not recorded, see above).
        fields[name] = _number(readable, name, problem, required=False, prefix="indicators.", positive=True)
    fields["not_recorded"] = frozenset(not_recorded)
    fields["regime"] = _regime(payload, "regime", problem)

    position = payload.get("position")
    if position is None:
        if not waiting and "position" not in payload:
            problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field="'position'"))
    elif not isinstance(position, dict):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'position'", position, "object"))
    else:
        has_position = position.get("has_position")
        if has_position is not None and not isinstance(has_position, bool):
            problem(ProblemKind.WRONG_TYPE, Message("status.not_bool", field="'position.has_position'"))
        else:
            fields["has_position"] = has_position
        fields["avg_price"] = _number(position, "avg_price", problem, required=False, prefix="position.", positive=True)
        fields["quantity"] = _number(position, "quantity", problem, required=False, prefix="position.", low=0)
        pnl_pct = _number(position, "pnl_pct", problem, required=False, prefix="position.")
        # Without a position the writer puts 0.0 there: no PnL, not a flat one.
        fields["pnl_pct"] = None if pnl_pct == 0 and has_position is not True else pnl_pct
        fields["position_regime"] = _regime(position, "regime", problem, prefix="position.")

    reason = payload.get("reason")
    if reason is not None and not isinstance(reason, str):
        problem(ProblemKind.WRONG_TYPE, _wrong_type("'reason'", reason, "string"))
    elif isinstance(reason, str):
        fields["reason"] = reason if len(reason) <= MAX_REASON_CHARS else reason[:MAX_REASON_CHARS] + " …"

    status = BotStatus(**{k: v for k, v in fields.items() if v is not None and v != frozenset()})
    age_s = None
    if status.timestamp is not None:
        age_s = max(0.0, (now - status.timestamp).total_seconds())
    stale = age_s is not None and age_s > stale_after_s
    if problems:
        return BotStatusReading(
            symbol,
            StatusState.INVALID,
            key=key,
            status=status,
            problems=tuple(problems),
            age_s=age_s,
            stale=stale,
            regime=regime,
        )
    return BotStatusReading(symbol, StatusState.OK, key=key, status=status, age_s=age_s, stale=stale, regime=regime)


def _number(
    container: dict,
    name: str,
    problem,
    *,
    required: bool,
    prefix: str = "",
    positive: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> float | None:
    label = f"'{prefix}{name}'"
    if name not in container or container[name] is None:
        if required and name not in container:
            problem(ProblemKind.MISSING_FIELD, Message("status.missing_field", field=label))
        return None
    value = container[name]
    if isinstance(value, NonNumberToken):
        problem(ProblemKind.INVALID_VALUE, Message("status.not_json_number_at", field=label, name=value.name))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problem(ProblemKind.WRONG_TYPE, _wrong_type(label, value, "number"))
        return None
    value = float(value)
    if not math.isfinite(value):
        problem(ProblemKind.INVALID_VALUE, Message("status.not_finite", field=label))
        return None
    if positive and value <= 0:
        problem(ProblemKind.INVALID_VALUE, Message("status.not_positive", field=label, value=f"{value:g}"))
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        problem(ProblemKind.INVALID_VALUE, Message("status.out_of_range", field=label, value=f"{value:g}"))
        return None
    return value


def _regime(container: dict, name: str, problem, *, prefix: str = "") -> str | None:
    value = container.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problem(ProblemKind.WRONG_TYPE, _wrong_type(f"'{prefix}{name}'", value, "string"))
        return None
    return value.strip()[:20] or None


def _parse_timestamp(text: str) -> datetime | None:
    """An ISO-8601 time, in UTC when it has a zone; None when unreadable or, like
    0001-01-01T00:00+14:00, outside the range a datetime can hold once in UTC."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed
    except (ValueError, OverflowError):
        return None


def _wrong_type(field_label: str, value: Any, expected: str) -> Message:
    """'<field>' is a <JSON type>, expected <expected> (string, number, object or timestamp)."""
    return Message(
        "status.wrong_type",
        field=field_label,
        type=Message(f"status.json.{_json_type(value)}"),
        expected=Message(f"status.expected.{expected}"),
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, NonNumberToken):
        return "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def joined(problems: list[Message]) -> Message | None:
    """Several problems as one message ("a; b; c"), or None when there is none."""
    if not problems:
        return None
    message = problems[-1]
    for earlier in reversed(problems[:-1]):
        message = Message("status.and", first=earlier, rest=message)
    return message


def decode_optional(raw: Any) -> Any:
    """market:regime:{symbol}: shown when present, in whatever form the bot wrote it."""
    if raw is None or isinstance(raw, (WrongRedisType, TooLarge)):
        return None
    try:
        return _loads_strict(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return raw.decode("utf-8", "replace")[:200] if isinstance(raw, bytes) else str(raw)[:200]


def parse_volatility(raw: Any) -> VolatilityState | None:
    if raw is None:
        return None
    if isinstance(raw, (WrongRedisType, TooLarge)):
        return VolatilityState(None, None, None, Message("status.volatility_unreadable"))
    try:
        payload = _loads_bot_json(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return VolatilityState(None, None, None, Message("status.volatility_not_json"))
    if not isinstance(payload, dict):
        return VolatilityState(None, None, None, Message("status.volatility_not_object"))
    problems: list[Message] = []
    value = _number(payload, "current_volatility", lambda kind, msg: problems.append(msg), required=False, low=0)
    flag = payload.get("is_high_volatility")
    if flag is not None and not isinstance(flag, bool):
        problems.append(Message("status.not_bool", field="'is_high_volatility'"))
        flag = None
    stamp = payload.get("timestamp")
    parsed = _parse_timestamp(stamp[:64]) if isinstance(stamp, str) else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = None
        problems.append(Message("status.no_time_zone"))
    return VolatilityState(value, flag, parsed, joined(problems))
