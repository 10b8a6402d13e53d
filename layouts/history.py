"""History: the filterable trade log (server-side paging and sorting) with summary charts."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from layouts import charts, ids, round_trips
from layouts import format as fmt
from layouts.components import alert, section

PAGE_SIZE = 50
SIDE_OPTIONS = ("BUY", "SELL")
STATUS_OPTIONS = ("FILLED", "CANCELLED", "PENDING")
REGIME_OPTIONS = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")
NOT_RECORDED = "not recorded by this CoinPilot version"
# The v3 trade columns: (field, header, needs this trading_history column or None, tooltip).
V3_COLUMNS = (
    ("regime", "Regime", "regime", "Market regime when the order was placed (v3)"),
    ("exit_reason", "Exit reason", "exit_reason", "Why the bot sold (v3, sells only)"),
    ("entry_avg_price", "Entry avg price", None, "Sells only: signal_info.entry_avg_price, the average cost sold"),
    (
        "realized_pnl_pct",
        "Realized PnL %",
        None,
        "Sells only: realized PnL / (entry avg price x quantity) x 100; entry avg price from the "
        "ledger when the bot did not record it",
    ),
)
TEXT = {
    "regime": "Regime",
    "exit_reason": "Exit reason",
    "all_regimes": "All regimes",
    "all_exit_reasons": "All exit reasons",
    "columns": "Show columns",
    "hidden_note": "{columns}: {not_recorded}, so hidden.",
}
# Formatted server-side (numbers as text); colouring by the cell renderers in
# assets/grid_renderers.js, which need no eval() and so pass the Content-Security-Policy.
COLUMN_DEFS = [
    {"field": "created_at", "headerName": "Created", "width": 205, "sortable": True},
    {"field": "executed_at", "headerName": "Executed", "width": 205, "sortable": True},
    {"field": "symbol", "headerName": "Symbol", "width": 110, "sortable": True},
    {"field": "side", "headerName": "Side", "width": 80, "sortable": True, "cellRenderer": "SideCell"},
    {"field": "order_type", "headerName": "Type", "width": 100, "sortable": True},
    {"field": "status", "headerName": "Status", "width": 110, "sortable": True},
    {"field": "price", "headerName": "Price", "width": 130, "sortable": True, "type": "rightAligned"},
    {"field": "quantity", "headerName": "Quantity", "width": 140, "sortable": True, "type": "rightAligned"},
    {"field": "value", "headerName": "Value (KRW)", "width": 140, "sortable": True, "type": "rightAligned"},
    {"field": "fee", "headerName": "Fee (KRW)", "width": 110, "sortable": True, "type": "rightAligned"},
    {
        "field": "realized_pnl",
        "headerName": "Realized PnL",
        "width": 150,
        "sortable": False,
        "type": "rightAligned",
        "cellRenderer": "PnlCell",
        "headerTooltip": "Sells only: (price - avg cost) x qty - fees",
    },
    {"field": "strategy_name", "headerName": "Strategy", "width": 190, "sortable": True},
]


def v3_column_defs(recorded: frozenset[str] | set[str], shown: list[str] | None) -> list[dict]:
    """The v3 columns' definitions: a column whose data this database lacks stays hidden with
    a "not recorded" tooltip; the others are shown when the operator ticks them."""
    defs = []
    for field, header, needs, tooltip in V3_COLUMNS:
        available = needs is None or needs in recorded
        column = {
            "field": field,
            "headerName": header,
            "width": 150 if field != "realized_pnl_pct" else 140,
            "sortable": available and field != "realized_pnl_pct",
            "headerTooltip": tooltip if available else f"{header}: {NOT_RECORDED}",
            "hide": not available or field not in (shown or []),
        }
        if field in ("entry_avg_price", "realized_pnl_pct"):
            column["type"] = "rightAligned"
        if field == "realized_pnl_pct":
            column["cellRenderer"] = "PnlCell"
        defs.append(column)
    return defs


def column_defs(recorded, shown: list[str] | None) -> list[dict]:
    return COLUMN_DEFS + v3_column_defs(recorded, shown)


def available_v3_columns(recorded) -> list[str]:
    return [field for field, _h, needs, _t in V3_COLUMNS if needs is None or needs in recorded]


def hidden_columns_note(recorded) -> str | None:
    missing = [header for _f, header, needs, _t in V3_COLUMNS if needs is not None and needs not in recorded]
    if not missing:
        return None
    return TEXT["hidden_note"].format(columns=", ".join(missing), not_recorded=NOT_RECORDED)


def export_truncated(written: int, matching: int) -> str:
    """The CSV's last line and the page's note when an export stopped at its cap."""
    return (
        f"Export cut short: {written:,} of the {matching:,} matching trades (the newest) are in this file. "
        "Narrow the filters, for example the dates, to export the rest."
    )


def export_truncated_notice(written: int, matching: int) -> html.Div:
    return alert(export_truncated(written, matching), "warning", "CSV export", **{"data-problem": "truncated"})


def day_rule_note(span: str | None, today_span: str) -> str:
    """Under the date picker: the picked UTC days and their span in the display zone."""
    if span is None:
        return f"A day is the bot's UTC day; today: {today_span}."
    return f"Showing {span}."


def page(
    symbols: list[str],
    selected_symbols: list[str],
    sides: list[str],
    statuses: list[str],
    start_date: str | None,
    end_date: str | None,
    tz_label: str,
    recorded: frozenset[str] = frozenset(),
    regimes: list[str] | None = None,
    exit_reasons: list[str] | None = None,
    exit_reason_options: tuple[str, ...] = (),
    date_notice: str | None = None,
) -> html.Div:
    """`recorded`: the optional trading_history columns this database has (regime, exit_reason);
    `date_notice`: why the dates in the link were not applied, if they were not."""
    available = available_v3_columns(recorded)
    filters = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Symbols", className="small mb-1"),
                    dcc.Dropdown(
                        id=ids.HISTORY_SYMBOLS,
                        options=[{"label": s, "value": s} for s in symbols],
                        value=selected_symbols,
                        multi=True,
                        placeholder="All symbols",
                    ),
                ],
                xs=12,
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Side", className="small mb-1"),
                    dbc.Checklist(
                        id=ids.HISTORY_SIDES,
                        options=[{"label": s, "value": s} for s in SIDE_OPTIONS],
                        value=sides,
                        inline=True,
                    ),
                ],
                xs=6,
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label("Status", className="small mb-1"),
                    dbc.Checklist(
                        id=ids.HISTORY_STATUSES,
                        options=[{"label": s, "value": s} for s in STATUS_OPTIONS],
                        value=statuses,
                        inline=True,
                    ),
                ],
                xs=6,
                md=3,
            ),
            dbc.Col(
                [
                    # The one day rule: the days are the bot's UTC days; their span in `tz_label`
                    # is spelled out under the picker (callbacks.history.day_rule_note).
                    dbc.Label("Created on the UTC days (the bot's day)", className="small mb-1"),
                    dcc.DatePickerRange(
                        id=ids.HISTORY_DATES,
                        start_date=start_date,
                        end_date=end_date,
                        display_format="YYYY-MM-DD",
                        clearable=True,
                        minimum_nights=0,
                    ),
                    html.Div(id=ids.HISTORY_DAY_RULE, className="small text-secondary", **{"data-day-rule": "history"}),
                ],
                xs=12,
                md=3,
            ),
            _multi_select(
                ids.HISTORY_REGIMES, TEXT["regime"], TEXT["all_regimes"], REGIME_OPTIONS, regimes, "regime" in recorded
            ),
            _multi_select(
                ids.HISTORY_EXIT_REASONS,
                TEXT["exit_reason"],
                TEXT["all_exit_reasons"],
                exit_reason_options,
                exit_reasons,
                "exit_reason" in recorded,
            ),
            dbc.Col(
                dbc.Button("Reset", id=ids.HISTORY_RESET, color="secondary", outline=True, size="sm"),
                xs=12,
                md=1,
                className="d-flex align-items-end",
            ),
        ],
        className="g-2 mb-3 align-items-end history-filters",
    )
    grid = dag.AgGrid(
        id=ids.HISTORY_GRID,
        columnDefs=column_defs(recorded, available),
        rowModelType="infinite",
        defaultColDef={"resizable": True, "sortable": False},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "rowBuffer": 0,
            "infiniteInitialRowCount": 1,
            "tooltipShowDelay": 300,
            # Few columns: render them all, so the right-hand v3 columns are there when scrolled to.
            "suppressColumnVirtualisation": True,
        },
        style={"height": "560px"},
    )
    return html.Div(
        [
            html.H1("History", className="page-title"),
            filters,
            alert(date_notice, "warning", "Dates not applied", **{"data-problem": "invalid_input"})
            if date_notice
            else None,
            html.Div(id=ids.HISTORY_MESSAGE),
            html.Div(id=ids.HISTORY_SUMMARY, className="mb-2"),
            dbc.Row(
                [
                    dbc.Col(
                        section(
                            "Buy / sell",
                            dcc.Graph(
                                id=ids.HISTORY_SIDE_CHART, config={"displayModeBar": False}, style={"height": "260px"}
                            ),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        section(
                            "Order status",
                            dcc.Graph(
                                id=ids.HISTORY_STATUS_CHART, config={"displayModeBar": False}, style={"height": "260px"}
                            ),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        section(
                            "Realized PnL by symbol",
                            dcc.Graph(
                                id=ids.HISTORY_PNL_CHART, config={"displayModeBar": False}, style={"height": "260px"}
                            ),
                        ),
                        md=4,
                    ),
                ]
            ),
            round_trips.section_for_history(),
            section(
                "Trade log",
                html.Div(
                    [
                        dbc.Label(TEXT["columns"], className="small me-2 mb-0"),
                        dbc.Checklist(
                            id=ids.HISTORY_COLUMNS,
                            options=[
                                {"label": header, "value": field, "disabled": field not in available}
                                for field, header, _n, _t in V3_COLUMNS
                            ],
                            value=available,
                            inline=True,
                        ),
                    ],
                    className="d-flex flex-wrap align-items-center mb-2 history-columns",
                ),
                html.Div(hidden_columns_note(recorded), id=ids.HISTORY_COLUMNS_NOTE, className="small text-muted mb-2"),
                grid,
                dcc.Store(id=ids.HISTORY_GRID_REFRESH),
                right=html.Div(
                    [
                        dbc.Button("Export CSV", id=ids.HISTORY_EXPORT, color="primary", size="sm", outline=True),
                        dcc.Download(id=ids.HISTORY_DOWNLOAD),
                    ]
                ),
            ),
        ]
    )


def _multi_select(component_id, label, placeholder, options, value, recorded: bool) -> dbc.Col:
    """A filter over a v3 column; disabled, saying so, when the database does not record it."""
    return dbc.Col(
        [
            dbc.Label(label, className="small mb-1"),
            dcc.Dropdown(
                id=component_id,
                options=[{"label": o, "value": o} for o in options],
                value=(value or []) if recorded else [],
                multi=True,
                disabled=not recorded,
                placeholder=placeholder if recorded else f"{label}: {NOT_RECORDED}",
            ),
        ],
        xs=12,
        sm=6,
        md=2,
    )


def summary_line(total: int, filled_value: float, realized: float | None) -> html.Div:
    parts = [
        html.Span(f"{total:,}", className="fw-semibold", **{"data-history-count": str(total)}),
        " trades match the filters · filled value ",
        html.Span(fmt.krw(filled_value), className="fw-semibold"),
    ]
    if realized is not None:
        parts += [
            " · realized PnL ",
            html.Span(fmt.krw(realized, signed=True), className=f"fw-semibold {fmt.pnl_class(realized)}"),
        ]
    return html.Div(parts, className="history-summary")


def side_figure(by_side: dict[str, int]) -> go.Figure:
    labels = [s for s in SIDE_OPTIONS if by_side.get(s)]
    figure = go.Figure(
        go.Pie(
            labels=labels,
            values=[by_side[s] for s in labels],
            hole=0.45,
            sort=False,
            marker={"colors": [charts.gain() if s == "BUY" else charts.loss() for s in labels]},
            textinfo="label+value",
        )
    )
    figure.update_layout(**charts.base_layout(height=250, showlegend=False, margin={"l": 8, "r": 8, "t": 8, "b": 8}))
    return figure


def status_figure(by_status: dict[str, int]) -> go.Figure:
    labels = [s for s in STATUS_OPTIONS if by_status.get(s)] + sorted(s for s in by_status if s not in STATUS_OPTIONS)
    colours = {"FILLED": charts.OK, "CANCELLED": charts.NEUTRAL, "PENDING": charts.AMBER}
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=[by_status[s] for s in labels],
            text=[by_status[s] for s in labels],
            textposition="auto",
            marker={"color": [colours.get(s, charts.ACCENT) for s in labels]},
        )
    )
    figure.update_layout(**charts.base_layout(height=250, showlegend=False, margin={"l": 40, "r": 8, "t": 8, "b": 32}))
    return figure


def pnl_by_symbol_figure(symbols: list[str], values: list[float]) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=symbols,
            y=values,
            marker={"color": [charts.gain() if v >= 0 else charts.loss() for v in values]},
            hovertemplate="%{x}: %{y:,.0f} KRW<extra></extra>",
        )
    )
    figure.update_layout(**charts.base_layout(height=250, showlegend=False, margin={"l": 64, "r": 8, "t": 8, "b": 32}))
    figure.update_yaxes(tickformat=",.0f", gridcolor=charts.GRID)
    return figure
