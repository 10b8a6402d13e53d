"""Shared building blocks (layouts/components.py)."""

MESSAGES = {
    "components.show_all": "전체 보기 ({characters}자)",
}
