"""Reading Dash component trees in tests, the way a person reads the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


def _as_json(tree: Any) -> Any:
    return tree.to_plotly_json() if hasattr(tree, "to_plotly_json") else tree


def walk(tree: Any) -> Iterator[dict]:
    """Every component (as its JSON form) in a tree of components, lists and strings."""
    node = _as_json(tree)
    if isinstance(node, dict) and "props" in node and "type" in node:
        yield node
        yield from walk(node["props"].get("children"))
    elif isinstance(node, (list, tuple)):
        for child in node:
            yield from walk(child)


def text(tree: Any) -> str:
    """All text in a tree, joined with spaces."""
    node = _as_json(tree)
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(t for t in (text(child) for child in node) if t)
    if isinstance(node, dict) and "props" in node:
        return text(node["props"].get("children"))
    return ""


def by_attribute(tree: Any, name: str, value: str | None = None) -> list[dict]:
    return [node for node in walk(tree) if name in node["props"] and (value is None or node["props"][name] == value)]


def one(tree: Any, name: str, value: str | None = None) -> dict:
    found = by_attribute(tree, name, value)
    assert len(found) == 1, f"expected one component with {name}={value!r}, found {len(found)}"
    return found[0]


# Props and figure keys whose strings a person reads (component text, labels, tooltips, grid
# headers, figure titles, trace names and categories, hover templates, annotations).
_SHOWN_KEYS = frozenset(
    {
        "children",
        "label",
        "title",
        "text",
        "name",
        "hovertemplate",
        "headerName",
        "headerTooltip",
        "placeholder",
        "aria-label",
        "noRowsToShow",
        "ticktext",
        "x",
        "y",
    }
)
# Words allowed in a Korean page: units, acronyms and names that read the same in Korean.
_ALLOWED_WORDS = frozenset(
    {"KRW", "USD", "RSI", "MA", "AI", "LLM", "PnL", "MDD", "URL", "ms", "pp", "p50", "p95", "CoinPilot"}
    | {"PostgreSQL", "TimescaleDB", "SQLite", "Redis", "n8n", "Upbit"}
)


def shown_strings(tree: Any) -> list[str]:
    """Every string a person can read in a component tree, figure or grid definition."""
    found: list[str] = []

    def visit(node: Any, key: str | None) -> None:
        node = _as_json(node)
        if isinstance(node, str):
            if key in _SHOWN_KEYS:
                found.append(node)
        elif isinstance(node, dict):
            for child_key, value in node.items():
                if child_key == "rowData" and isinstance(value, list):
                    found.extend(v for row in value for v in row.values() if isinstance(v, str))
                else:
                    visit(value, child_key)
        elif isinstance(node, (list, tuple)):
            for child in node:
                visit(child, key if key in _SHOWN_KEYS else None)

    visit(tree, "children")
    return found


def english_words(tree: Any, also_allowed: frozenset[str] = frozenset()) -> set[str]:
    """Latin-letter words left in a tree that should be all Korean: all-caps codes (BUY,
    STOP_LOSS), snake_case column names, units and acronyms are allowed."""
    words = set()
    for shown in shown_strings(tree):
        # %{y:+.2f} and <br> are Plotly's, not words; %p is the Korean percentage point.
        shown = re.sub(r"%\{[^}]*\}|<[^>]+>|%p\b", " ", shown)
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", shown):
            if "_" in word or word.isupper() or word in _ALLOWED_WORDS or word in also_allowed:
                continue
            words.add(word)
    return words
