"""How the bot's codes (side, status, order type, regime, exit reason) read in the UI language:
filter options, grid cells and chart labels show the label, while values, sorting and the CSV
keep the code."""

from __future__ import annotations

from i18n import catalogue, t


def code_label(kind: str, code: str) -> str:
    """`history.<kind>.<code>` from the catalogues; a code they do not know (a bot may write new
    exit reasons) is shown as the bot wrote it."""
    key = f"history.{kind}.{code}"
    return t(key) if key in catalogue("en") else code
