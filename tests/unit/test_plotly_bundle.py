"""The Plotly partial bundle served from assets/ holds every trace type the pages draw, and is
built from the plotly.js version the Python plotly package expects."""

from __future__ import annotations

import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "scripts" / "plotly-bundle" / "entry.js"
BUNDLE = REPO / "assets" / "plotly-partial.min.js"
# graph_objects classes that are not traces.
NOT_TRACES = {"Figure", "FigureWidget", "Layout", "Frame"}


def drawn_trace_types() -> set[str]:
    types = set()
    for folder in ("layouts", "callbacks"):
        for path in (REPO / folder).glob("*.py"):
            types |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", path.read_text())}
    return types - {name.lower() for name in NOT_TRACES}


def bundled_trace_types() -> set[str]:
    # plotly.js/lib/core registers scatter itself.
    required = set(re.findall(r"require\('plotly\.js/lib/([a-z0-9/]+)'\)", ENTRY.read_text()))
    return {name for name in required if "/" not in name} - {"core"} | {"scatter"}


def test_every_trace_type_the_pages_draw_is_in_the_bundle():
    drawn = drawn_trace_types()
    assert drawn, "found no go.<Trace>( calls: the scan is broken"
    assert drawn <= bundled_trace_types(), f"missing from the bundle: {sorted(drawn - bundled_trace_types())}"


def test_the_committed_bundle_was_rebuilt_after_the_entry_changed():
    banner = BUNDLE.read_text()[:300]
    listed = set(re.search(r"partial bundle \(MIT[^)]*\): ([a-z0-9/, ]+)\.", banner).group(1).split(", "))
    assert listed == bundled_trace_types()


def test_the_bundle_is_built_from_the_plotly_js_version_plotly_python_expects():
    assert f"plotly.js {get_plotlyjs_version()} partial bundle" in BUNDLE.read_text()[:300]
