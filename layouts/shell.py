"""The frame around every page: navigation, the refresh control, the status strip."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.format import age, duration

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


def status_item(label: str, value: str, level: str, key: str, symbol: str | None = None) -> html.Span:
    """One entry of the status strip; level is ok, warn or down (sets the colour); `symbol`: the
    symbol the entry speaks of, when it reports the worst of several."""
    attributes = {"data-status": key, "data-level": level}
    if symbol is not None:
        attributes["data-symbol"] = symbol
    return html.Span(
        [html.Span(className=f"dot dot-{level}"), html.Span(label + ": ", className="strip-label"), html.Span(value)],
        className=f"strip-item strip-{level}",
        **attributes,
    )


_TRADING_LEVELS = {"RUNNING": "ok", "LIMIT REACHED": "warn", "COOLDOWN": "warn", "HALTED": "down"}


def trading_state_item(state: str | None, cooldown_remaining_s: float) -> html.Span:
    """The trading state the Risk page shows; COOLDOWN with its time left. None: unknown."""
    if state is None:
        return status_item("Trading", "unknown", "down", "trading")
    text = f"{state} ({duration(cooldown_remaining_s)} left)" if state == "COOLDOWN" else state
    item = status_item("Trading", text, _TRADING_LEVELS.get(state, "warn"), "trading")
    item.title = {
        "RUNNING": "The bot may open new positions.",
        "LIMIT REACHED": "Daily trade limit reached: no new entries until the next UTC day; exits still run.",
        "COOLDOWN": "Consecutive losses: no new entries until the cooldown ends.",
        "HALTED": "The bot has halted trading for today.",
    }.get(state)
    return item


def candle_item(worst, symbol_count: int, stale_after_s: float) -> html.Span:
    """The worst current symbol's last candle, aged from its close (data.freshness.WorstCandle)."""
    if worst is None:
        return status_item("Last candle", "no candles yet", "warn", "candle")
    if worst.age_s is None:
        return status_item("Last candle", f"{worst.symbol}: no candles", "warn", "candle", worst.symbol)
    level = "warn" if worst.age_s > stale_after_s else "ok"
    text = age(worst.age_s) if symbol_count == 1 else f"{worst.symbol} {age(worst.age_s)}"
    if symbol_count > 1:
        text += " (oldest of " + str(symbol_count) + ")"
    return status_item("Last candle", text, level, "candle", worst.symbol)


def bot_status_item(worst, stale_after_s: float) -> html.Span:
    """The worst current symbol's bot status (data.freshness.WorstStatus)."""
    if worst is None:
        return status_item("Bot status", "no status for 5 min", "warn", "bot")
    if worst.standing.value == "missing":
        text, level = f"{worst.symbol}: no status for 5 min", "warn"
    elif worst.standing.value == "invalid":
        text, level = f"{worst.symbol}: invalid payload", "warn"
    else:
        stale = worst.standing.value == "stale"
        text = age(worst.age_s) + (f" (stale, > {stale_after_s:g} s)" if stale else "")
        text = f"{worst.symbol} {text}" if worst.total > 1 else text
        level = "warn" if stale else "ok"
    if worst.total > 1:
        text += f" · {worst.fresh_count}/{worst.total} fresh"
    return status_item("Bot status", text, level, "bot", worst.symbol)


def not_found(pathname: str, relative_path: Callable[[str], str]) -> html.Div:
    return html.Div(
        [
            html.H2("Page not found"),
            html.P(["There is no page at ", html.Code(pathname), ". Pages:"]),
            html.Ul([html.Li(dcc.Link(label, href=relative_path(path))) for path, label, _ in PAGES]),
        ],
        className="p-3",
    )
