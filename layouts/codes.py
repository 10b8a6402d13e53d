"""How the bot's codes (side, status, order type, regime, exit reason) read in the UI language:
filter options, grid cells and chart labels show the label, while values, sorting and the CSV
keep the code."""

from __future__ import annotations

from i18n import catalogue, t


def known_label(prefix: str, code) -> str:
    """`<prefix>.<code>` from the catalogues; a code they do not know (a bot may write new exit
    reasons, regimes, decisions) is shown as the bot wrote it. Looked up, not asked of `t()`: a
    code the bot wrote is data, not a missing message, so it is no ERROR line in the log (where
    a bot's text, newlines and all, has no place)."""
    key = f"{prefix}.{code}"
    return t(key) if key in catalogue("en") else str(code)


def code_label(kind: str, code: str) -> str:
    """`history.<kind>.<code>` (side, status, order type, regime, exit reason)."""
    return known_label(f"history.{kind}", code)
