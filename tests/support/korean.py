"""Finding English left on a page rendered in Korean: every string a person can see or hear
(text, labels, titles, tooltips, grid headers, chart titles and trace names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Words that are the same in Korean UI: codes the bot writes, tickers, units, acronyms, names.
SAME_IN_KOREAN = {
    "KRW",
    "BTC",
    "ETH",
    "XRP",
    "SOL",
    "DOGE",
    "RSI",
    "MA",
    "BB",
    "AI",
    "LLM",
    "PnL",
    "MDD",
    "UTC",
    "KST",
    "HOLD",
    "POS",
    "BUY",
    "SELL",
    "SKIP",
    "WAITING",
    "BULL",
    "BEAR",
    "SIDEWAYS",
    "UNKNOWN",
    "CONFIRM",
    "REJECT",
    "SAFE",
    "WARNING",
    "FILLED",
    "CANCELLED",
    "PENDING",
    "HALTED",
    "COOLDOWN",
    "Redis",
    "CoinPilot",
    "Dashboard",
    "English",
    "Asia",
    "Seoul",
    "TimescaleDB",
    "PostgreSQL",
    "SQLite",
    "n8n",
    "CSV",
    "URL",
    "API",
    "Upbit",
}
VISIBLE_PROPS = ("title", "label", "placeholder", "headerName", "headerTooltip", "aria-label", "alt")


def _as_json(tree: Any) -> Any:
    return tree.to_plotly_json() if hasattr(tree, "to_plotly_json") else tree


def visible_strings(tree: Any) -> Iterator[str]:
    node = _as_json(tree)
    if isinstance(node, str):
        yield node
    elif isinstance(node, (list, tuple)):
        for child in node:
            yield from visible_strings(child)
    elif isinstance(node, dict) and "props" in node and "type" in node:
        props = node["props"]
        yield from visible_strings(props.get("children"))
        for name in VISIBLE_PROPS:
            if isinstance(props.get(name), str):
                yield props[name]
        for option in props.get("options") or []:
            if isinstance(option, dict) and isinstance(option.get("label"), str):
                yield option["label"]
        for column in props.get("columnDefs") or []:
            yield from (column[k] for k in ("headerName", "headerTooltip") if isinstance(column.get(k), str))
        if isinstance(props.get("figure"), dict):
            yield from figure_strings(props["figure"])
    elif isinstance(node, dict):
        for value in node.values():
            yield from visible_strings(value)


def figure_strings(figure: Any) -> Iterator[str]:
    figure = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    layout = figure.get("layout", {}) or {}

    def title_text(title):
        return title.get("text") if isinstance(title, dict) else title

    for value in layout.values():
        if isinstance(value, dict) and "title" in value and isinstance(title_text(value["title"]), str):
            yield title_text(value["title"])
    if isinstance(title_text(layout.get("title")), str):
        yield title_text(layout["title"])
    for annotation in layout.get("annotations", []) or []:
        if isinstance(annotation.get("text"), str):
            yield annotation["text"]
    for trace in figure.get("data", []) or []:
        if isinstance(trace.get("name"), str):
            yield trace["name"]


def english_words(strings, allowed: set[str] = frozenset()) -> list[str]:
    """Latin words of three letters or more that are not in SAME_IN_KOREAN (or `allowed`),
    ignoring symbol codes like KRW-BTC and anything inside <...> or {...}."""
    found = []
    for text in strings:
        cleaned = re.sub(r"<[^>]*>|\{[^}]*\}|%\{[^}]*\}|\b[A-Z]+-[A-Z]+\b", " ", text)
        for word in re.findall(r"[A-Za-z]{3,}", cleaned):
            if word not in SAME_IN_KOREAN and word not in allowed:
                found.append(word)
    return found
