"""Small building blocks shared by the pages: KPI cards, panel messages, empty charts, badges."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from i18n import t
from layouts import charts

# The title an operator sees for each kind of data-layer failure (data.database.DataError.kind).
ERROR_KINDS = (
    "unreachable",
    "timeout",
    "schema_missing",
    "not_configured",
    "write_refused",
    "query_failed",
    "redis_unavailable",
    "invalid_input",
    "internal",
    "empty",
)


def error_title(kind: str) -> str:
    return t(f"errors.title.{kind}") if kind in ERROR_KINDS else t("errors.title.other")


def alert(message: str, kind: str = "danger", title: str | None = None, **attributes):
    """A panel message. Text is passed as text, never as HTML."""
    body = [html.Strong(title + ": ")] if title else []
    body.append(message)
    box = dbc.Alert(body, color=kind, className="mb-2 py-2 small")
    # dbc components take no data-* attributes; tests find panels by these, so wrap.
    return html.Div(box, **attributes) if attributes else box


# Longer texts (an AI reasoning once reached 87 KB) show this much, with the rest behind a
# toggle in a box of bounded height, so one text cannot make a page tens of thousands of px tall.
LONG_TEXT_SHOWN = 600


def long_text(text: str, className: str = "", **attributes) -> html.Div:
    """A text from the bot or the database, clamped to LONG_TEXT_SHOWN characters with a
    "Show all" toggle when longer; shown as text, never as HTML."""
    if len(text) <= LONG_TEXT_SHOWN:
        return html.Div(text, className=className, **attributes)
    return html.Div(
        [
            html.Span(text[:LONG_TEXT_SHOWN] + "…", className="long-text-start"),
            html.Details(
                [
                    html.Summary(t("components.show_all", characters=f"{len(text):,}"), className="small"),
                    html.Div(text, className="long-text-full"),
                ]
            ),
        ],
        className=f"{className} long-text".strip(),
        **attributes,
    )


def problem(kind: str, message: str) -> dbc.Alert:
    """The standard way a panel says it cannot show its data."""
    color = "info" if kind in ("empty",) else "warning" if kind in ("invalid_input", "schema_missing") else "danger"
    return alert(message, color, error_title(kind), **{"data-problem": kind})


def kpi_card(key: str, title: str, value: str, value_class: str = "", note: str | None = None) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="kpi-title"),
                    html.Div(value, className=f"kpi-value {value_class}", **{"data-kpi": key}),
                    html.Div(note, className="kpi-note") if note else None,
                ]
            ),
            className="h-100 kpi-card",
        ),
        xs=6,
        md=4,
        xl=True,
        className="mb-3",
    )


def empty_figure(message: str, height: int = 320) -> go.Figure:
    figure = go.Figure(layout=charts.base_layout(height=height))
    figure.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 14})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def section(title: str, *children, right=None, **attributes) -> dbc.Card:
    header = html.Div(
        [html.Span(title, className="section-title"), right],
        className="d-flex justify-content-between align-items-center",
    )
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(list(children))], className="mb-3", **attributes)


def lookback_days(component_id: str, label: str, days: int, low: int, high: int) -> dbc.Col:
    """The look-back box of a page whose panels cover the last N days (Exits, AI)."""
    return dbc.Col(
        [
            dbc.Label(label, html_for=component_id, className="small mb-1"),
            dbc.Input(id=component_id, type="number", min=low, max=high, step=1, value=days, debounce=True, size="sm"),
        ],
        xs=6,
        md=3,
        xl=2,
    )
