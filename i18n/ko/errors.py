"""패널이 데이터를 보여줄 수 없을 때의 말: 실패 제목과 데이터 계층의 문장."""

MESSAGES = {
    "errors.title.unreachable": "데이터베이스 연결 불가",
    "errors.title.timeout": "쿼리 시간 초과",
    "errors.title.schema_missing": "스키마 없음",
    "errors.title.not_configured": "데이터베이스 미설정",
    "errors.title.write_refused": "쓰기 거부",
    "errors.title.query_failed": "데이터베이스 오류",
    "errors.title.redis_unavailable": "Redis 연결 불가",
    "errors.title.invalid_input": "잘못된 입력",
    "errors.title.internal": "내부 오류",
    "errors.title.empty": "아직 데이터 없음",
    "errors.title.other": "오류",
    "errors.internal": "이 패널을 만드는 중 예상치 못한 오류가 났습니다. 자세한 내용은 서버 로그에 있습니다.",
    "errors.db.not_configured": (
        "설정된 데이터베이스가 없습니다: DATABASE_URL(또는 DB_HOST/DB_USER/DB_NAME)을 설정하세요."
    ),
    "errors.db.pool_timeout": (
        "데이터베이스 연결 불가: 제한 시간 안에 빈 연결이 없습니다(데이터베이스가 느리거나 멈춤)."
    ),
    "errors.db.statement_timeout": "쿼리 시간 초과: 데이터베이스가 statement timeout 안에 응답하지 않았습니다.",
    "errors.db.no_table": "{table} 테이블이 아직 없습니다: 봇이 이 데이터베이스에 스키마를 만들지 않았습니다.",
    "errors.db.schema_differs": "데이터베이스 스키마가 CoinPilot 스키마와 다릅니다: {detail}",
    "errors.db.read_only": "쓰기 거부: 대시보드의 데이터베이스 세션은 읽기 전용입니다({detail}).",
    "errors.db.unreachable": "데이터베이스 연결 불가({where}): {detail}",
    "errors.db.auth_failed": "데이터베이스 연결 불가({where}): 인증에 실패했습니다.",
    "errors.db.query_failed": "데이터베이스 쿼리 실패: {detail}",
}
