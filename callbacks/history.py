"""History callbacks: the trade log's pages (sorted and paged in the database), summary charts
over the whole filtered set, CSV export and the shareable filter URL."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks import inputs
from callbacks.failures import panel
from data import metrics
from data.database import DataError
from data.days import utc_day
from data.exit_analysis import ledger_entry_prices
from data.orders import (
    OPTIONAL_TRADE_COLUMNS,
    REGIMES,
    SIDES,
    STATUSES,
    TRADE_COLUMNS,
    count_trades,
    exit_reasons,
    fetch_trades,
    filled_sell_ids,
    iter_trades,
    trade_breakdown,
)
from data.selection import TradeFilter
from data.services import DataServices
from data.symbols import is_valid_symbol_format
from i18n import t
from layouts import format as fmt
from layouts import history, ids
from layouts.codes import code_label
from layouts.components import empty_figure, problem

EXPORT_MAX_ROWS = 1_000_000
FILTER_INPUTS = (
    (ids.HISTORY_SYMBOLS, "value"),
    (ids.HISTORY_SIDES, "value"),
    (ids.HISTORY_STATUSES, "value"),
    (ids.HISTORY_DATES, "start_date"),
    (ids.HISTORY_DATES, "end_date"),
    (ids.HISTORY_REGIMES, "value"),
    (ids.HISTORY_EXIT_REASONS, "value"),
)


def recorded_columns(services: DataServices, conn) -> tuple[str, ...]:
    """The optional trading_history columns (regime, exit_reason) this database has."""
    features = services.database.schema(conn)
    return tuple(c for c in OPTIONAL_TRADE_COLUMNS if features.has_column("trading_history", c))


def trade_filter(
    services: DataServices,
    conn,
    symbols_value,
    sides_value,
    statuses_value,
    start_value,
    end_value,
    regimes_value=None,
    exit_reasons_value=None,
) -> TradeFilter:
    start, end = inputs.date_range_utc(start_value, end_value)
    recorded = recorded_columns(services, conn)
    regimes = inputs.choices(regimes_value, REGIMES, "regime")
    if regimes and "regime" not in recorded:
        raise inputs.InvalidInput(t("history.invalid_regime"))
    reasons: tuple[str, ...] = ()
    if exit_reasons_value:
        if "exit_reason" not in recorded:
            raise inputs.InvalidInput(t("history.invalid_exit_reason"))
        reasons = inputs.choices(exit_reasons_value, exit_reasons(conn), "exit reason")
    return TradeFilter(
        symbols=inputs.symbols(symbols_value, services.symbols(conn)),
        sides=inputs.choices(sides_value, SIDES, "side"),
        statuses=inputs.choices(statuses_value, STATUSES, "status"),
        start=start,
        end=end,
        regimes=regimes,
        exit_reasons=reasons,
    )


def page_choices(services: DataServices) -> tuple[frozenset[str], tuple[str, ...]]:
    """(the optional columns recorded, the exit-reason choices) for building the page; nothing
    optional when the database cannot say (the panels explain)."""
    try:
        with services.database.connect() as conn:
            recorded = recorded_columns(services, conn)
            reasons = exit_reasons(conn) if "exit_reason" in recorded else ()
    except DataError:
        return frozenset(), ()
    return frozenset(recorded), reasons


@dataclass(frozen=True)
class SellResults:
    """Per SELL id, from the average-cost ledger: realized PnL (KRW) and the ledger's average
    cost before the sell (the entry price when the bot did not record one)."""

    realized: dict[str, float]
    ledger_entry: dict[str, float]

    def pnl_pct(self, order_id: str, recorded_entry: float, quantity: float) -> float | None:
        """Realized PnL % (data.metrics.realized_return_pct), entry from signal_info else the ledger."""
        pnl = self.realized.get(order_id)
        entry = recorded_entry if pd.notna(recorded_entry) else self.ledger_entry.get(order_id)
        if pnl is None or entry is None or pd.isna(entry) or not quantity > 0:
            return None
        return metrics.realized_return_pct(pnl, entry, quantity)


def sell_results(ledger: pd.DataFrame) -> SellResults:
    sells = ledger[(ledger["side"] == "SELL") & ledger["realized_pnl"].notna()]
    entries = ledger_entry_prices(ledger).dropna()
    return SellResults(dict(zip(sells["id"], sells["realized_pnl"])), dict(zip(entries.index, entries)))


def _optional_text(row, column: str) -> str:
    """A text column that may be absent (week-6) or NULL (pandas gives NaN): else ""."""
    value = getattr(row, column, None)
    return value if isinstance(value, str) else ""


def _code_text(row, column: str) -> str:
    """An optional code column (regime, exit_reason) as the UI language reads it."""
    code = _optional_text(row, column)
    return code_label(column, code) if code else ""


def _grid_row(row, results: SellResults, tz) -> dict:
    pnl = results.realized.get(row.id)
    pnl_pct = results.pnl_pct(row.id, row.entry_avg_price, row.quantity)
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
        "pnl_sign": metrics.pnl_sign(pnl),
        "strategy_name": row.strategy_name or "",
        "regime": _code_text(row, "regime"),
        "exit_reason": _code_text(row, "exit_reason"),
        "entry_avg_price": fmt.price(row.entry_avg_price) if pd.notna(row.entry_avg_price) else "",
        "realized_pnl_pct": fmt.pct(pnl_pct) if pnl_pct is not None else "",
    }


# On failure the grid shows nothing: the summary panel explains (and describe logs the unexpected).
@panel(on_failure=lambda _kind, _message: {"rowData": [], "rowCount": 0})
def history_rows(services: DataServices, request, *filters) -> dict:
    """One block of the trade log for the grid's infinite row model."""
    start, end, sort = inputs.rows_request(request)
    with services.database.connect() as conn:
        trade_filter_ = trade_filter(services, conn, *filters)
        recorded = recorded_columns(services, conn)
        for key in sort:
            if key.column in OPTIONAL_TRADE_COLUMNS and key.column not in recorded:
                raise inputs.InvalidInput(t("history.invalid_sort", column=key.column))
        page = fetch_trades(conn, trade_filter_, sort, offset=start, limit=end - start, extra_columns=recorded)
        total = count_trades(conn, trade_filter_)
        _filled, ledger = services.filled_trades_and_ledger(conn)
    results = sell_results(ledger)
    tz = services.display_timezone
    return {"rowData": [_grid_row(row, results, tz) for row in page.itertuples(index=False)], "rowCount": total}


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
        # regime and exit reason are not in the ledger: ask the database which sells match.
        matching_ids = filled_sell_ids(conn, trade_filter_) if trade_filter_.needs_v3_columns else None
    # Realized PnL belongs to sells in the filtered set, valued at average cost over all history.
    sells = ledger.merge(filled[["id", "status", "created_at"]], on="id", how="left")
    sells = sells[trade_filter_.without_v3().matches(sells) & (sells["side"] == "SELL")]
    if matching_ids is not None:
        sells = sells[sells["id"].isin(matching_ids)]
    by_symbol = metrics.realized_pnl_by_symbol(sells)
    realized_total = float(by_symbol["realized_pnl"].sum()) if not by_symbol.empty else None
    if breakdown.total == 0:
        message = t("history.none_matching") if trade_filter_ != TradeFilter() else t("history.none_recorded")
        figure = empty_figure(message, 250)
        return history.summary_line(0, 0.0, None), figure, figure, figure, problem("empty", message)
    pnl_figure = (
        history.pnl_by_symbol_figure(list(by_symbol["symbol"]), list(by_symbol["realized_pnl"]))
        if not by_symbol.empty
        else empty_figure(t("history.no_closed"), 250)
    )
    return (
        history.summary_line(breakdown.total, breakdown.filled_value, realized_total),
        history.side_figure(breakdown.by_side),
        history.status_figure(breakdown.by_status),
        pnl_figure,
        None,
    )


# The trade log's columns, realized PnL before the strategy as the grid shows it, then the v3 ones.
CSV_COLUMNS = [
    *TRADE_COLUMNS[:-1],
    "realized_pnl",
    TRADE_COLUMNS[-1],
    *OPTIONAL_TRADE_COLUMNS,
    "entry_avg_price",
    "realized_pnl_pct",
]


@dataclass(frozen=True)
class TradeExport:
    """The CSV file's text, how many trades it holds and how many matched the filters."""

    content: str
    written: int
    matching: int

    @property
    def truncated(self) -> bool:
        return self.written < self.matching


def export_csv(services: DataServices, *filters, max_rows: int = EXPORT_MAX_ROWS) -> TradeExport:
    """The filtered set as CSV (at most `max_rows` trades, the file saying so when cut): UTF-8
    with a byte-order mark, so Excel reads Korean text right; timestamps in ISO 8601 with the
    display zone's offset; amounts rounded as the screen shows them; every text cell defused."""
    tz = services.display_timezone
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(history.csv_header(CSV_COLUMNS))
    with services.database.connect() as conn:
        trade_filter_ = trade_filter(services, conn, *filters)
        recorded = recorded_columns(services, conn)
        matching = count_trades(conn, trade_filter_)
        _filled, ledger = services.filled_trades_and_ledger(conn)
        results = sell_results(ledger)
        written = 0
        for chunk in iter_trades(conn, trade_filter_, extra_columns=recorded):
            for row in chunk.itertuples(index=False):
                if written >= max_rows:
                    break
                pnl = results.realized.get(row.id)
                pnl_pct = results.pnl_pct(row.id, row.entry_avg_price, row.quantity)
                writer.writerow(
                    [
                        _csv_text(row.id),
                        _csv_time(row.created_at, tz),
                        _csv_time(row.executed_at, tz),
                        _csv_text(row.symbol),
                        _csv_text(row.side),
                        _csv_text(row.order_type),
                        _csv_text(row.status),
                        _csv_price(row.price),
                        _csv_number(row.quantity, 8),
                        _csv_number(row.value, 0),
                        _csv_number(row.fee, 0),
                        _csv_number(pnl, 0),
                        _csv_text(row.strategy_name),
                        _csv_text(_optional_text(row, "regime")),
                        _csv_text(_optional_text(row, "exit_reason")),
                        _csv_price(row.entry_avg_price),
                        _csv_number(pnl_pct, 2),
                    ]
                )
                written += 1
            if written >= max_rows:
                break
        if written < matching:
            writer.writerow([history.export_truncated(written, matching)])
    return TradeExport(buffer.getvalue(), written, max(matching, written))


@panel(on_failure=lambda kind, message: (no_update, problem(kind, message)))
def export_download(services: DataServices, *filters, max_rows: int = EXPORT_MAX_ROWS) -> tuple:
    """(the CSV download, the History message: what was left out, if anything) for the export button."""
    export = export_csv(services, *filters, max_rows=max_rows)
    stamp = services.now().astimezone(services.display_timezone).strftime("%Y%m%d-%H%M%S")
    download = {"content": export.content, "filename": f"coinpilot-trades-{stamp}.csv", "type": "text/csv"}
    if not export.truncated:
        return download, no_update
    return download, history.export_truncated_notice(export.written, export.matching)


# A spreadsheet runs a cell starting with one of these as a formula (tab and CR too: Excel and
# LibreOffice strip them and read on), so such a cell is written as text: a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value) -> str:
    text = value if isinstance(value, str) else "" if value is None or pd.isna(value) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_time(value, tz) -> str:
    """ISO 8601 in the display zone; in UTC for an instant the zone cannot hold (year 9999 east of UTC)."""
    if value is None or pd.isna(value):
        return ""
    instant = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    try:
        return instant.astimezone(tz).isoformat()
    except OverflowError:
        return instant.astimezone(UTC).isoformat()


def _csv_number(value, decimals: int) -> str:
    """A plain number (no grouping, so spreadsheets read it), rounded half away from zero to
    `decimals` as the screen shows it, trailing zeros dropped; "" when missing."""
    if value is None or pd.isna(value) or not math.isfinite(value):
        return ""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _csv_price(value) -> str:
    # As fmt.price: whole KRW from 100 up, 4 decimals below (a few-hundred-KRW coin's ticks).
    if value is None or pd.isna(value):
        return ""
    return _csv_number(value, 0 if abs(value) >= 100 else 4)


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


def day_rule_note(services: DataServices, start_value, end_value) -> str:
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
def grid_columns(services: DataServices, shown) -> list[dict]:
    """The grid's columns with the ticked v3 columns shown (ones this database lacks stay hidden)."""
    shown_ = inputs.choices(shown, tuple(f for f, _needs in history.V3_COLUMNS), "columns")
    with services.database.connect() as conn:
        recorded = frozenset(recorded_columns(services, conn))
    return history.column_defs(recorded, list(shown_))


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
