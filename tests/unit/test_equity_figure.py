"""The Overview's equity figure, built as a plain dict, draws what Plotly's graph objects drew
(make_subplots with the dark template), and Dash serialises it."""

import base64
import json
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash._utils import to_json
from plotly.subplots import make_subplots

from layouts import charts, overview

TZ = ZoneInfo("Asia/Seoul")


def graph_objects_figure(equity, drawdown_pct, tz, title) -> go.Figure:
    """How layouts/overview.py built the figure before (graph objects, validated)."""
    times = equity["time"].dt.tz_convert(tz)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04)
    figure.add_trace(
        go.Scatter(
            x=times,
            y=equity["equity"],
            mode="lines",
            name="Equity",
            line={"color": charts.ACCENT, "width": 2},
            hovertemplate="%{y:,.0f} KRW<extra>equity</extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=times,
            y=drawdown_pct,
            mode="lines",
            name="Drawdown",
            fill="tozeroy",
            line={"color": charts.loss(), "width": 1},
            hovertemplate="%{y:.2f}%<extra>drawdown</extra>",
        ),
        row=2,
        col=1,
    )
    figure.update_layout(
        **charts.base_layout(height=420, showlegend=False, uirevision="equity"),
        title={"text": title, "x": 0.01, "font": {"size": 13}},
    )
    figure.update_yaxes(title_text="KRW", tickformat=",.0f", row=1, col=1, gridcolor=charts.GRID)
    figure.update_yaxes(title_text="DD %", ticksuffix="%", row=2, col=1, gridcolor=charts.GRID)
    figure.update_xaxes(gridcolor=charts.GRID)
    figure.update_layout(margin={"l": 70, "r": 16, "t": 40, "b": 32})
    return figure


def approx_tree(value):
    """Floats compared approximately (0.9999999999999999 vs 1.0 in the subplot domains), and
    Plotly's base64 typed arrays (what graph objects send numbers as) read as lists."""
    if isinstance(value, dict) and set(value) == {"dtype", "bdata"}:
        return approx_tree(np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist())
    if isinstance(value, dict):
        return {k: approx_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx_tree(v) for v in value]
    if isinstance(value, float):
        return pytest.approx(value)
    return value


def test_the_plain_equity_figure_serialises_as_the_graph_objects_figure_did():
    equity = pd.DataFrame(
        {
            "time": pd.date_range("2026-01-01 00:00", periods=4, freq="h", tz="UTC"),
            "equity": [1_000_000.0, 1_050_000.0, 990_000.0, 1_010_000.0],
        }
    )
    drawdown = pd.Series([0.0, 0.0, -5.714, -3.81])
    figure = overview.equity_figure(equity, drawdown, TZ, -5.714, 60_000.0)
    expected = graph_objects_figure(equity, drawdown, TZ, figure["layout"]["title"]["text"])

    ours = json.loads(to_json(figure))
    theirs = json.loads(to_json(expected))

    assert ours["data"] == approx_tree(theirs["data"])
    assert ours["layout"] == approx_tree(theirs["layout"])


def test_the_equity_figure_times_are_wall_clock_times_of_the_display_zone():
    equity = pd.DataFrame({"time": pd.to_datetime(["2026-01-01 15:00"], utc=True), "equity": [1.0]})
    figure = json.loads(to_json(overview.equity_figure(equity, pd.Series([0.0]), TZ, 0.0, 0.0)))
    assert figure["data"][0]["x"] == ["2026-01-02T00:00:00"]
