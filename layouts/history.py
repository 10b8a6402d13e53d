"""History: the filterable trade log (server-side paging and sorting) with summary charts."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from i18n import t
from layouts import charts, grid_text, ids, round_trips
from layouts import format as fmt
from layouts.codes import code_label
from layouts.components import alert, section

PAGE_SIZE = 50
SIDE_OPTIONS = ("BUY", "SELL")
STATUS_OPTIONS = ("FILLED", "CANCELLED", "PENDING")
REGIME_OPTIONS = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")
# The v3 trade columns: (field, needs this trading_history column or None); headers and
# tooltips are the catalogue's history.col.<field> and history.col.<field>_tip.
V3_COLUMNS = (
    ("regime", "regime"),
    ("exit_reason", "exit_reason"),
    ("entry_avg_price", None),
    ("realized_pnl_pct", None),
)
# Formatted server-side (numbers as text); colouring by the cell renderers in
# assets/grid_renderers.js, which need no eval() and so pass the Content-Security-Policy.
# (field, width, sortable, extra column settings); header from history.col.<field>. The columns
# an operator reads first lead (when, which symbol, which way, at what price, how much, what it
# made), so a phone shows them before anything else.
_COLUMNS = (
    ("created_at", 205, True, {}),
    ("symbol", 110, True, {}),
    ("side", 80, True, {"cellRenderer": "SideCell"}),
    ("price", 130, True, {"type": "rightAligned"}),
    ("quantity", 140, True, {"type": "rightAligned"}),
    ("realized_pnl", 150, False, {"type": "rightAligned", "cellRenderer": "PnlCell", "tooltip": True}),
    ("value", 140, True, {"type": "rightAligned"}),
    ("fee", 110, True, {"type": "rightAligned"}),
    ("status", 110, True, {}),
    ("order_type", 100, True, {}),
    ("executed_at", 205, True, {}),
    ("strategy_name", 190, True, {}),
)


def header(field: str) -> str:
    return t(f"history.col.{field}")


def not_recorded(label: str) -> str:
    return t("history.filter_not_recorded", label=label)


def base_column_defs() -> list[dict]:
    defs = []
    for field, width, sortable, extra in _COLUMNS:
        column = {"field": field, "headerName": header(field), "width": width, "sortable": sortable}
        column.update({k: v for k, v in extra.items() if k != "tooltip"})
        if extra.get("tooltip"):
            column["headerTooltip"] = t(f"history.col.{field}_tip")
        defs.append(column)
    return defs


def v3_column_defs(recorded: frozenset[str] | set[str], shown: list[str] | None) -> list[dict]:
    """The v3 columns' definitions: a column whose data this database lacks stays hidden with
    a "not recorded" tooltip; the others are shown when the operator ticks them."""
    defs = []
    for field, needs in V3_COLUMNS:
        available = needs is None or needs in recorded
        column = {
            "field": field,
            "headerName": header(field),
            "width": 150 if field != "realized_pnl_pct" else 140,
            "sortable": available and field != "realized_pnl_pct",
            "headerTooltip": t(f"history.col.{field}_tip")
            if available
            else t("history.column_not_recorded", header=header(field)),
            "hide": not available or field not in (shown or []),
        }
        if field in ("entry_avg_price", "realized_pnl_pct"):
            column["type"] = "rightAligned"
        if field == "realized_pnl_pct":
            column["cellRenderer"] = "PnlCell"
        defs.append(column)
    return defs


def column_defs(recorded, shown: list[str] | None) -> list[dict]:
    return base_column_defs() + v3_column_defs(recorded, shown)


def available_v3_columns(recorded) -> list[str]:
    return [field for field, needs in V3_COLUMNS if needs is None or needs in recorded]


def hidden_columns_note(recorded) -> str | None:
    missing = [header(field) for field, needs in V3_COLUMNS if needs is not None and needs not in recorded]
    if not missing:
        return None
    return t("history.hidden_note", columns=", ".join(missing))


def csv_header(fields) -> list[str]:
    """The CSV's header row in the UI language (the body stays machine-readable)."""
    return [t(f"history.csv.{field}") for field in fields]


def export_truncated(written: int, matching: int) -> str:
    """The CSV's last line and the page's note when an export stopped at its cap."""
    return t("history.export_truncated", written=f"{written:,}", matching=f"{matching:,}")


def export_truncated_notice(written: int, matching: int) -> html.Div:
    return alert(
        export_truncated(written, matching), "warning", t("history.export_title"), **{"data-problem": "truncated"}
    )


def day_rule_note(span: str | None, today_span: str) -> str:
    """Under the date picker: the picked UTC days and their span in the display zone."""
    if span is None:
        return t("history.day_rule", today=today_span)
    return t("history.day_rule_showing", span=span)


def day_span_from(span: str) -> str:
    return t("history.day_from", span=span)


def day_span_up_to(span: str) -> str:
    return t("history.day_up_to", span=span)


def _options(kind: str, codes) -> list[dict]:
    return [{"label": code_label(kind, code), "value": code} for code in codes]


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
                    dbc.Label(t("history.symbols"), className="small mb-1"),
                    dcc.Dropdown(
                        id=ids.HISTORY_SYMBOLS,
                        options=[{"label": s, "value": s} for s in symbols],
                        value=selected_symbols,
                        multi=True,
                        placeholder=t("history.all_symbols"),
                    ),
                ],
                xs=12,
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label(t("history.side"), className="small mb-1"),
                    dbc.Checklist(
                        id=ids.HISTORY_SIDES,
                        options=_options("side", SIDE_OPTIONS),
                        value=sides,
                        inline=True,
                    ),
                ],
                xs=6,
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label(t("history.status"), className="small mb-1"),
                    dbc.Checklist(
                        id=ids.HISTORY_STATUSES,
                        options=_options("status", STATUS_OPTIONS),
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
                    dbc.Label(t("history.dates"), className="small mb-1"),
                    dcc.DatePickerRange(
                        id=ids.HISTORY_DATES,
                        start_date=start_date,
                        end_date=end_date,
                        display_format="YYYY-MM-DD",
                        clearable=True,
                        minimum_nights=0,
                        start_date_placeholder_text=t("history.start_date"),
                        end_date_placeholder_text=t("history.end_date"),
                    ),
                    html.Div(id=ids.HISTORY_DAY_RULE, className="small text-secondary", **{"data-day-rule": "history"}),
                ],
                xs=12,
                md=3,
            ),
            _multi_select(
                ids.HISTORY_REGIMES,
                t("history.regime"),
                t("history.all_regimes"),
                _options("regime", REGIME_OPTIONS),
                regimes,
                "regime" in recorded,
            ),
            _multi_select(
                ids.HISTORY_EXIT_REASONS,
                t("history.exit_reason"),
                t("history.all_exit_reasons"),
                _options("exit_reason", exit_reason_options),
                exit_reasons,
                "exit_reason" in recorded,
            ),
            dbc.Col(
                dbc.Button(t("history.reset"), id=ids.HISTORY_RESET, color="secondary", outline=True, size="sm"),
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
            "localeText": grid_text.locale_text(t("history.grid_empty")),
        },
        style={"height": "560px"},
    )
    return html.Div(
        [
            html.H1(t("history.title"), className="page-title"),
            filters,
            alert(date_notice, "warning", t("history.dates_not_applied"), **{"data-problem": "invalid_input"})
            if date_notice
            else None,
            html.Div(id=ids.HISTORY_MESSAGE),
            html.Div(id=ids.HISTORY_SUMMARY, className="mb-2"),
            dbc.Row(
                [
                    dbc.Col(
                        section(
                            t("history.chart_side"),
                            dcc.Graph(
                                id=ids.HISTORY_SIDE_CHART, config={"displayModeBar": False}, style={"height": "260px"}
                            ),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        section(
                            t("history.chart_status"),
                            dcc.Graph(
                                id=ids.HISTORY_STATUS_CHART, config={"displayModeBar": False}, style={"height": "260px"}
                            ),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        section(
                            t("history.chart_pnl"),
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
                t("history.trade_log"),
                html.Div(
                    [
                        dbc.Label(t("history.columns"), className="small me-2 mb-0"),
                        dbc.Checklist(
                            id=ids.HISTORY_COLUMNS,
                            options=[
                                {"label": header(field), "value": field, "disabled": field not in available}
                                for field, _needs in V3_COLUMNS
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
                        dbc.Button(
                            t("history.export"), id=ids.HISTORY_EXPORT, color="primary", size="sm", outline=True
                        ),
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
                options=options,
                value=(value or []) if recorded else [],
                multi=True,
                disabled=not recorded,
                placeholder=placeholder if recorded else not_recorded(label),
            ),
        ],
        xs=12,
        sm=6,
        md=2,
    )


def _with_bold(key: str, name: str, value: html.Span, **params) -> list:
    """The message `key` with its {name} placeholder as the bold `value` (the word order is
    the language's: "12 trades match" / "거래 12건")."""
    before, _marker, after = t(key, **{name: "\x00"}, **params).partition("\x00")
    return [part for part in (before, value, after) if not isinstance(part, str) or part]


def summary_line(total: int, filled_value: float, realized: float | None) -> html.Div:
    parts = [
        *_with_bold(
            "history.summary_count",
            "count",
            html.Span(f"{total:,}", className="fw-semibold", **{"data-history-count": str(total)}),
        ),
        *_with_bold("history.summary_filled", "value", html.Span(fmt.krw(filled_value), className="fw-semibold")),
    ]
    if realized is not None:
        parts += _with_bold(
            "history.summary_realized",
            "value",
            html.Span(fmt.krw(realized, signed=True), className=f"fw-semibold {fmt.pnl_class(realized)}"),
        )
    return html.Div(parts, className="history-summary")


def side_figure(by_side: dict[str, int]) -> go.Figure:
    labels = [s for s in SIDE_OPTIONS if by_side.get(s)]
    figure = go.Figure(
        go.Pie(
            labels=[code_label("side", s) for s in labels],
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
            x=[code_label("status", s) for s in labels],
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
            hovertemplate=t("history.pnl_hover"),
        )
    )
    figure.update_layout(**charts.base_layout(height=250, showlegend=False, margin={"l": 64, "r": 8, "t": 8, "b": 32}))
    figure.update_yaxes(tickformat=",.0f", gridcolor=charts.GRID)
    return figure
