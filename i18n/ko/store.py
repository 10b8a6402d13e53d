"""대시보드 자체 저장소(store/): 쓸 수 없는 이유. 시스템 페이지와 CLI에 표시."""

MESSAGES = {
    "store.unreachable": "대시보드 저장소({where})에 연결할 수 없습니다: {detail}",
    "store.read_only": "대시보드 저장소({where})에 쓸 수 없습니다: {detail}",
    "store.busy": "대시보드 저장소({where})가 제한 시간이 지나도록 잠겨 있었습니다: {detail}",
    "store.failed": "대시보드 저장소({where}) 오류: {detail}",
    "store.empty": (
        "대시보드 저장소에 아직 테이블이 없습니다. 시작할 때 만들어지며, "
        "coinpilot-dashboard store upgrade로 만들 수도 있습니다."
    ),
    "store.no_file": "저장소 파일이 아직 없습니다. 대시보드가 시작할 때 만듭니다.",
    "store.outdated": (
        "대시보드 저장소의 스키마 버전({found})이 이 대시보드에 필요한 버전({supported})보다 낮습니다. "
        "coinpilot-dashboard store upgrade를 실행하세요."
    ),
    "store.newer": (
        "대시보드 저장소의 스키마 버전({found})이 이 대시보드의 버전({supported})보다 새로워 쓰지 않습니다. "
        "대시보드를 업그레이드하거나 DASHBOARD_STORE_URL을 다른 저장소로 지정하세요."
    ),
    "store.bot_database": (
        "{where}에 봇의 테이블({tables})이 있습니다. 대시보드 저장소에는 전용 데이터베이스가 필요하므로 "
        "아무것도 쓰지 않았습니다."
    ),
}
