"""The frame around every page: navigation, the refresh control, the status strip."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.freshness import StatusStanding
from data.risk import TradingState
from i18n import current, t
from layouts import format as fmt
from layouts import ids
from layouts.format import age, duration

# (path, key): the page's name is the catalogue's "page.<key>".
PAGES = (
    ("/", "overview"),
    ("/market", "market"),
    ("/risk", "risk"),
    ("/history", "history"),
    ("/exits", "exits"),
    ("/system", "system"),
    ("/ai", "ai"),
    ("/alerts", "alerts"),
)
REFRESH_OPTIONS_S = (5, 10, 30, 60, 300)
# The display switches: (preference, [(value, catalogue key of its label)]).
DISPLAY_SWITCHES = (
    ("lang", (("ko", "shell.lang_ko"), ("en", "shell.lang_en"))),
    ("theme", (("dark", "shell.theme_dark"), ("light", "shell.theme_light"))),
    ("colours", (("korean", "shell.colours_korean"), ("western", "shell.colours_western"))),
    ("units", (("full", "shell.units_full"), ("compact", "shell.units_compact"))),
)


def page_title(key: str) -> str:
    return t(f"page.{key}")


def refresh_control(default_seconds: int) -> html.Div:
    """On/off and interval, remembered by the browser (Dash persistence in localStorage)."""
    return html.Div(
        [
            html.Div(t("shell.refresh"), className="sidebar-label"),
            dbc.Switch(
                id=ids.REFRESH_ENABLED,
                label=t("shell.auto_refresh"),
                value=True,
                persistence=True,
                persistence_type="local",
                className="mb-1",
            ),
            # Named for screen readers; sighted users read the interval in the options themselves.
            html.Label(t("shell.refresh_interval"), htmlFor=ids.REFRESH_SECONDS, className="visually-hidden"),
            dbc.Select(
                id=ids.REFRESH_SECONDS,
                options=[
                    {"label": t("shell.every", span=fmt.span(seconds)), "value": str(seconds)}
                    for seconds in REFRESH_OPTIONS_S
                ],
                value=str(default_seconds),
                persistence=True,
                persistence_type="local",
                size="sm",
            ),
            html.Div(
                [t("shell.updated") + " ", html.Span("–", id=ids.LAST_UPDATED)],
                className="last-updated mt-2",
            ),
        ],
        className="refresh-control",
    )


def display_switches() -> html.Div:
    """Language, theme, market colours and KRW units for this browser: a click stores the choice
    in a cookie and reloads (assets/preferences.js), so every panel redraws in it at once."""
    preferences = current()
    chosen = {
        "lang": preferences.language,
        "theme": preferences.theme,
        "colours": preferences.colours,
        "units": preferences.units,
    }
    groups = []
    for preference, options in DISPLAY_SWITCHES:
        buttons = [
            html.Button(
                t(label_key),
                type="button",
                className="btn btn-sm " + ("btn-primary" if chosen[preference] == value else "btn-outline-secondary"),
                **{
                    "data-pref": preference,
                    "data-value": value,
                    "aria-pressed": "true" if chosen[preference] == value else "false",
                },
            )
            for value, label_key in options
        ]
        groups.append(
            html.Div(
                buttons,
                className="btn-group btn-group-sm pref-group",
                role="group",
                **{"aria-label": t(f"shell.pref_{preference}")},
            )
        )
    return html.Div(
        [html.Div(t("shell.display"), className="sidebar-label"), *groups],
        className="display-switches",
        id=ids.DISPLAY_SWITCHES,
    )


def navigation(relative_path: Callable[[str], str], default_refresh_s: int, timezone_label: str) -> dbc.Navbar:
    """A sidebar on wide screens; a collapsible navbar below the lg breakpoint."""
    links = [
        dbc.NavItem(dbc.NavLink(page_title(key), href=relative_path(path), active="exact", id=f"nav-{key}"))
        for path, key in PAGES
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
                    display_switches(),
                    html.Div([t("shell.times_in") + " ", html.Strong(timezone_label)], className="tz-note"),
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
                    html.Div(
                        [
                            html.Div(id=ids.STATUS_STRIP, className="status-strip", **{"aria-live": "polite"}),
                            alerts_strip(relative_path),
                        ],
                        className="strip-row",
                    ),
                    html.Div(id=ids.PAGE, className="page"),
                ],
                className="cp-main",
            ),
        ],
        className="cp-app",
    )


def alerts_strip(relative_path: Callable[[str], str]) -> html.Div:
    """The firing-alert count beside the status strip, linking to the Alerts page; and the
    firing rules for the browser notifications (assets/alerts.js)."""
    return html.Div(
        [
            dcc.Link(id=ids.ALERTS_STRIP, href=relative_path("/alerts"), className="strip-item strip-alerts"),
            dcc.Store(id=ids.ALERTS_FIRING_STORE),
            html.Div(id=ids.ALERTS_NOTIFIED, hidden=True),
        ],
        className="status-strip strip-alerts-box",
    )


def status_item(label: str, value: str, level: str, key: str, symbol: str | None = None) -> html.Span:
    """One entry of the status strip; level is ok, warn, down or off (sets the colour; off: a
    valid state that needs nothing, shown grey); `symbol`: the symbol the entry speaks of, when
    it reports the worst of several."""
    attributes = {"data-status": key, "data-level": level}
    if symbol is not None:
        attributes["data-symbol"] = symbol
    return html.Span(
        [html.Span(className=f"dot dot-{level}"), html.Span(label + ": ", className="strip-label"), html.Span(value)],
        className=f"strip-item strip-{level}",
        **attributes,
    )


_TRADING_LEVELS = {
    TradingState.RUNNING: "ok",
    TradingState.LIMIT_REACHED: "warn",
    TradingState.COOLDOWN: "warn",
    TradingState.HALTED: "down",
}


def trading_state_item(state: TradingState | None, cooldown_remaining_s: float) -> html.Span:
    """The trading state the Risk page shows; COOLDOWN with its time left. None: unknown."""
    if state is None:
        return status_item(t("strip.trading"), t("strip.unknown"), "down", "trading")
    if state is TradingState.COOLDOWN:
        text = t("strip.cooldown_left", left=duration(cooldown_remaining_s))
    else:
        text = t(f"strip.state.{state.value}")
    item = status_item(t("strip.trading"), text, _TRADING_LEVELS[state], "trading")
    item.title = t(f"strip.tip.{state.value}")
    return item


def candle_item(worst, symbol_count: int, stale_after_s: float, future: list[str] = ()) -> html.Span:
    """The worst current symbol's last candle, aged from its close (data.freshness.WorstCandle);
    symbols with future-dated candles are named and turn it amber: such data is not "fresh"."""
    label = t("strip.last_candle")
    future_note = t("strip.future_candles", symbols=", ".join(future)) if future else ""
    if worst is None:
        return status_item(label, t("strip.no_candles_yet") + future_note, "warn", "candle")
    if worst.age_s is None:
        text = t("strip.symbol_no_candles", symbol=worst.symbol)
        return status_item(label, text + future_note, "warn", "candle", worst.symbol)
    level = "warn" if worst.age_s > stale_after_s or future else "ok"
    text = age(worst.age_s) if symbol_count == 1 else f"{worst.symbol} {age(worst.age_s)}"
    if symbol_count > 1:
        text = t("strip.oldest_of", text=text, count=symbol_count)
    return status_item(label, text + future_note, level, "candle", worst.symbol)


def bot_status_item(worst, stale_after_s: float) -> html.Span:
    """The worst current symbol's bot status (data.freshness.WorstStatus)."""
    label = t("strip.bot_status")
    if worst is None:
        return status_item(label, t("strip.no_status"), "warn", "bot")
    if worst.standing is StatusStanding.MISSING:
        text, level = t("strip.symbol_no_status", symbol=worst.symbol), "warn"
    elif worst.standing is StatusStanding.SKIPPING:
        text, level = t("strip.symbol_skipping", symbol=worst.symbol), "warn"
    elif worst.standing is StatusStanding.INVALID:
        text, level = t("strip.symbol_invalid", symbol=worst.symbol), "warn"
    else:
        stale = worst.standing is StatusStanding.STALE
        text = t("strip.stale", age=age(worst.age_s), limit=f"{stale_after_s:g}") if stale else age(worst.age_s)
        text = f"{worst.symbol} {text}" if worst.total > 1 else text
        level = "warn" if stale else "ok"
    if worst.total > 1:
        text += t("strip.fresh_count", fresh=worst.fresh_count, total=worst.total)
    return status_item(label, text, level, "bot", worst.symbol)


def not_found(pathname: str, relative_path: Callable[[str], str]) -> html.Div:
    return html.Div(
        [
            html.H2(t("shell.not_found")),
            html.P([t("shell.no_page_at") + " ", html.Code(pathname), " " + t("shell.pages")]),
            html.Ul([html.Li(dcc.Link(page_title(key), href=relative_path(path))) for path, key in PAGES]),
        ],
        className="p-3",
    )
