"""The paper bot: CoinPilot's mean-reversion loop and books, run over synthetic candles.

It trades the bot's idea (RSI(14) under a threshold and close under the lower Bollinger band)
under the bot's risk rules, and writes what the real bot writes: orders, positions, cash, daily
risk state, risk-audit events, AI decisions and the Redis status payload. Its books follow the
same average-cost accounting as data.metrics, so every number the dashboard derives agrees
with what the bot recorded.

BotConfig(v3=False) is the week-6 bot: one rule set (RSI < 30, +2 % / -1.5 %, RSI > 70, 36 h).
The v3 bot (default) trades by the regime of the coin (simulator.regime) as REGIME_RULES says:
in BULL it enters earlier (RSI < 35) and exits on a trailing stop (1 % under the high-water mark
once the position was 1 % up) besides its +4 % / -2 % bounds; SIDEWAYS and UNKNOWN trade as
week-6; in BEAR it enters only on RSI < 25, with half the size, +1.5 % / -1.2 % and 24 h. The
regime at entry governs the exits. Every entry signal goes to the AI (analyst, then guardian,
simulator.ai_books) unless a guardrail blocks it; a REJECT vetoes the entry (status SKIP), and
the AI rejects more often in BEAR. Orders carry regime, high_water_mark and, on SELLs,
exit_reason and signal_info.entry_avg_price; post_exit_prices are filled in by the caller.
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
from simulator.ai_books import DECISION_ROUTE, AiBooks
from simulator.regime import Detection

INITIAL_BALANCE = 10_000_000.0
FEE_RATE = 0.0005  # Upbit KRW market
STRATEGY_NAME = "MeanReversion-RSI-BB"
WEEK6_REVIEWER = "demo-simulated-reviewer"
MIN_ORDER_KRW = 5_000  # Upbit's minimum order


@dataclass(frozen=True)
class RegimeRules:
    """How the v3 bot enters and exits under one regime (the regime at entry, for exits)."""

    rsi_entry: float
    size_factor: float
    take_profit: float
    stop_loss: float
    max_hold: timedelta
    rsi_exit: float = 70.0
    rsi_exit_min_gain: float | None = None  # v3 sells on RSI only above this gain
    trailing_stop: float | None = None  # fraction under the high-water mark
    trailing_activation: float = 0.0  # the gain above which the trailing stop is armed
    ai_reject_probability: float = 0.15


_SIDEWAYS = RegimeRules(30.0, 1.0, 0.02, 0.015, timedelta(hours=36), 70.0, 0.003, ai_reject_probability=0.15)
REGIME_RULES: dict[str, RegimeRules] = {
    "BULL": RegimeRules(35.0, 1.0, 0.03, 0.02, timedelta(hours=48), 80.0, 0.003, 0.006, 0.006, 0.08),
    "SIDEWAYS": _SIDEWAYS,
    "BEAR": RegimeRules(25.0, 0.5, 0.012, 0.012, timedelta(hours=4), 65.0, 0.002, ai_reject_probability=0.35),
    "UNKNOWN": _SIDEWAYS,
}
GUARDIAN_REJECT_PROBABILITY = 0.06
POSITION_REVIEW_EVERY_H = 4
EXIT_REASONS = ("TAKE_PROFIT", "STOP_LOSS", "TRAILING_STOP", "RSI_OVERBOUGHT", "TIME_LIMIT")


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
    # The v3 bot (regimes, trailing stop, AI guardrails and ledger); False: the week-6 bot.
    v3: bool = True

    def week6_rules(self) -> RegimeRules:
        return RegimeRules(self.rsi_oversold, 1.0, self.take_profit, self.stop_loss, self.max_hold, self.rsi_overbought)


@dataclass
class Holding:
    quantity: float
    avg_price: float
    opened_at: datetime
    buy_fees: float
    updated_at: datetime
    regime: str = "UNKNOWN"  # at entry
    high_water_mark: float = 0.0


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
        # v3: the regime per symbol, regime detections, the AI side (its own random stream,
        # so the week-6 bot draws exactly the numbers it always drew).
        self.regimes: dict[str, str] = {}
        self.detections: list[dict] = []
        self.last_close: dict[str, float] = {}
        self.ai = AiBooks(np.random.default_rng(rng.integers(0, 2**63)) if config.v3 else np.random.default_rng(0))
        self.entry_rsi_ceiling = max(r.rsi_entry for r in REGIME_RULES.values()) if config.v3 else config.rsi_oversold

    def regime_of(self, symbol: str) -> str:
        return self.regimes.get(symbol, "UNKNOWN")

    def entry_rules(self, symbol: str) -> RegimeRules:
        return REGIME_RULES[self.regime_of(symbol)] if self.config.v3 else self.config.week6_rules()

    def exit_rules(self, holding: Holding) -> RegimeRules:
        return REGIME_RULES.get(holding.regime, _SIDEWAYS) if self.config.v3 else self.config.week6_rules()

    def on_regime(self, symbol: str, detection: Detection) -> None:
        """A regime detection for the symbol's coin (v3 only)."""
        self.regimes[symbol] = detection.regime
        self.detections.append(detection.row())

    def on_hour(self, at: datetime) -> None:
        """The v3 bot's hourly side: AI chat/report calls, credit and bill readings, and the
        guardian's review of held positions every POSITION_REVIEW_EVERY_H hours."""
        if not self.config.v3:
            return
        self.ai.on_hour(at)
        if at.hour % POSITION_REVIEW_EVERY_H:
            return
        for symbol in sorted(self.holdings):
            if self.ai.rng.random() < 0.5 or self.ai.blocked(symbol, at) or symbol not in self.last_close:
                continue
            if self.ai.call(at, DECISION_ROUTE, "guardian", {"symbol": symbol, "kind": "position_review"}):
                warning = self.ai.rng.random() < 0.2
                holding = self.holdings[symbol]
                change = self.last_close[symbol] / holding.avg_price - 1.0
                self._decision(
                    symbol,
                    at,
                    "WARNING" if warning else "SAFE",
                    self.last_close[symbol],
                    None,
                    TEXT["position_warning" if warning else "position_safe"].format(change=change * 100),
                    model=self.ai.model("guardian"),
                )

    # -- the loop ----------------------------------------------------------------------

    def on_candle(
        self, symbol: str, decided_at: datetime, close: float, ind: Indicators, *, want_status: bool = False
    ) -> dict | None:
        """Decide on one closed candle; returns the Redis status payload when asked."""
        holding = self.holdings.get(symbol)
        if holding is None and (ind.rsi is None or ind.rsi >= self.entry_rsi_ceiling) and not want_status:
            return None  # the fast path of history generation: nothing to do
        v3 = self.config.v3
        self.last_close[symbol] = close
        day = self._day(decided_at)
        action, reason = "HOLD", ""
        entry = self.entry_rules(symbol)
        if ind.rsi is None or ind.bb_lower is None:
            action, reason = "WAITING", "데이터 수집 중: 지표 계산에 필요한 캔들이 부족합니다"
        elif holding is not None:
            rules = self.exit_rules(holding)
            if v3 and close > holding.high_water_mark:
                holding.high_water_mark = close
                self.dirty_symbols.add(symbol)
            change = close / holding.avg_price - 1.0
            exit_reason = exit_code = None
            if change >= rules.take_profit:
                exit_reason, exit_code = f"익절 {change * 100:+.2f}%", "TAKE_PROFIT"
            elif change <= -rules.stop_loss:
                exit_reason, exit_code = f"손절 {change * 100:+.2f}%", "STOP_LOSS"
            elif (
                rules.trailing_stop is not None
                and holding.high_water_mark >= holding.avg_price * (1 + rules.trailing_activation)
                and close <= holding.high_water_mark * (1 - rules.trailing_stop)
            ):
                exit_reason = (
                    f"트레일링 스탑: 고점 {holding.high_water_mark:,.0f} 대비 "
                    f"{(close / holding.high_water_mark - 1) * 100:+.2f}% ({change * 100:+.2f}%)"
                )
                exit_code = "TRAILING_STOP"
            elif ind.rsi > rules.rsi_exit and (rules.rsi_exit_min_gain is None or change > rules.rsi_exit_min_gain):
                exit_reason, exit_code = f"RSI({ind.rsi:.1f}) > {rules.rsi_exit:.0f} 과매수", "RSI_OVERBOUGHT"
            elif decided_at - holding.opened_at >= rules.max_hold:
                exit_reason, exit_code = f"보유 기간 초과 ({change * 100:+.2f}%)", "TIME_LIMIT"
            if exit_reason:
                self._sell(symbol, holding, close, decided_at, day, exit_reason, ind, exit_code)
                action, reason = "SELL", f"매도: {exit_reason}"
            else:
                action = "HOLD (POS)" if v3 else "HOLD"
                reason = (
                    f"보유 중: 수익률 {change * 100:+.2f}% "
                    f"(익절 +{rules.take_profit * 100:.1f}% / 손절 -{rules.stop_loss * 100:.1f}%)"
                )
        elif ind.rsi < entry.rsi_entry and close < ind.bb_lower:
            blocked = self._buy_blocked(day, decided_at)
            if blocked:
                reason = f"매수 보류: {blocked}"
                action = "SKIP" if v3 else "HOLD"
            elif v3:
                action, reason = self._review_and_buy(symbol, decided_at, close, ind, day, entry)
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
                if self._buy(symbol, close, decided_at, day, ind) == "filled":
                    action, reason = "BUY", f"매수: RSI({ind.rsi:.1f}) < 30, 종가가 볼린저 하단 아래"
                else:
                    reason = "매수 주문 미체결 (지정가 취소)"
        elif ind.rsi < entry.rsi_entry:
            reason = f"관망 중: RSI({ind.rsi:.1f}) < {entry.rsi_entry:.0f} 이지만 종가가 볼린저 하단 위"
        else:
            reason = f"관망 중: RSI({ind.rsi:.1f}) > {entry.rsi_entry:.0f} (과매도 아님)"
        if not want_status:
            return None
        return self.status_payload(symbol, decided_at, close, ind, action, reason)

    def _review_and_buy(self, symbol, at, close, ind: Indicators, day: DayState, rules: RegimeRules) -> tuple[str, str]:
        """The v3 entry: guardrails, the analyst, then the guardian; a REJECT vetoes (SKIP)."""
        regime = self.regime_of(symbol)
        ai = self.ai
        blocked = ai.blocked(symbol, at)
        if blocked:
            return "SKIP", f"매수 보류: {blocked}"
        meta = {"symbol": symbol, "regime": regime}
        if not ai.call(at, DECISION_ROUTE, "analyst", meta):
            return "SKIP", TEXT["ai_error"]
        reviewer = "analyst"
        rejected = ai.rng.random() < rules.ai_reject_probability
        if not rejected:
            if not ai.call(at, DECISION_ROUTE, "guardian", meta):
                return "SKIP", TEXT["ai_error"]
            reviewer = "guardian"
            rejected = ai.rng.random() < GUARDIAN_REJECT_PROBABILITY
        if rejected:
            self._decision(symbol, at, "REJECT", close, ind, TEXT["reject_" + regime.lower()], model=ai.model(reviewer))
            ai.note_reject(symbol, at)
            return "SKIP", f"매수 신호 거절(AI 검토, {regime}): RSI({ind.rsi:.1f}) < {rules.rsi_entry:.0f}"
        self._decision(
            symbol,
            at,
            "CONFIRM",
            close,
            ind,
            f"{regime}: RSI {ind.rsi:.1f} 과매도, 볼린저 하단 이탈: 평균 회귀 진입 타당",
            model=ai.model(reviewer),
        )
        outcome = self._buy(symbol, close, at, day, ind, rules)
        if outcome == "filled":
            return "BUY", f"매수({regime}): RSI({ind.rsi:.1f}) < {rules.rsi_entry:.0f}, 종가가 볼린저 하단 아래"
        if outcome == "no_cash":
            return "SKIP", "매수 보류: 주문 가능 잔고 부족"
        return "HOLD", "매수 주문 미체결 (지정가 취소)"

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
        if self.config.v3:
            return self._v3_status_payload(symbol, at, close, ind, action, reason, holding)
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

    def _v3_status_payload(self, symbol, at, close, ind: Indicators, action, reason, holding) -> dict:
        """v3: regime, ma_trend (the MA200 of 1-minute closes), the held position's high-water
        mark, PnL % ((close / avg_price - 1) x 100) and entry regime; no Bollinger bands."""
        indicators = {"rsi": round(ind.rsi, 2)}
        if ind.ma_200 is not None:
            indicators["ma_trend"] = round(ind.ma_200, 8)
        if holding is not None:
            indicators["hwm"] = holding.high_water_mark
        return {
            "timestamp": at.isoformat(timespec="milliseconds"),
            "symbol": symbol,
            "current_price": float(close),
            "regime": self.regime_of(symbol),
            "indicators": indicators,
            "position": {
                "has_position": holding is not None,
                "avg_price": holding.avg_price if holding else None,
                "quantity": holding.quantity if holding else None,
                "pnl_pct": round((close / holding.avg_price - 1) * 100, 2) if holding else None,
                "regime": holding.regime if holding else None,
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
        if self.config.limit_counts_buys:
            counted, what, note = day.buy_count, "buys", ""
            blocked = counted >= limits.max_trades_per_day
        else:
            # Counting every trade, exits still have to run after the limit: a buy is taken only
            # while it, its own exit and the exits of the open positions fit under the limit, so
            # the day's count never passes it (no "12/10 trades").
            counted, what = day.trade_count, "trades"
            owed = len(self.holdings)
            blocked = counted + 2 + owed > limits.max_trades_per_day
            note = f"; a buy needs room for its exit and {owed} open position(s)' exits" if blocked else ""
        if blocked:
            if "trades" not in day.audited:
                day.audited.add("trades")
                self._audit(
                    "DAILY_TRADE_LIMIT",
                    at,
                    f"Daily trade limit reached: {counted}/{limits.max_trades_per_day} {what}{note}",
                )
            return f"일일 거래 한도 도달 ({counted}/{limits.max_trades_per_day})"
        return None

    # -- orders ------------------------------------------------------------------------

    def _buy(self, symbol, price, at, day: DayState, ind: Indicators, rules: RegimeRules | None = None) -> str:
        """'filled', 'cancelled' (the limit order expired) or 'no_cash'."""
        budget = min(self.cash * self.config.limits.max_order_pct / 100.0, self.cash / (1 + self.config.fee_rate))
        if rules is not None:
            budget *= rules.size_factor
        quantity = math.floor(budget / price * 1e8) / 1e8
        if quantity <= 0 or budget < MIN_ORDER_KRW:
            return "no_cash"
        created = at
        signal = {
            "reason": f"RSI {ind.rsi:.1f} < {self.entry_rules(symbol).rsi_entry:.0f} and close < BB lower",
            "indicators": {"rsi": round(ind.rsi, 2), "bb_lower": ind.bb_lower, "bb_upper": ind.bb_upper},
        }
        regime = self.regime_of(symbol)
        v3 = {"regime": regime, "high_water_mark": float(price)} if self.config.v3 else {}
        if self.rng.random() < self.config.cancel_probability:
            self._order(symbol, "BUY", "LIMIT", price, quantity, 0.0, "CANCELLED", created, None, signal, **v3)
            return "cancelled"
        fee = round(price * quantity * self.config.fee_rate, 8)
        executed = created + timedelta(seconds=float(self.rng.uniform(0.3, 4.0)))
        order_id = self._order(symbol, "BUY", "LIMIT", price, quantity, fee, "FILLED", created, executed, signal, **v3)
        self.cash -= price * quantity + fee
        self.holdings[symbol] = Holding(quantity, price, executed, fee, executed, regime, float(price))
        self._count_trade(day, executed, "BUY")
        self.dirty_symbols.add(symbol)
        self.cash_updated_at = executed
        if self.cash < self.config.limits.max_order_pct / 100.0 * self.config.initial_balance * 0.2:
            self._audit("LOW_CASH", executed, f"Cash balance low after buy: {self.cash:,.0f} KRW", order_id)
        return "filled"

    def _sell(
        self, symbol, holding: Holding, price, at, day: DayState, exit_reason: str, ind: Indicators, exit_code: str
    ):
        quantity = holding.quantity
        fee = round(price * quantity * self.config.fee_rate, 8)
        executed = at + timedelta(seconds=float(self.rng.uniform(0.2, 2.0)))
        signal = {"reason": exit_reason, "indicators": {"rsi": round(ind.rsi, 2) if ind.rsi is not None else None}}
        v3 = {}
        if self.config.v3:
            signal["entry_avg_price"] = holding.avg_price
            v3 = {
                "regime": self.regime_of(symbol),
                "high_water_mark": holding.high_water_mark,
                "exit_reason": exit_code,
                "post_exit_prices": None,  # filled in as the windows mature (simulator.post_exit)
            }
        order_id = self._order(symbol, "SELL", "MARKET", price, quantity, fee, "FILLED", at, executed, signal, **v3)
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

    def _order(
        self, symbol, side, order_type, price, quantity, fee, status, created, executed, signal, **v3
    ) -> uuid.UUID:
        order_id = uuid.UUID(int=int(self.rng.integers(0, 2**63)) << 64 | int(self.rng.integers(0, 2**63)), version=4)
        if v3:  # every v3 order row has the same keys (one executemany)
            v3 = {"regime": None, "high_water_mark": None, "exit_reason": None, "post_exit_prices": None, **v3}
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
                **v3,
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

    def _decision(self, symbol, at, decision, price, ind: Indicators | None, reasoning, *, model: str | None = None):
        row = {
            "symbol": symbol,
            "strategy_name": STRATEGY_NAME,
            "decision": decision,
            "reasoning": reasoning,
            "confidence": None,
            "model_used": model or WEEK6_REVIEWER,
            "created_at": at,
        }
        if self.config.v3:
            row["confidence"] = int(self.ai.rng.integers(55, 96))
            row["price_at_decision"] = float(price)
            row["regime"] = self.regime_of(symbol)
        else:
            row["confidence"] = int(self.rng.integers(55, 96))
        self.decisions.append(row)

    def drain_rows(self) -> BotRows:
        """Rows recorded since the last drain."""
        events, credits, bills = self.ai.drain()
        rows = BotRows(self.orders, self.audits, self.decisions, self.detections, events, credits, bills)
        self.orders, self.audits, self.decisions, self.detections = [], [], [], []
        return rows


@dataclass
class BotRows:
    """What the bot wrote since the last drain, per table."""

    orders: list[dict] = field(default_factory=list)
    audits: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)
    regimes: list[dict] = field(default_factory=list)
    llm_events: list[dict] = field(default_factory=list)
    credit_snapshots: list[dict] = field(default_factory=list)
    cost_snapshots: list[dict] = field(default_factory=list)


TEXT = {
    "ai_error": "매수 보류: AI 검토 오류 (재시도 대기)",
    "reject_bull": "상승장이나 단기 과열 뒤 눌림 부족: 진입 보류 권고",
    "reject_sideways": "하락 추세가 강해 반등 근거가 약함: 진입 보류 권고",
    "reject_bear": "하락장 지속, 반등 근거 부족: 진입 보류 권고",
    "reject_unknown": "추세 판단 불가(데이터 부족), 근거 약함: 진입 보류 권고",
    "position_safe": "보유 포지션 점검: 수익률 {change:+.2f}%, 위험 신호 없음",
    "position_warning": "보유 포지션 점검: 수익률 {change:+.2f}%, 변동성 확대 주의",
}


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
