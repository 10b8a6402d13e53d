"""The paper bot: CoinPilot's mean-reversion loop and books, run over synthetic candles.

It trades the bot's idea (RSI(14) under a threshold and close under the lower Bollinger band)
under the bot's risk rules, and writes what the real bot writes: orders, positions, cash, daily
risk state, risk-audit events, AI decisions and the Redis status payload. Its books follow the
same average-cost accounting as data.metrics, so every number the dashboard derives agrees
with what the bot recorded.

BotConfig(v3=False) is the week-6 bot: one rule set (RSI < 30, +2 % / -1.5 %, RSI > 70, 36 h), 5 % of
its cash per order, limits in % of its balance, risk-audit rows for each limit it hits.

The v3 bot (default) follows the real v3 loop branch by branch (simulator.status_writer): entry and
exit thresholds by the coin's regime (simulator.regime, REGIME_RULES: BULL enters earlier and exits
on a trailing stop, BEAR enters only deep and leaves quickly, UNKNOWN never enters); every limit
from its strategy file (DEMO_STRATEGY_FILE, data.risk) as fractions of the day's reference equity;
a BUY sized as the least of the regime's target, the cash after the fee buffer and the exposure
room, skipped without a status when that is 0; the risk check (halt, cooldown, BUY count, loss
limit, which halts here, per-order cap, open positions) refusing with "Risk Rejected: ..."; the
AI pre-filter in BEAR, the guardrails and the AI review (analyst, then guardian, simulator.ai_books)
each with its SKIP family; a BUY with an empty reason; now and then a failed market SELL, retried
on the next loop. daily_risk_state.total_pnl adds each sell's price move on the average cost, fees
left out, as the bot's does. It writes no risk-audit rows (the real v3 bot's code writes none).
Orders carry regime (a SELL its entry regime), high_water_mark and, on SELLs, exit_reason and
signal_info.entry_avg_price; post_exit_prices are filled in by the caller.

The demo charges Upbit's fee (FEE_RATE) on every fill, which the upstream paper executor does not
record; the dashboard's fee-aware figures then have something to show.
"""

from __future__ import annotations

import math
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from data.indicators import bollinger, rsi, sma
from data.metrics import price_pnl_krw
from data.risk import HIGH_VOLATILITY_MULTIPLIER, DashboardRiskSettings, RiskLimits, resolve_limits
from data.strategy_file import read_strategy_file
from simulator import status_writer as writer
from simulator.ai_books import DECISION_ROUTE, AiBooks
from simulator.regime import Detection

INITIAL_BALANCE = 10_000_000.0
FEE_RATE = 0.0005  # Upbit KRW market
STRATEGY_NAME = "MeanReversion-RSI-BB"
WEEK6_REVIEWER = "demo-simulated-reviewer"
MIN_ORDER_KRW = 5_000  # Upbit's minimum order
# The demo's strategy file (in the layout of the bot's config/strategy_v3.yaml): the v3 paper bot
# trades by it, and `coinpilot-dashboard demo` points COINPILOT_STRATEGY_CONFIG at it.
DEMO_STRATEGY_FILE = Path(__file__).with_name("strategy_v3.yaml")
# The bot waits (status WAITING) until it has this many 1-minute candles.
MIN_CANDLES = 40
# The bot's candle window (it fetches the newest 200).
CANDLE_WINDOW = 200


def demo_limits() -> RiskLimits:
    """The limits of the demo's strategy file, resolved as the dashboard resolves a real bot's."""
    return resolve_limits(read_strategy_file(str(DEMO_STRATEGY_FILE)), DashboardRiskSettings())


@dataclass(frozen=True)
class RegimeRules:
    """How the v3 bot enters and exits under one regime (the regime at entry, for exits)."""

    rsi_entry: float
    take_profit: float
    stop_loss: float
    max_hold: timedelta
    rsi_exit: float = 70.0
    rsi_exit_min_gain: float | None = None  # v3 sells on RSI only above this gain
    trailing_stop: float | None = None  # fraction under the high-water mark
    trailing_activation: float = 0.0  # the gain above which the trailing stop is armed
    ai_reject_probability: float = 0.15


_SIDEWAYS = RegimeRules(30.0, 0.02, 0.015, timedelta(hours=36), 70.0, 0.003, ai_reject_probability=0.15)
REGIME_RULES: dict[str, RegimeRules] = {
    "BULL": RegimeRules(35.0, 0.03, 0.02, timedelta(hours=48), 80.0, 0.003, 0.006, 0.006, 0.08),
    "SIDEWAYS": _SIDEWAYS,
    "BEAR": RegimeRules(25.0, 0.012, 0.012, timedelta(hours=4), 65.0, 0.002, ai_reject_probability=0.35),
    "UNKNOWN": _SIDEWAYS,
}
GUARDIAN_REJECT_PROBABILITY = 0.06
POSITION_REVIEW_EVERY_H = 4
EXIT_REASONS = ("TAKE_PROFIT", "STOP_LOSS", "TRAILING_STOP", "RSI_OVERBOUGHT", "TIME_LIMIT")


@dataclass
class BotConfig:
    # None: the demo strategy file's limits for a v3 bot, the bot's code defaults for week-6.
    limits: RiskLimits | None = None
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
    # v3: how often a market SELL fails (the bot then writes "매도 실행 실패" and retries next loop).
    sell_failure_probability: float = 0.02

    def __post_init__(self):
        if self.limits is None:
            self.limits = demo_limits() if self.v3 else RiskLimits.bot_defaults()

    def week6_rules(self) -> RegimeRules:
        return RegimeRules(self.rsi_oversold, self.take_profit, self.stop_loss, self.max_hold, self.rsi_overbought)


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
    # v3: the trend MA the bot writes as ma_trend (MA 20 of 1-minute closes), the lowest close of the
    # last hour (the AI pre-filter's rebound), how many candles the bot's window holds, and whether
    # they are all equal (then the bot's RSI is 0/0: NaN in its status).
    ma_20: float | None = None
    low_60: float | None = None
    candles: int = CANDLE_WINDOW
    flat: bool = False


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
        # v3: the reference equity of each UTC day, fixed at the day's first entry evaluation (the bot
        # keeps it in Redis until midnight UTC); the days whose value the demo has not published yet;
        # the volatility state the demo computes (its coinpilot:volatility_state); the execution
        # side's own random stream (failed sells).
        self.reference: dict[date, float] = {}
        self.unpublished_reference: set[date] = set()
        self.high_volatility = False
        self.execution_rng = np.random.default_rng(rng.integers(0, 2**63)) if config.v3 else None

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
        if self.config.v3:
            return self._on_candle_v3(symbol, decided_at, close, ind, want_status)
        # The week-6 bot.
        self.last_close[symbol] = close
        day = self._day(decided_at)
        action, reason = "HOLD", ""
        entry = self.entry_rules(symbol)
        if ind.rsi is None or ind.bb_lower is None:
            action, reason = "WAITING", "데이터 수집 중: 지표 계산에 필요한 캔들이 부족합니다"
        elif holding is not None:
            rules = self.exit_rules(holding)
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
                action = "HOLD"
                reason = (
                    f"보유 중: 수익률 {change * 100:+.2f}% "
                    f"(익절 +{rules.take_profit * 100:.1f}% / 손절 -{rules.stop_loss * 100:.1f}%)"
                )
        elif ind.rsi < entry.rsi_entry and close < ind.bb_lower:
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

    # -- the v3 loop, branch by branch as the bot's (simulator.status_writer) ------------

    def _on_candle_v3(self, symbol: str, at: datetime, close: float, ind: Indicators, want_status: bool):
        """One v3 loop for one symbol; the status payload when asked, None when the bot writes none
        (a BUY sized at 0 skips the status write, as the real bot's loop does)."""
        self.last_close[symbol] = close
        day = self._day(at)
        regime = self.regime_of(symbol)
        if ind.candles < MIN_CANDLES:
            return writer.waiting_status(symbol, at, ind.candles) if want_status else None
        holding = self.holdings.get(symbol)
        status_position = None
        new_hwm = None
        if holding is not None:
            action, reason, new_hwm, still_held = self._v3_exit(symbol, holding, close, at, day, ind)
            if still_held:
                status_position = writer.HeldPosition(holding.avg_price, holding.quantity, holding.regime)
        elif regime == "UNKNOWN":
            action, reason = "HOLD", writer.unknown_regime_reason()
        elif ind.rsi is not None and not ind.flat and ind.bb_lower is not None:
            entry = self.entry_rules(symbol)
            if ind.rsi < entry.rsi_entry and close < ind.bb_lower:
                outcome = self._v3_entry(symbol, at, close, ind, day, entry)
                if outcome is None:
                    return None
                action, reason = outcome
            else:
                action, reason = "HOLD", writer.hold_reason(regime, _entry_wait_text(ind, entry, close))
        else:
            action, reason = "HOLD", writer.hold_reason(regime, "지표 계산 불가: 진입 조건을 평가하지 않음")
        if not want_status:
            return None
        rsi_value = math.nan if ind.flat or ind.rsi is None else round(ind.rsi, 2)
        return writer.v3_status(
            symbol,
            at,
            price=close,
            regime=regime,
            rsi=rsi_value,
            ma_trend=ind.ma_20 if ind.ma_20 is not None else math.nan,
            action=action,
            reason=reason,
            position=status_position,
            new_hwm=new_hwm,
        )

    def _v3_exit(self, symbol, holding: Holding, close, at, day: DayState, ind: Indicators):
        """(action, reason, the status's high-water mark, whether the position is still held). The
        bot checks its stop loss before it updates the trailing stop's high-water mark, so a stop-loss
        exit writes hwm 0.0; every other check leaves the updated mark in the status."""
        rules = self.exit_rules(holding)
        change = close / holding.avg_price - 1.0
        exit_code = None
        if change <= -rules.stop_loss:
            exit_code, hwm = "STOP_LOSS", None
        else:
            if close > holding.high_water_mark:
                holding.high_water_mark = close
                self.dirty_symbols.add(symbol)
            hwm = holding.high_water_mark
            if (
                rules.trailing_stop is not None
                and holding.high_water_mark >= holding.avg_price * (1 + rules.trailing_activation)
                and close <= holding.high_water_mark * (1 - rules.trailing_stop)
            ):
                exit_code = "TRAILING_STOP"
            elif change >= rules.take_profit:
                exit_code = "TAKE_PROFIT"
            elif (
                ind.rsi is not None
                and ind.rsi > rules.rsi_exit
                and (rules.rsi_exit_min_gain is None or change > rules.rsi_exit_min_gain)
            ):
                exit_code = "RSI_OVERBOUGHT"
            elif at - holding.opened_at >= rules.max_hold:
                exit_code = "TIME_LIMIT"
        regime = self.regime_of(symbol)
        if exit_code is None:
            from_hwm = (close / hwm - 1.0) * 100 if hwm else 0.0
            return "HOLD (POS)", writer.hold_position_reason(regime, change * 100, from_hwm), hwm, True
        if self.execution_rng.random() < self.config.sell_failure_probability:
            return "SELL", writer.sell_failed_reason(regime, exit_code), hwm, True
        self._sell(symbol, holding, close, at, day, _EXIT_TEXT[exit_code].format(change=change * 100), ind, exit_code)
        return "SELL", writer.sell_done_reason(regime, exit_code), hwm, False

    def _v3_entry(self, symbol, at, close, ind: Indicators, day: DayState, rules: RegimeRules):
        """The v3 BUY: sizing (the least of the regime's target, usable cash and exposure room), the
        risk check, the AI pre-filter and guardrails, then the AI review. None when the size comes
        out at 0: the bot then skips without writing its status."""
        limits = self.config.limits
        regime = self.regime_of(symbol)
        reference = self.reference_equity(day)
        ratio = limits.regime(regime).position_size_ratio.value
        target = reference * limits.max_position_size.value * ratio
        cash_cap = self.cash * (1.0 - limits.fee_buffer.value)
        exposure_cap = reference * limits.max_total_exposure.value - self.exposure()
        amount = min(target, cash_cap, exposure_cap)
        if amount <= 0:
            return None
        refused = self._v3_risk_check(day, at, amount, reference)
        if refused:
            return "SKIP", writer.risk_rejected_reason(refused)
        prefilter = _prefilter(regime, close, ind)
        if prefilter:
            return "SKIP", writer.prefilter_reason(prefilter)
        budget = limits.regime(regime)
        ai = self.ai
        blocked = ai.blocked(symbol, at, budget.ai_max_calls_per_hour.value, budget.ai_max_calls_per_day.value)
        if blocked:
            return "SKIP", writer.guardrail_reason(blocked)
        meta = {"symbol": symbol, "regime": regime}
        if not ai.call(at, DECISION_ROUTE, "analyst", meta):
            return "SKIP", writer.AI_REJECTED_REASON
        reviewer = "analyst"
        rejected = ai.rng.random() < rules.ai_reject_probability
        if not rejected:
            if not ai.call(at, DECISION_ROUTE, "guardian", meta):
                return "SKIP", writer.AI_REJECTED_REASON
            reviewer = "guardian"
            rejected = ai.rng.random() < GUARDIAN_REJECT_PROBABILITY
        if rejected:
            self._decision(symbol, at, "REJECT", close, ind, TEXT["reject_" + regime.lower()], model=ai.model(reviewer))
            ai.note_reject(symbol, at)
            return "SKIP", writer.AI_REJECTED_REASON
        self._decision(
            symbol,
            at,
            "CONFIRM",
            close,
            ind,
            f"{regime}: RSI {ind.rsi:.1f} 과매도, 볼린저 하단 이탈: 평균 회귀 진입 타당",
            model=ai.model(reviewer),
        )
        if self._buy(symbol, close, at, day, ind, budget_krw=amount) == "filled":
            return "BUY", ""
        # The order did not go through (the bot's execution returns False): the same status.
        return "SKIP", writer.AI_REJECTED_REASON

    def _v3_risk_check(self, day: DayState, at: datetime, amount: float, reference: float) -> str | None:
        """The bot's risk check in its order; the loss limit halts trading here, where the bot sees it."""
        limits = self.config.limits
        if reference <= 0:
            return "기준 자산이 0 이하"
        if day.is_trading_halted:
            return "일일 손실 한도로 거래가 중단된 상태"
        if day.cooldown_until is not None and at < day.cooldown_until:
            left = (day.cooldown_until - at).total_seconds() / 60
            return f"{limits.max_consecutive_losses.value}연패 쿨다운 중 (남은 시간: {left:.1f}분)"
        if day.buy_count >= limits.max_daily_trades.value:
            return f"일일 최대 거래 횟수({limits.max_daily_trades.value}회) 도달"
        if day.total_pnl <= -(reference * limits.max_daily_loss.value):
            day.is_trading_halted = True
            day.updated_at = at
            self.dirty_days.add(day.date)
            return f"일일 최대 손실 한도(-{limits.daily_loss_limit_pct:g}%) 도달: 거래 중단"
        multiplier = HIGH_VOLATILITY_MULTIPLIER if self.high_volatility else 1.0
        cap = reference * limits.max_position_size.value * multiplier
        if amount > cap:
            note = " (고변동성: 비중 50% 축소)" if multiplier < 1 else ""
            return f"단일 주문 한도({limits.max_order_pct:g}%) 초과{note} (요청 {amount:,.0f}, 한도 {cap:,.0f})"
        if len(self.holdings) >= limits.max_concurrent_positions.value:
            return f"동시 보유 포지션 한도({limits.max_concurrent_positions.value}개) 도달"
        return None

    def reference_equity(self, day: DayState) -> float:
        """The day's reference equity: cash + open positions at the day's first entry evaluation."""
        if day.date not in self.reference:
            total = self.cash + self.exposure()
            self.reference[day.date] = total if total > 0 else self.cash
            self.unpublished_reference.add(day.date)
        return self.reference[day.date]

    def exposure(self) -> float:
        """The open positions at their last close (the average cost where none is known)."""
        return sum(h.quantity * self.last_close.get(s, h.avg_price) for s, h in self.holdings.items())

    def status_payload(self, symbol, at, close, ind: Indicators, action, reason) -> dict:
        """The week-6 bot's status (v3 builds its own in _on_candle_v3, as its writer does)."""
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
        if self.config.limit_counts_buys:
            counted, what, note = day.buy_count, "buys", ""
            blocked = counted >= limits.max_daily_trades.value
        else:
            # Counting every trade, exits still have to run after the limit: a buy is taken only
            # while it, its own exit and the exits of the open positions fit under the limit, so
            # the day's count never passes it (no "12/10 trades").
            counted, what = day.trade_count, "trades"
            owed = len(self.holdings)
            blocked = counted + 2 + owed > limits.max_daily_trades.value
            note = f"; a buy needs room for its exit and {owed} open position(s)' exits" if blocked else ""
        if blocked:
            if "trades" not in day.audited:
                day.audited.add("trades")
                self._audit(
                    "DAILY_TRADE_LIMIT",
                    at,
                    f"Daily trade limit reached: {counted}/{limits.max_daily_trades.value} {what}{note}",
                )
            return f"일일 거래 한도 도달 ({counted}/{limits.max_daily_trades.value})"
        return None

    # -- orders ------------------------------------------------------------------------

    def _buy(self, symbol, price, at, day: DayState, ind: Indicators, budget_krw: float | None = None) -> str:
        """'filled', 'cancelled' (the limit order expired) or 'no_cash'. The week-6 bot spends its
        per-order share of the cash; the v3 bot the amount its sizing gave (`budget_krw`)."""
        budget = self.cash * self.config.limits.max_order_pct / 100.0 if budget_krw is None else budget_krw
        budget = min(budget, self.cash / (1 + self.config.fee_rate))
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
        low_cash = self.config.limits.max_order_pct / 100.0 * self.config.initial_balance * 0.2
        if not self.config.v3 and self.cash < low_cash:  # the v3 bot writes no risk-audit rows
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
                # The bot records a SELL under the position's entry regime.
                "regime": holding.regime,
                "high_water_mark": holding.high_water_mark,
                "exit_reason": exit_code,
                "post_exit_prices": None,  # filled in as the windows mature (simulator.post_exit)
            }
        order_id = self._order(symbol, "SELL", "MARKET", price, quantity, fee, "FILLED", at, executed, signal, **v3)
        # The bot's own PnL of a sell, as it adds it to daily_risk_state.total_pnl.
        price_pnl = price_pnl_krw(price, holding.avg_price, quantity)
        self.cash += price * quantity - fee
        del self.holdings[symbol]
        self.dirty_symbols.add(symbol)
        self.cash_updated_at = executed
        self._count_trade(day, executed, "SELL")
        day.total_pnl += price_pnl
        limits = self.config.limits
        if price_pnl < 0:
            day.consecutive_losses += 1
            if day.consecutive_losses >= limits.max_consecutive_losses.value:
                day.cooldown_until = executed + timedelta(hours=limits.cooldown_hours.value)
                if not self.config.v3:
                    self._audit(
                        "CONSECUTIVE_LOSSES",
                        executed,
                        f"{day.consecutive_losses} consecutive losses: cooldown for {limits.cooldown_hours.value:g} h "
                        f"until {day.cooldown_until:%Y-%m-%d %H:%M} UTC",
                        order_id,
                    )
                day.consecutive_losses = 0
        else:
            day.consecutive_losses = 0
        # The week-6 demo halts at the sell that crosses its loss limit (the v3 bot at its next entry
        # check: _v3_risk_check).
        loss_limit = self.cash * limits.daily_loss_limit_pct / 100.0
        if not self.config.v3 and day.total_pnl <= -loss_limit and not day.is_trading_halted:
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


# The exit reason texts the simulator puts in a SELL's signal_info (its own words).
_EXIT_TEXT = {
    "STOP_LOSS": "손절 {change:+.2f}%",
    "TRAILING_STOP": "트레일링 스탑 ({change:+.2f}%)",
    "TAKE_PROFIT": "익절 {change:+.2f}%",
    "RSI_OVERBOUGHT": "RSI 과매수 청산 ({change:+.2f}%)",
    "TIME_LIMIT": "보유 기간 초과 ({change:+.2f}%)",
}
# The AI pre-filter of a BEAR entry: skip the AI while the price has not come off the hour's low.
PREFILTER_MIN_REBOUND = 0.004


def _prefilter(regime: str, close: float, ind: Indicators) -> str | None:
    """Why the AI is not asked (the bot's pre-filter runs in BEAR only), or None."""
    if regime != "BEAR" or ind.low_60 is None or ind.low_60 <= 0:
        return None
    rebound = close / ind.low_60 - 1.0
    if rebound < PREFILTER_MIN_REBOUND:
        return f"하락 추세 지속: 1시간 저점 대비 반등 {rebound * 100:.2f}% < {PREFILTER_MIN_REBOUND * 100:.2f}%"
    return None


def _entry_wait_text(ind: Indicators, rules: RegimeRules, close: float) -> str:
    """A HOLD's reason: which entry condition is not met (the simulator's words)."""
    if ind.rsi >= rules.rsi_entry:
        return f"RSI {ind.rsi:.1f} >= {rules.rsi_entry:.0f}: 과매도 아님"
    return f"RSI {ind.rsi:.1f} < {rules.rsi_entry:.0f}, 종가가 볼린저 하단 {ind.bb_lower:,.0f} 위"


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
        {
            "rsi": rsi(closes),
            "bb_upper": bands["bb_upper"],
            "bb_lower": bands["bb_lower"],
            "ma_200": sma(closes, 200),
            "ma_20": bands["bb_middle"],
            "low_60": closes.rolling(60, min_periods=1).min(),
        }
    )


def optional_indicator(value: float) -> float | None:
    return None if value != value else float(value)  # NaN -> None


def indicators_at(frame: pd.DataFrame, i: int, *, candles: int = CANDLE_WINDOW, flat: bool = False) -> Indicators:
    row = frame.iloc[i]
    return Indicators(
        optional_indicator(row["rsi"]),
        optional_indicator(row["bb_upper"]),
        optional_indicator(row["bb_lower"]),
        optional_indicator(row["ma_200"]),
        optional_indicator(row["ma_20"]),
        optional_indicator(row["low_60"]),
        candles,
        flat,
    )


class IndicatorWindow:
    """The last closes of a symbol, for computing indicators on each live candle."""

    def __init__(self, closes: list[float], size: int = 400):
        self.closes: deque[float] = deque(closes[-size:], maxlen=size)

    def push(self, close: float) -> Indicators:
        self.closes.append(close)
        frame = indicator_frame(pd.Series(list(self.closes), dtype="float64"))
        window = list(self.closes)[-CANDLE_WINDOW:]
        return indicators_at(frame, len(frame) - 1, candles=len(window), flat=max(window) == min(window))
