"""정합성 점검 (시스템 페이지): UTC 일자별 실현 손익과 보유 포지션을 봇의 기록과 맞춰 봅니다."""

MESSAGES = {
    "reconciliation.fees": (
        "봇이 일일 손익을 세는 방식으로 비교합니다: 매도마다 (매도가 − 평균 단가) × 수량을 더하며 수수료는 "
        "빠집니다 (수수료를 포함하는 거래 내역의 실현 손익과는 수수료만큼 다릅니다). 차이가 1원과 그날 "
        "거래대금(매수·매도 금액)의 0.01 % 중 큰 값을 넘으면 불일치입니다."
    ),
    "reconciliation.days_title": "UTC 일자별 실현 손익",
    "reconciliation.positions_title": "체결 내역과 보유 포지션 대조",
    "reconciliation.days_ok": (
        "확인한 UTC 일자 {n}일 모두 손익이 봇이 기록한 일일 손익과 일치합니다 (최근 {window}일)."
    ),
    "reconciliation.days_bad": (
        "UTC 일자 {n}일 중 {bad}일이 봇이 기록한 일일 손익과 일치하지 않습니다 (최근 {window}일)."
    ),
    "reconciliation.no_days": "최근 {window}일간 체결도 봇 손익도 없습니다: 점검할 것이 없습니다.",
    "reconciliation.positions_ok": "보유 중인 {n}개 종목 모두 봇의 포지션 기록이 체결 내역과 일치합니다.",
    "reconciliation.positions_bad": "{n}개 종목 중 {bad}개: 봇의 포지션 기록이 그 포지션을 만든 체결 내역과 맞지 않습니다.",
    "reconciliation.no_positions": "양쪽 모두 보유 포지션이 없습니다.",
    "reconciliation.no_row": "봇의 일일 기록 없음",
    "reconciliation.unmatched": " (앞선 매수가 없는 매도 {n}건: 대시보드는 이 손익을 알 수 없음)",
    "reconciliation.agrees": "일치",
    "reconciliation.discrepancy": "불일치",
    "reconciliation.day_fills": "{day}: 대시보드 수치의 근거가 된 체결 {n}건",
    "reconciliation.symbol_fills": "{symbol}: 마지막으로 보유가 0이 된 뒤의 체결 {n}건",
    "reconciliation.col.executed": "체결 시각",
    "reconciliation.col.order_id": "주문 ID",
    "reconciliation.col.symbol": "종목",
    "reconciliation.col.side": "구분",
    "reconciliation.col.price": "가격",
    "reconciliation.col.quantity": "수량",
    "reconciliation.col.fee": "수수료",
    "reconciliation.col.realized_pnl": "수수료 전 손익",
    "reconciliation.col.day": "UTC 일자",
    "reconciliation.col.dashboard": "대시보드 (체결 기준)",
    "reconciliation.col.bot": "봇 기록",
    "reconciliation.col.difference": "차이",
    "reconciliation.col.tolerance": "허용 오차",
    "reconciliation.col.turnover": "거래대금",
    "reconciliation.col.check": "확인",
    "reconciliation.col.fills_quantity": "수량 (체결 기준)",
    "reconciliation.col.bot_quantity": "수량 (봇 기록)",
    "reconciliation.col.fills_avg": "평단가 (체결 기준)",
    "reconciliation.col.bot_avg": "평단가 (봇 기록)",
    "reconciliation.col.cost_difference": "원가 차이",
}
