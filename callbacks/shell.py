"""The shell's callbacks: page routing, the navbar, the refresh control and the status strip."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, html

from callbacks import exits as exits_page
from callbacks import history as history_page
from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data.database import DataError
from data.freshness import current_symbols, worst_candle, worst_status
from data.status_payload import StatusState
from data.status_reader import RedisUnavailable
from data.symbols import alternate_symbol, is_valid_symbol_format
from i18n import t
from layouts import ai, alerts, history, ids, market, overview, risk, shell, system
from layouts import format as fmt


def market_symbol_from_link(requested, symbols: list[str]) -> tuple[str | None, str | None]:
    """The symbol the Market page opens on, and a notice when the link's symbol is not one the
    database has: the page then opens on the first known symbol and says so once, instead of
    every panel failing on it while the selector shows another."""
    fallback = symbols[0] if symbols else None
    if requested is None:
        return fallback, None
    if not symbols:  # the database cannot say: trust a well-formed symbol, the panels explain
        return (requested if is_valid_symbol_format(requested) else None), None
    if requested in symbols:
        return requested, None
    if is_valid_symbol_format(requested) and alternate_symbol(requested) in symbols:
        return alternate_symbol(requested), None
    shown = str(requested)[:40]
    return fallback, t("market.unknown_symbol_in_link", symbol=shown, fallback=fallback)


def known_symbols(services: PageServices) -> list[str]:
    """The symbol list for selectors; empty when the database cannot say (the panels explain)."""
    try:
        with services.database.connect() as conn:
            return services.symbols(conn)
    except DataError:
        return []


def render_page(services: PageServices, pathname, search, relative_path, strip_relative_path) -> html.Div:
    """The layout for a URL, with the controls set from its query string."""
    try:
        route = "/" + (strip_relative_path(pathname) or "")
    except Exception:  # noqa: BLE001 - not a string, or outside the URL prefix: no such page
        return shell.not_found(pathname if isinstance(pathname, str) else "?", relative_path)
    params = inputs.query(search)
    tz = services.display_timezone
    if route == "/":
        return overview.page()
    if route == "/market":
        symbols = known_symbols(services)
        requested = inputs.first(params, "symbol")
        symbol, notice = market_symbol_from_link(requested, symbols)
        width = inputs.first(params, "width")
        width = width if width in market.WIDTH_OPTIONS else market.DEFAULT_WIDTH
        try:
            count = inputs.integer(inputs.first(params, "count"), "count", market.COUNT_MIN, market.COUNT_MAX)
        except inputs.InvalidInput:
            count = market.DEFAULT_COUNT
        overlays = tuple(o for o in params.get("overlay", []) if o in market.OVERLAYS) or market.DEFAULT_OVERLAYS
        return market.page(symbols, symbol, width, count, overlays, notice)
    if route == "/risk":
        return risk.page()
    if route == "/history":
        symbols = known_symbols(services)
        selected = [s for s in params.get("symbol", []) if s in symbols]
        sides = [s for s in params.get("side", []) if s in history.SIDE_OPTIONS]
        statuses = [s for s in params.get("status", []) if s in history.STATUS_OPTIONS]
        start, end = inputs.first(params, "from"), inputs.first(params, "to")
        date_notice = None
        try:
            inputs.date_range_utc(start, end)
        except inputs.InvalidInput as exc:
            # The page still opens over every date, and says why the link's dates were dropped.
            start = end = None
            date_notice = str(exc)
        recorded, reason_options = history_page.page_choices(services)
        regimes = [r for r in params.get("regime", []) if r in history.REGIME_OPTIONS]
        reasons = [r for r in params.get("exit_reason", []) if r in reason_options]
        return history.page(
            symbols,
            selected,
            sides,
            statuses,
            start,
            end,
            fmt.timezone_label(tz),
            recorded,
            regimes,
            reasons,
            reason_options,
            date_notice,
        )
    if route == "/system":
        return system.page()
    if route == "/exits":
        return exits_page.page(params)
    if route == "/alerts":
        return alerts.page()
    if route == "/ai":
        try:
            days = inputs.integer(inputs.first(params, "days"), "days", ai.DAYS_MIN, ai.DAYS_MAX)
        except inputs.InvalidInput:
            days = ai.DEFAULT_DAYS
        return ai.page(days)
    return shell.not_found(pathname if isinstance(pathname, str) else "?", relative_path)


def status_strip(services: PageServices) -> tuple[list, str]:
    """Database, trading state, the worst current symbol's last candle, Redis, the worst current
    symbol's bot status; and the update time."""
    now = services.now()
    tz = services.display_timezone
    seen: dict = {"symbols": list(services.watched_symbols), "candles": None, "readings": None}
    database = database_items(services, seen)
    redis_part = redis_items(services, seen)
    symbols = current_symbols(services.watched_symbols, seen["candles"] or {}, seen["readings"] or {}, now)
    items = [
        *database,
        trading_item(services) if seen["candles"] is not None else shell.trading_state_item(None, 0.0),
        candle_item(services, seen["candles"], symbols, now, seen.get("future")),
        *redis_part,
        bot_status_item(seen["readings"], symbols, services.bot_status.stale_after_s, strip_silences(services, seen)),
        html.Span([t("strip.times_in") + " ", fmt.timezone_label(tz, now)], className="strip-tz ms-auto"),
    ]
    return items, now.astimezone(tz).strftime("%H:%M:%S %Z")


# Failure kinds (data.database.DataError.kind) -> the strip's word for them.
_DATABASE_LABELS = {
    "unreachable": "strip.unreachable",
    "timeout": "strip.timed_out",
    "schema_missing": "strip.schema_missing",
}


@panel(
    on_failure=lambda kind, _message: [
        shell.status_item(t("strip.database"), t(_DATABASE_LABELS.get(kind, "strip.error")), "down", "database"),
    ]
)
def database_items(services: PageServices, seen: dict) -> list:
    """The strip's Database item. On the way it puts the database's symbols and their newest
    candles in `seen`, which the Redis part uses even if a later query fails."""
    with services.database.connect() as conn:
        seen["symbols"] = list(dict.fromkeys([*services.symbols(conn), *seen["symbols"]]))
        seen["candles"] = services.latest_candles(conn, seen["symbols"])
        # Future-dated candles are left out of the newest-candle lookups and named instead.
        seen["future"] = services.future_candles(conn, seen["symbols"])
    return [shell.status_item(t("strip.database"), t("strip.reachable"), "ok", "database")]


@panel(on_failure=lambda _kind, _message: shell.trading_state_item(None, 0.0))
def trading_item(services: PageServices):
    """The Risk page's trading state (its own query: a failure there leaves the Database item)."""
    with services.database.connect() as conn:
        assessment = services.risk_assessment(conn)
    return shell.trading_state_item(assessment.state, assessment.cooldown_remaining_s)


def candle_item(services: PageServices, candles, symbols: list[str], now, future=None) -> html.Span:
    """The current symbol whose last candle closed longest ago, and any future-dated ones."""
    if candles is None:
        return shell.status_item(t("strip.last_candle"), t("strip.unknown"), "down", "candle")
    worst = worst_candle(symbols, candles, now)
    return shell.candle_item(worst, len(symbols), services.candle_stale_s, sorted(future or ()))


@panel(
    on_failure=lambda kind, _message: [
        shell.status_item(
            t("strip.redis"),
            t("strip.unreachable" if kind == "redis_unavailable" else "strip.error"),
            "down",
            "redis",
        ),
    ]
)
def redis_items(services: PageServices, seen: dict) -> list:
    """The strip's Redis item; puts every symbol's bot status reading in `seen` (the database's
    symbols, else those Redis has)."""
    symbols = seen["symbols"] or services.bot_status.discover_symbols()
    snapshot = services.bot_status.read(symbols)
    if snapshot.redis_error:
        raise RedisUnavailable(snapshot.redis_error)
    seen["readings"] = snapshot.readings
    return [shell.status_item(t("strip.redis"), t("strip.reachable"), "ok", "redis")]


def strip_silences(services: PageServices, seen: dict) -> dict:
    """Why the symbols without a status are silent (only when one is, and the database answered)."""
    readings = seen["readings"]
    if not readings or seen["candles"] is None or not any(r.state is StatusState.MISSING for r in readings.values()):
        return {}
    try:
        with services.database.connect() as conn:
            return services.silences(conn, readings)
    except DataError:
        return {}


def bot_status_item(readings, symbols: list[str], stale_after_s: float, silences: dict | None = None) -> html.Span:
    """The current symbol whose bot status is worst (missing, invalid, skipping, then oldest)."""
    if readings is None:
        return shell.status_item(t("strip.bot_status"), t("strip.unknown"), "down", "bot")
    return shell.bot_status_item(worst_status(symbols, readings, silences), stale_after_s)


def register(app: Dash, services: PageServices) -> None:
    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"), State(ids.URL, "search"))
    def route(pathname, search):
        return render_page(services, pathname, search, app.get_relative_path, app.strip_relative_path)

    @app.callback(
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_navbar(_clicks, _pathname, is_open):
        # A click toggles the menu; navigating closes it (on narrow screens it covers the page).
        return (not bool(is_open)) if ctx.triggered_id == ids.NAVBAR_TOGGLER else False

    # The interval itself is driven in the browser (assets/dashboard.js): no server round trip,
    # and the timer pauses while the tab is hidden.
    app.clientside_callback(
        ClientsideFunction(namespace="coinpilot", function_name="applyRefresh"),
        Output(ids.REFRESH_INTERVAL, "interval"),
        Output(ids.REFRESH_INTERVAL, "disabled"),
        Input(ids.REFRESH_ENABLED, "value"),
        Input(ids.REFRESH_SECONDS, "value"),
    )

    @app.callback(
        Output(ids.STATUS_STRIP, "children"),
        Output(ids.LAST_UPDATED, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_status_strip(_n):
        return status_strip(services)
