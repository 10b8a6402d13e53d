"""History callbacks: the trade log's pages (sorted and paged in the database), summary charts
over the whole filtered set, CSV export and the shareable filter URL."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data import trade_log
from data.database import DataError
from data.days import utc_day
from data.orders import REGIMES, SIDES, STATUSES, exit_reasons
from data.selection import TradeFilter
from data.symbols import is_valid_symbol_format
from i18n import t
from layouts import format as fmt
from layouts import history, ids
from layouts.codes import code_label
from layouts.components import empty_figure, problem

EXPORT_MAX_ROWS = trade_log.EXPORT_MAX_ROWS
FILTER_INPUTS = (
    (ids.HISTORY_SYMBOLS, "value"),
    (ids.HISTORY_SIDES, "value"),
    (ids.HISTORY_STATUSES, "value"),
    (ids.HISTORY_DATES, "start_date"),
    (ids.HISTORY_DATES, "end_date"),
    (ids.HISTORY_REGIMES, "value"),
    (ids.HISTORY_EXIT_REASONS, "value"),
)


def recorded_columns(services: PageServices, conn) -> tuple[str, ...]:
    """The optional trading_history columns (regime, exit_reason) this database has."""
    return trade_log.recorded_columns(services.database.schema(conn))


def trade_filter(
    services: PageServices,
    conn,
    symbols_value,
    sides_value,
    statuses_value,
    start_value,
    end_value,
    regimes_value=None,
    exit_reasons_value=None,
) -> TradeFilter:
    """The History filters as the browser sent them, checked at the door, as the trade selection."""
    start, end = inputs.date_range_utc(start_value, end_value)
    recorded = recorded_columns(services, conn)
    regimes = inputs.choices(regimes_value, REGIMES, "regime")
    trade_log.refuse_unrecorded(recorded, regime=bool(regimes), exit_reason=bool(exit_reasons_value))
    reasons = inputs.choices(exit_reasons_value, exit_reasons(conn), "exit reason") if exit_reasons_value else ()
    return TradeFilter(
        symbols=inputs.symbols(symbols_value, services.symbols(conn)),
        sides=inputs.choices(sides_value, SIDES, "side"),
        statuses=inputs.choices(statuses_value, STATUSES, "status"),
        start=start,
        end=end,
        regimes=regimes,
        exit_reasons=reasons,
    )


def page_choices(services: PageServices) -> tuple[frozenset[str], tuple[str, ...]]:
    """(the optional columns recorded, the exit-reason choices) for building the page; nothing
    optional when the database cannot say (the panels explain)."""
    try:
        with services.database.connect() as conn:
            recorded = recorded_columns(services, conn)
            reasons = exit_reasons(conn) if "exit_reason" in recorded else ()
    except DataError:
        return frozenset(), ()
    return frozenset(recorded), reasons


def _code_text(row, column: str) -> str:
    """An optional code column (regime, exit_reason) as the UI language reads it."""
    code = trade_log.optional_text(row, column)
    return code_label(column, code) if code else ""


def _grid_row(row, tz) -> dict:
    pnl, pnl_pct = row.realized_pnl, row.realized_pnl_pct
    return {
        "id": row.id,
        "created_at": fmt.timestamp(row.created_at, tz),
        "executed_at": fmt.timestamp(row.executed_at, tz) if pd.notna(row.executed_at) else "",
        "symbol": row.symbol,
        # The bot's codes in the UI language; side_code colours the cell (assets/grid_renderers.js).
        "side": code_label("side", row.side),
        "side_code": row.side,
        "order_type": code_label("order_type", row.order_type),
        "status": code_label("status", row.status),
        "price": fmt.price(row.price),
        "quantity": fmt.quantity(row.quantity),
        "value": fmt.krw_figure(row.value),
        "fee": fmt.krw_figure(row.fee),
        "realized_pnl": fmt.krw_figure(pnl, signed=True) if pnl is not None else "",
        "pnl_sign": int(row.pnl_sign),
        "strategy_name": row.strategy_name or "",
        "regime": _code_text(row, "regime"),
        "exit_reason": _code_text(row, "exit_reason"),
        "entry_avg_price": fmt.price(row.entry_avg_price) if pd.notna(row.entry_avg_price) else "",
        "realized_pnl_pct": fmt.pct(pnl_pct) if pnl_pct is not None else "",
    }


# On failure the grid shows nothing: the summary panel explains (and describe logs the unexpected).
@panel(on_failure=lambda _kind, _message: {"rowData": [], "rowCount": 0})
def history_rows(services: PageServices, request, *filters) -> dict:
    """One block of the trade log for the grid's infinite row model."""
    start, end, sort = inputs.rows_request(request)
    with services.database.connect() as conn:
        selection = trade_filter(services, conn, *filters)
        recorded = recorded_columns(services, conn)
        _filled, ledger = services.filled_trades_and_ledger(conn)
        page = trade_log.trade_log_page(conn, selection, sort, start, end - start, recorded, ledger)
    tz = services.display_timezone
    return {"rowData": [_grid_row(row, tz) for row in page.trades.itertuples(index=False)], "rowCount": page.total}


def _summary_failed(kind: str, message: str) -> tuple:
    figure = empty_figure(message, 250)
    return None, figure, figure, figure, problem(kind, message)


@panel(on_failure=_summary_failed)
def history_summary(services: PageServices, *filters) -> tuple:
    """(summary line, side pie, status bars, realized PnL by symbol, message) over the whole filtered set."""
    with services.database.connect() as conn:
        selection = trade_filter(services, conn, *filters)
        filled, ledger = services.filled_trades_and_ledger(conn)
        summary = trade_log.summarize(conn, selection, filled, ledger)
    breakdown, by_symbol = summary.breakdown, summary.realized_by_symbol
    if breakdown.total == 0:
        message = t("history.none_matching") if selection != TradeFilter() else t("history.none_recorded")
        figure = empty_figure(message, 250)
        return history.summary_line(0, 0.0, None), figure, figure, figure, problem("empty", message)
    pnl_figure = (
        history.pnl_by_symbol_figure(list(by_symbol["symbol"]), list(by_symbol["realized_pnl"]))
        if not by_symbol.empty
        else empty_figure(t("history.no_closed"), 250)
    )
    return (
        history.summary_line(breakdown.total, breakdown.filled_value, summary.realized_total),
        history.side_figure(breakdown.by_side),
        history.status_figure(breakdown.by_status),
        pnl_figure,
        None,
    )


def export_csv(services: PageServices, *filters, max_rows: int = EXPORT_MAX_ROWS) -> trade_log.TradeExport:
    """The filtered set as CSV (data.trade_log.export_csv), its header in the page's language."""
    with services.database.connect() as conn:
        selection = trade_filter(services, conn, *filters)
        recorded = recorded_columns(services, conn)
        _filled, ledger = services.filled_trades_and_ledger(conn)
        return trade_log.export_csv(
            conn,
            selection,
            recorded,
            ledger,
            services.display_timezone,
            history.csv_header(trade_log.CSV_COLUMNS),
            history.export_truncated,
            max_rows=max_rows,
        )


@panel(on_failure=lambda kind, message: (no_update, problem(kind, message)))
def export_download(services: PageServices, *filters, max_rows: int = EXPORT_MAX_ROWS) -> tuple:
    """(the CSV download, the History message: what was left out, if anything) for the export button."""
    export = export_csv(services, *filters, max_rows=max_rows)
    stamp = services.now().astimezone(services.display_timezone).strftime("%Y%m%d-%H%M%S")
    download = {"content": export.content, "filename": f"coinpilot-trades-{stamp}.csv", "type": "text/csv"}
    if not export.truncated:
        return download, no_update
    return download, history.export_truncated_notice(export.written, export.matching)


def history_query(
    symbols_value, sides_value, statuses_value, start_value, end_value, regimes_value=None, exit_reasons_value=None
) -> str:
    """The shareable URL query of the History filters (only well-formed values are written)."""
    params = []
    for key, values, allowed in (
        ("symbol", symbols_value, is_valid_symbol_format),
        ("side", sides_value, SIDES.__contains__),
        ("status", statuses_value, STATUSES.__contains__),
        ("regime", regimes_value, REGIMES.__contains__),
        ("exit_reason", exit_reasons_value, inputs.is_exit_reason_format),
    ):
        if isinstance(values, list):
            params += [(key, value) for value in values if isinstance(value, str) and allowed(value)]
    for key, value in (("from", start_value), ("to", end_value)):
        try:
            parsed = inputs.day(value, key)
        except inputs.InvalidInput:
            parsed = None
        if parsed:
            params.append((key, parsed.isoformat()))
    return "?" + urlencode(params) if params else ""


def day_rule_note(services: PageServices, start_value, end_value) -> str:
    """The picked days as the bot's UTC days, with their span in the display zone."""
    tz = services.display_timezone
    today = fmt.utc_day_span(utc_day(services.now()), tz)
    try:
        start_day, end_day = inputs.day(start_value, "start date"), inputs.day(end_value, "end date")
    except inputs.InvalidInput:
        return history.day_rule_note(None, today)
    if start_day is None and end_day is None:
        return history.day_rule_note(None, today)
    if start_day is None or end_day is None or end_day < start_day:
        only = start_day or end_day
        span = fmt.utc_day_span(only, tz)
        span = history.day_span_from(span) if start_day is not None else history.day_span_up_to(span)
        return history.day_rule_note(span, today)
    return history.day_rule_note(fmt.utc_day_span(start_day, tz, end_day), today)


@panel(on_failure=lambda _kind, _message: no_update)
def grid_columns(services: PageServices, shown) -> list[dict]:
    """The grid's columns with the ticked v3 columns shown (ones this database lacks stay hidden)."""
    shown_ = inputs.choices(shown, tuple(f for f, _needs in history.V3_COLUMNS), "columns")
    with services.database.connect() as conn:
        recorded = frozenset(recorded_columns(services, conn))
    return history.column_defs(recorded, list(shown_))


def register(app: Dash, services: PageServices) -> None:
    filter_states = [State(i, p) for i, p in FILTER_INPUTS]
    filter_inputs = [Input(i, p) for i, p in FILTER_INPUTS]

    @app.callback(
        Output(ids.HISTORY_GRID, "getRowsResponse"), Input(ids.HISTORY_GRID, "getRowsRequest"), *filter_states
    )
    def grid_rows(request, *filters):
        return history_rows(services, request, *filters)

    @app.callback(
        Output(ids.HISTORY_SUMMARY, "children"),
        Output(ids.HISTORY_SIDE_CHART, "figure"),
        Output(ids.HISTORY_STATUS_CHART, "figure"),
        Output(ids.HISTORY_PNL_CHART, "figure"),
        Output(ids.HISTORY_MESSAGE, "children"),
        *filter_inputs,
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def summary(*values):
        return history_summary(services, *values[:-1])

    # New filters: back to page 1 of a fresh cache; a refresh tick: reload the cached blocks
    # in place, keeping the operator's page and sort (assets/dashboard.js).
    app.clientside_callback(
        ClientsideFunction(namespace="coinpilot", function_name="refreshTradeGrid"),
        Output(ids.HISTORY_GRID_REFRESH, "data"),
        *filter_inputs,
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.HISTORY_DOWNLOAD, "data"),
        Output(ids.HISTORY_MESSAGE, "children", allow_duplicate=True),
        Input(ids.HISTORY_EXPORT, "n_clicks"),
        *filter_states,
        prevent_initial_call=True,
    )
    def export(clicks, *filters):
        if not clicks:
            return no_update, no_update
        return export_download(services, *filters)

    @app.callback(
        Output(ids.HISTORY_SYMBOLS, "value"),
        Output(ids.HISTORY_SIDES, "value"),
        Output(ids.HISTORY_STATUSES, "value"),
        Output(ids.HISTORY_DATES, "start_date"),
        Output(ids.HISTORY_DATES, "end_date"),
        Output(ids.HISTORY_REGIMES, "value"),
        Output(ids.HISTORY_EXIT_REASONS, "value"),
        Input(ids.HISTORY_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(_clicks):
        return [], [], [], None, None, [], []

    @app.callback(
        Output(ids.HISTORY_GRID, "columnDefs"),
        Input(ids.HISTORY_COLUMNS, "value"),
        prevent_initial_call=True,
    )
    def show_columns(shown):
        return grid_columns(services, shown)

    @app.callback(
        Output(ids.HISTORY_DAY_RULE, "children"),
        Input(ids.HISTORY_DATES, "start_date"),
        Input(ids.HISTORY_DATES, "end_date"),
    )
    def explain_days(start, end):
        return day_rule_note(services, start, end)

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), *filter_inputs, prevent_initial_call=True)
    def share_history_filters(*filters):
        return history_query(*filters)
