"""Reading Dash component trees in tests, the way a person reads the page."""

from __future__ import annotations

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
