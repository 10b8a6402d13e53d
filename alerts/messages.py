"""The words of alert messages, one catalogue per language with the same keys (DASHBOARD_LANGUAGE).

Kept as plain dicts so they can move into the shared i18n package unchanged: the rest of the
watcher asks `text(language, key, **values)` and never branches on the language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CATALOGUES: dict[str, dict[str, str]] = {
    "en": {
        "event.firing": "FIRING",
        "event.resolved": "RESOLVED",
        "event.reminder": "STILL FIRING",
        "field.value": "Value",
        "field.since": "Since",
        "field.resolved_at": "Resolved at",
        "field.open": "Open",
        "rule.bot_status_stale": "Bot status missing or stale",
        "rule.candle_stale": "Last candle stale",
        "rule.trading_halted": "Trading HALTED",
        "rule.trading_cooldown": "Trading in COOLDOWN",
        "rule.trading_limit_reached": "Daily trade LIMIT REACHED",
        "rule.daily_loss": "Today's loss passed {threshold:g} % of the daily loss limit",
        "rule.consecutive_losses": "Consecutive losses one short of the cooldown",
        "rule.database_unreachable": "Database unreachable",
        "rule.redis_unreachable": "Redis unreachable",
        "rule.n8n_unreachable": "n8n unreachable",
        "rule.ai_global_block": "AI global block active",
        "rule.ai_budget": "AI call budget above {threshold:g} %",
        "rule.rollups_lagging": "Candle rollups lagging",
        "value.none": "–",
        "value.missing": "no status (key expired or never written)",
        "value.age": "{age} old",
        "value.no_candles": "no candles",
        "value.pct_of_limit": "{pct:.1f} % of the limit used (PnL {pnl:,.0f} KRW, limit {limit:,.0f} KRW)",
        "value.losses": "consecutive losses: {count} (cooldown at {limit})",
        "value.state": "{state}",
        "value.unreachable": "{detail}",
        "value.budget": "{pct:.0f} % ({used} of {limit} calls {window})",
        "value.window.hour": "this hour",
        "value.window.day": "today",
        "value.block": "block set{left}",
        "value.block_left": ", {age} left",
        "value.lagging": "{views} behind",
        "duration.s": "{n} s",
        "duration.m": "{n} min",
        "duration.h": "{n:.1f} h",
        "duration.d": "{n:.1f} d",
        "dry_run.header": "Dry run at {at}: {count} rules evaluated, nothing saved or sent.",
        "dry_run.would_send": "would send to {channels}:",
        "dry_run.no_channels": "no delivery channel is configured",
        "dry_run.ok": "OK",
        "dry_run.unknown": "UNKNOWN (its source is unreachable)",
        "dry_run.condition": "CONDITION HOLDS",
    },
    "ko": {
        "event.firing": "경보 발생",
        "event.resolved": "해제",
        "event.reminder": "경보 지속 중",
        "field.value": "값",
        "field.since": "시작",
        "field.resolved_at": "해제 시각",
        "field.open": "열기",
        "rule.bot_status_stale": "봇 상태 없음 또는 오래됨",
        "rule.candle_stale": "마지막 캔들이 오래됨",
        "rule.trading_halted": "거래 중단 (HALTED)",
        "rule.trading_cooldown": "거래 쿨다운 (COOLDOWN)",
        "rule.trading_limit_reached": "일일 거래 한도 도달 (LIMIT REACHED)",
        "rule.daily_loss": "오늘 손실이 일일 손실 한도의 {threshold:g} %를 넘음",
        "rule.consecutive_losses": "연속 손실이 쿨다운까지 한 번 남음",
        "rule.database_unreachable": "데이터베이스 연결 불가",
        "rule.redis_unreachable": "Redis 연결 불가",
        "rule.n8n_unreachable": "n8n 연결 불가",
        "rule.ai_global_block": "AI 전체 차단 중",
        "rule.ai_budget": "AI 호출 예산 {threshold:g} % 초과",
        "rule.rollups_lagging": "캔들 롤업 지연",
        "value.none": "–",
        "value.missing": "상태 없음 (키 만료 또는 기록된 적 없음)",
        "value.age": "{age} 지남",
        "value.no_candles": "캔들 없음",
        "value.pct_of_limit": "한도의 {pct:.1f} % 사용 (손익 {pnl:,.0f} KRW, 한도 {limit:,.0f} KRW)",
        "value.losses": "연속 {count}회 손실 (쿨다운 기준 {limit}회)",
        "value.state": "{state}",
        "value.unreachable": "{detail}",
        "value.budget": "{pct:.0f} % ({window} {limit}회 중 {used}회)",
        "value.window.hour": "이번 시간",
        "value.window.day": "오늘",
        "value.block": "차단 설정됨{left}",
        "value.block_left": ", {age} 남음",
        "value.lagging": "{views} 지연",
        "duration.s": "{n}초",
        "duration.m": "{n}분",
        "duration.h": "{n:.1f}시간",
        "duration.d": "{n:.1f}일",
        "dry_run.header": "시험 실행 {at}: 규칙 {count}개 평가, 저장도 전송도 하지 않음.",
        "dry_run.would_send": "{channels}(으)로 보낼 메시지:",
        "dry_run.no_channels": "설정된 전송 채널 없음",
        "dry_run.ok": "정상",
        "dry_run.unknown": "알 수 없음 (데이터 출처에 연결할 수 없음)",
        "dry_run.condition": "조건 충족",
    },
}


def text(language: str, key: str, **values) -> str:
    template = CATALOGUES.get(language, CATALOGUES["ko"])[key]
    return template.format(**values) if values else template


def duration(language: str, seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if seconds < 120:
        return text(language, "duration.s", n=int(seconds))
    if seconds < 3600 * 2:
        return text(language, "duration.m", n=int(seconds // 60))
    if seconds < 86400 * 2:
        return text(language, "duration.h", n=seconds / 3600)
    return text(language, "duration.d", n=seconds / 86400)


def local_time(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
