"""The Korean words for the dashboard's trading terms: one word per concept, used everywhere.

Each entry: the concept, the word the Korean catalogue uses, and the words it replaces (calques and
machine phrasing a Korean operator does not say). tests/unit/test_glossary.py holds the catalogue to it:
every preferred word is in use and no replaced word or developer word appears.
"""

from __future__ import annotations

# concept: (the Korean word, the words it replaces)
TERMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "round_trip": ("완료 거래", ("라운드 트립", "트립")),
    "profit_factor": ("손익비(PF)", ("프로핏 팩터",)),
    "expectancy": ("거래당 기대값", ("기대값 (트립당)",)),
    "best_trade": ("최대 수익 거래", ("최고 트립",)),
    "worst_trade": ("최대 손실 거래", ("최저 트립",)),
    "regime": ("시장 국면", ("레짐",)),
    "reconciliation": ("정합성 점검", ("대사",)),
    "scoring": ("평가", ("채점",)),
    "alert_watcher": ("알림 감시 프로세스", ("감시기",)),
    "utc_day": ("(UTC)", ("UTC 기준",)),
}
# Words of the code, not of the operator: never in the Korean UI (the bot's codes such as BUY or
# TAKE_PROFIT are shown translated, with the code beside them, by layouts/codes.py).
DEVELOPER_WORDS = (
    "v3 형식",
    "entry_avg_price",
    "signal_info",
    "daily_risk_state",
    "total_pnl",
    "SCHEMA.md",
    "은(는)",
    "이(가)",
    "을(를)",
    "과(와)",
)


def preferred(concept: str) -> str:
    return TERMS[concept][0]
