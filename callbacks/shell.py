"""The shell's callbacks: page routing, the navbar, the refresh control and the status strip."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, html

from callbacks import exits as exits_page
from callbacks import history as history_page
from callbacks import inputs
from callbacks.failures import panel
from data.database import DataError
from data.symbols import is_valid_symbol_format
from data.services import DataServices
from data.status_payload import StatusState
from data.status_reader import RedisUnavailable
from layouts import ai, history, ids, market, overview, risk, shell, system
from layouts import format as fmt


def known_symbols(services: DataServices) -> list[str]:
    """The symbol list for selectors; empty when the database cannot say (the panels explain)."""
    try:
        with services.database.connect() as conn:
            return services.symbols(conn)
    except DataError:
        return []


def render_page(services: DataServices, pathname, search, relative_path, strip_relative_path) -> html.Div:
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
        symbol = requested if is_valid_symbol_format(requested) else (symbols[0] if symbols else None)
        width = inputs.first(params, "width")
        width = width if width in market.WIDTH_OPTIONS else market.DEFAULT_WIDTH
        try:
            count = inputs.integer(inputs.first(params, "count"), "count", market.COUNT_MIN, market.COUNT_MAX)
        except inputs.InvalidInput:
            count = market.DEFAULT_COUNT
        overlays = tuple(o for o in params.get("overlay", []) if o in dict(market.OVERLAYS)) or market.DEFAULT_OVERLAYS
        return market.page(symbols, symbol, width, count, overlays)
    if route == "/risk":
        return risk.page()
    if route == "/history":
        symbols = known_symbols(services)
        selected = [s for s in params.get("symbol", []) if s in symbols]
        sides = [s for s in params.get("side", []) if s in history.SIDE_OPTIONS]
        statuses = [s for s in params.get("status", []) if s in history.STATUS_OPTIONS]
        start, end = inputs.first(params, "from"), inputs.first(params, "to")
        try:
            inputs.date_range_utc(start, end, tz)
        except inputs.InvalidInput:
            start = end = None
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
        )
    if route == "/system":
        return system.page()
    if route == "/exits":
        return exits_page.page(params)
    if route == "/ai":
        try:
            days = inputs.integer(inputs.first(params, "days"), "days", ai.DAYS_MIN, ai.DAYS_MAX)
        except inputs.InvalidInput:
            days = ai.DEFAULT_DAYS
        return ai.page(days)
    return shell.not_found(pathname if isinstance(pathname, str) else "?", relative_path)


def status_strip(services: DataServices) -> tuple[list, str]:
    """Bot status age, last candle age, database and Redis reachability; and the update time."""
    now = services.now()
    tz = services.display_timezone
    database_symbols: list[str] = []
    items = database_items(services, now, database_symbols) + redis_items(services, database_symbols)
    items.append(html.Span(["Times in ", fmt.timezone_label(tz, now)], className="strip-tz ms-auto"))
    return items, now.astimezone(tz).strftime("%H:%M:%S %Z")


_DATABASE_LABELS = {"unreachable": "unreachable", "timeout": "timed out", "schema_missing": "schema missing"}


@panel(
    on_failure=lambda kind, _message: [
        shell.status_item("Database", _DATABASE_LABELS.get(kind, "error"), "down", "database"),
        shell.status_item("Last candle", "unknown", "down", "candle"),
    ]
)
def database_items(services: DataServices, now, database_symbols: list[str]) -> list:
    """The strip's Database and Last candle items. On the way it fills `database_symbols` with the
    database's symbol list, which the Redis part uses even if the candle query then fails."""
    with services.database.connect() as conn:
        database_symbols.extend(services.symbols(conn))
        latest = services.latest_candles(conn, database_symbols)
    items = [shell.status_item("Database", "reachable", "ok", "database")]
    if latest:
        newest = max(candle.timestamp for candle in latest.values())
        candle_age = (now - newest).total_seconds()
        level = "warn" if candle_age > services.candle_stale_s else "ok"
        items.append(shell.status_item("Last candle", fmt.age(candle_age), level, "candle"))
    else:
        items.append(shell.status_item("Last candle", "no candles yet", "warn", "candle"))
    return items


@panel(
    on_failure=lambda kind, _message: [
        shell.status_item("Redis", "unreachable" if kind == "redis_unavailable" else "error", "down", "redis"),
        shell.status_item("Bot status", "unknown", "down", "bot"),
    ]
)
def redis_items(services: DataServices, symbols: list[str]) -> list:
    """The strip's Redis and Bot status items (the database's symbols, else those Redis has)."""
    if not symbols:
        symbols = services.bot_status.discover_symbols()
    snapshot = services.bot_status.read(symbols)
    if snapshot.redis_error:
        raise RedisUnavailable(snapshot.redis_error)
    items = [shell.status_item("Redis", "reachable", "ok", "redis")]
    ages = [r.age_s for r in snapshot.readings.values() if r.age_s is not None]
    if ages:
        newest_age = min(ages)
        level = "warn" if newest_age > services.bot_status.stale_after_s else "ok"
        items.append(shell.status_item("Bot status", fmt.age(newest_age), level, "bot"))
    else:
        reported = [r for r in snapshot.readings.values() if r.state is StatusState.INVALID]
        text = "invalid payload" if reported else "no status for 5 min"
        items.append(shell.status_item("Bot status", text, "warn", "bot"))
    return items


def register(app: Dash, services: DataServices) -> None:
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
