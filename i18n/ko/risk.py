"""리스크 페이지: 거래 상태, 오늘의 한도, 일일 손익, AI 가드레일, 변동성, 감사 로그."""

MESSAGES = {
    "risk.title": "리스크",
    "risk.section_gauge": "오늘 손익과 일일 손실 한도",
    "risk.section_limits": "오늘의 한도",
    "risk.section_daily_pnl": "최근 30일 일일 손익 (봇처럼 UTC 날짜 기준)",
    "risk.section_audit": "리스크 감사 로그 (최신순)",
    "risk.state.title": "거래 상태",
    "risk.state.name.running": "정상 거래 중",
    "risk.state.name.limit_reached": "일일 한도 도달",
    "risk.state.name.cooldown": "쿨다운 중",
    "risk.state.name.halted": "거래 중지",
    "risk.state.explain.running": "봇이 새 포지션에 진입할 수 있습니다.",
    "risk.state.explain.limit_reached": (
        "일일 한도 도달 (매수 횟수, 또는 봇이 거래를 중단하기 전의 손실 한도): 다음 UTC 날짜까지 신규 진입은 없고, "
        "청산은 계속됩니다."
    ),
    "risk.state.explain.cooldown": "연속 손실: 쿨다운이 끝날 때까지 신규 진입이 없습니다.",
    "risk.state.explain.halted": "오늘은 거래가 중지되었습니다 (일일 손실 한도 도달 또는 수동 중지).",
    "risk.state.no_row": (
        " {day}의 일일 리스크 기록이 아직 없습니다: 봇은 UTC 하루의 첫 루프에서 이 기록을 만들므로, UTC 자정 이후 "
        "아직 실행되지 않았습니다."
    ),
    "risk.state.today": "오늘: {day}",
    "risk.no_warnings": "오늘 도달한 리스크 한도가 없습니다.",
    "risk.warning_title": "한도 도달",
    "risk.warning.loss_limit": (
        "일일 손실 한도 도달: 오늘 손익이 기준 자산의 {pnl_pct}%입니다 (한도 -{limit_pct}%). "
        "봇은 다음 진입 점검 때 거래를 중단합니다."
    ),
    "risk.warning.loss_limit_halted": "일일 손실 한도 도달: 오늘 손익이 기준 자산의 {pnl_pct}%입니다 (한도 -{limit_pct}%).",
    "risk.warning.trade_limit_buys": (
        "일일 거래 한도 도달: 매수(BUY) {count}/{limit}건 (봇은 진입만 셉니다). "
        "다음 UTC 날짜까지 신규 진입은 없고, 청산은 계속됩니다."
    ),
    "risk.warning.trade_limit_trades": (
        "일일 거래 한도 도달: 거래 {count}/{limit}건. 다음 UTC 날짜까지 신규 진입은 없고, 청산은 계속됩니다."
    ),
    "risk.warning.count_mismatch": (
        "오늘 행의 장부 불일치: trade_count {trades} != buy_count {buys} + sell_count {sells}."
    ),
    "risk.warning.consecutive_losses": "연속 손실 {count}회 (한도 {limit}회).",
    "risk.warning.halted": "봇이 오늘 거래를 중지했습니다.",
    "risk.no_cash": "기록된 현금 잔고가 없습니다 (account_state 1번 행): 잔고 대비 % 한도를 계산할 수 없습니다.",
    "risk.losses_title": "연속 손실",
    "risk.losses_note": "연속 {count}회 손실이면 {hours}시간 쿨다운이 시작됩니다.",
    "risk.trades_title_buys": "오늘 매수 (일일 한도는 매수 기준)",
    "risk.trades_note_buys": "{day}: 매수(BUY) {buys} · 매도(SELL) {sells} · 합계 {total}.",
    "risk.trades_mismatch": " 건수가 서로 맞지 않습니다 (경고 참고).",
    "risk.trades_title": "오늘 거래 수",
    "risk.trades_note": "{day}에 봇이 센 거래 수 (이 CoinPilot 버전은 매수/매도를 나누지 않습니다).",
    "risk.cooldown.none": "진행 중인 쿨다운이 없습니다.",
    "risk.cooldown.ended": "쿨다운이 {until}에 끝났습니다.",
    "risk.cooldown.left": "쿨다운 종료 {until}: {left} 남음.",
    "risk.cooldown.hms": "{h}시간 {m}분 {s}초",
    "risk.cooldown.ms": "{m}분 {s}초",
    "risk.gauge_title": "오늘 {pnl} · 한도 -{limit_pct}% ({limit_krw})",
    "risk.daily.no_history": "최근 30일 동안 기록된 일일 리스크 상태가 없습니다.",
    "risk.daily.trace": "일일 손익",
    "risk.daily.hover": "%{x}: %{y:,.0f}원<extra></extra>",
    "risk.daily.axis_value": "원",
    "risk.daily.axis_day": "UTC 날짜",
    "risk.daily.limit_line": "오늘 손실 한도 {limit}",
    "risk.daily.limit_far": "{axis} · {limit} (막대들보다 훨씬 아래)",
    "risk.audit.filter": "모든 위반 유형",
    "risk.audit.time": "시각",
    "risk.audit.type": "유형",
    "risk.audit.description": "내용",
    "risk.audit.order": "주문",
    "risk.audit.no_rows": "리스크 감사 이벤트가 없습니다.",
    "risk.guard.title": "AI 가드레일",
    "risk.guard.volatility_title": "변동성",
    "risk.guard.no_keys": "AI 가드레일 키가 없습니다: 이 CoinPilot 버전이 기록하지 않거나, 설정된 것이 없습니다.",
    "risk.guard.global_block": "전역 AI 차단",
    "risk.guard.blocked": "차단됨: {left} 남음",
    "risk.guard.not_blocked": "차단 안 됨",
    "risk.guard.error_streak": "AI 연속 오류",
    "risk.guard.calls_hour": "이번 시간 AI 호출 ({hour} UTC)",
    "risk.guard.calls_day": "오늘 AI 호출 ({day} UTC)",
    "risk.guard.unreadable": "읽을 수 없음 (경고 참고)",
    "risk.guard.symbol": "종목",
    "risk.guard.cooldown": "AI 쿨다운",
    "risk.guard.rejects": "AI 거절 (30분)",
    "risk.guard.cooling": "{left} 남음",
    "risk.guard.no_cooldown": "없음",
    "risk.guard.no_symbols": "알려진 종목이 없어 종목별 쿨다운을 보여 줄 수 없습니다.",
    "risk.guard.key_problem": "읽을 수 없는 키",
    "risk.guard.volatility_absent": "변동성: 이 CoinPilot 버전은 기록하지 않음.",
    "risk.guard.current_volatility": "현재 변동성",
    "risk.guard.high": "고변동성",
    "risk.guard.yes": "예",
    "risk.guard.no": "아니오",
    "risk.guard.as_of": "기준 시각",
    "risk.guard.volatility_problem": "변동성 상태",
}
