"""The store's migration steps: found by their numbered names, 1..N without gaps, each frozen
(declaring its own tables, never importing the current ones)."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

import store.migrations
from store.migrations import MIGRATIONS, discover


def test_the_released_steps_are_numbered_from_one_without_gaps():
    assert [step.version for step in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(step.summary and len(step.summary) <= 200 for step in MIGRATIONS)


def test_a_step_never_imports_the_current_tables():
    """A step that built store.tables would change meaning when a later step changes a table."""
    for path in Path(store.migrations.__file__).parent.glob("m*.py"):
        imported = {node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)}
        assert "store.tables" not in imported, path.name


def _package(tmp_path, monkeypatch, files: dict[str, str]):
    name = f"fake_steps_{len(files)}_{abs(hash(tuple(files)))}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    for module, version in files.items():
        (root / f"{module}.py").write_text(f"VERSION = {version}\nSUMMARY = 'x'\ndef upgrade(conn):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    package = importlib.import_module(name)
    monkeypatch.delitem(sys.modules, name)
    return package


def test_steps_are_applied_in_the_order_of_their_numbers(tmp_path, monkeypatch):
    package = _package(tmp_path, monkeypatch, {"m0002_second": 2, "m0001_first": 1})
    assert [step.version for step in discover(package)] == [1, 2]


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"m0001_first": 1, "m0003_third": 3}, "without gaps"),
        ({"m0001_first": 1, "first_table": 2}, "is not named mNNNN_what"),
        ({"m0001_first": 2}, "VERSION 2 differs from its name"),
    ],
)
def test_a_misnumbered_step_is_refused_at_import(tmp_path, monkeypatch, files, says):
    package = _package(tmp_path, monkeypatch, files)
    with pytest.raises(ValueError, match=says):
        discover(package)
