"""The bot's risk rules, the limits they use and the trading state they imply, as plain values (pure).

Read from the bot's own code (its risk manager and its BUY sizing; SCHEMA.md summarises them), in
the bot's order:

- Every limit of a v3 bot is a fraction of the **reference equity**: `REFERENCE_EQUITY` from the
  bot's environment when set and positive; else the day's Redis key (written when the bot first
  evaluates an entry on a UTC day, fixed until midnight UTC); else cash + the value of the open
  positions at that moment, which is what the bot will fix when it writes the key (until then the
  dashboard's figure is a forecast that moves with prices). A week-6 bot measured against the cash
  balance instead, which moved with every buy.
- The fractions come from the bot's strategy file (data.strategy_file), else the bot's code
  defaults; without a configured file, from the dashboard's own RISK_* settings.
- The daily loss limit is checked only when the bot evaluates an entry, and only then does it set
  `is_trading_halted`: "limit reached" and "halted" are two states.
- The cooldown starts after 3 consecutive losses, hard-coded in the bot whatever its file says.

Every limit is a `Sourced` value that says where it came from, so the Risk page can say it too.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from data.strategy_file import (
    DEFAULT_AI_CALLS_PER_DAY,
    DEFAULT_AI_CALLS_PER_HOUR,
    DEFAULT_REGIME_RATIOS,
    DEFAULT_RISK,
    StrategyFile,
)
from i18n import Message

V = TypeVar("V")

# Hard-coded in the bot: the loss streak that starts a cooldown (its file's
# cooldown_after_consecutive_losses is read but never used), the order-size multiplier while
# coinpilot:volatility_state says high volatility, and the fee buffer's default.
COOLDOWN_LOSSES_IN_BOT_CODE = 3
HIGH_VOLATILITY_MULTIPLIER = 0.5
DEFAULT_FEE_BUFFER = 0.002
# The regime the bot never enters in (it waits for 200 hourly candles); not in any strategy file.
UNKNOWN_REGIME = "UNKNOWN"


class LimitSource(str, enum.Enum):
    """Where a limit's value came from (catalogue "risk.source.<value>")."""

    STRATEGY_FILE = "strategy_file"  # the bot's strategy file (COINPILOT_STRATEGY_CONFIG)
    BOT_DEFAULT = "bot_default"  # the bot's code default: the file (or the key) is missing
    BOT_CODE = "bot_code"  # fixed in the bot's code whatever the file says
    DASHBOARD_SETTING = "dashboard_setting"  # the dashboard's RISK_* settings (no strategy file)
    ENVIRONMENT = "environment"  # REFERENCE_EQUITY / ORDER_FEE_BUFFER_PCT, mirrored from the bot's env
    REDIS = "redis"  # coinpilot:reference_equity:{UTC day}, written by the bot
    FORECAST = "forecast"  # cash + exposure now: what the bot will fix at its first entry check today
    BALANCE = "balance"  # the week-6 rule: the cash balance


@dataclass(frozen=True)
class Sourced(Generic[V]):
    value: V
    source: LimitSource
    # A remark about the value (e.g. the file says 5 losses, the bot uses 3).
    note: Message | None = None


@dataclass(frozen=True)
class RegimeLimits:
    """What the bot applies to a BUY in one regime: the order size ratio and the AI call budget."""

    regime: str
    position_size_ratio: Sourced[float]
    ai_max_calls_per_hour: Sourced[int]
    ai_max_calls_per_day: Sourced[int]


@dataclass(frozen=True)
class DashboardRiskSettings:
    """The dashboard's own risk settings; None where the variable is unset. The RISK_* and AI_*
    values apply only when no strategy file is configured; REFERENCE_EQUITY and
    ORDER_FEE_BUFFER_PCT mirror the bot's environment variables of the same name."""

    daily_loss_limit_pct: float | None = None
    max_trades_per_day: int | None = None
    max_consecutive_losses: int | None = None
    cooldown_hours: float | None = None
    max_order_pct: float | None = None
    ai_max_calls_per_hour: int | None = None
    ai_max_calls_per_day: int | None = None
    reference_equity: float | None = None
    fee_buffer: float | None = None


@dataclass(frozen=True)
class RiskLimits:
    """The limits the bot enforces, each with its source. Fractions are of the reference equity
    (of the balance for a week-6 bot)."""

    max_daily_loss: Sourced[float]
    max_daily_trades: Sourced[int]
    max_consecutive_losses: Sourced[int]
    cooldown_hours: Sourced[float]
    max_position_size: Sourced[float]
    max_total_exposure: Sourced[float]
    max_concurrent_positions: Sourced[int]
    allow_same_coin_duplicate: Sourced[bool]
    fee_buffer: Sourced[float]
    regimes: tuple[RegimeLimits, ...]
    # The strategy file as read (None: none configured).
    strategy: StrategyFile | None = None

    @classmethod
    def bot_defaults(cls) -> RiskLimits:
        """The bot's code defaults, as a bot without a strategy file runs."""
        return resolve_limits(None, DashboardRiskSettings())

    @property
    def daily_loss_limit_pct(self) -> float:
        return self.max_daily_loss.value * 100.0

    @property
    def max_order_pct(self) -> float:
        return self.max_position_size.value * 100.0

    def regime(self, name: str | None) -> RegimeLimits:
        """The limits of a regime; one the configuration does not list (UNKNOWN, or one left out
        of the file) sizes its orders at 0, as the bot does, with the guardrails' AI budget."""
        for regime in self.regimes:
            if regime.regime == name:
                return regime
        return RegimeLimits(
            str(name or UNKNOWN_REGIME),
            Sourced(0.0, LimitSource.BOT_CODE),
            Sourced(DEFAULT_AI_CALLS_PER_HOUR, LimitSource.BOT_DEFAULT),
            Sourced(DEFAULT_AI_CALLS_PER_DAY, LimitSource.BOT_DEFAULT),
        )

    def ai_calls_per_hour(self) -> int:
        """The lowest regime budget: the first at which some regime's entries are blocked."""
        return min((r.ai_max_calls_per_hour.value for r in self.regimes), default=DEFAULT_AI_CALLS_PER_HOUR)

    def ai_calls_per_day(self) -> int:
        return min((r.ai_max_calls_per_day.value for r in self.regimes), default=DEFAULT_AI_CALLS_PER_DAY)

    @property
    def problems(self) -> tuple[Message, ...]:
        """What is wrong with the strategy file, for one line on Risk and System."""
        if self.strategy is None:
            return ()
        fallback = (Message("strategy.fallback", why=self.strategy.fallback),) if self.strategy.fallback else ()
        return fallback + self.strategy.problems


def resolve_limits(strategy: StrategyFile | None, dashboard: DashboardRiskSettings) -> RiskLimits:
    """The limits in the bot's order of precedence (see the module docstring)."""
    fee = (
        Sourced(dashboard.fee_buffer, LimitSource.ENVIRONMENT)
        if dashboard.fee_buffer is not None
        else Sourced(DEFAULT_FEE_BUFFER, LimitSource.BOT_DEFAULT)
    )
    if strategy is None:
        return _from_dashboard(dashboard, fee)

    def from_file(key: str, convert=float) -> Sourced:
        if key in strategy.risk:
            return Sourced(convert(strategy.risk[key]), LimitSource.STRATEGY_FILE)
        return Sourced(convert(DEFAULT_RISK[key]), LimitSource.BOT_DEFAULT)

    configured_losses = strategy.risk.get("cooldown_after_consecutive_losses")
    losses_note = None
    if configured_losses is not None and configured_losses != COOLDOWN_LOSSES_IN_BOT_CODE:
        losses_note = Message(
            "risk.source.losses_ignored", configured=configured_losses, used=COOLDOWN_LOSSES_IN_BOT_CODE
        )
    return RiskLimits(
        max_daily_loss=from_file("max_daily_loss"),
        max_daily_trades=from_file("max_daily_trades", int),
        max_consecutive_losses=Sourced(COOLDOWN_LOSSES_IN_BOT_CODE, LimitSource.BOT_CODE, losses_note),
        cooldown_hours=from_file("cooldown_hours"),
        max_position_size=from_file("max_position_size"),
        max_total_exposure=from_file("max_total_exposure"),
        max_concurrent_positions=from_file("max_concurrent_positions", int),
        allow_same_coin_duplicate=from_file("allow_same_coin_duplicate", bool),
        fee_buffer=fee,
        regimes=_file_regimes(strategy),
        strategy=strategy,
    )


def _file_regimes(strategy: StrategyFile) -> tuple[RegimeLimits, ...]:
    if strategy.regimes is None:
        return _default_regimes(None, None)
    regimes = []
    for entry in strategy.regimes:
        regimes.append(
            RegimeLimits(
                entry.name,
                # A regime without a ratio sizes at 0 in the bot (its lookup's default).
                Sourced(entry.position_size_ratio, LimitSource.STRATEGY_FILE)
                if entry.position_size_ratio is not None
                else Sourced(0.0, LimitSource.BOT_CODE),
                _calls(entry.ai_max_calls_per_hour, DEFAULT_AI_CALLS_PER_HOUR, LimitSource.STRATEGY_FILE),
                _calls(entry.ai_max_calls_per_day, DEFAULT_AI_CALLS_PER_DAY, LimitSource.STRATEGY_FILE),
            )
        )
    return tuple(regimes)


def _calls(value: int | None, default: int, source: LimitSource) -> Sourced[int]:
    return Sourced(value, source) if value is not None else Sourced(default, LimitSource.BOT_DEFAULT)


def _default_regimes(per_hour: int | None, per_day: int | None) -> tuple[RegimeLimits, ...]:
    return tuple(
        RegimeLimits(
            name,
            Sourced(ratio, LimitSource.BOT_DEFAULT),
            _calls(per_hour, DEFAULT_AI_CALLS_PER_HOUR, LimitSource.DASHBOARD_SETTING),
            _calls(per_day, DEFAULT_AI_CALLS_PER_DAY, LimitSource.DASHBOARD_SETTING),
        )
        for name, ratio in DEFAULT_REGIME_RATIOS.items()
    )


def _from_dashboard(dashboard: DashboardRiskSettings, fee: Sourced[float]) -> RiskLimits:
    def setting(value, default, convert=float) -> Sourced:
        if value is not None:
            return Sourced(convert(value), LimitSource.DASHBOARD_SETTING)
        return Sourced(convert(default), LimitSource.BOT_DEFAULT)

    loss_pct = dashboard.daily_loss_limit_pct
    order_pct = dashboard.max_order_pct
    losses = dashboard.max_consecutive_losses
    return RiskLimits(
        max_daily_loss=setting(None if loss_pct is None else loss_pct / 100.0, DEFAULT_RISK["max_daily_loss"]),
        max_daily_trades=setting(dashboard.max_trades_per_day, DEFAULT_RISK["max_daily_trades"], int),
        max_consecutive_losses=Sourced(losses, LimitSource.DASHBOARD_SETTING)
        if losses is not None
        else Sourced(COOLDOWN_LOSSES_IN_BOT_CODE, LimitSource.BOT_CODE),
        cooldown_hours=setting(dashboard.cooldown_hours, DEFAULT_RISK["cooldown_hours"]),
        max_position_size=setting(None if order_pct is None else order_pct / 100.0, DEFAULT_RISK["max_position_size"]),
        max_total_exposure=Sourced(float(DEFAULT_RISK["max_total_exposure"]), LimitSource.BOT_DEFAULT),
        max_concurrent_positions=Sourced(int(DEFAULT_RISK["max_concurrent_positions"]), LimitSource.BOT_DEFAULT),
        allow_same_coin_duplicate=Sourced(bool(DEFAULT_RISK["allow_same_coin_duplicate"]), LimitSource.BOT_DEFAULT),
        fee_buffer=fee,
        regimes=_default_regimes(dashboard.ai_max_calls_per_hour, dashboard.ai_max_calls_per_day),
    )


# -- reference equity ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceEquity:
    """The base every v3 limit is a fraction of, and where it came from."""

    value: float
    source: LimitSource
    # Why a better source was not used (the Redis key unreadable, Redis unreachable).
    problem: Message | None = None

    @property
    def is_forecast(self) -> bool:
        return self.source is LimitSource.FORECAST


def parse_reference_equity(raw: Any) -> tuple[float | None, Message | None]:
    """The bot's `coinpilot:reference_equity:{day}` value: a decimal string it reads back only when
    positive; anything else it ignores (and overwrites at its next entry evaluation)."""
    if raw is None:
        return None, None
    if not isinstance(raw, (bytes, str)):  # a Redis value that is not a string, or too long
        return None, Message("risk.reference.key_unreadable", value="?")
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    try:
        value = Decimal(text.strip()[:64])
    except InvalidOperation:
        return None, Message("risk.reference.key_unreadable", value=repr(text[:24]))
    if not value.is_finite() or value <= 0:
        return None, Message("risk.reference.key_unreadable", value=repr(text[:24]))
    return float(value), None


def reference_equity(
    *,
    environment: float | None,
    redis_value: float | None,
    cash: float | None,
    exposure: float,
    balance_rule: bool = False,
    redis_problem: Message | None = None,
) -> ReferenceEquity:
    """In the bot's order: its environment, the day's Redis key, else what it would fix now.

    `balance_rule`: a week-6 bot, whose limits were fractions of the cash balance."""
    if balance_rule:
        return ReferenceEquity(cash or 0.0, LimitSource.BALANCE)
    if environment is not None and environment > 0:
        return ReferenceEquity(environment, LimitSource.ENVIRONMENT)
    if redis_value is not None and redis_value > 0:
        return ReferenceEquity(redis_value, LimitSource.REDIS)
    # The bot's fallback: total equity, or the balance when that is not positive.
    total = (cash + exposure) if cash is not None else 0.0
    value = total if total > 0 else (cash or 0.0)
    return ReferenceEquity(value, LimitSource.FORECAST, redis_problem)


def position_exposure(quantity: float, avg_price: float, redis_price: Any, latest_close: float | None) -> float:
    """One position's value as the bot counts it: the Redis `price:{symbol}` when set and readable,
    else the newest candle's close, else (a price of 0) the average cost."""
    price = None
    if redis_price is not None:
        text = redis_price.decode("utf-8", "replace") if isinstance(redis_price, bytes) else str(redis_price)
        try:
            parsed = Decimal(text.strip()[:64])
            price = float(parsed) if parsed.is_finite() else None
        except InvalidOperation:
            price = None
    if price is None:
        price = latest_close if latest_close is not None and math.isfinite(latest_close) else 0.0
    if price == 0:
        price = avg_price
    return quantity * price


# -- today's state ---------------------------------------------------------------------


class TradingState(str, enum.Enum):
    RUNNING = "RUNNING"
    # A daily limit is reached (trades, or the loss limit before the bot has noticed): no new
    # entries until the next UTC day; exits still run.
    LIMIT_REACHED = "LIMIT REACHED"
    COOLDOWN = "COOLDOWN"
    HALTED = "HALTED"


@dataclass(frozen=True)
class DailyRiskState:
    """One row of `daily_risk_state` (one UTC date)."""

    date: date
    total_pnl: float
    trade_count: int
    consecutive_losses: int
    cooldown_until: datetime | None
    is_trading_halted: bool
    updated_at: datetime | None
    buy_count: int | None = None
    sell_count: int | None = None

    @classmethod
    def empty(cls, day: date) -> DailyRiskState:
        """The state of a UTC day on which the bot has not written a row (no trade yet)."""
        return cls(day, 0.0, 0, 0, None, False, None)


@dataclass(frozen=True)
class RiskAssessment:
    """Today's risk state measured against the limits, ready to be laid out."""

    state: TradingState
    day: DailyRiskState
    has_row: bool
    reference: ReferenceEquity
    daily_loss_limit_krw: float
    # Today's PnL (the bot's total_pnl: realized, fees left out) in % of the reference equity.
    pnl_pct_of_reference: float
    loss_limit_reached: bool
    trade_limit_reached: bool
    consecutive_loss_limit_reached: bool
    cooldown_remaining_s: float
    # The limits reached, as messages translated when shown (i18n/<language>/risk.py).
    warnings: tuple[Message, ...]
    # What the daily trade limit counts: BUYs where the bot records the split (v3.2.1+),
    # else every trade, as week-6 did.
    trades_counted: int = 0
    counts_buys: bool = False
    # trade_count != buy_count + sell_count: the bot's own bookkeeping disagrees with itself.
    count_mismatch: bool = False
    limits: RiskLimits | None = field(default=None, repr=False)

    @property
    def balance_rule(self) -> bool:
        return self.reference.source is LimitSource.BALANCE


def assess_risk(
    day: DailyRiskState | None,
    today: date,
    reference: ReferenceEquity,
    limits: RiskLimits,
    now: datetime,
) -> RiskAssessment:
    """Evaluate today's row against the limits exactly as the bot does; a day without a row is a
    day without trades."""
    has_row = day is not None
    day = day if day is not None else DailyRiskState.empty(today)
    base = reference.value
    loss_limit_krw = base * limits.max_daily_loss.value
    pnl_pct = (day.total_pnl / base * 100.0) if base > 0 else 0.0
    loss_reached = base > 0 and day.total_pnl <= -loss_limit_krw
    counts_buys = day.buy_count is not None
    trades_counted = day.buy_count if counts_buys else day.trade_count
    trades_reached = trades_counted >= limits.max_daily_trades.value
    count_mismatch = (
        day.buy_count is not None and day.sell_count is not None and day.trade_count != day.buy_count + day.sell_count
    )
    losses_reached = day.consecutive_losses >= limits.max_consecutive_losses.value
    cooldown_remaining = 0.0
    if day.cooldown_until is not None and day.cooldown_until > now:
        cooldown_remaining = (day.cooldown_until - now).total_seconds()

    if day.is_trading_halted:
        state = TradingState.HALTED
    elif cooldown_remaining > 0:
        state = TradingState.COOLDOWN
    elif trades_reached or loss_reached:
        state = TradingState.LIMIT_REACHED
    else:
        state = TradingState.RUNNING

    warnings: list[Message] = []
    if loss_reached:
        warnings.append(
            Message(
                "risk.warning.loss_limit_halted" if day.is_trading_halted else "risk.warning.loss_limit",
                pnl_pct=f"{pnl_pct:.2f}",
                limit_pct=f"{limits.daily_loss_limit_pct:.2f}",
            )
        )
    if trades_reached:
        warnings.append(
            Message(
                "risk.warning.trade_limit_buys" if counts_buys else "risk.warning.trade_limit_trades",
                count=trades_counted,
                limit=limits.max_daily_trades.value,
            )
        )
    if count_mismatch:
        warnings.append(
            Message("risk.warning.count_mismatch", trades=day.trade_count, buys=day.buy_count, sells=day.sell_count)
        )
    if losses_reached:
        warnings.append(
            Message(
                "risk.warning.consecutive_losses",
                count=day.consecutive_losses,
                limit=limits.max_consecutive_losses.value,
            )
        )
    if day.is_trading_halted and not loss_reached:
        warnings.append(Message("risk.warning.halted"))
    return RiskAssessment(
        state=state,
        day=day,
        has_row=has_row,
        reference=reference,
        daily_loss_limit_krw=loss_limit_krw,
        pnl_pct_of_reference=pnl_pct,
        loss_limit_reached=loss_reached,
        trade_limit_reached=trades_reached,
        consecutive_loss_limit_reached=losses_reached,
        cooldown_remaining_s=cooldown_remaining,
        warnings=tuple(warnings),
        trades_counted=trades_counted,
        counts_buys=counts_buys,
        count_mismatch=count_mismatch,
        limits=limits,
    )


# -- what the bot does with a BUY signal now ---------------------------------------------


class EntryOutcome(str, enum.Enum):
    WOULD_BUY = "would_buy"
    # The order size comes out at 0 or below: the bot skips the BUY and writes NO status for the
    # symbol that loop, so its status key expires while the signal lasts.
    SKIPPED_SILENTLY = "skipped_silently"
    # The risk check refuses the order: status SKIP with "Risk Rejected: <reason>".
    REJECTED = "rejected"
    NEVER = "never"  # the bot does not enter in this regime (UNKNOWN)


@dataclass(frozen=True)
class EntrySizing:
    regime: str
    ratio: Sourced[float]
    target_krw: float
    order_krw: float
    outcome: EntryOutcome
    reason: Message | None = None


@dataclass(frozen=True)
class EntryRules:
    """The rules the bot applies to each BUY signal, against what is open now."""

    reference: ReferenceEquity
    account_present: bool
    cash_krw: float
    cash_cap_krw: float
    exposure_krw: float
    max_exposure_krw: float
    exposure_room_krw: float
    per_order_cap_krw: float
    volatility_multiplier: float
    high_volatility: bool | None
    open_positions: int
    held_symbols: tuple[str, ...]
    daily_gate: Message | None
    by_regime: tuple[EntrySizing, ...]
    limits: RiskLimits

    def for_regime(self, regime: str | None) -> EntrySizing:
        for sizing in self.by_regime:
            if sizing.regime == regime:
                return sizing
        return _sizing(self, self.limits.regime(regime))


def daily_gate(assessment: RiskAssessment) -> Message | None:
    """Why the bot's risk check refuses every BUY today, in its order: halted, cooldown, trades,
    loss limit (None when none applies)."""
    if assessment.day.is_trading_halted:
        return Message("risk.entry.gate_halted")
    if assessment.cooldown_remaining_s > 0:
        return Message("risk.entry.gate_cooldown")
    if assessment.trade_limit_reached:
        return Message("risk.entry.gate_trades", limit=assessment.limits.max_daily_trades.value)
    if assessment.loss_limit_reached:
        return Message("risk.entry.gate_loss")
    return None


def entry_rules(
    limits: RiskLimits,
    assessment: RiskAssessment,
    *,
    cash: float | None,
    exposure: float,
    held_symbols: tuple[str, ...],
    high_volatility: bool | None,
) -> EntryRules:
    """The bot's BUY sizing (the least of the regime's target, the cash cap and the exposure room)
    and its risk check, for each regime of the configuration."""
    reference = assessment.reference
    base = reference.value
    cash_krw = cash or 0.0
    max_exposure = base * limits.max_total_exposure.value
    multiplier = HIGH_VOLATILITY_MULTIPLIER if high_volatility else 1.0
    rules = EntryRules(
        reference=reference,
        account_present=cash is not None,
        cash_krw=cash_krw,
        cash_cap_krw=cash_krw * (1.0 - limits.fee_buffer.value),
        exposure_krw=exposure,
        max_exposure_krw=max_exposure,
        exposure_room_krw=max_exposure - exposure,
        per_order_cap_krw=base * limits.max_position_size.value * multiplier,
        volatility_multiplier=multiplier,
        high_volatility=high_volatility,
        open_positions=len(held_symbols),
        held_symbols=held_symbols,
        daily_gate=daily_gate(assessment),
        by_regime=(),
        limits=limits,
    )
    return replace(rules, by_regime=tuple(_sizing(rules, regime) for regime in limits.regimes))


def _sizing(rules: EntryRules, regime: RegimeLimits) -> EntrySizing:
    limits = rules.limits
    ratio = regime.position_size_ratio
    target = rules.reference.value * limits.max_position_size.value * ratio.value
    order = min(target, rules.cash_cap_krw, rules.exposure_room_krw)

    def result(outcome: EntryOutcome, reason: Message | None) -> EntrySizing:
        return EntrySizing(regime.regime, ratio, target, order, outcome, reason)

    if regime.regime == UNKNOWN_REGIME:
        return result(EntryOutcome.NEVER, Message("risk.entry.never_unknown"))
    if order <= 0:
        if rules.exposure_room_krw <= 0:
            why = Message(
                "risk.entry.silent_exposure", used=_krw(rules.exposure_krw), limit=_krw(rules.max_exposure_krw)
            )
        elif rules.cash_cap_krw <= 0:
            why = Message("risk.entry.silent_cash")
        else:
            why = Message("risk.entry.silent_zero")
        return result(EntryOutcome.SKIPPED_SILENTLY, why)
    # The risk check, in the bot's order (the daily gates first).
    if not rules.account_present:
        return result(EntryOutcome.REJECTED, Message("risk.entry.reject_no_account"))
    if rules.reference.value <= 0:
        return result(EntryOutcome.REJECTED, Message("risk.entry.reject_no_reference"))
    if rules.daily_gate is not None:
        return result(EntryOutcome.REJECTED, rules.daily_gate)
    if order > rules.per_order_cap_krw:
        return result(
            EntryOutcome.REJECTED,
            Message(
                "risk.entry.reject_per_order_volatile"
                if rules.volatility_multiplier < 1.0
                else "risk.entry.reject_per_order",
                order=_krw(order),
                cap=_krw(rules.per_order_cap_krw),
            ),
        )
    if rules.open_positions >= limits.max_concurrent_positions.value:
        return result(
            EntryOutcome.REJECTED,
            Message("risk.entry.reject_positions", limit=limits.max_concurrent_positions.value),
        )
    return result(EntryOutcome.WOULD_BUY, None)


def _krw(value: float) -> str:
    return f"{value:,.0f}"
