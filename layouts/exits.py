"""Exits: how the bot's sells turned out (PnL % per exit reason), where the price went after
them ("did we sell too early?"), regime x exit reason, tuning hints and the table of exits.

Every user-visible string comes from the exits catalogue (i18n/<language>/exits.py); exit
reasons and regimes keep their codes as data and are labelled only when shown."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from i18n import t
from layouts import charts, ids
from layouts import format as fmt
from layouts.codes import known_label
from layouts.components import alert, kpi_card, lookback_days, section

WINDOWS = ("1h", "4h", "12h", "24h")
REASON_COLOURS = {
    "TRAILING_STOP": "#60a5fa",
    "TAKE_PROFIT": "#22c55e",
    "STOP_LOSS": "#ef4444",
    "TIME_LIMIT": "#f59e0b",
    "RSI_OVERBOUGHT": "#a78bfa",
}

COMPARISONS = {
    "trailing_stop_loosen": "exits.at_or_above",
    "stop_loss_tight": "exits.at_or_above",
    "take_profit_low": "exits.at_or_above",
    "time_limit_working": "exits.at_or_below",
}


def reason_label(code: str) -> str:
    """An exit reason as the operator reads it; a reason this version does not know shows its code."""
    return known_label("exits.reason", code)


def regime_label(code: str) -> str:
    return known_label("exits.regime", code)


def window_label(window: str) -> str:
    return t(f"exits.window.{window}")


def grid_columns() -> list[dict]:
    return [
        {"field": "time", "headerName": t("exits.col_time"), "width": 205},
        {"field": "symbol", "headerName": t("exits.col_symbol"), "width": 105},
        {"field": "exit_reason", "headerName": t("exits.col_exit_reason"), "width": 145},
        {"field": "regime", "headerName": t("exits.col_regime"), "width": 100},
        {
            "field": "pnl_pct",
            "headerName": t("exits.col_pnl"),
            "width": 90,
            "type": "rightAligned",
            "cellRenderer": "PnlCell",
        },
        *(
            {
                "field": f"drift_{w}",
                "headerName": t("exits.col_drift", window=window_label(w)),
                "width": 90,
                "type": "rightAligned",
                "headerTooltip": t("exits.col_drift_tip", window=window_label(w)),
            }
            for w in WINDOWS
        ),
        {"field": "price", "headerName": t("exits.col_price"), "width": 110, "type": "rightAligned"},
        {"field": "entry_avg_price", "headerName": t("exits.col_entry"), "width": 110, "type": "rightAligned"},
        {
            "field": "pnl_source",
            "headerName": t("exits.col_source"),
            "width": 110,
            "headerTooltip": t("exits.col_source_tip"),
        },
    ]


def page(days: int, low: int, high: int, notice: str | None = None) -> html.Div:
    return html.Div(
        [
            html.H1(t("exits.title"), className="page-title"),
            dbc.Row(
                lookback_days(ids.EXITS_DAYS, t("exits.lookback", low=low, high=high), days, low, high),
                className="mb-2",
            ),
            html.Div(alert(notice, "warning", **{"data-exits-notice": "days"}) if notice else None),
            html.Div(id=ids.EXITS_MESSAGE),
            dbc.Row(id=ids.EXITS_KPIS, className="g-3 kpi-row"),
            section(t("exits.section_hints"), html.Div(id=ids.EXITS_HINTS)),
            dbc.Row(
                [
                    dbc.Col(section(t("exits.section_pnl"), html.Div(id=ids.EXITS_PNL)), lg=6),
                    dbc.Col(section(t("exits.section_drift"), html.Div(id=ids.EXITS_DRIFT)), lg=6),
                ]
            ),
            section(t("exits.section_heatmap"), html.Div(id=ids.EXITS_HEATMAP)),
            section(
                t("exits.section_table"),
                html.Div(id=ids.EXITS_GRID_MESSAGE),
                dag.AgGrid(
                    id=ids.EXITS_GRID,
                    columnDefs=grid_columns(),
                    rowData=[],
                    defaultColDef={"sortable": True, "resizable": True},
                    dashGridOptions={
                        "pagination": True,
                        "paginationPageSize": 50,
                        "paginationPageSizeSelector": False,
                        "localeText": {"noRowsToShow": t("exits.grid_empty")},
                    },
                    style={"height": "480px"},
                ),
            ),
        ]
    )


def bad_days_notice(value: str, low: int, high: int, default: int) -> str:
    return t("exits.bad_days", value=value, low=low, high=high, default=default)


def not_recorded(what_key: str, panel: str) -> html.Div:
    """What a panel says when this bot version does not write what it shows."""
    return alert(t("exits.not_recorded", what=t(f"exits.what.{what_key}")), "secondary", **{"data-exits-absent": panel})


def empty(message: str, panel: str) -> html.Div:
    return alert(message, "info", **{"data-exits-empty": panel})


def kpis(
    days: int,
    sells: int,
    pnl_computable: int,
    pnl_recorded: int,
    pnl_ledger: int,
    tracked_24h: int | None,
    avg_pnl_pct: float | None,
) -> list:
    """tracked_24h None: post_exit_prices is not recorded by this bot version."""
    tracked = (
        kpi_card("tracked-24h", t("exits.kpi_tracked"), f"{tracked_24h} / {sells}", note=t("exits.kpi_tracked_note"))
        if tracked_24h is not None
        else kpi_card(
            "tracked-24h",
            t("exits.kpi_tracked"),
            "–",
            note=t("exits.not_recorded", what=t("exits.what.what_post_exit")),
        )
    )
    return [
        kpi_card("sells", t("exits.kpi_sells"), f"{sells:,}", note=t("exits.kpi_sells_note", days=days)),
        kpi_card(
            "pnl-computable",
            t("exits.kpi_pnl"),
            f"{pnl_computable} / {sells}",
            note=t("exits.kpi_pnl_note", recorded=pnl_recorded, ledger=pnl_ledger),
        ),
        tracked,
        kpi_card(
            "avg-pnl",
            t("exits.kpi_avg_pnl"),
            fmt.pct(avg_pnl_pct) if avg_pnl_pct is not None else t("exits.no_pnl"),
            fmt.pnl_class(avg_pnl_pct),
            note=t("exits.kpi_avg_pnl_note"),
        ),
    ]


def notes(malformed: tuple[int, int, int] | None, truncated_limit: int | None) -> list:
    """(malformed windows, malformed whole values, sells affected) and the row bound, if hit."""
    shown = []
    if malformed and (malformed[0] or malformed[1]):
        windows, values, sells = malformed
        shown.append(
            alert(
                t("exits.malformed", windows=windows, values=values, sells=sells),
                "warning",
                **{"data-exits-note": "malformed"},
            )
        )
    if truncated_limit:
        shown.append(
            alert(t("exits.truncated", limit=f"{truncated_limit:,}"), "info", **{"data-exits-note": "truncated"})
        )
    return shown


def pnl_chart(by_reason: dict[str, list[float]]) -> dcc.Graph:
    figure = go.Figure()
    for reason, values in by_reason.items():
        figure.add_trace(
            go.Box(
                y=values,
                name=reason_label(reason),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": REASON_COLOURS.get(reason, charts.NEUTRAL), "size": 5},
                line={"color": REASON_COLOURS.get(reason, charts.NEUTRAL)},
                boxmean=True,
                hovertemplate=f"{reason_label(reason)}: %{{y:+.2f}}%<extra></extra>",
            )
        )
    figure.update_layout(
        **charts.base_layout(height=340, showlegend=False, hovermode="closest", uirevision="exits-pnl")
    )
    figure.update_yaxes(
        title_text=t("exits.axis_pnl"), ticksuffix="%", gridcolor=charts.GRID, zerolinecolor=charts.NEUTRAL
    )
    return dcc.Graph(
        id=ids.EXITS_PNL_CHART, figure=figure, config={"displaylogo": False}, responsive=True, style={"height": "340px"}
    )


def drift_chart(drift: pd.DataFrame) -> dcc.Graph:
    """One line per exit reason over 1 h ... 24 h: the mean change after the exit (n in the hover)."""
    figure = go.Figure()
    for reason, row in drift.iterrows():
        means = [row[f"mean_{w}"] for w in WINDOWS]
        counts = [int(row[f"n_{w}"]) for w in WINDOWS]
        figure.add_trace(
            go.Scatter(
                x=[f"+{window_label(w)}" for w in WINDOWS],
                y=[None if pd.isna(m) else round(float(m), 4) for m in means],
                customdata=counts,
                name=reason_label(str(reason)),
                mode="lines+markers",
                connectgaps=True,  # a window not tracked for any sell of a reason is skipped, not a gap
                line={"color": REASON_COLOURS.get(str(reason), charts.NEUTRAL)},
                hovertemplate=f"{reason_label(str(reason))} %{{x}}: %{{y:+.2f}}% ({t('exits.hover_sample')}=%{{customdata}})"
                "<extra></extra>",
            )
        )
    figure.add_hline(y=0, line={"color": charts.NEUTRAL, "width": 1, "dash": "dot"})
    figure.update_layout(**charts.base_layout(height=340, hovermode="closest", uirevision="exits-drift"))
    figure.update_yaxes(title_text=t("exits.axis_drift"), ticksuffix="%", gridcolor=charts.GRID)
    figure.update_xaxes(title_text=t("exits.axis_window"), type="category")
    return dcc.Graph(
        id=ids.EXITS_DRIFT_CHART,
        figure=figure,
        config={"displaylogo": False},
        responsive=True,
        style={"height": "340px"},
    )


def heatmap(counts: pd.DataFrame, mean_pnl: pd.DataFrame) -> dcc.Graph:
    text = [
        [
            f"{int(n)}" + (f"<br>{fmt.pct(m)}" if n and not pd.isna(m) else "")
            for n, m in zip(count_row, mean_row, strict=True)
        ]
        for count_row, mean_row in zip(counts.to_numpy(), mean_pnl.to_numpy(), strict=True)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=counts.to_numpy().tolist(),
            x=[reason_label(str(c)) for c in counts.columns],
            y=[regime_label(str(r)) for r in counts.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": {"text": t("exits.colorbar")}},
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    height = 120 + 48 * len(counts.index)
    figure.update_layout(**charts.base_layout(height=height, hovermode="closest", uirevision="exits-heatmap"))
    return dcc.Graph(
        id=ids.EXITS_HEATMAP_CHART,
        figure=figure,
        config={"displaylogo": False},
        responsive=True,
        style={"height": f"{height}px"},
    )


def _hint_measure(hint) -> str:
    if hint.key == "regime_early_exits":
        return t(
            "exits.hint_measure_regime",
            subject=regime_label(hint.subject),
            early=hint.early,
            sample=hint.sample,
            value=f"{hint.value:.1f}%",
            threshold=f"{hint.threshold:.0f}%",
        )
    return t(
        "exits.hint_measure",
        subject=reason_label(hint.subject),
        window=window_label(hint.window),
        value=fmt.pct(hint.value),
        sample=hint.sample,
        comparison=t(COMPARISONS[hint.key]),
        threshold=fmt.pct(hint.threshold),
    )


def _hint_advice(hint) -> str:
    subject = regime_label(hint.subject) if hint.key == "regime_early_exits" else reason_label(hint.subject)
    return t(f"exits.hint.{hint.key}", subject=subject)


def hints(report, minimum: int) -> html.Div:
    """A data.exit_analysis.HintReport: fired hints as alerts with their numbers, then the rules
    checked without a hint, with theirs."""
    if not report.enough:
        return html.Div(
            empty(t("exits.hints_wait", minimum=minimum, sells=report.sells, more=report.more_needed), "hints"),
            **{"data-hints-needed": str(report.more_needed)},
        )
    if not report.hints:
        return html.Div(empty(t("exits.hints_none"), "hints"), **{"data-hints-fired": "0"})
    fired = [
        html.Div(
            dbc.Alert(
                [html.Strong(_hint_advice(h)), html.Br(), _hint_measure(h)],
                color="warning",
                className="mb-2 py-2 small",
            ),
            **{"data-hint": h.key, "data-hint-subject": h.subject},
        )
        for h in report.fired
    ]
    quiet = [
        html.Li(_hint_measure(h), **{"data-hint-checked": h.key, "data-hint-subject": h.subject})
        for h in report.hints
        if not h.fired
    ]
    return html.Div(
        [
            *(fired or [html.P(t("exits.hints_quiet"), className="small")]),
            html.Div(
                [
                    html.Div(t("exits.hints_checked"), className="small text-secondary"),
                    html.Ul(quiet, className="small text-secondary mb-0"),
                ]
            )
            if quiet
            else None,
        ],
        **{"data-hints-fired": str(len(fired))},
    )


def _rounded(value, digits: int = 2):
    return None if value is None or pd.isna(value) else round(float(value), digits)


def _price(value):
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if abs(value) >= 100 else round(float(value), 4)


def grid_rows(frame: pd.DataFrame, tz: ZoneInfo) -> list[dict]:
    """Numbers stay numbers (so the grid sorts them), rounded for display; times as text."""
    sources = {"recorded": t("exits.source_recorded"), "ledger": t("exits.source_ledger")}
    rows = []
    for row in frame.itertuples(index=False):
        pnl = _rounded(row.pnl_pct)
        rows.append(
            {
                "time": fmt.timestamp(row.executed_at, tz),
                "symbol": row.symbol,
                "exit_reason": reason_label(row.exit_reason) if row.exit_reason else fmt.MISSING,
                "regime": regime_label(row.regime) if row.regime else fmt.MISSING,
                "price": _price(row.price),
                "entry_avg_price": _price(row.entry_avg_price),
                "pnl_pct": pnl,
                "pnl_sign": 0 if pnl is None else (pnl > 0) - (pnl < 0),
                "pnl_source": sources.get(row.pnl_source, fmt.MISSING),
                **{f"drift_{w}": _rounded(getattr(row, f"drift_{w}")) for w in WINDOWS},
            }
        )
    return rows
