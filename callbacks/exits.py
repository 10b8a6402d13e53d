"""Exits callbacks: the page for its URL (?days= validated), and every panel of it from one read
of the look-back's FILLED SELLs."""

from __future__ import annotations

from dash import Dash, Input, Output, html, no_update

from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data.exit_analysis import (
    MIN_SELLS_FOR_HINTS,
    drift_by_reason,
    entry_avg_price,
    exit_frame,
    ledger_entry_prices,
    pnl_by_reason,
    regime_reason_matrix,
    summarize,
    tuning_hints,
)
from data.exits import (
    LOOKBACK_DEFAULT_DAYS,
    LOOKBACK_MAX_DAYS,
    LOOKBACK_MIN_DAYS,
    MAX_EXITS,
    fetch_exits,
    lookback_start,
)
from i18n import t
from layouts import exits, ids
from layouts.components import problem

DAYS_NAME = "look-back (days)"
_ECHO_CHARS = 20


def lookback_days(value) -> int:
    """The look-back a browser asked for, checked at the door."""
    return inputs.integer(value, DAYS_NAME, LOOKBACK_MIN_DAYS, LOOKBACK_MAX_DAYS)


def page(params: dict[str, list[str]]) -> html.Div:
    """The Exits page for a URL query: ?days= when valid, else the default and a notice saying so."""
    requested = inputs.first(params, "days")
    if requested is None:
        return exits.page(LOOKBACK_DEFAULT_DAYS, LOOKBACK_MIN_DAYS, LOOKBACK_MAX_DAYS)
    try:
        days = lookback_days(requested)
    except inputs.InvalidInput:
        shown = requested if len(requested) <= _ECHO_CHARS else requested[:_ECHO_CHARS] + "…"
        notice = exits.bad_days_notice(shown, LOOKBACK_MIN_DAYS, LOOKBACK_MAX_DAYS, LOOKBACK_DEFAULT_DAYS)
        return exits.page(LOOKBACK_DEFAULT_DAYS, LOOKBACK_MIN_DAYS, LOOKBACK_MAX_DAYS, notice)
    return exits.page(days, LOOKBACK_MIN_DAYS, LOOKBACK_MAX_DAYS)


@panel(on_failure=lambda kind, message: ([], problem(kind, message), None, None, None, None, [], None))
def exit_panels(services: PageServices, days_value) -> tuple:
    """(KPIs, notes, hints, PnL by reason, drift after exit, regime x reason, grid rows, grid message)."""
    days = lookback_days(days_value)
    with services.database.connect() as conn:
        features = services.database.schema(conn)
        records = fetch_exits(conn, features, lookback_start(services.now(), days))
        # The ledger walks every fill: only when some sell lacks the bot's own entry price.
        needs_ledger = bool(records.sells["signal_info"].map(entry_avg_price).isna().any())
        ledger = services.filled_trades_and_ledger(conn)[1] if needs_ledger else None
    frame, malformed = exit_frame(records.sells, ledger_entry_prices(ledger) if ledger is not None else None)
    summary = summarize(frame)
    has_reason = "exit_reason" in records.recorded
    has_post_exit = "post_exit_prices" in records.recorded
    has_regime = "regime" in records.recorded

    kpis = exits.kpis(
        days,
        summary.sells,
        summary.pnl_computable,
        summary.pnl_recorded,
        summary.pnl_ledger,
        summary.tracked_24h if has_post_exit else None,
        summary.avg_pnl_pct,
    )
    notes = exits.notes(
        (malformed.malformed_windows, malformed.malformed_values, malformed.sells_affected) if has_post_exit else None,
        MAX_EXITS if records.truncated else None,
    )
    if has_reason and has_post_exit:
        hints = exits.hints(tuning_hints(frame), MIN_SELLS_FOR_HINTS)
    else:
        hints = exits.not_recorded("what_hints", "hints")
    return (
        kpis,
        notes,
        hints,
        _pnl_panel(frame, days, has_reason),
        _drift_panel(frame, has_reason, has_post_exit),
        _heatmap_panel(frame, days, has_reason, has_regime),
        exits.grid_rows(frame, services.display_timezone),
        None if has_reason and has_post_exit and has_regime else exits.not_recorded("what_table", "table"),
    )


def _pnl_panel(frame, days: int, has_reason: bool):
    if not has_reason:
        return exits.not_recorded("what_reason", "pnl")
    if frame.empty:
        return exits.empty(t("exits.no_sells", days=days), "pnl")
    by_reason = pnl_by_reason(frame)
    if not by_reason:
        return exits.empty(t("exits.no_reason_pnl", days=days), "pnl")
    return exits.pnl_chart(by_reason)


def _drift_panel(frame, has_reason: bool, has_post_exit: bool):
    if not has_reason:
        return exits.not_recorded("what_reason", "drift")
    if not has_post_exit:
        return exits.not_recorded("what_post_exit", "drift")
    drift = drift_by_reason(frame)
    tracked = drift[[f"n_{w}" for w in exits.WINDOWS]].sum(axis=1) > 0
    if not tracked.any():
        return exits.empty(t("exits.no_drift"), "drift")
    return exits.drift_chart(drift[tracked])


def _heatmap_panel(frame, days: int, has_reason: bool, has_regime: bool):
    if not has_regime:
        return exits.not_recorded("what_regime", "heatmap")
    if not has_reason:
        return exits.not_recorded("what_reason", "heatmap")
    counts, mean_pnl = regime_reason_matrix(frame)
    if counts.empty:
        return exits.empty(t("exits.no_heatmap", days=days), "heatmap")
    return exits.heatmap(counts, mean_pnl)


def exits_query(days_value):
    """The shareable URL query (?days=N) for a valid look-back; nothing changes for a bad one."""
    try:
        return f"?days={lookback_days(days_value)}"
    except inputs.InvalidInput:
        return no_update


def register(app: Dash, services: PageServices) -> None:
    @app.callback(
        Output(ids.EXITS_KPIS, "children"),
        Output(ids.EXITS_MESSAGE, "children"),
        Output(ids.EXITS_HINTS, "children"),
        Output(ids.EXITS_PNL, "children"),
        Output(ids.EXITS_DRIFT, "children"),
        Output(ids.EXITS_HEATMAP, "children"),
        Output(ids.EXITS_GRID, "rowData"),
        Output(ids.EXITS_GRID_MESSAGE, "children"),
        Input(ids.EXITS_DAYS, "value"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_exits(days, _n):
        return exit_panels(services, days)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.EXITS_DAYS, "value"),
        prevent_initial_call=True,
    )
    def share_exits_state(days):
        return exits_query(days)
