"""단위와 시간 길이 (layouts/format.py)."""

MESSAGES = {
    "format.krw": "{amount}원",
    "format.krw_man": "{amount}만 원",
    "format.krw_eok": "{amount}억 원",
    "format.ago": "{span} 전",
    "format.seconds": "{n}초",
    "format.minutes": "{m}분",
    "format.minutes_seconds": "{m}분 {s}초",
    "format.hours_minutes": "{h}시간 {m}분",
    "format.days_hours": "{d}일 {h}시간",
    "format.no_expiry": "만료 없음",
}
