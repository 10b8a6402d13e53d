"""The v3 bot's `bot:status:{symbol}` payload, built the way the bot's status writer builds it,
branch by branch (read from the bot's loop; SCHEMA.md summarises it). The demo's paper bot, the
bot-status test tool and the tests all build their statuses here, so what they write is what a
real v3 bot writes:

- `indicators` always holds `rsi`, `ma_trend` and `hwm`, each through float(): an indicator the bot
  could not compute is NaN (json.dumps writes a bare `NaN`), and `hwm` is the trailing stop's high-
  water mark only in a loop that checked an exit (a held position), else 0.0;
- `position` has `has_position`, `avg_price`, `quantity`, `pnl_pct` (0.0 without a position) and the
  entry `regime`; after a successful SELL the position is already gone (has_position false);
- WAITING (not enough candles) carries only timestamp, symbol, action, reason and `indicators: {}`;
- a BUY's reason is empty; a SKIP's reason starts with its family's prefix (data.status_reasons).

The bot writes nothing at all when its candles are over 2 minutes old, when a BUY's size comes out
at 0 (exposure full, no cash), or when processing the symbol raised: callers model those by not
writing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from data.metrics import price_move_pct


@dataclass(frozen=True)
class HeldPosition:
    avg_price: float
    quantity: float
    regime: str | None


def timestamp(at: datetime) -> str:
    """As the bot stamps it: datetime.now(timezone.utc).isoformat() (microseconds, +00:00)."""
    return at.isoformat(timespec="microseconds")


def v3_status(
    symbol: str,
    at: datetime,
    *,
    price: float,
    regime: str,
    rsi: float,
    ma_trend: float,
    action: str,
    reason: str,
    position: HeldPosition | None = None,
    new_hwm: float | None = None,
) -> dict:
    """The payload of a loop that got as far as the status write (every branch but WAITING)."""
    pnl_pct = 0.0
    if position is not None and float(position.avg_price) != 0:
        pnl_pct = price_move_pct(float(price), float(position.avg_price))
    return {
        "timestamp": timestamp(at),
        "symbol": symbol,
        "current_price": float(price),
        "regime": regime,
        "indicators": {"rsi": float(rsi), "ma_trend": float(ma_trend), "hwm": float(new_hwm or 0)},
        "position": {
            "has_position": position is not None,
            "avg_price": float(position.avg_price) if position is not None else None,
            "quantity": float(position.quantity) if position is not None else None,
            "pnl_pct": float(pnl_pct),
            "regime": position.regime if position is not None else None,
        },
        "action": action,
        "reason": reason,
    }


def waiting_status(symbol: str, at: datetime, candles: int) -> dict:
    """Fewer than 40 candles: the bot waits and says how many it has."""
    return {
        "timestamp": timestamp(at),
        "symbol": symbol,
        "action": "WAITING",
        "reason": f"데이터 부족: {candles} lines",
        "indicators": {},
    }


def dumps(payload: dict) -> str:
    """As the bot serialises it: json.dumps defaults (NaN written bare) with ensure_ascii off."""
    return json.dumps(payload, ensure_ascii=False)


# The reasons of each branch. The prefixes and the phrases data.status_reasons recognises are the
# bot's; the rest of each sentence is this simulator's wording.


def hold_reason(regime: str, why: str) -> str:
    return f"[{regime}] {why}"


def hold_position_reason(regime: str, pnl_pct: float, from_hwm_pct: float) -> str:
    return f"[{regime}] 포지션 보유 중 (수익률: {pnl_pct:.2f}%, HWM 대비: {from_hwm_pct:.2f}%)"


def unknown_regime_reason() -> str:
    return "데이터 수집 중: 레짐 판단 대기 (1시간봉 200개 필요)"


def sell_done_reason(regime: str, exit_code: str) -> str:
    return f"[{regime}] 포지션 청산 완료: {exit_code}"


def sell_failed_reason(regime: str, exit_code: str) -> str:
    return f"[{regime}] 매도 실행 실패: {exit_code}"


def risk_rejected_reason(why: str) -> str:
    return f"Risk Rejected: {why}"


def prefilter_reason(why: str) -> str:
    return f"AI PreFilter Rejected: {why}"


def guardrail_reason(why: str) -> str:
    return f"AI Guardrail Blocked: {why}"


AI_REJECTED_REASON = "AI Rejected or Execution Failed"
