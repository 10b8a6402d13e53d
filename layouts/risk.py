"""Risk: today's loss and trade-count limits, consecutive losses, cooldown, halt, audit log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from layouts import charts, ids
from layouts import format as fmt
from layouts.components import alert, section

STATE_COLOURS = {"RUNNING": "success", "LIMIT REACHED": "warning", "COOLDOWN": "warning", "HALTED": "danger"}
STATE_EXPLANATIONS = {
    "RUNNING": "The bot may open new positions.",
    "LIMIT REACHED": "Daily trade limit reached: no new entries until the next UTC day; exits still run.",
    "COOLDOWN": "Consecutive losses: no new positions until the cooldown ends.",
    "HALTED": "Trading halted for today (daily loss limit or a manual halt).",
}

# The AI guardrail and volatility sections' words, in one place for the coming catalogues.
TEXT = {
    "guard_title": "AI guardrails",
    "volatility_title": "Volatility",
    "not_recorded": "not recorded by this CoinPilot version",
    "no_keys": "No AI guardrail keys: not recorded by this CoinPilot version, or nothing set.",
    "global_block": "Global AI block",
    "blocked": "Blocked: {left} left",
    "not_blocked": "Not blocked",
    "error_streak": "AI error streak",
    "calls_hour": "AI calls this hour ({hour} UTC)",
    "calls_day": "AI calls today ({day} UTC)",
    "unreadable": "unreadable (see the warning)",
    "symbol": "Symbol",
    "cooldown": "AI cooldown",
    "rejects": "AI rejects (30 min)",
    "cooling": "{left} left",
    "no_cooldown": "none",
    "no_symbols": "No symbols known: per-symbol cooldowns cannot be listed.",
    "key_problem": "Unreadable key",
    "current_volatility": "Current volatility",
    "high": "High volatility",
    "yes": "yes",
    "no": "no",
    "as_of": "As of",
    "volatility_problem": "Volatility state",
}


def page() -> html.Div:
    return html.Div(
        [
            html.H1("Risk", className="page-title"),
            html.Div(id=ids.RISK_MESSAGE),
            dbc.Row(
                [
                    dbc.Col(html.Div(id=ids.RISK_STATE), lg=4, className="mb-3"),
                    dbc.Col(html.Div(id=ids.RISK_WARNINGS), lg=8, className="mb-3"),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        section(
                            "Today's PnL vs. daily loss limit",
                            dcc.Graph(id=ids.RISK_GAUGE, config={"displayModeBar": False}, style={"height": "260px"}),
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        section(
                            "Today's limits",
                            html.Div(id=ids.RISK_TRADES, className="mb-3"),
                            html.Div(id=ids.RISK_LOSSES, className="mb-3"),
                            html.Div(id=ids.RISK_COOLDOWN),
                            dcc.Store(id=ids.RISK_COOLDOWN_UNTIL),
                            dcc.Interval(id=ids.RISK_CLOCK, interval=1000),
                        ),
                        lg=8,
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(section(TEXT["guard_title"], html.Div(id=ids.RISK_GUARDRAILS)), lg=8),
                    dbc.Col(section(TEXT["volatility_title"], html.Div(id=ids.RISK_VOLATILITY)), lg=4),
                ]
            ),
            section(
                "Daily PnL, last 30 days (UTC days, as the bot counts them)",
                dcc.Graph(id=ids.RISK_DAILY_PNL, config={"displaylogo": False}, style={"height": "300px"}),
            ),
            section(
                "Risk audit log (newest first)",
                dcc.Dropdown(
                    id=ids.RISK_AUDIT_TYPES,
                    multi=True,
                    placeholder="All violation types",
                    className="mb-2 audit-filter",
                ),
                html.Div(id=ids.RISK_AUDIT_MESSAGE),
                audit_grid(ids.RISK_AUDIT_GRID),
            ),
        ]
    )


def audit_grid(grid_id: str, height: int = 360) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[
            {"field": "time", "headerName": "Time", "width": 200},
            {"field": "violation_type", "headerName": "Type", "width": 200},
            {"field": "description", "headerName": "Description", "flex": 1, "wrapText": True, "autoHeight": True},
            {"field": "related_order_id", "headerName": "Order", "width": 140},
        ],
        rowData=[],
        defaultColDef={"sortable": False, "resizable": True},
        dashGridOptions={"localeText": {"noRowsToShow": "No risk-audit events."}},
        style={"height": f"{height}px"},
    )


def audit_rows(audit: pd.DataFrame, tz: ZoneInfo) -> list[dict]:
    return [
        {
            "time": fmt.timestamp(row.timestamp, tz),
            "violation_type": row.violation_type,
            # The bot writes clock times in UTC ("cooldown until 10:23 UTC"); the table is in `tz`.
            "description": fmt.utc_times_in_text(row.description or "", row.timestamp, tz),
            "related_order_id": (str(row.related_order_id)[:8] + "…") if isinstance(row.related_order_id, str) else "",
        }
        for row in audit.itertuples(index=False)
    ]


def state_card(state: str, has_row: bool, today_label: str) -> dbc.Card:
    note = STATE_EXPLANATIONS[state]
    if not has_row:
        note += f" No daily_risk_state row for {today_label} yet: the bot has not traded today."
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div("Trading state", className="kpi-title"),
                html.Div(
                    state, className=f"trading-state text-{STATE_COLOURS[state]}", **{"data-trading-state": state}
                ),
                html.Div(note, className="small text-secondary"),
                # The one day rule (data.days): "today" is the bot's UTC day, shown with its span here.
                html.Div(f"Today: {today_label}", className="small text-secondary mt-1", **{"data-day-rule": "today"}),
            ]
        ),
        className=f"h-100 border-{STATE_COLOURS[state]} state-card",
    )


def warnings(messages: tuple[str, ...]) -> html.Div:
    if not messages:
        return html.Div(alert("No risk limit reached today.", "success"), **{"data-risk-warnings": "0"})
    return html.Div(
        [alert(m, "danger", "Limit reached") for m in messages], **{"data-risk-warnings": str(len(messages))}
    )


def loss_gauge(pnl_pct: float, limit_pct: float, pnl_krw: float, limit_krw: float) -> go.Figure:
    """Today's PnL in % of balance on a dial from -2x to +2x the limit: a needle at the value,
    the red zone beyond the limit, the limit itself as a red line."""
    span = max(limit_pct * 2.0, abs(pnl_pct) * 1.1, 1.0)
    needle = span / 90.0
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(pnl_pct, 2),
            number={
                "suffix": "%",
                "valueformat": "+.2f",
                "font": {"size": 34, "color": charts.gain() if pnl_pct >= 0 else charts.loss()},
            },
            gauge={
                "axis": {
                    "range": [-span, span],
                    "tickvals": [-span, -limit_pct, 0, limit_pct, span],
                    "ticktext": [f"{v:+.4g}%" for v in (-span, -limit_pct, 0, limit_pct, span)],
                },
                "bar": {"color": "rgba(0,0,0,0)", "thickness": 0},
                "steps": [
                    {"range": [-span, -limit_pct], "color": "rgba(239,68,68,0.45)"},
                    {"range": [-limit_pct, 0], "color": "rgba(245,158,11,0.18)"},
                    {"range": [0, span], "color": "rgba(34,197,94,0.18)"},
                    {"range": [pnl_pct - needle, pnl_pct + needle], "color": "#f8fafc"},
                ],
                "threshold": {"line": {"color": charts.loss(), "width": 4}, "thickness": 1.0, "value": -limit_pct},
            },
            title={
                "text": f"{fmt.krw(pnl_krw, signed=True)} today · limit -{limit_pct:g}% ({fmt.krw(-limit_krw)})",
                "font": {"size": 12},
            },
        )
    )
    figure.update_layout(**charts.base_layout(height=250, margin={"l": 48, "r": 48, "t": 56, "b": 8}))
    return figure


def limit_progress(key: str, title: str, current: int, limit: int, note: str | None = None) -> html.Div:
    reached = current >= limit
    ratio = min(current / limit, 1.0) if limit else 1.0
    colour = "danger" if reached else "warning" if ratio >= 0.7 else "success"
    return html.Div(
        [
            html.Div(
                [
                    html.Span(title),
                    html.Span(f"{current} / {limit}", className="fw-semibold text-nowrap ms-2", **{"data-limit": key}),
                ],
                className="d-flex justify-content-between small mb-1",
            ),
            dbc.Progress(value=ratio * 100, color=colour, style={"height": "10px"}),
            html.Div(note, className="small text-secondary mt-1") if note else None,
        ]
    )


def daily_pnl_figure(days: list, loss_limit_krw: float, tz_note: str) -> go.Figure:
    dates = [d.date.isoformat() for d in days]
    values = [d.total_pnl for d in days]
    figure = go.Figure(
        go.Bar(
            x=dates,
            y=values,
            marker={"color": [charts.gain() if v >= 0 else charts.loss() for v in values]},
            hovertemplate="%{x}: %{y:,.0f} KRW<extra></extra>",
            name="Daily PnL",
        )
    )
    figure.update_layout(**charts.base_layout(height=300, showlegend=False, uirevision="daily-pnl"))
    figure.update_yaxes(tickformat=",.0f", title_text="KRW", gridcolor=charts.GRID)
    figure.update_xaxes(type="category", title_text=tz_note)
    label = f"today's loss limit {fmt.krw(-loss_limit_krw)}"
    lowest = min(values + [0.0])
    if loss_limit_krw > 0 and -loss_limit_krw >= lowest * 3:
        figure.add_hline(
            y=-loss_limit_krw,
            line={"color": charts.loss(), "dash": "dash", "width": 1},
            annotation_text=label,
            annotation_position="bottom left",
        )
    elif loss_limit_krw > 0:
        # Far below every bar: drawing it would flatten the bars, so it is named instead.
        figure.update_xaxes(title_text=f"{tz_note} · {label} (far below these bars)")
    return figure


def _fact(key: str, title: str, value: str) -> html.Div:
    return html.Div(
        [
            html.Span(title, className="text-nowrap"),
            html.Span(value, className="fw-semibold text-end ms-2", **{"data-guard": key}),
        ],
        className="d-flex justify-content-between small mb-2",
    )


def _budget(key: str, title: str, used: int | None, limit: int) -> html.Div:
    if used is None:
        return _fact(key, title, TEXT["unreadable"])
    return limit_progress(key, title, used, limit)


def guardrails(guard, hour_limit: int, day_limit: int, now: datetime) -> html.Div:
    """The bot's AI guardrails (data.guardrail_payload.AiGuardrails) as a person reads them."""
    block = guard.global_block
    rows = [
        html.Tr(
            [
                html.Td(item.symbol, className="text-nowrap"),
                html.Td(
                    TEXT["cooling"].format(left=fmt.duration(item.cooldown.seconds_left))
                    if item.cooldown.active
                    else TEXT["no_cooldown"],
                    className="text-nowrap",
                    **{"data-guard-cooldown": item.symbol},
                ),
                html.Td(
                    TEXT["unreadable"] if item.reject_count is None else str(item.reject_count),
                    className="text-end",
                    **{"data-guard-rejects": item.symbol},
                ),
            ]
        )
        for item in guard.symbols
    ]
    table = (
        dbc.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(TEXT["symbol"]),
                            html.Th(TEXT["cooldown"]),
                            html.Th(TEXT["rejects"], className="text-end"),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            size="sm",
            className="mb-0 mt-2 small",
        )
        if rows
        else html.Div(TEXT["no_symbols"], className="small text-secondary")
    )
    return html.Div(
        [
            None if guard.any_key else alert(TEXT["no_keys"], "info", **{"data-guard-note": "no-keys"}),
            *[alert(p, "warning", TEXT["key_problem"]) for p in guard.problems],
            _fact(
                "global-block",
                TEXT["global_block"],
                TEXT["blocked"].format(left=fmt.duration(block.seconds_left)) if block.active else TEXT["not_blocked"],
            ),
            _fact(
                "error-streak",
                TEXT["error_streak"],
                TEXT["unreadable"] if guard.error_streak is None else str(guard.error_streak),
            ),
            _budget(
                "ai-hour", TEXT["calls_hour"].format(hour=f"{now:%Y-%m-%d %H}:00"), guard.calls_this_hour, hour_limit
            ),
            html.Div(className="mb-2"),
            _budget("ai-day", TEXT["calls_day"].format(day=f"{now:%Y-%m-%d}"), guard.calls_today, day_limit),
            table,
        ]
    )


def volatility(state, tz: ZoneInfo, now: datetime) -> html.Div:
    """coinpilot:volatility_state (data.status_payload.VolatilityState), or why it is not shown."""
    if state is None:
        return html.Div(
            f"{TEXT['volatility_title']}: {TEXT['not_recorded']}.",
            className="small text-secondary",
            **{"data-volatility": "absent"},
        )
    high = state.is_high_volatility
    stamp = state.timestamp
    return html.Div(
        [
            alert(state.problem, "warning", TEXT["volatility_problem"]) if state.problem else None,
            _fact(
                "volatility",
                TEXT["current_volatility"],
                fmt.MISSING if state.current_volatility is None else f"{state.current_volatility:.4f}",
            ),
            _fact("high-volatility", TEXT["high"], fmt.MISSING if high is None else TEXT["yes" if high else "no"]),
            _fact(
                "volatility-time",
                TEXT["as_of"],
                fmt.MISSING
                if stamp is None
                else f"{fmt.timestamp(stamp, tz)} ({fmt.age((now - stamp).total_seconds())})",
            ),
        ],
        **{"data-volatility": "high" if high else "normal"},
    )
