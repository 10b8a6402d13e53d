"""Chart styling shared by every figure: the browser's theme and market colours, fonts served locally."""

from __future__ import annotations

import plotly.io as pio

from i18n import current

# Up/down colours per convention: Korean (Upbit) red up, blue down; Western green up, red down.
MARKET_COLOURS = {
    "korean": {"gain": "#ef4444", "loss": "#3b82f6"},
    "western": {"gain": "#22c55e", "loss": "#ef4444"},
}
# States, not market direction: the same in every convention.
OK = "#22c55e"
DANGER = "#ef4444"
NEUTRAL = "#94a3b8"
ACCENT = "#60a5fa"
AMBER = "#f59e0b"
BAND = "rgba(148, 163, 184, 0.55)"
MA_COLOURS = {"ma20": "#f59e0b", "ma60": "#a78bfa", "ma200": "#38bdf8"}
GRID = "rgba(148, 163, 184, 0.15)"
# Each theme's template spelled out once, for figures built as plain dicts: Plotly.js knows no
# template names (graph objects expand "plotly_dark" on every figure, which is most of their cost).
TEMPLATES: dict[str, dict] = {name: pio.templates[name].to_plotly_json() for name in ("plotly_dark", "plotly_white")}


def gain() -> str:
    """The colour of a rising candle, a gain and a buy fill, in the browser's convention."""
    return MARKET_COLOURS[current().colours]["gain"]


def loss() -> str:
    return MARKET_COLOURS[current().colours]["loss"]


def template() -> str:
    return "plotly_white" if current().theme == "light" else "plotly_dark"


def base_layout(height: int = 360, **overrides) -> dict:
    layout = {
        "template": template(),
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 24, "b": 32},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        # The served Korean font first (assets/korean-font.css): Hangul in a chart then measures and
        # wraps the same on every machine, whatever Korean system font it has (Noto CJK on Android).
        "font": {
            "family": "'CoinPilot Hangul', system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans KR', sans-serif",
            "size": 12,
        },
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
        "hovermode": "x unified",
    }
    layout.update(overrides)
    return layout


def plain_layout(height: int = 360, **overrides) -> dict:
    """base_layout for a figure built as a plain dict (no graph-object validation): the same
    look, with the template expanded as graph objects would expand it."""
    layout = base_layout(height, **overrides)
    layout["template"] = TEMPLATES[template()]
    return layout
