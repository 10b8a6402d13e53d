"""The paper bot: CoinPilot's mean-reversion loop and books, run over synthetic candles.

It trades the bot's idea (RSI(14) < 30 and close under the lower Bollinger band) under the
bot's risk rules, and writes what the real bot writes: orders, positions, cash, daily risk
state, risk-audit events, AI decisions and the Redis status payload. Its books follow the
same average-cost accounting as data.metrics, so every number the dashboard derives agrees
with what the bot recorded.
"""

from __future__ import annotations

import math
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from data.indicators import bollinger, rsi, sma
from data.risk import RiskLimits

INITIAL_BALANCE = 10_000_000.0
FEE_RATE = 0.0005  # Upbit KRW market
STRATEGY_NAME = "MeanReversion-RSI-BB"


@dataclass
class BotConfig:
    limits: RiskLimits = field(default_factory=RiskLimits)
    fee_rate: float = FEE_RATE
    rsi_oversold: float = 30.0
    rsi_overbought: float = 70.0
    take_profit: float = 0.02
    stop_loss: float = 0.015
    max_hold: timedelta = timedelta(hours=36)
    cancel_probability: float = 0.08
    ai_reject_probability: float = 0.15
    initial_balance: float = INITIAL_BALANCE
    # v3.2.1: the daily trade limit counts BUYs (entries); week-6 counted every trade.
    limit_counts_buys: bool = True


@dataclass
class Holding:
    quantity: float
    avg_price: float
    opened_at: datetime
    buy_fees: float
    updated_at: datetime


@dataclass
class DayState:
    date: date
    total_pnl: float = 0.0
    trade_count: int = 0
    buy_count: int = 0
    sell_count: int = 0
    consecutive_losses: int = 0
    cooldown_until: datetime | None = None
    is_trading_halted: bool = False
    updated_at: datetime | None = None
    audited: set = field(default_factory=set)


@dataclass(frozen=True)
class Indicators:
    rsi: float | None
    bb_upper: float | None
    bb_lower: float | None
    ma_200: float | None


class PaperBot:
    """The bot's decision loop and books, recording every row the real bot would write."""

    def __init__(self, config: BotConfig, rng: np.random.Generator, *, cash: float | None = None):
        self.config = config
        self.rng = rng
        self.cash = config.initial_balance if cash is None else cash
        self.holdings: dict[str, Holding] = {}
        self.days: dict[date, DayState] = {}
        self.orders: list[dict] = []
        self.audits: list[dict] = []
        self.decisions: list[dict] = []
        self.dirty_symbols: set[str] = set()
        self.dirty_days: set[date] = set()
        self.cash_updated_at: datetime | None = None

    # -- the loop ----------------------------------------------------------------------

    def on_candle(
        self, symbol: str, decided_at: datetime, close: float, ind: Indicators, *, want_status: bool = False
    ) -> dict | None:
        """Decide on one closed candle; returns the Redis status payload when asked."""
        holding = self.holdings.get(symbol)
        if holding is None and (ind.rsi is None or ind.rsi >= self.config.rsi_oversold) and not want_status:
            return None  # the fast path of history generation: nothing to do
        day = self._day(decided_at)
        action, reason = "HOLD", ""
        if ind.rsi is None or ind.bb_lower is None:
            action, reason = "WAITING", "데이터 수집 중: 지표 계산에 필요한 캔들이 부족합니다"
        elif holding is not None:
            change = close / holding.avg_price - 1.0
            exit_reason = None
            if change >= self.config.take_profit:
                exit_reason = f"익절 {change * 100:+.2f}%"
            elif change <= -self.config.stop_loss:
                exit_reason = f"손절 {change * 100:+.2f}%"
            elif ind.rsi > self.config.rsi_overbought:
                exit_reason = f"RSI({ind.rsi:.1f}) > {self.config.rsi_overbought:.0f} 과매수"
            elif decided_at - holding.opened_at >= self.config.max_hold:
                exit_reason = f"보유 기간 초과 ({change * 100:+.2f}%)"
            if exit_reason:
                self._sell(symbol, holding, close, decided_at, day, exit_reason, ind)
                action, reason = "SELL", f"매도: {exit_reason}"
            else:
                reason = (
                    f"보유 중: 수익률 {change * 100:+.2f}% "
                    f"(익절 +{self.config.take_profit * 100:.1f}% / 손절 -{self.config.stop_loss * 100:.1f}%)"
                )
        elif ind.rsi < self.config.rsi_oversold and close < ind.bb_lower:
            blocked = self._buy_blocked(day, decided_at)
            if blocked:
                reason = f"매수 보류: {blocked}"
            elif self.rng.random() < self.config.ai_reject_probability:
                self._decision(
                    symbol, decided_at, "REJECT", close, ind, "하락 추세가 강해 반등 근거가 약함: 진입 보류 권고"
                )
                reason = f"매수 신호 거절(AI 검토): RSI({ind.rsi:.1f}) < 30 이지만 추세 약세"
            else:
                self._decision(
                    symbol,
                    decided_at,
                    "CONFIRM",
                    close,
                    ind,
                    f"RSI {ind.rsi:.1f} 과매도, 볼린저 하단 이탈: 평균 회귀 진입 타당",
                )
                if self._buy(symbol, close, decided_at, day, ind):
                    action, reason = "BUY", f"매수: RSI({ind.rsi:.1f}) < 30, 종가가 볼린저 하단 아래"
                else:
                    reason = "매수 주문 미체결 (지정가 취소)"
        elif ind.rsi < self.config.rsi_oversold:
            reason = f"관망 중: RSI({ind.rsi:.1f}) < 30 이지만 종가가 볼린저 하단 위"
        else:
            reason = f"관망 중: RSI({ind.rsi:.1f}) > 30 (과매도 아님)"
        if not want_status:
            return None
        return self.status_payload(symbol, decided_at, close, ind, action, reason)

    def status_payload(self, symbol, at, close, ind: Indicators, action, reason) -> dict:
        holding = self.holdings.get(symbol)
        if action == "WAITING":
            return {
                "timestamp": at.isoformat(),
                "symbol": symbol,
                "indicators": {},
                "action": "WAITING",
                "reason": reason,
            }
        indicators = {"rsi": round(ind.rsi, 2), "bb_upper": ind.bb_upper, "bb_lower": ind.bb_lower}
        if ind.ma_200 is not None:
            indicators["ma_200"] = ind.ma_200
        return {
            "timestamp": at.isoformat(timespec="milliseconds"),
            "symbol": symbol,
            "current_price": float(close),
            "indicators": indicators,
            "position": {
                "has_position": holding is not None,
                "avg_price": holding.avg_price if holding else None,
                "quantity": holding.quantity if holding else None,
            },
            "action": action,
            "reason": reason,
        }

    # -- risk --------------------------------------------------------------------------

    def _day(self, at: datetime) -> DayState:
        key = at.astimezone(UTC).date()
        if key not in self.days:
            self.days[key] = DayState(key)
        return self.days[key]

    def _buy_blocked(self, day: DayState, at: datetime) -> str | None:
        limits = self.config.limits
        if day.is_trading_halted:
            return "일일 손실 한도로 거래 중단"
        if day.cooldown_until is not None and at < day.cooldown_until:
            if "cooldown" not in day.audited:
                day.audited.add("cooldown")
                self._audit(
                    "COOLDOWN_ACTIVE",
                    at,
                    f"Buy signal skipped: cooldown until {day.cooldown_until:%H:%M} UTC after consecutive losses",
                )
            return f"쿨다운 중 (~{day.cooldown_until:%H:%M} UTC)"
        counted, what = (day.buy_count, "buys") if self.config.limit_counts_buys else (day.trade_count, "trades")
        if counted >= limits.max_trades_per_day:
            if "trades" not in day.audited:
                day.audited.add("trades")
                self._audit(
                    "DAILY_TRADE_LIMIT",
                    at,
                    f"Daily trade limit reached: {counted}/{limits.max_trades_per_day} {what}",
                )
            return f"일일 거래 한도 도달 ({counted}/{limits.max_trades_per_day})"
        return None

    # -- orders ------------------------------------------------------------------------

    def _buy(self, symbol, price, at, day: DayState, ind: Indicators) -> bool:
        budget = min(self.cash * self.config.limits.max_order_pct / 100.0, self.cash / (1 + self.config.fee_rate))
        quantity = math.floor(budget / price * 1e8) / 1e8
        if quantity <= 0 or budget < 5_000:  # Upbit's minimum order is 5,000 KRW
            return False
        created = at
        signal = {
            "reason": f"RSI {ind.rsi:.1f} < 30 and close < BB lower",
            "indicators": {"rsi": round(ind.rsi, 2), "bb_lower": ind.bb_lower, "bb_upper": ind.bb_upper},
        }
        if self.rng.random() < self.config.cancel_probability:
            self._order(symbol, "BUY", "LIMIT", price, quantity, 0.0, "CANCELLED", created, None, signal)
            return False
        fee = round(price * quantity * self.config.fee_rate, 8)
        executed = created + timedelta(seconds=float(self.rng.uniform(0.3, 4.0)))
        order_id = self._order(symbol, "BUY", "LIMIT", price, quantity, fee, "FILLED", created, executed, signal)
        self.cash -= price * quantity + fee
        self.holdings[symbol] = Holding(quantity, price, executed, fee, executed)
        self._count_trade(day, executed, "BUY")
        self.dirty_symbols.add(symbol)
        self.cash_updated_at = executed
        if self.cash < self.config.limits.max_order_pct / 100.0 * self.config.initial_balance * 0.2:
            self._audit("LOW_CASH", executed, f"Cash balance low after buy: {self.cash:,.0f} KRW", order_id)
        return True

    def _sell(self, symbol, holding: Holding, price, at, day: DayState, exit_reason: str, ind: Indicators):
        quantity = holding.quantity
        fee = round(price * quantity * self.config.fee_rate, 8)
        executed = at + timedelta(seconds=float(self.rng.uniform(0.2, 2.0)))
        signal = {"reason": exit_reason, "indicators": {"rsi": round(ind.rsi, 2) if ind.rsi is not None else None}}
        order_id = self._order(symbol, "SELL", "MARKET", price, quantity, fee, "FILLED", at, executed, signal)
        realized = (price - holding.avg_price) * quantity - fee - holding.buy_fees
        self.cash += price * quantity - fee
        del self.holdings[symbol]
        self.dirty_symbols.add(symbol)
        self.cash_updated_at = executed
        self._count_trade(day, executed, "SELL")
        day.total_pnl += realized
        limits = self.config.limits
        if realized < 0:
            day.consecutive_losses += 1
            if day.consecutive_losses >= limits.max_consecutive_losses:
                day.cooldown_until = executed + timedelta(hours=limits.cooldown_hours)
                self._audit(
                    "CONSECUTIVE_LOSSES",
                    executed,
                    f"{day.consecutive_losses} consecutive losses: cooldown for {limits.cooldown_hours:g} h "
                    f"until {day.cooldown_until:%Y-%m-%d %H:%M} UTC",
                    order_id,
                )
                day.consecutive_losses = 0
        else:
            day.consecutive_losses = 0
        loss_limit = self.cash * limits.daily_loss_limit_pct / 100.0
        if day.total_pnl <= -loss_limit and not day.is_trading_halted:
            day.is_trading_halted = True
            self._audit(
                "DAILY_LOSS_LIMIT",
                executed,
                f"Daily loss limit hit: PnL {day.total_pnl:,.0f} KRW <= -{loss_limit:,.0f} KRW; trading halted",
                order_id,
            )
        day.updated_at = executed
        self.dirty_days.add(day.date)

    def _count_trade(self, day: DayState, at: datetime, side: str):
        day.trade_count += 1
        if side == "BUY":
            day.buy_count += 1
        else:
            day.sell_count += 1
        day.updated_at = at
        self.dirty_days.add(day.date)

    def _order(self, symbol, side, order_type, price, quantity, fee, status, created, executed, signal) -> uuid.UUID:
        order_id = uuid.UUID(int=int(self.rng.integers(0, 2**63)) << 64 | int(self.rng.integers(0, 2**63)), version=4)
        self.orders.append(
            {
                "id": order_id,
                "symbol": symbol,
                "side": side,
                "order_type": order_type,
                "price": float(price),
                "quantity": float(quantity),
                "fee": float(fee),
                "status": status,
                "strategy_name": STRATEGY_NAME,
                "signal_info": signal,
                "created_at": created,
                "executed_at": executed,
            }
        )
        return order_id

    def _audit(self, violation_type, at, description, order_id=None):
        self.audits.append(
            {
                "violation_type": violation_type,
                "description": description,
                "related_order_id": order_id,
                "timestamp": at,
            }
        )

    def _decision(self, symbol, at, decision, price, ind: Indicators, reasoning):
        self.decisions.append(
            {
                "symbol": symbol,
                "strategy_name": STRATEGY_NAME,
                "decision": decision,
                "reasoning": reasoning,
                "confidence": int(self.rng.integers(55, 96)),
                "model_used": "demo-simulated-reviewer",
                "created_at": at,
            }
        )

    def drain_rows(self) -> tuple[list[dict], list[dict], list[dict]]:
        """Rows recorded since the last drain (orders, audits, decisions)."""
        rows = (self.orders, self.audits, self.decisions)
        self.orders, self.audits, self.decisions = [], [], []
        return rows


def indicator_frame(closes: pd.Series) -> pd.DataFrame:
    bands = bollinger(closes)
    return pd.DataFrame(
        {"rsi": rsi(closes), "bb_upper": bands["bb_upper"], "bb_lower": bands["bb_lower"], "ma_200": sma(closes, 200)}
    )


def optional_indicator(value: float) -> float | None:
    return None if value != value else float(value)  # NaN -> None


def indicators_at(frame: pd.DataFrame, i: int) -> Indicators:
    row = frame.iloc[i]
    return Indicators(
        optional_indicator(row["rsi"]),
        optional_indicator(row["bb_upper"]),
        optional_indicator(row["bb_lower"]),
        optional_indicator(row["ma_200"]),
    )


class IndicatorWindow:
    """The last closes of a symbol, for computing indicators on each live candle."""

    def __init__(self, closes: list[float], size: int = 400):
        self.closes: deque[float] = deque(closes[-size:], maxlen=size)

    def push(self, close: float) -> Indicators:
        self.closes.append(close)
        frame = indicator_frame(pd.Series(list(self.closes), dtype="float64"))
        return indicators_at(frame, len(frame) - 1)
