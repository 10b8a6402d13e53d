"""Exits: how the bot's sells turned out (PnL % per exit reason), where the price went after
them ("did we sell too early?"), regime x exit reason, tuning hints and the table of exits.

Every user-visible string of the page is in TEXT / HINT_TEXT below, so they can move into the
ko/en catalogues as they are."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from layouts import charts, ids
from layouts import format as fmt
from layouts.components import alert, kpi_card, lookback_days, section

WINDOWS = ("1h", "4h", "12h", "24h")
REASON_COLOURS = {
    "TRAILING_STOP": "#60a5fa",
    "TAKE_PROFIT": "#22c55e",
    "STOP_LOSS": "#ef4444",
    "TIME_LIMIT": "#f59e0b",
    "RSI_OVERBOUGHT": "#a78bfa",
}

TEXT = {
    "title": "Exits",
    "lookback": "Look-back (days, {low}–{high})",
    "lookback_note": "FILLED SELLs executed in the last {days} days (UTC instants, shown in {tz}).",
    "bad_days": "?days={value} is not a look-back of {low} to {high} days: showing the default {default} days.",
    "not_recorded": "{what}: not recorded by this CoinPilot version.",
    "kpi_sells": "Sells",
    "kpi_sells_note": "FILLED SELLs in {days} days",
    "kpi_pnl": "PnL computable",
    "kpi_pnl_note": "{recorded} from the bot's entry_avg_price, {ledger} from the average-cost ledger",
    "kpi_tracked": "Tracked to 24 h",
    "kpi_tracked_note": "sells with a 24 h post-exit price",
    "kpi_avg_pnl": "Average PnL %",
    "kpi_avg_pnl_note": "(sell - entry avg) / entry avg, before fees",
    "no_pnl": "n/a",
    "section_hints": "Tuning hints",
    "section_pnl": "PnL % by exit reason",
    "section_drift": "Did we sell too early? Average price change after the exit",
    "section_heatmap": "Regime x exit reason (number of exits; hover for the average PnL %)",
    "section_table": "Exits (newest first)",
    "what_reason": "Exit reasons",
    "what_post_exit": "Post-exit prices",
    "what_regime": "Regimes",
    "what_hints": "Tuning hints (they need exit_reason and post_exit_prices)",
    "what_table": "Exit reason, regime and post-exit prices",
    "no_sells": "No FILLED SELL in the last {days} days.",
    "no_reason_pnl": "No sell with a recorded exit reason and a computable PnL in the last {days} days.",
    "no_drift": "No sell with a recorded exit reason has been tracked after its exit yet.",
    "no_heatmap": "No sell with both a recorded regime and exit reason in the last {days} days.",
    "hints_wait": "Hints need at least {minimum} FILLED SELLs in the look-back: {sells} so far, {more} more needed.",
    "hints_none": "No exit has been tracked long enough for any rule yet.",
    "hints_quiet": "No rule fired.",
    "hints_checked": "Checked, no hint:",
    "malformed": (
        "Skipped malformed post-exit data: {windows} window(s) and {values} whole value(s) that are not an object, "
        "in {sells} sell(s). The other windows of those sells are used."
    ),
    "truncated": "More than {limit:,} sells in the look-back: the oldest are not shown or counted.",
    "axis_pnl": "PnL % (before fees)",
    "axis_drift": "change % after the exit",
    "axis_window": "time after the exit",
    "source_recorded": "bot",
    "source_ledger": "ledger",
    "grid_empty": "No exits in the look-back.",
}
# Per rule key (data.exit_analysis): the advice when it fires and the measure behind it.
HINT_TEXT = {
    "trailing_stop_loosen": "Consider loosening the trailing stop by 0.5 pp.",
    "stop_loss_tight": "The stop loss may be too tight.",
    "take_profit_low": "The take-profit target may be too low.",
    "time_limit_working": "The time limit is working: prices kept falling after these exits.",
    "regime_early_exits": "Review the {subject} regime's exit settings.",
}
HINT_MEASURE = (
    "{subject}: average change {window} after the exit {value} over {sample} tracked sell(s) "
    "(rule: {comparison} {threshold})."
)
HINT_MEASURE_REGIME = (
    "{subject}: {early} of {sample} TRAILING_STOP / TAKE_PROFIT exits tracked to 24 h were early "
    "(price more than +2.00% higher 24 h later): {value} (rule: more than {threshold})."
)
COMPARISONS = {
    "trailing_stop_loosen": "at or above",
    "stop_loss_tight": "at or above",
    "take_profit_low": "at or above",
    "time_limit_working": "at or below",
}

GRID_COLUMNS = [
    {"field": "time", "headerName": "Executed", "width": 205},
    {"field": "symbol", "headerName": "Symbol", "width": 105},
    {"field": "exit_reason", "headerName": "Exit reason", "width": 145},
    {"field": "regime", "headerName": "Regime", "width": 100},
    {"field": "pnl_pct", "headerName": "PnL %", "width": 90, "type": "rightAligned", "cellRenderer": "PnlCell"},
    *(
        {
            "field": f"drift_{w}",
            "headerName": f"+{w} %",
            "width": 90,
            "type": "rightAligned",
            "headerTooltip": f"price change % {w} after the exit",
        }
        for w in WINDOWS
    ),
    {"field": "price", "headerName": "Sell price", "width": 110, "type": "rightAligned"},
    {"field": "entry_avg_price", "headerName": "Entry avg", "width": 110, "type": "rightAligned"},
    {
        "field": "pnl_source",
        "headerName": "Entry from",
        "width": 110,
        "headerTooltip": "bot: signal_info.entry_avg_price; ledger: the dashboard's average-cost ledger",
    },
]


def page(days: int, low: int, high: int, notice: str | None = None) -> html.Div:
    return html.Div(
        [
            html.H1(TEXT["title"], className="page-title"),
            dbc.Row(
                lookback_days(ids.EXITS_DAYS, TEXT["lookback"].format(low=low, high=high), days, low, high),
                className="mb-2",
            ),
            html.Div(alert(notice, "warning", **{"data-exits-notice": "days"}) if notice else None),
            html.Div(id=ids.EXITS_MESSAGE),
            dbc.Row(id=ids.EXITS_KPIS, className="g-3 kpi-row"),
            section(TEXT["section_hints"], html.Div(id=ids.EXITS_HINTS)),
            dbc.Row(
                [
                    dbc.Col(section(TEXT["section_pnl"], html.Div(id=ids.EXITS_PNL)), lg=6),
                    dbc.Col(section(TEXT["section_drift"], html.Div(id=ids.EXITS_DRIFT)), lg=6),
                ]
            ),
            section(TEXT["section_heatmap"], html.Div(id=ids.EXITS_HEATMAP)),
            section(
                TEXT["section_table"],
                html.Div(id=ids.EXITS_GRID_MESSAGE),
                dag.AgGrid(
                    id=ids.EXITS_GRID,
                    columnDefs=GRID_COLUMNS,
                    rowData=[],
                    defaultColDef={"sortable": True, "resizable": True},
                    dashGridOptions={
                        "pagination": True,
                        "paginationPageSize": 50,
                        "paginationPageSizeSelector": False,
                        "localeText": {"noRowsToShow": TEXT["grid_empty"]},
                    },
                    style={"height": "480px"},
                ),
            ),
        ]
    )


def bad_days_notice(value: str, low: int, high: int, default: int) -> str:
    return TEXT["bad_days"].format(value=value, low=low, high=high, default=default)


def not_recorded(what_key: str, panel: str) -> html.Div:
    """What a panel says when this bot version does not write what it shows."""
    return alert(TEXT["not_recorded"].format(what=TEXT[what_key]), "secondary", **{"data-exits-absent": panel})


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
        kpi_card("tracked-24h", TEXT["kpi_tracked"], f"{tracked_24h} / {sells}", note=TEXT["kpi_tracked_note"])
        if tracked_24h is not None
        else kpi_card(
            "tracked-24h", TEXT["kpi_tracked"], "–", note=TEXT["not_recorded"].format(what=TEXT["what_post_exit"])
        )
    )
    return [
        kpi_card("sells", TEXT["kpi_sells"], f"{sells:,}", note=TEXT["kpi_sells_note"].format(days=days)),
        kpi_card(
            "pnl-computable",
            TEXT["kpi_pnl"],
            f"{pnl_computable} / {sells}",
            note=TEXT["kpi_pnl_note"].format(recorded=pnl_recorded, ledger=pnl_ledger),
        ),
        tracked,
        kpi_card(
            "avg-pnl",
            TEXT["kpi_avg_pnl"],
            fmt.pct(avg_pnl_pct) if avg_pnl_pct is not None else TEXT["no_pnl"],
            fmt.pnl_class(avg_pnl_pct),
            note=TEXT["kpi_avg_pnl_note"],
        ),
    ]


def notes(malformed: tuple[int, int, int] | None, truncated_limit: int | None) -> list:
    """(malformed windows, malformed whole values, sells affected) and the row bound, if hit."""
    shown = []
    if malformed and (malformed[0] or malformed[1]):
        windows, values, sells = malformed
        shown.append(
            alert(
                TEXT["malformed"].format(windows=windows, values=values, sells=sells),
                "warning",
                **{"data-exits-note": "malformed"},
            )
        )
    if truncated_limit:
        shown.append(alert(TEXT["truncated"].format(limit=truncated_limit), "info", **{"data-exits-note": "truncated"}))
    return shown


def pnl_chart(by_reason: dict[str, list[float]]) -> dcc.Graph:
    figure = go.Figure()
    for reason, values in by_reason.items():
        figure.add_trace(
            go.Box(
                y=values,
                name=reason,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": REASON_COLOURS.get(reason, charts.NEUTRAL), "size": 5},
                line={"color": REASON_COLOURS.get(reason, charts.NEUTRAL)},
                boxmean=True,
                hovertemplate=f"{reason}: %{{y:+.2f}}%<extra></extra>",
            )
        )
    figure.update_layout(
        **charts.base_layout(height=340, showlegend=False, hovermode="closest", uirevision="exits-pnl")
    )
    figure.update_yaxes(
        title_text=TEXT["axis_pnl"], ticksuffix="%", gridcolor=charts.GRID, zerolinecolor=charts.NEUTRAL
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
                x=[f"+{w}" for w in WINDOWS],
                y=[None if pd.isna(m) else round(float(m), 4) for m in means],
                customdata=counts,
                name=str(reason),
                mode="lines+markers",
                connectgaps=True,  # a window not tracked for any sell of a reason is skipped, not a gap
                line={"color": REASON_COLOURS.get(str(reason), charts.NEUTRAL)},
                hovertemplate=f"{reason} %{{x}}: %{{y:+.2f}}% (n=%{{customdata}})<extra></extra>",
            )
        )
    figure.add_hline(y=0, line={"color": charts.NEUTRAL, "width": 1, "dash": "dot"})
    figure.update_layout(**charts.base_layout(height=340, hovermode="closest", uirevision="exits-drift"))
    figure.update_yaxes(title_text=TEXT["axis_drift"], ticksuffix="%", gridcolor=charts.GRID)
    figure.update_xaxes(title_text=TEXT["axis_window"], type="category")
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
            x=[str(c) for c in counts.columns],
            y=[str(r) for r in counts.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": {"text": "exits"}},
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
        return HINT_MEASURE_REGIME.format(
            subject=hint.subject,
            early=hint.early,
            sample=hint.sample,
            value=f"{hint.value:.1f}%",
            threshold=f"{hint.threshold:.0f}%",
        )
    return HINT_MEASURE.format(
        subject=hint.subject,
        window=hint.window,
        value=fmt.pct(hint.value),
        sample=hint.sample,
        comparison=COMPARISONS[hint.key],
        threshold=fmt.pct(hint.threshold),
    )


def hints(report, minimum: int) -> html.Div:
    """A data.exit_analysis.HintReport: fired hints as alerts with their numbers, then the rules
    checked without a hint, with theirs."""
    if not report.enough:
        return html.Div(
            empty(TEXT["hints_wait"].format(minimum=minimum, sells=report.sells, more=report.more_needed), "hints"),
            **{"data-hints-needed": str(report.more_needed)},
        )
    if not report.hints:
        return html.Div(empty(TEXT["hints_none"], "hints"), **{"data-hints-fired": "0"})
    fired = [
        html.Div(
            dbc.Alert(
                [html.Strong(HINT_TEXT[h.key].format(subject=h.subject)), html.Br(), _hint_measure(h)],
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
            *(fired or [html.P(TEXT["hints_quiet"], className="small")]),
            html.Div(
                [
                    html.Div(TEXT["hints_checked"], className="small text-secondary"),
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
    sources = {"recorded": TEXT["source_recorded"], "ledger": TEXT["source_ledger"]}
    rows = []
    for row in frame.itertuples(index=False):
        pnl = _rounded(row.pnl_pct)
        rows.append(
            {
                "time": fmt.timestamp(row.executed_at, tz),
                "symbol": row.symbol,
                "exit_reason": row.exit_reason or fmt.MISSING,
                "regime": row.regime or fmt.MISSING,
                "price": _price(row.price),
                "entry_avg_price": _price(row.entry_avg_price),
                "pnl_pct": pnl,
                "pnl_sign": 0 if pnl is None else (pnl > 0) - (pnl < 0),
                "pnl_source": sources.get(row.pnl_source, fmt.MISSING),
                **{f"drift_{w}": _rounded(getattr(row, f"drift_{w}")) for w in WINDOWS},
            }
        )
    return rows
