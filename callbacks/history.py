"""History callbacks: the trade log's pages (sorted and paged in the database), summary charts
over the whole filtered set, CSV export and the shareable filter URL."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import inputs
from callbacks.failures import panel
from data import metrics
from data.market import is_valid_symbol_format
from data.orders import SIDES, STATUSES, TradeFilter, count_trades, fetch_trades, iter_trades, trade_breakdown
from data.services import DataServices
from layouts import format as fmt
from layouts import history, ids
from layouts.components import empty_figure, problem

EXPORT_MAX_ROWS = 1_000_000
FILTER_INPUTS = (
    (ids.HISTORY_SYMBOLS, "value"),
    (ids.HISTORY_SIDES, "value"),
    (ids.HISTORY_STATUSES, "value"),
    (ids.HISTORY_DATES, "start_date"),
    (ids.HISTORY_DATES, "end_date"),
)


def trade_filter(
    services: DataServices, conn, symbols_value, sides_value, statuses_value, start_value, end_value
) -> TradeFilter:
    start, end = inputs.date_range_utc(start_value, end_value, services.display_timezone)
    return TradeFilter(
        symbols=inputs.symbols(symbols_value, services.symbols(conn)),
        sides=inputs.choices(sides_value, SIDES, "side"),
        statuses=inputs.choices(statuses_value, STATUSES, "status"),
        start=start,
        end=end,
    )


def _realized_by_id(ledger: pd.DataFrame) -> dict[str, float]:
    sells = ledger[(ledger["side"] == "SELL") & ledger["realized_pnl"].notna()]
    return dict(zip(sells["id"], sells["realized_pnl"]))


def _grid_row(row, realized: dict[str, float], tz) -> dict:
    pnl = realized.get(row.id)
    return {
        "id": row.id,
        "created_at": fmt.timestamp(row.created_at, tz),
        "executed_at": fmt.timestamp(row.executed_at, tz) if pd.notna(row.executed_at) else "",
        "symbol": row.symbol,
        "side": row.side,
        "order_type": row.order_type,
        "status": row.status,
        "price": fmt.price(row.price),
        "quantity": fmt.quantity(row.quantity),
        "value": fmt.krw(row.value).removesuffix(" KRW"),
        "fee": fmt.krw(row.fee).removesuffix(" KRW"),
        "realized_pnl": fmt.krw(pnl, signed=True).removesuffix(" KRW") if pnl is not None else "",
        "pnl_sign": 0 if pnl is None or abs(pnl) < 0.5 else (1 if pnl > 0 else -1),
        "strategy_name": row.strategy_name or "",
    }


# On failure the grid shows nothing: the summary panel explains (and describe logs the unexpected).
@panel(on_failure=lambda _kind, _message: {"rowData": [], "rowCount": 0})
def history_rows(services: DataServices, request, *filters) -> dict:
    """One block of the trade log for the grid's infinite row model."""
    start, end, sort = inputs.rows_request(request)
    with services.database.connect() as conn:
        trade_filter_ = trade_filter(services, conn, *filters)
        page = fetch_trades(conn, trade_filter_, sort, offset=start, limit=end - start)
        total = count_trades(conn, trade_filter_)
        _filled, ledger = services.filled_trades_and_ledger(conn)
    realized = _realized_by_id(ledger)
    tz = services.display_timezone
    return {"rowData": [_grid_row(row, realized, tz) for row in page.itertuples(index=False)], "rowCount": total}


def _summary_failed(kind: str, message: str) -> tuple:
    figure = empty_figure(message, 250)
    return None, figure, figure, figure, problem(kind, message)


@panel(on_failure=_summary_failed)
def history_summary(services: DataServices, *filters) -> tuple:
    """(summary line, side pie, status bars, realized PnL by symbol, message) over the whole filtered set."""
    with services.database.connect() as conn:
        trade_filter_ = trade_filter(services, conn, *filters)
        breakdown = trade_breakdown(conn, trade_filter_)
        filled, ledger = services.filled_trades_and_ledger(conn)
    # Realized PnL belongs to sells in the filtered set, valued at average cost over all history.
    sells = ledger.merge(filled[["id", "status", "created_at"]], on="id", how="left")
    sells = sells[trade_filter_.matches(sells) & (sells["side"] == "SELL")]
    by_symbol = metrics.realized_pnl_by_symbol(sells)
    realized_total = float(by_symbol["realized_pnl"].sum()) if not by_symbol.empty else None
    if breakdown.total == 0:
        message = (
            "No trades match these filters."
            if trade_filter_ != TradeFilter()
            else "No trades recorded yet: trading_history is empty."
        )
        figure = empty_figure(message, 250)
        return history.summary_line(0, 0.0, None), figure, figure, figure, problem("empty", message)
    pnl_figure = (
        history.pnl_by_symbol_figure(list(by_symbol["symbol"]), list(by_symbol["realized_pnl"]))
        if not by_symbol.empty
        else empty_figure("No closed (sold) positions in this set.", 250)
    )
    return (
        history.summary_line(breakdown.total, breakdown.filled_value, realized_total),
        history.side_figure(breakdown.by_side),
        history.status_figure(breakdown.by_status),
        pnl_figure,
        None,
    )


CSV_COLUMNS = [
    "id",
    "created_at",
    "executed_at",
    "symbol",
    "side",
    "order_type",
    "status",
    "price",
    "quantity",
    "value",
    "fee",
    "realized_pnl",
    "strategy_name",
]


def export_csv(services: DataServices, *filters) -> dict:
    """The whole filtered set as CSV, timestamps in ISO 8601 with the display zone's offset."""
    tz = services.display_timezone
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    with services.database.connect() as conn:
        trade_filter_ = trade_filter(services, conn, *filters)
        _filled, ledger = services.filled_trades_and_ledger(conn)
        realized = _realized_by_id(ledger)
        written = 0
        for chunk in iter_trades(conn, trade_filter_):
            for row in chunk.itertuples(index=False):
                pnl = realized.get(row.id)
                writer.writerow(
                    [
                        row.id,
                        row.created_at.tz_convert(tz).isoformat(),
                        row.executed_at.tz_convert(tz).isoformat() if pd.notna(row.executed_at) else "",
                        row.symbol,
                        row.side,
                        row.order_type,
                        row.status,
                        repr(row.price),
                        repr(row.quantity),
                        repr(row.value),
                        repr(row.fee),
                        repr(pnl) if pnl is not None else "",
                        _csv_text(row.strategy_name),
                    ]
                )
                written += 1
            if written >= EXPORT_MAX_ROWS:
                break
    stamp = services.now().astimezone(tz).strftime("%Y%m%d-%H%M%S")
    return {"content": buffer.getvalue(), "filename": f"coinpilot-trades-{stamp}.csv", "type": "text/csv"}


@panel(on_failure=lambda kind, message: (no_update, problem(kind, message)))
def export_download(services: DataServices, *filters) -> tuple:
    """(the CSV download, the History message) for the export button."""
    return export_csv(services, *filters), no_update


def _csv_text(value) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; quote it as text.
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def history_query(symbols_value, sides_value, statuses_value, start_value, end_value) -> str:
    """The shareable URL query of the History filters (only well-formed values are written)."""
    params = []
    for key, values, allowed in (
        ("symbol", symbols_value, is_valid_symbol_format),
        ("side", sides_value, SIDES.__contains__),
        ("status", statuses_value, STATUSES.__contains__),
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


def register(app: Dash, services: DataServices) -> None:
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
        Input(ids.HISTORY_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    def reset_filters(_clicks):
        return [], [], [], None, None

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), *filter_inputs, prevent_initial_call=True)
    def share_history_filters(*filters):
        return history_query(*filters)
