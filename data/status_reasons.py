"""What the bot's status `reason` says, by family: the prefixes and phrases the v3 bot's loop writes.

The bot writes one reason per status (its `bot:status:{symbol}` payload). A SKIP carries one of four
families, each with the bot's own text after it; a SELL says the exit went through or that the
order failed; a BUY carries an empty reason. Anything else (a HOLD's entry evaluation, a week-6
sentence, a newer bot's words) is OTHER and shown as written. Pure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ReasonFamily(str, enum.Enum):
    """Catalogue "reason.family.<value>"."""

    RISK_REJECTED = "risk_rejected"  # "Risk Rejected: <the risk manager's reason>"
    AI_PREFILTER = "ai_prefilter"  # "AI PreFilter Rejected: <why the AI was not asked>"
    AI_GUARDRAIL = "ai_guardrail"  # "AI Guardrail Blocked: <block, cooldown or budget>"
    AI_REJECTED = "ai_rejected"  # "AI Rejected or Execution Failed": the AI said no, or the order failed
    SELL_DONE = "sell_done"  # "[REGIME] ... 청산 완료: EXIT_REASON"
    SELL_FAILED = "sell_failed"  # "[REGIME] 매도 실행 실패: EXIT_REASON": the exit order did not go through
    NO_REASON = "no_reason"  # an empty reason (what the bot writes with a BUY)
    OTHER = "other"


PREFIXES = (
    ("Risk Rejected:", ReasonFamily.RISK_REJECTED),
    ("AI PreFilter Rejected:", ReasonFamily.AI_PREFILTER),
    ("AI Guardrail Blocked:", ReasonFamily.AI_GUARDRAIL),
    ("AI Rejected or Execution Failed", ReasonFamily.AI_REJECTED),
)
SKIP_FAMILIES = tuple(family for _, family in PREFIXES)

# The risk manager's refusals, by a phrase of each (catalogue "reason.risk.<code>"), in the order
# the bot checks them. The first three come from the BUY sizing, which writes no status at all
# (the loop moves on before its status write), so they reach Redis only from older bots.
RISK_PHRASES = (
    ("노출 한도 도달", "exposure_full"),
    ("가용 현금 부족", "cash"),
    ("주문 가능 금액", "zero_order"),
    ("계좌 정보", "no_account"),
    ("주문 금액이 0", "zero_order"),
    ("기준 자산", "no_reference"),
    ("거래가 중단", "halted"),
    ("쿨다운", "cooldown"),
    ("최대 거래 횟수", "trade_limit"),
    ("최대 손실", "loss_limit"),
    ("단일 주문 한도", "per_order"),
    ("전체 노출 한도", "exposure"),
    ("동시 보유 포지션", "positions"),
    ("중복 진입", "duplicate"),
)
# The AI guardrails' reasons (catalogue "reason.guard.<code>").
GUARD_PHRASES = (
    ("Global AI block", "global_block"),
    ("Symbol AI cooldown", "symbol_cooldown"),
    ("Hourly AI budget", "hour_budget"),
    ("Daily AI budget", "day_budget"),
)
SELL_FAILED_PHRASE = "매도 실행 실패"
SELL_DONE_PHRASE = "청산 완료"
MAX_DETAIL_CHARS = 300


@dataclass(frozen=True)
class ReasonReading:
    family: ReasonFamily
    # The sub-reason's code (RISK_PHRASES / GUARD_PHRASES), "other" when the family has words
    # this dashboard does not know; None for the families without sub-reasons.
    sub_reason: str | None
    # The bot's words after the prefix (or the whole reason for OTHER), bounded.
    detail: str

    @property
    def classified(self) -> bool:
        """A family this dashboard names (not OTHER, not an empty reason)."""
        return self.family not in (ReasonFamily.OTHER, ReasonFamily.NO_REASON)

    @property
    def empty(self) -> bool:
        return self.family is ReasonFamily.NO_REASON

    @property
    def family_key(self) -> str:
        return f"reason.family.{self.family.value}"

    @property
    def sub_reason_key(self) -> str | None:
        if self.sub_reason is None:
            return None
        area = "risk" if self.family is ReasonFamily.RISK_REJECTED else "guard"
        return f"reason.{area}.{self.sub_reason}"


def read_reason(reason: str | None) -> ReasonReading:
    text = (reason or "").strip()
    if not text:
        return ReasonReading(ReasonFamily.NO_REASON, None, "")
    for prefix, family in PREFIXES:
        if text.startswith(prefix):
            detail = text[len(prefix) :].strip()[:MAX_DETAIL_CHARS]
            return ReasonReading(family, _sub_reason(family, detail), detail)
    if SELL_FAILED_PHRASE in text:
        return ReasonReading(ReasonFamily.SELL_FAILED, None, text[:MAX_DETAIL_CHARS])
    if SELL_DONE_PHRASE in text:
        return ReasonReading(ReasonFamily.SELL_DONE, None, text[:MAX_DETAIL_CHARS])
    return ReasonReading(ReasonFamily.OTHER, None, text[:MAX_DETAIL_CHARS])


def _sub_reason(family: ReasonFamily, detail: str) -> str | None:
    phrases = {ReasonFamily.RISK_REJECTED: RISK_PHRASES, ReasonFamily.AI_GUARDRAIL: GUARD_PHRASES}.get(family)
    if phrases is None:
        return None
    return next((code for phrase, code in phrases if phrase in detail), "other")


def is_failed_sell(action: str | None, reason: str | None) -> bool:
    """A SELL status whose order did not go through: the position is still held."""
    return action == "SELL" and read_reason(reason).family is ReasonFamily.SELL_FAILED
