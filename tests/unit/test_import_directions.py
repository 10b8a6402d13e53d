"""Imports run one way (README, "Architecture"): read from the source, so a new import that
crosses a layer fails here rather than in a review."""

from __future__ import annotations

import ast
import enum
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"dashboard", "layouts", "callbacks", "data", "i18n", "simulator", "alerts", "store", "admin"}
DASH_FAMILY = {"dash", "dash_bootstrap_components", "dash_ag_grid", "plotly"}

# package -> packages of ours it may import (itself always allowed)
ALLOWED = {
    "i18n": set(),
    "data": {"i18n"},
    # ... and data's enums, to read typed states (test_layouts_read_the_data_layers_typed_states...).
    "layouts": {"i18n", "data"},
    "callbacks": {"layouts", "data", "i18n", "alerts", "store"},
    "alerts": {"data", "i18n"},
    # The dashboard's own store: below the pages, beside the data layer (its deadline and redaction).
    "store": {"data", "i18n"},
    # What writes CoinPilot-shaped data, and what an owner of the bot's database runs: both on top
    # of the data layer, neither ever reaching back up into the dashboard (its settings included).
    "simulator": {"data", "i18n"},
    "admin": {"data", "i18n"},
    # The app and its Flask side: everything below it, never the simulator or the owner's DDL ...
    "dashboard": {"layouts", "callbacks", "data", "i18n", "alerts", "store"},
}
# ... except in the command line, which runs them (the demo, seed, bot-status, rollups).
COMMAND_LINE = {"dashboard/cli.py": {"simulator", "admin"}, "dashboard/run.py": {"simulator"}}


def data_names_imported(path: Path) -> dict[str, list[str]]:
    """module -> the names a file imports `from data.<module>`."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "data":
            found.setdefault(node.module, []).extend(alias.name for alias in node.names)
    return found


def imported_top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    crossings = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        wrong = (
            (imported_top_level_names(path) & OURS) - ALLOWED[package] - COMMAND_LINE.get(relative, set()) - {package}
        )
        if wrong:
            crossings[relative] = sorted(wrong)
    assert not crossings


@pytest.mark.parametrize("package", ["data", "i18n", "store"])
def test_the_data_layer_the_store_and_the_catalogues_import_nothing_from_dash(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_level_names(path) & DASH_FAMILY)
        for path in (ROOT / package).rglob("*.py")
        if imported_top_level_names(path) & DASH_FAMILY
    }
    assert not offenders


def test_layouts_read_the_data_layers_typed_states_and_nothing_else_of_it():
    """A layout compares a state with its enum (`reading.state is StatusState.INVALID`), never with a
    string, so it may import data's enums, and only them: no query, no rule, no dataclass to build."""
    offenders = {}
    for path in sorted((ROOT / "layouts").rglob("*.py")):
        for module, names in data_names_imported(path).items():
            loaded = importlib.import_module(module)
            wrong = [
                n
                for n in names
                if not (isinstance(getattr(loaded, n), type) and issubclass(getattr(loaded, n), enum.Enum))
            ]
            if wrong:
                offenders[f"{path.relative_to(ROOT)}: {module}"] = wrong
        source = path.read_text(encoding="utf-8")
        if re.search(r"\.value (==|!=|in) ", source):
            offenders[str(path.relative_to(ROOT))] = ["compares an enum's .value with a string"]
    assert not offenders
