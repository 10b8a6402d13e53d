"""Market callbacks: the candle chart (full figure, or a Patch of what changed), the Bot Brain,
every symbol's status and the AI reviewer's decisions."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pandas as pd
from dash import Dash, Input, Output, Patch, State, ctx, no_update

from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data.database import DataError
from data.indicators import INDICATOR_WARMUP
from data.market import (
    bucket_floor_series,
    width_delta,
)
from data.regimes import MAX_DETECTIONS, fetch_detections, regime_bands
from data.status_payload import Silence, SilenceCause, StatusState
from data.symbols import is_valid_symbol_format, symbol_forms
from i18n import t
from layouts import ids, market
from layouts.components import empty_figure, problem

_OVERLAY_KEYS = market.OVERLAYS


def _overlays(value) -> tuple[str, ...]:
    return inputs.choices(value, _OVERLAY_KEYS, "overlays")


def _iso(at) -> str:
    return pd.Timestamp(at).isoformat()


def _chart_state(symbol, width, count, shown: pd.DataFrame, last_fill, band_count: int) -> dict:
    last = shown.iloc[-1]
    return {
        "regime_bands": band_count,
        "symbol": symbol,
        "width": width,
        "count": count,
        "n": len(shown),
        "last_bucket": _iso(last["bucket"]),
        "last_values": [float(last[c]) for c in ("open", "high", "low", "close", "volume")],
        "last_fill": _iso(last_fill) if last_fill is not None else None,
    }


def full_chart(services: PageServices, conn, symbol: str, width: str, count: int, overlays: tuple[str, ...]):
    """(figure, state, message) for the whole chart."""
    frame = services.chart_recent_candles(conn, symbol, width, count + INDICATOR_WARMUP)
    if frame.empty:
        message = t("market.no_candles_for", symbol=symbol)
        return empty_figure(message, height=720), None, problem("empty", message)
    shown = frame.iloc[-count:].reset_index(drop=True)
    start = shown["bucket"].iloc[0].to_pydatetime()
    end = shown["bucket"].iloc[-1].to_pydatetime() + width_delta(width)
    fills = services.fills_between(conn, symbol_forms(symbol), start, end)
    bucket_of = lambda times: bucket_floor_series(times, width)  # noqa: E731
    bands, note = _regimes(services, conn, symbol, start, end)
    figure = market.candle_figure(shown, fills, bucket_of, symbol, width, overlays, services.display_timezone, bands)
    last_fill = fills["executed_at"].max() if not fills.empty else start
    return figure, _chart_state(symbol, width, count, shown, last_fill, len(bands or [])), note


def _regimes(services: PageServices, conn, symbol: str, start, end):
    """(bands or None, note or None): None and the "not recorded" note on a bot before v3.0."""
    if not services.database.schema(conn).has_table("regime_history"):
        return None, market.regime_note("not_recorded")
    detections = fetch_detections(conn, symbol, start, end)
    bands = regime_bands(detections.frame, start, end)
    return bands, market.regime_note("capped", limit=MAX_DETECTIONS) if detections.capped else None


def _band_count(state) -> int:
    # From the browser: only a count this chart could have drawn addresses its shapes.
    return inputs.integer(state.get("regime_bands", 0), "regime band count", 0, MAX_DETECTIONS + 1)


def chart_update(
    services: PageServices, conn, symbol: str, width: str, count: int, state: dict, overlays: tuple[str, ...] = ()
):
    """(patch or no_update, state) with only the changes since `state`, or None when the
    chart must be redrawn whole (a gap longer than half the chart, or a state mismatch)."""
    step = width_delta(width)
    last_bucket = pd.Timestamp(state["last_bucket"]).to_pydatetime()
    newest = services.latest_candle_time(conn, symbol)
    # The state comes from the browser: anything but a recent last bucket means "redraw",
    # so a stale or forged state can never widen the query window.
    if newest is None or newest < last_bucket or last_bucket < newest - count * step:
        return None
    start = last_bucket - INDICATOR_WARMUP * step
    end = newest + timedelta(minutes=1)
    candles = services.candles_between(conn, symbol, width, start, end)
    raw_tail = candles[candles["bucket"] >= pd.Timestamp(last_bucket)]
    if raw_tail.empty or raw_tail["bucket"].iloc[0] != pd.Timestamp(last_bucket):
        return None
    if len(raw_tail) - 1 > count // 2:
        return None
    last_fill = pd.Timestamp(state["last_fill"]).to_pydatetime() if state.get("last_fill") else last_bucket
    last_fill = max(last_fill, last_bucket - count * step)
    fills = services.fills_between(conn, symbol_forms(symbol), last_fill + timedelta(microseconds=1), newest + step)
    unchanged = [float(raw_tail[c].iloc[0]) for c in ("open", "high", "low", "close", "volume")] == state["last_values"]
    # Most ticks bring nothing new: answer before computing the indicators (half this callback's time).
    if len(raw_tail) == 1 and fills.empty and unchanged:
        return no_update, no_update
    frame = services.chart_candles_between(conn, symbol, width, start, end)
    tail = frame[frame["bucket"] >= pd.Timestamp(last_bucket)].reset_index(drop=True)
    appended = tail.iloc[1:]
    replaced = tail.iloc[0]
    shown_count = state["n"] + len(appended)
    drop = max(0, shown_count - count)
    patch = market.candle_patch(
        None if unchanged else replaced,
        appended,
        drop,
        fills,
        lambda times: bucket_floor_series(times, width),
        services.display_timezone,
        state["n"] - 1,
    )
    new_state = dict(state)
    new_state["n"] = shown_count - drop
    last = tail.iloc[-1]
    # The bands follow the window: its right edge moved, old candles may have scrolled off and
    # a new detection may have come, so the shapes are replaced whole (their count changes).
    window_end = last["bucket"].to_pydatetime() + step
    window_start = window_end - new_state["n"] * step
    bands, _note = _regimes(services, conn, symbol, window_start, window_end)
    if bands is not None:
        patch["layout"]["shapes"] = market.chart_shapes(bands, services.display_timezone, "regimes" in overlays)
        new_state["regime_bands"] = len(bands)
    new_state["last_bucket"] = _iso(last["bucket"])
    new_state["last_values"] = [float(last[c]) for c in ("open", "high", "low", "close", "volume")]
    if not fills.empty:
        new_state["last_fill"] = _iso(fills["executed_at"].max())
    return patch, new_state


@panel(on_failure=lambda kind, message: (empty_figure(message, height=720), None, problem(kind, message)))
def market_chart(services: PageServices, symbol_value, width_value, count_value, overlays_value, state, trigger):
    """The chart callback's body: (figure, state, message)."""
    width = inputs.width(width_value)
    try:
        count = inputs.integer(count_value, "candle count", market.COUNT_MIN, market.COUNT_MAX)
    except inputs.InvalidInput:
        # A browser sends None for a number outside the box's min/max (5000): keep the chart
        # the operator was reading and say what the box accepts.
        text = t("market.count_out_of_range", low=market.COUNT_MIN, high=market.COUNT_MAX)
        if isinstance(state, dict) and state.get("n"):
            return no_update, no_update, problem("invalid_input", text)
        return empty_figure(text, height=720), None, problem("invalid_input", text)
    overlays = _overlays(overlays_value)
    with services.database.connect() as conn:
        symbols = services.symbols(conn)
        if not symbols:
            message = t("market.no_candles")
            return empty_figure(message, height=720), None, problem("empty", message)
        if symbol_value is None:
            return empty_figure(t("market.select_symbol"), height=720), None, None
        symbol = inputs.symbol(symbol_value, symbols)
        same_chart = (
            isinstance(state, dict)
            and state.get("symbol") == symbol
            and state.get("width") == width
            and state.get("count") == count
        )
        if same_chart and trigger == ids.MARKET_OVERLAYS:
            patch = Patch()
            market.apply_overlay_visibility(patch, overlays, _band_count(state))
            return patch, no_update, no_update
        if same_chart and trigger == ids.REFRESH_INTERVAL and _valid_state(state):
            update = chart_update(services, conn, symbol, width, count, state, overlays)
            if update is not None:
                return update[0], update[1], no_update
        return full_chart(services, conn, symbol, width, count, overlays)


def _valid_state(state: dict) -> bool:
    try:
        stamps = [state["last_bucket"]] + ([state["last_fill"]] if state.get("last_fill") else [])
        if any(not isinstance(s, str) or pd.Timestamp(s).tzinfo is None for s in stamps):
            return False
        return (
            isinstance(state["n"], int)
            and 0 < state["n"] <= market.COUNT_MAX
            and isinstance(state["last_values"], list)
            and len(state["last_values"]) == 5
        )
    except (KeyError, TypeError, ValueError):
        return False


def _brain_symbol(services: PageServices, symbol_value) -> str:
    """The Bot Brain needs only Redis, so it never waits on the database: a symbol is checked
    against the last symbol list the database gave (when there is one) and otherwise by its
    form alone; the Redis key is built from the validated value, never from raw input."""
    if not is_valid_symbol_format(symbol_value):
        raise inputs.InvalidInput(f"{str(symbol_value)[:40]!r} is not a market code such as KRW-BTC")
    known = services.cached_symbols()
    if known:
        return inputs.symbol(symbol_value, known)
    return symbol_value


@panel(on_failure=problem)
def bot_brain_panel(services: PageServices, symbol_value):
    if symbol_value is None:
        return problem("empty", t("market.select_symbol_brain"))
    symbol = _brain_symbol(services, symbol_value)
    # The other symbols' statuses come in the same round trip: a fresh one is what tells a bot that
    # skips this symbol from a bot that stopped.
    others = [s for s in services.cached_symbols() or [] if s != symbol]
    readings = services.bot_status.read([symbol, *others]).readings
    reading = readings[symbol]
    silence = _silence(services, symbol, readings) if reading.state is StatusState.MISSING else None
    return market.bot_brain(reading, services.display_timezone, services.bot_status.stale_after_s, silence)


def _silence(services: PageServices, symbol: str, readings: dict) -> Silence:
    """Why the symbol's status is missing (PageServices.silences); the Bot Brain still answers
    (with an unknown cause) when the database cannot."""
    try:
        with services.database.connect() as conn:
            return services.silences(conn, readings)[symbol]
    except DataError:
        return Silence(SilenceCause.UNKNOWN)


def status_overview(services: PageServices, symbol_value) -> tuple:
    """(every symbol's status table, the selected symbol's AI decisions): the table needs only
    Redis, so each part fails on its own."""
    database_symbols: list[str] = []
    decisions = decisions_panel(services, symbol_value, database_symbols)
    return status_table_panel(services, database_symbols), decisions


@panel(on_failure=problem)
def decisions_panel(services: PageServices, symbol_value, database_symbols: list[str]):
    """The selected symbol's AI decisions. On the way it fills `database_symbols` with the
    database's symbol list, which the status table uses even if the decisions query then fails."""
    with services.database.connect() as conn:
        database_symbols.extend(services.symbols(conn))
        if isinstance(symbol_value, str) and symbol_value in database_symbols:
            return market.decisions_table(services.agent_decisions(conn, symbol_value, 6), services.display_timezone)
        return problem("empty", t("market.select_symbol_decisions"))


@panel(on_failure=problem)
def status_table_panel(services: PageServices, symbols: list[str]):
    """Every symbol's status (the database's symbols, else those with a status key in Redis)."""
    if not symbols:
        symbols = services.bot_status.discover_symbols()
    snapshot = services.bot_status.read(symbols, include_unknown=True)
    readings = list(snapshot.readings.values()) + list(snapshot.unknown_symbol_readings.values())
    table = market.status_table(readings, services.display_timezone)
    if snapshot.redis_error:
        return [problem("redis_unavailable", snapshot.redis_error), table]
    return table


def market_query(symbol, width, count, overlays) -> str | None:
    """The shareable URL query of the Market page (only well-formed values are written); None
    while the candle count box holds a value out of range, so the address keeps the last good
    count as the chart keeps the last good candles."""
    params = []
    if is_valid_symbol_format(symbol):
        params.append(("symbol", symbol))
    if width in market.WIDTH_OPTIONS:
        params.append(("width", width))
    try:
        params.append(("count", inputs.integer(count, "count", market.COUNT_MIN, market.COUNT_MAX)))
    except inputs.InvalidInput:
        return None
    try:
        chosen = _overlays(overlays)
        if chosen != market.DEFAULT_OVERLAYS:
            params += [("overlay", o) for o in chosen] or [("overlay", "none")]
    except inputs.InvalidInput:
        pass
    return "?" + urlencode(params)


def register(app: Dash, services: PageServices) -> None:
    @app.callback(
        Output(ids.MARKET_CHART, "figure"),
        Output(ids.MARKET_CHART_STATE, "data"),
        Output(ids.MARKET_CHART_MESSAGE, "children"),
        Input(ids.MARKET_SYMBOL, "value"),
        Input(ids.MARKET_WIDTH, "value"),
        Input(ids.MARKET_COUNT, "value"),
        Input(ids.MARKET_OVERLAYS, "value"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        State(ids.MARKET_CHART_STATE, "data"),
    )
    def refresh_chart(symbol, width, count, overlays, _n, state):
        return market_chart(services, symbol, width, count, overlays, state, ctx.triggered_id)

    @app.callback(
        Output(ids.MARKET_BRAIN, "children"),
        Input(ids.MARKET_SYMBOL, "value"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_brain(symbol, _n):
        return bot_brain_panel(services, symbol)

    @app.callback(
        Output(ids.MARKET_STATUS_TABLE, "children"),
        Output(ids.MARKET_DECISIONS, "children"),
        Input(ids.MARKET_SYMBOL, "value"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_status_table(symbol, _n):
        return status_overview(services, symbol)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.MARKET_SYMBOL, "value"),
        Input(ids.MARKET_WIDTH, "value"),
        Input(ids.MARKET_COUNT, "value"),
        Input(ids.MARKET_OVERLAYS, "value"),
        prevent_initial_call=True,
    )
    def share_market_state(symbol, width, count, overlays):
        query = market_query(symbol, width, count, overlays)
        return no_update if query is None else query
