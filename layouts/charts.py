"""Chart styling shared by every figure: the dark theme, colours and fonts served locally."""

from __future__ import annotations

import plotly.io as pio

GAIN = "#22c55e"
LOSS = "#ef4444"
NEUTRAL = "#94a3b8"
ACCENT = "#60a5fa"
AMBER = "#f59e0b"
BAND = "rgba(148, 163, 184, 0.55)"
MA_COLOURS = {"ma20": "#f59e0b", "ma60": "#a78bfa", "ma200": "#38bdf8"}
GRID = "rgba(148, 163, 184, 0.15)"
# The dark template spelled out once, for figures built as plain dicts: Plotly.js knows no
# template names (graph objects expand "plotly_dark" on every figure, which is most of their cost).
DARK_TEMPLATE: dict = pio.templates["plotly_dark"].to_plotly_json()


def base_layout(height: int = 360, **overrides) -> dict:
    layout = {
        "template": "plotly_dark",
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 24, "b": 32},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans KR', sans-serif", "size": 12},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
        "hovermode": "x unified",
    }
    layout.update(overrides)
    return layout


def plain_layout(height: int = 360, **overrides) -> dict:
    """base_layout for a figure built as a plain dict (no graph-object validation): the same
    look, with the template expanded as graph objects would expand it."""
    layout = base_layout(height, **overrides)
    layout["template"] = DARK_TEMPLATE
    return layout
