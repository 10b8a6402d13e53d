"""Shared building blocks (layouts/components.py)."""

MESSAGES = {
    "components.show_all": "Show all ({characters} characters)",
}
