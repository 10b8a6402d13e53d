"""The frame around every page: navigation, the refresh control, the status strip."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids

PAGES = (
    ("/", "Overview", "overview"),
    ("/market", "Market", "market"),
    ("/risk", "Risk", "risk"),
    ("/history", "History", "history"),
    ("/exits", "Exits", "exits"),
    ("/system", "System", "system"),
    ("/ai", "AI", "ai"),
)
REFRESH_OPTIONS = ((5, "5 s"), (10, "10 s"), (30, "30 s"), (60, "1 min"), (300, "5 min"))


def refresh_control(default_seconds: int) -> html.Div:
    """On/off and interval, remembered by the browser (Dash persistence in localStorage)."""
    return html.Div(
        [
            html.Div("Refresh", className="sidebar-label"),
            dbc.Switch(
                id=ids.REFRESH_ENABLED,
                label="Auto refresh",
                value=True,
                persistence=True,
                persistence_type="local",
                className="mb-1",
            ),
            # Named for screen readers; sighted users read the interval in the options themselves.
            html.Label("Refresh interval", htmlFor=ids.REFRESH_SECONDS, className="visually-hidden"),
            dbc.Select(
                id=ids.REFRESH_SECONDS,
                options=[{"label": f"every {label}", "value": str(seconds)} for seconds, label in REFRESH_OPTIONS],
                value=str(default_seconds),
                persistence=True,
                persistence_type="local",
                size="sm",
            ),
            html.Div(
                ["Updated ", html.Span("–", id=ids.LAST_UPDATED)],
                className="last-updated mt-2",
            ),
        ],
        className="refresh-control",
    )


def navigation(relative_path: Callable[[str], str], default_refresh_s: int, timezone_label: str) -> dbc.Navbar:
    """A sidebar on wide screens; a collapsible navbar below the lg breakpoint."""
    links = [
        dbc.NavItem(dbc.NavLink(label, href=relative_path(path), active="exact", id=f"nav-{key}"))
        for path, label, key in PAGES
    ]
    return dbc.Navbar(
        [
            dbc.NavbarBrand(
                [html.Span("CoinPilot", className="brand-main"), html.Span(" Dashboard", className="brand-sub")],
                href=relative_path("/"),
            ),
            dbc.NavbarToggler(id=ids.NAVBAR_TOGGLER, n_clicks=0),
            dbc.Collapse(
                [
                    dbc.Nav(links, vertical="lg", pills=True, className="sidebar-nav"),
                    refresh_control(default_refresh_s),
                    html.Div(["Times in ", html.Strong(timezone_label)], className="tz-note"),
                ],
                id=ids.NAVBAR_COLLAPSE,
                navbar=True,
                is_open=False,
            ),
        ],
        className="cp-sidebar",
        color="dark",
        dark=True,
        expand="lg",
    )


def app_layout(relative_path: Callable[[str], str], default_refresh_s: int, timezone_label: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Interval(id=ids.REFRESH_INTERVAL, interval=default_refresh_s * 1000, n_intervals=0),
            navigation(relative_path, default_refresh_s, timezone_label),
            html.Main(
                [
                    html.Div(id=ids.STATUS_STRIP, className="status-strip", **{"aria-live": "polite"}),
                    html.Div(id=ids.PAGE, className="page"),
                ],
                className="cp-main",
            ),
        ],
        className="cp-app",
    )


def status_item(label: str, value: str, level: str, key: str) -> html.Span:
    """One entry of the status strip; level is ok, warn or down (sets the colour)."""
    return html.Span(
        [html.Span(className=f"dot dot-{level}"), html.Span(label + ": ", className="strip-label"), html.Span(value)],
        className=f"strip-item strip-{level}",
        **{"data-status": key, "data-level": level},
    )


def not_found(pathname: str, relative_path: Callable[[str], str]) -> html.Div:
    return html.Div(
        [
            html.H2("Page not found"),
            html.P(["There is no page at ", html.Code(pathname), ". Pages:"]),
            html.Ul([html.Li(dcc.Link(label, href=relative_path(path))) for path, label, _ in PAGES]),
        ],
        className="p-3",
    )
