"""The bot's risk rules (SCHEMA.md) and the trading state they imply, as plain values."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from i18n import Message


@dataclass(frozen=True)
class RiskLimits:
    """The limits the bot enforces; the defaults are the bot's own (SCHEMA.md)."""

    daily_loss_limit_pct: float = 5.0
    max_trades_per_day: int = 10
    max_consecutive_losses: int = 3
    cooldown_hours: float = 2.0
    max_order_pct: float = 5.0
    # The AI call budget the bot keeps (ai:usage:hour:* / ai:usage:day:*).
    ai_max_calls_per_hour: int = 20
    ai_max_calls_per_day: int = 120


class TradingState(str, enum.Enum):
    RUNNING = "RUNNING"
    # The daily trade limit is reached: no new entries until the next UTC day; exits still run.
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
    balance: float
    daily_loss_limit_krw: float
    pnl_pct_of_balance: float
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


def assess_risk(
    day: DailyRiskState | None,
    today: date,
    balance: float,
    limits: RiskLimits,
    now: datetime,
) -> RiskAssessment:
    """Evaluate today's row against the limits exactly as the bot does.

    The bot halts when total_pnl <= -(balance x daily_loss_limit_pct%); a day without a
    row is a day without trades.
    """
    has_row = day is not None
    day = day if day is not None else DailyRiskState.empty(today)
    loss_limit_krw = balance * limits.daily_loss_limit_pct / 100.0
    pnl_pct = (day.total_pnl / balance * 100.0) if balance > 0 else 0.0
    loss_reached = balance > 0 and day.total_pnl <= -loss_limit_krw
    counts_buys = day.buy_count is not None
    trades_counted = day.buy_count if counts_buys else day.trade_count
    trades_reached = trades_counted >= limits.max_trades_per_day
    count_mismatch = (
        day.buy_count is not None and day.sell_count is not None and day.trade_count != day.buy_count + day.sell_count
    )
    losses_reached = day.consecutive_losses >= limits.max_consecutive_losses
    cooldown_remaining = 0.0
    if day.cooldown_until is not None and day.cooldown_until > now:
        cooldown_remaining = (day.cooldown_until - now).total_seconds()

    if day.is_trading_halted:
        state = TradingState.HALTED
    elif cooldown_remaining > 0:
        state = TradingState.COOLDOWN
    elif trades_reached:
        state = TradingState.LIMIT_REACHED
    else:
        state = TradingState.RUNNING

    warnings: list[Message] = []
    if loss_reached:
        warnings.append(
            Message(
                "risk.warning.loss_limit",
                pnl_pct=f"{pnl_pct:.2f}",
                limit_pct=f"{limits.daily_loss_limit_pct:.2f}",
            )
        )
    if trades_reached:
        warnings.append(
            Message(
                "risk.warning.trade_limit_buys" if counts_buys else "risk.warning.trade_limit_trades",
                count=trades_counted,
                limit=limits.max_trades_per_day,
            )
        )
    if count_mismatch:
        warnings.append(
            Message("risk.warning.count_mismatch", trades=day.trade_count, buys=day.buy_count, sells=day.sell_count)
        )
    if losses_reached:
        warnings.append(
            Message(
                "risk.warning.consecutive_losses", count=day.consecutive_losses, limit=limits.max_consecutive_losses
            )
        )
    if day.is_trading_halted and not loss_reached:
        warnings.append(Message("risk.warning.halted"))
    return RiskAssessment(
        state=state,
        day=day,
        has_row=has_row,
        balance=balance,
        daily_loss_limit_krw=loss_limit_krw,
        pnl_pct_of_balance=pnl_pct,
        loss_limit_reached=loss_reached,
        trade_limit_reached=trades_reached,
        consecutive_loss_limit_reached=losses_reached,
        cooldown_remaining_s=cooldown_remaining,
        warnings=tuple(warnings),
        trades_counted=trades_counted,
        counts_buys=counts_buys,
        count_mismatch=count_mismatch,
    )
