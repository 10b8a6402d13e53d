"""Risk: today's loss and trade-count limits, consecutive losses, cooldown, halt, audit log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from data.risk import EntryOutcome, LimitSource
from i18n import current, t
from layouts import charts, ids
from layouts import format as fmt
from layouts.components import alert, section

STATE_COLOURS = {"RUNNING": "success", "LIMIT REACHED": "warning", "COOLDOWN": "warning", "HALTED": "danger"}
# The catalogue keys of the states (TradingState values): the code stays on screen as the bot
# and the alerts write it (operators search for it); its name and meaning are translated.
STATE_KEYS = {"RUNNING": "running", "LIMIT REACHED": "limit_reached", "COOLDOWN": "cooldown", "HALTED": "halted"}


def page() -> html.Div:
    return html.Div(
        [
            html.H1(t("risk.title"), className="page-title"),
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
                            t("risk.section_gauge"),
                            dcc.Graph(
                                id=ids.RISK_GAUGE,
                                config={"displayModeBar": False, "locale": current().language},
                                style={"height": "260px"},
                            ),
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        section(
                            t("risk.section_limits"),
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
                    dbc.Col(section(t("risk.sources.title"), html.Div(id=ids.RISK_LIMIT_SOURCES)), lg=6),
                    dbc.Col(section(t("risk.entry.title"), html.Div(id=ids.RISK_ENTRY_RULES)), lg=6),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(section(t("risk.guard.title"), html.Div(id=ids.RISK_GUARDRAILS)), lg=8),
                    dbc.Col(section(t("risk.guard.volatility_title"), html.Div(id=ids.RISK_VOLATILITY)), lg=4),
                ]
            ),
            section(
                t("risk.section_daily_pnl"),
                dcc.Graph(
                    id=ids.RISK_DAILY_PNL,
                    config={"displaylogo": False, "locale": current().language},
                    style={"height": "300px"},
                ),
            ),
            section(
                t("risk.section_audit"),
                dcc.Dropdown(
                    id=ids.RISK_AUDIT_TYPES,
                    multi=True,
                    placeholder=t("risk.audit.filter"),
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
            {"field": "time", "headerName": t("risk.audit.time"), "width": 200},
            {"field": "violation_type", "headerName": t("risk.audit.type"), "width": 200},
            {
                "field": "description",
                "headerName": t("risk.audit.description"),
                "flex": 1,
                "wrapText": True,
                "autoHeight": True,
            },
            {"field": "related_order_id", "headerName": t("risk.audit.order"), "width": 140},
        ],
        rowData=[],
        defaultColDef={"sortable": False, "resizable": True},
        dashGridOptions={"localeText": {"noRowsToShow": t("risk.audit.no_rows")}},
        # Columns sized to the container whenever it changes. Laid out wider than its container
        # (a phone), a grid first drawn before its container had a width now and then kept its
        # header cells hidden (axe-core at 390 px: a header row without cells, on a loaded machine).
        columnSize="responsiveSizeToFit",
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
    key = STATE_KEYS[state]
    note = t(f"risk.state.explain.{key}")
    if not has_row:
        note += t("risk.state.no_row", day=today_label)
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("risk.state.title"), className="kpi-title"),
                html.Div(
                    [
                        html.Span(
                            state,
                            className=f"trading-state text-{STATE_COLOURS[state]}",
                            **{"data-trading-state": state},
                        ),
                        html.Span(
                            t(f"risk.state.name.{key}"), className="ms-2 fw-semibold", **{"data-state-name": key}
                        ),
                    ],
                    className="d-flex align-items-baseline flex-wrap",
                ),
                html.Div(note, className="small text-secondary"),
                # The one day rule (data.days): "today" is the bot's UTC day, shown with its span here.
                html.Div(
                    t("risk.state.today", day=today_label),
                    className="small text-secondary mt-1",
                    **{"data-day-rule": "today"},
                ),
            ]
        ),
        className=f"h-100 border-{STATE_COLOURS[state]} state-card",
    )


def warnings(messages: tuple) -> html.Div:
    """The limits reached today (data.risk.RiskAssessment.warnings: i18n.Message), one alert each."""
    if not messages:
        return html.Div(alert(t("risk.no_warnings"), "success"), **{"data-risk-warnings": "0"})
    return html.Div(
        [alert(str(m), "danger", t("risk.warning_title")) for m in messages],
        **{"data-risk-warnings": str(len(messages))},
    )


def loss_gauge(pnl_pct: float, limit_pct: float, pnl_krw: float, limit_krw: float) -> go.Figure:
    """Today's PnL in % of the reference equity on a dial from -2x to +2x the limit: a needle at the value,
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
                "text": t(
                    "risk.gauge_title",
                    pnl=fmt.krw(pnl_krw, signed=True),
                    limit_pct=f"{limit_pct:g}",
                    limit_krw=fmt.krw(-limit_krw),
                ),
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
            hovertemplate=t("risk.daily.hover"),
            name=t("risk.daily.trace"),
        )
    )
    figure.update_layout(**charts.base_layout(height=300, showlegend=False, uirevision="daily-pnl"))
    figure.update_yaxes(tickformat=",.0f", title_text=t("risk.daily.axis_value"), gridcolor=charts.GRID)
    figure.update_xaxes(type="category", title_text=tz_note)
    label = t("risk.daily.limit_line", limit=fmt.krw(-loss_limit_krw))
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
        figure.update_xaxes(title_text=t("risk.daily.limit_far", axis=tz_note, limit=label))
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
        return _fact(key, title, t("risk.guard.unreadable"))
    return limit_progress(key, title, used, limit)


def guardrails(guard, limits, now: datetime) -> html.Div:
    """The bot's AI guardrails (data.guardrail_payload.AiGuardrails) as a person reads them. The call
    budget is per regime in the bot's strategy file (data.risk.RiskLimits.regimes); the bars measure
    the calls against the lowest, where the first regime's entries stop, and each regime is listed."""
    hour_limit, day_limit = limits.ai_calls_per_hour(), limits.ai_calls_per_day()
    budgets = html.Div(
        [
            html.Span(t("risk.guard.budget_by_regime") + " ", className="text-secondary"),
            *[
                html.Span(
                    f"{r.regime} {r.ai_max_calls_per_hour.value}/{r.ai_max_calls_per_day.value} ",
                    className="me-2 text-nowrap",
                    **{"data-ai-budget": r.regime},
                )
                for r in limits.regimes
            ],
        ],
        className="small mb-2",
    )
    block = guard.global_block
    rows = [
        html.Tr(
            [
                html.Td(item.symbol, className="text-nowrap"),
                html.Td(
                    t("risk.guard.cooling", left=fmt.duration(item.cooldown.seconds_left))
                    if item.cooldown.active
                    else t("risk.guard.no_cooldown"),
                    className="text-nowrap",
                    **{"data-guard-cooldown": item.symbol},
                ),
                html.Td(
                    t("risk.guard.unreadable") if item.reject_count is None else str(item.reject_count),
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
                            html.Th(t("risk.guard.symbol")),
                            html.Th(t("risk.guard.cooldown")),
                            html.Th(t("risk.guard.rejects"), className="text-end"),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            size="sm",
            className="mb-0 mt-2 small",
        )
        if rows
        else html.Div(t("risk.guard.no_symbols"), className="small text-secondary")
    )
    return html.Div(
        [
            None if guard.any_key else alert(t("risk.guard.no_keys"), "info", **{"data-guard-note": "no-keys"}),
            *[alert(p, "warning", t("risk.guard.key_problem")) for p in guard.problems],
            _fact(
                "global-block",
                t("risk.guard.global_block"),
                t("risk.guard.blocked", left=fmt.duration(block.seconds_left))
                if block.active
                else t("risk.guard.not_blocked"),
            ),
            _fact(
                "error-streak",
                t("risk.guard.error_streak"),
                t("risk.guard.unreadable") if guard.error_streak is None else str(guard.error_streak),
            ),
            _budget(
                "ai-hour", t("risk.guard.calls_hour", hour=f"{now:%Y-%m-%d %H}:00"), guard.calls_this_hour, hour_limit
            ),
            html.Div(className="mb-2"),
            _budget("ai-day", t("risk.guard.calls_day", day=f"{now:%Y-%m-%d}"), guard.calls_today, day_limit),
            budgets,
            table,
        ]
    )


def volatility(state, tz: ZoneInfo, now: datetime) -> html.Div:
    """coinpilot:volatility_state (data.status_payload.VolatilityState), or why it is not shown."""
    if state is None:
        return html.Div(
            t("risk.guard.volatility_absent"),
            className="small text-secondary",
            **{"data-volatility": "absent"},
        )
    high = state.is_high_volatility
    stamp = state.timestamp
    return html.Div(
        [
            alert(state.problem, "warning", t("risk.guard.volatility_problem")) if state.problem else None,
            _fact(
                "volatility",
                t("risk.guard.current_volatility"),
                fmt.MISSING if state.current_volatility is None else f"{state.current_volatility:.4f}",
            ),
            _fact(
                "high-volatility",
                t("risk.guard.high"),
                fmt.MISSING if high is None else t("risk.guard.yes" if high else "risk.guard.no"),
            ),
            _fact(
                "volatility-time",
                t("risk.guard.as_of"),
                fmt.MISSING
                if stamp is None
                else f"{fmt.timestamp(stamp, tz)} ({fmt.age((now - stamp).total_seconds())})",
            ),
        ],
        **{"data-volatility": "high" if high else "normal"},
    )


# Where a limit came from (data.risk.LimitSource values, catalogue "risk.source.<value>").
SOURCE_COLOURS = {
    "strategy_file": "primary",
    "bot_default": "secondary",
    "bot_code": "dark",
    "dashboard_setting": "warning",
    "environment": "info",
    "redis": "success",
    "forecast": "warning",
    "balance": "secondary",
}
# How a BUY signal would end now (data.risk.EntryOutcome values).
OUTCOME_COLOURS = {"would_buy": "success", "skipped_silently": "warning", "rejected": "danger", "never": "secondary"}


def source_badge(source) -> html.Span:
    return html.Span(
        dbc.Badge(t(f"risk.source.{source.value}"), color=SOURCE_COLOURS.get(source.value, "secondary")),
        **{"data-limit-source": source.value},
    )


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4g}%"


def limit_sources(limits, assessment, redis_problem, tz: ZoneInfo, today_label: str) -> html.Div:
    """Every limit the bot applies, its value in KRW where it has one, and where it came from
    (data.risk.RiskLimits, RiskAssessment)."""
    reference = assessment.reference
    base = reference.value
    notes = []
    strategy = limits.strategy
    if strategy is not None:
        modified = fmt.timestamp(strategy.modified_at, tz) if strategy.modified_at is not None else fmt.MISSING
        notes.append(
            html.Div(
                t("risk.sources.file", path=strategy.path, modified=modified),
                className="small text-secondary mb-2 text-break",
                **{"data-strategy-file": strategy.path},
            )
        )
    else:
        notes.append(html.Div(t("risk.sources.no_file"), className="small text-secondary mb-2"))
    notes += [alert(str(problem), "warning", t("risk.sources.file_problem")) for problem in limits.problems]
    if reference.is_forecast:
        notes.append(
            alert(t("risk.reference.forecast_note", day=today_label), "info", **{"data-reference": "forecast"})
        )
    if reference.problem is not None:
        notes.append(html.Div(str(reference.problem), className="small text-secondary mb-2"))
    if assessment.balance_rule:
        notes.append(alert(t("risk.reference.balance_note"), "info", **{"data-reference": "balance"}))
    base_label = t("risk.sources.balance") if assessment.balance_rule else t("risk.sources.reference")
    losses = limits.max_consecutive_losses
    rows = [
        ("reference", base_label, fmt.krw(base), reference.source, None),
        (
            "daily-loss",
            t("risk.sources.daily_loss"),
            f"{_pct(limits.max_daily_loss.value)} · {fmt.krw(-assessment.daily_loss_limit_krw)}",
            limits.max_daily_loss.source,
            None,
        ),
        (
            "daily-trades",
            t("risk.sources.daily_trades_buys" if assessment.counts_buys else "risk.sources.daily_trades"),
            str(limits.max_daily_trades.value),
            limits.max_daily_trades.source,
            None,
        ),
        (
            "cooldown",
            t("risk.sources.cooldown"),
            t("risk.sources.cooldown_value", losses=losses.value, hours=f"{limits.cooldown_hours.value:g}"),
            losses.source if losses.note is None else limits.cooldown_hours.source,
            losses.note,
        ),
        (
            "per-order",
            t("risk.sources.per_order"),
            f"{_pct(limits.max_position_size.value)} · {fmt.krw(base * limits.max_position_size.value)}",
            limits.max_position_size.source,
            t("risk.sources.per_order_note"),
        ),
        (
            "exposure",
            t("risk.sources.exposure"),
            f"{_pct(limits.max_total_exposure.value)} · {fmt.krw(base * limits.max_total_exposure.value)}",
            limits.max_total_exposure.source,
            None,
        ),
        (
            "positions",
            t("risk.sources.positions"),
            str(limits.max_concurrent_positions.value),
            limits.max_concurrent_positions.source,
            None,
        ),
        (
            "duplicates",
            t("risk.sources.duplicates"),
            t("risk.sources.allowed" if limits.allow_same_coin_duplicate.value else "risk.sources.not_allowed"),
            limits.allow_same_coin_duplicate.source,
            None,
        ),
        (
            "fee-buffer",
            t("risk.sources.fee_buffer"),
            _pct(limits.fee_buffer.value),
            limits.fee_buffer.source,
            None,
        ),
    ]
    if redis_problem is not None:
        notes.append(alert(str(redis_problem), "warning", t("risk.sources.redis_problem")))
    # One row per limit that wraps on a phone (value and source under the name), not a table that
    # would need a sideways scroll at 390 px.
    listing = html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [html.Div(label), html.Div(str(note), className="small text-secondary") if note else None],
                        className="me-2",
                    ),
                    html.Div(
                        [
                            html.Span(value, className="num fw-semibold me-2", **{"data-limit-value": key}),
                            source_badge(source),
                        ],
                        className="ms-auto text-end text-nowrap",
                    ),
                ],
                className="d-flex flex-wrap align-items-baseline justify-content-between py-1 border-bottom",
                **{"data-limit-row": key},
            )
            for key, label, value, source, note in rows
        ],
        className="small mb-2 limit-sources",
    )
    return html.Div([*notes, listing, html.Div(t("risk.sources.pnl_note"), className="small text-secondary")])


def entry_rules(entries) -> html.Div:
    """What the bot does with a BUY signal now, per regime (data.risk.EntryRules)."""
    if entries.reference.source is LimitSource.BALANCE:
        return html.Div(t("risk.entry.not_modelled"), className="small text-secondary", **{"data-entry-rules": "none"})
    high = entries.high_volatility
    facts = [
        _fact(
            "cash",
            t("risk.entry.cash"),
            t("risk.entry.cash_value", cash=fmt.krw(entries.cash_krw), cap=fmt.krw(entries.cash_cap_krw)),
        ),
        _fact(
            "exposure",
            t("risk.entry.exposure"),
            t(
                "risk.entry.exposure_value",
                used=fmt.krw(entries.exposure_krw),
                limit=fmt.krw(entries.max_exposure_krw),
                room=fmt.krw(max(entries.exposure_room_krw, 0.0)),
            ),
        ),
        _fact(
            "open-positions",
            t("risk.entry.open_positions"),
            f"{entries.open_positions} / {entries.limits.max_concurrent_positions.value}",
        ),
        _fact(
            "per-order-cap",
            t("risk.entry.per_order_cap"),
            t(
                "risk.entry.per_order_value",
                cap=fmt.krw(entries.per_order_cap_krw),
                volatility=t(
                    "risk.entry.volatility_high"
                    if high
                    else "risk.entry.volatility_normal"
                    if high is False
                    else "risk.entry.volatility_unknown"
                ),
            ),
        ),
    ]
    gate = (
        alert(t("risk.entry.gate", why=str(entries.daily_gate)), "danger", **{"data-entry-gate": "closed"})
        if entries.daily_gate is not None
        else None
    )
    rows = html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            dbc.Badge(sizing.regime, color="secondary", className="me-2"),
                            html.Span(
                                t(
                                    "risk.entry.target_value",
                                    ratio=f"{sizing.ratio.value:g}",
                                    target=fmt.krw(sizing.target_krw),
                                ),
                                className="text-secondary",
                                title=t("risk.entry.ratio_title"),
                            ),
                        ],
                        className="me-2",
                    ),
                    html.Div(
                        [
                            dbc.Badge(
                                t(f"risk.entry.outcome.{sizing.outcome.value}"),
                                color=OUTCOME_COLOURS.get(sizing.outcome.value, "secondary"),
                                className="me-1",
                            ),
                            html.Span(
                                fmt.krw(sizing.order_krw)
                                if sizing.outcome is EntryOutcome.WOULD_BUY
                                else (str(sizing.reason) if sizing.reason is not None else ""),
                            ),
                        ],
                        className="ms-auto text-end",
                        **{"data-entry-outcome": sizing.outcome.value},
                    ),
                ],
                className="d-flex flex-wrap align-items-baseline justify-content-between py-1 border-bottom",
                **{"data-entry-regime": sizing.regime},
            )
            for sizing in entries.by_regime
        ],
        className="small mb-2 entry-rules",
    )
    return html.Div(
        [gate, *facts, rows, html.Div(t("risk.entry.how"), className="small text-secondary")],
        **{"data-entry-rules": "v3"},
    )
