"""AI: the reviewer's decisions, whether they were right, and what the LLM calls cost."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from i18n import t
from layouts import charts, ids, risk
from layouts import format as fmt
from layouts.codes import known_label
from layouts.components import alert, kpi_card, lookback_days, section

DAYS_MIN, DAYS_MAX, DEFAULT_DAYS = 1, 30, 7
USAGE_BUCKETS = ("day", "hour")
DEFAULT_BUCKET = "day"
DECISION_COLOURS = {"CONFIRM": charts.OK, "REJECT": charts.DANGER, "SAFE": charts.ACCENT, "WARNING": charts.AMBER}

# Table columns (data.ai_outcomes / data.llm_costs fields); their headers are ai.col.<name>.
OUTCOME_COLUMNS = (
    "group",
    "decision",
    "decisions",
    "pending",
    "scored",
    "right",
    "hit_rate_pct",
    "hit_rate_1h_pct",
    "hit_rate_24h_pct",
    "avg_move_4h_pct",
)
USAGE_COLUMNS = (
    "group",
    "calls",
    "errors",
    "error_rate_pct",
    "total_tokens",
    "cost_usd",
    "latency_p50_ms",
    "latency_p95_ms",
)


def _label(prefix: str, code) -> str:
    """A code's label from the catalogue; a code this version does not know shows as it is."""
    return known_label(prefix, code)


def decision_label(code) -> str:
    return _label("ai.decision", code)


def group_label(key: str, group) -> str:
    """A row's group as shown: the 'all' and '(none)' rows in words, regimes labelled, the rest
    (models, routes, features) as the bot recorded them."""
    if group == "all":
        return t("ai.group_all")
    if group == "(none)":
        return t("ai.group_none")
    return _label("ai.regime", group) if key == "regime" else str(group)


def page(days: int = DEFAULT_DAYS) -> html.Div:
    return html.Div(
        [
            html.H1(t("ai.title"), className="page-title"),
            dbc.Row(
                [
                    lookback_days(
                        ids.AI_DAYS, t("ai.days_label", low=DAYS_MIN, high=DAYS_MAX), days, DAYS_MIN, DAYS_MAX
                    ),
                    dbc.Col(html.Div(t("ai.days_note"), className="small text-secondary"), className="align-self-end"),
                ],
                className="mb-3",
            ),
            html.Div(id=ids.AI_MESSAGE),
            section(
                t("ai.decisions"),
                html.Div(id=ids.AI_DECISIONS_NOTE),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Div(t("ai.per_day"), className="small text-secondary"),
                                dcc.Graph(id=ids.AI_DECISIONS_DAILY, config={"displayModeBar": False}),
                            ],
                            lg=6,
                        ),
                        dbc.Col(
                            [
                                html.Div(t("ai.confidence"), className="small text-secondary"),
                                dcc.Graph(id=ids.AI_CONFIDENCE, config={"displayModeBar": False}),
                            ],
                            lg=6,
                        ),
                    ]
                ),
                html.Div(t("ai.per_model"), className="small text-secondary mt-2"),
                html.Div(id=ids.AI_MODELS),
            ),
            section(
                t("ai.outcomes"),
                html.Div(t("ai.outcomes_note"), className="small text-secondary mb-2"),
                html.Div(id=ids.AI_OUTCOMES),
            ),
            section(
                t("ai.usage"),
                html.Div(id=ids.AI_USAGE_KPIS),
                html.Div(
                    [
                        dbc.Label(t("ai.bucket_label"), className="small mb-0 me-2"),
                        dbc.RadioItems(
                            id=ids.AI_USAGE_BUCKET,
                            options=[{"label": t(f"ai.bucket.{b}"), "value": b} for b in USAGE_BUCKETS],
                            value=DEFAULT_BUCKET,
                            inline=True,
                            className="small",
                        ),
                    ],
                    className="d-flex align-items-center",
                ),
                dcc.Graph(id=ids.AI_USAGE_CHART, config={"displayModeBar": False}),
                html.Div(id=ids.AI_USAGE_TABLES),
            ),
            dbc.Row(
                [
                    dbc.Col(
                        section(
                            t("ai.reconciliation"),
                            html.Div(t("ai.reconciliation_note"), className="small text-secondary mb-2"),
                            html.Div(id=ids.AI_RECONCILIATION),
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            section(t("ai.credit"), html.Div(id=ids.AI_CREDIT)),
                            section(t("ai.budget.title"), html.Div(id=ids.AI_BUDGET)),
                        ],
                        lg=4,
                    ),
                ]
            ),
        ]
    )


# -- formatting ------------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def usd(value) -> str:
    """US dollars with 4 decimals: LLM calls cost fractions of a cent."""
    return fmt.MISSING if _missing(value) else f"${value:,.4f}" if value >= 0 else f"-${-value:,.4f}"


def signed_usd(value) -> str:
    return fmt.MISSING if _missing(value) else ("+" if value >= 0 else "-") + f"${abs(value):,.4f}"


def milliseconds(value) -> str:
    return fmt.MISSING if _missing(value) else t("ai.ms", value=f"{value:,.0f}")


def count(value) -> str:
    return fmt.MISSING if _missing(value) else f"{int(value):,}"


def not_recorded(what: str) -> html.Div:
    """what: a key of ai.what (price, regime, usage, bills, credit)."""
    return alert(t("ai.not_recorded", what=t(f"ai.what.{what}")), "secondary", **{"data-not-recorded": what})


def empty(message: str, key: str) -> html.Div:
    return alert(message, "info", **{"data-empty": key})


def capped(limit: int, what: str) -> html.Div:
    """what: decisions or calls."""
    return alert(t(f"ai.capped_{what}", limit=f"{limit:,}"), "warning")


# -- decisions -------------------------------------------------------------------------------


def _bar_figure(table: pd.DataFrame, x_labels: list[str], height: int = 260) -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(
                x=x_labels,
                y=[int(v) for v in table[decision]],
                name=decision_label(decision),
                marker={"color": DECISION_COLOURS.get(decision, charts.NEUTRAL)},
            )
            for decision in table.columns
        ]
    )
    figure.update_layout(**charts.base_layout(height=height, barmode="stack", hovermode="x"))
    figure.update_xaxes(type="category")
    figure.update_yaxes(gridcolor=charts.GRID)
    return figure


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    known = [d for d in DECISION_COLOURS if d in table.columns]
    return table[known + [c for c in table.columns if c not in known]]


def daily_figure(per_day: pd.DataFrame) -> go.Figure:
    table = _ordered(per_day)
    return _bar_figure(table, [str(day) for day in table.index])


def confidence_figure(bands: pd.DataFrame) -> go.Figure:
    table = _ordered(bands)
    labels = [f"{b}-{b + 9}" if b < 90 else "90-100" for b in table.index]
    figure = _bar_figure(table, labels)
    figure.update_xaxes(title_text=t("ai.confidence_axis"))
    return figure


def model_table(models: pd.DataFrame) -> dbc.Table:
    decisions = list(_ordered(models.drop(columns=["total", "avg_confidence"])).columns)
    header = html.Thead(
        html.Tr(
            [html.Th(t("ai.col.model"))]
            + [html.Th(decision_label(d), className="text-end") for d in decisions]
            + [html.Th(t(f"ai.col.{c}"), className="text-end") for c in ("total", "avg_confidence")]
        )
    )
    rows = [
        html.Tr(
            [html.Td(model)]
            + [html.Td(count(row[d]), className="text-end num", **{"data-col": d}) for d in decisions]
            + [
                html.Td(count(row["total"]), className="text-end num", **{"data-col": "total"}),
                html.Td(
                    fmt.MISSING if _missing(row["avg_confidence"]) else f"{row['avg_confidence']:.1f}",
                    className="text-end num",
                    **{"data-col": "avg_confidence"},
                ),
            ],
            **{"data-model": str(model)},
        )
        for model, row in models.iterrows()
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 ai-table")


# -- outcomes --------------------------------------------------------------------------------


def _outcome_cell(key: str, row: dict) -> str:
    value = row[key]
    if key == "decision":
        return decision_label(value)
    if key.startswith("hit_rate"):
        if row["decision"] not in ("CONFIRM", "REJECT"):
            return t("ai.not_scored")
        return fmt.pct(value, signed=False)
    if key == "avg_move_4h_pct":
        return fmt.pct(value)
    return count(value)


def outcome_table(summary: pd.DataFrame, key: str) -> dbc.Table:
    """key: all, regime or model (the group column's header and the rows' data-outcome)."""
    header = html.Thead(
        html.Tr(
            [
                html.Th(
                    _group_header(key) if name == "group" else t(f"ai.col.{name}"),
                    className="" if i < 2 else "text-end",
                )
                for i, name in enumerate(OUTCOME_COLUMNS)
            ]
        )
    )
    rows = []
    for row in summary.to_dict("records"):
        cells = [
            html.Td(
                group_label(key, row["group"]) if name == "group" else _outcome_cell(name, row),
                className="" if i < 2 else "text-end num",
                **{"data-col": name},
            )
            for i, name in enumerate(OUTCOME_COLUMNS)
        ]
        rows.append(html.Tr(cells, **{"data-outcome": f"{key}:{row['group']}:{row['decision']}"}))
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-3 ai-table")


def outcomes(overall: pd.DataFrame, by_regime: pd.DataFrame | None, by_model: pd.DataFrame, notes: list) -> list:
    parts = list(notes)
    parts += [html.H6(t("ai.overall"), className="mt-1"), outcome_table(overall, "all")]
    if by_regime is not None:
        parts += [html.H6(t("ai.by_regime")), outcome_table(by_regime, "regime")]
    parts += [html.H6(t("ai.by_model")), outcome_table(by_model, "model")]
    return parts


# -- usage and cost --------------------------------------------------------------------------


def _group_header(key: str) -> str:
    return "" if key == "all" else t(f"ai.col.{key}")


def usage_kpis(total: pd.DataFrame) -> dbc.Row:
    row = total.iloc[0].to_dict()
    return dbc.Row(
        [
            kpi_card("llm-calls", t("ai.kpi.calls"), count(row["calls"])),
            kpi_card("llm-tokens", t("ai.kpi.tokens"), count(row["total_tokens"])),
            kpi_card("llm-cost", t("ai.kpi.cost"), usd(row["cost_usd"])),
            kpi_card("llm-error-rate", t("ai.kpi.error_rate"), fmt.pct(row["error_rate_pct"], signed=False)),
            kpi_card("llm-latency-p50", t("ai.kpi.latency_p50"), milliseconds(row["latency_p50_ms"])),
            kpi_card("llm-latency-p95", t("ai.kpi.latency_p95"), milliseconds(row["latency_p95_ms"])),
        ]
    )


def usage_figure(over_time: pd.DataFrame, bucket: str) -> go.Figure:
    labels = [str(label) for label in over_time.index]
    figure = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[int(v) for v in over_time["calls"]],
                name=t("ai.trace.calls"),
                marker={"color": charts.ACCENT},
            ),
            go.Bar(
                x=labels,
                y=[int(v) for v in over_time["errors"]],
                name=t("ai.trace.errors"),
                marker={"color": charts.DANGER},
            ),
            go.Scatter(
                x=labels,
                y=[float(v) for v in over_time["cost_usd"]],
                name=t("ai.trace.cost"),
                yaxis="y2",
                mode="lines+markers",
                line={"color": charts.AMBER},
            ),
        ]
    )
    figure.update_layout(
        **charts.base_layout(height=280, barmode="group", hovermode="x unified"),
        yaxis={"title": {"text": t("ai.axis.calls_per", bucket=t(f"ai.bucket.{bucket}"))}, "gridcolor": charts.GRID},
        yaxis2={"title": {"text": "USD"}, "overlaying": "y", "side": "right", "showgrid": False},
    )
    figure.update_xaxes(type="category")
    return figure


def _usage_cell(key: str, value) -> str:
    if key == "error_rate_pct":
        return fmt.pct(value, signed=False)
    if key == "cost_usd":
        return usd(value)
    if key.startswith("latency"):
        return milliseconds(value)
    return count(value)


def usage_table(summary: pd.DataFrame, key: str) -> html.Div:
    """key: route, feature or model."""
    header = html.Thead(
        html.Tr(
            [
                html.Th(
                    _group_header(key) if name == "group" else t(f"ai.col.{name}"),
                    className="" if i == 0 else "text-end",
                )
                for i, name in enumerate(USAGE_COLUMNS)
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(
                    group_label(key, row[name]) if name == "group" else _usage_cell(name, row[name]),
                    className="" if i == 0 else "text-end num",
                    **{"data-col": name},
                )
                for i, name in enumerate(USAGE_COLUMNS)
            ],
            **{"data-usage": f"{key}:{row['group']}"},
        )
        for row in summary.to_dict("records")
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-3 ai-table")


def usage_tables(by_route: pd.DataFrame, by_feature: pd.DataFrame, by_model: pd.DataFrame) -> list:
    return [
        html.H6(t("ai.by_route"), className="mt-2"),
        usage_table(by_route, "route"),
        html.H6(t("ai.by_feature")),
        usage_table(by_feature, "feature"),
        html.H6(t("ai.by_model")),
        usage_table(by_model, "model"),
    ]


def reconciliation_table(bills: pd.DataFrame, tz: ZoneInfo) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [html.Th(t("ai.col.provider")), html.Th(t("ai.col.window"))]
            + [
                html.Th(t(f"ai.col.{name}"), className="text-end")
                for name in ("billed", "ledger", "difference", "difference_pct")
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(row["provider"]),
                html.Td(
                    f"{fmt.timestamp(row['window_start'], tz, seconds=False)} → "
                    f"{fmt.timestamp(row['window_end'], tz, seconds=False)}"
                ),
                html.Td(usd(row["billed_usd"]), className="text-end num", **{"data-col": "billed"}),
                html.Td(usd(row["ledger_usd"]), className="text-end num", **{"data-col": "ledger"}),
                html.Td(signed_usd(row["difference_usd"]), className="text-end num", **{"data-col": "difference"}),
                html.Td(fmt.pct(row["difference_pct"]), className="text-end num", **{"data-col": "difference_pct"}),
            ],
            **{"data-bill": str(i)},
        )
        for i, row in enumerate(bills.to_dict("records"))
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 ai-table")


def credit_list(credits: pd.DataFrame, tz: ZoneInfo) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(row["provider"] or t("ai.unknown_provider"), className="kpi-title"),
                    html.Div(
                        fmt.MISSING
                        if _missing(row["balance_usd"])
                        else usd(row["balance_usd"])
                        if (row["balance_unit"] or "USD").upper() == "USD"
                        else f"{row['balance_usd']:,.4f} {row['balance_unit']}",
                        className="kpi-value",
                        **{"data-credit": row["provider"] or "(unknown)"},
                    ),
                    html.Div(t("ai.as_of", time=fmt.timestamp(row["created_at"], tz)), className="kpi-note"),
                ],
                className="mb-2",
            )
            for row in credits.to_dict("records")
        ]
    )


def budget(guard, limits, now) -> html.Div:
    """The bot's AI call budget now (data.guardrail_payload.AiGuardrails against the regimes' limits of
    data.risk.RiskLimits), the same reading as the Risk page's guardrails."""
    hour, day = limits.ai_calls_per_hour(), limits.ai_calls_per_day()
    rows = [
        risk.limit_progress("ai-hour", t("ai.budget.hour", hour=f"{now:%H}:00"), guard.calls_this_hour, hour)
        if guard.calls_this_hour is not None
        else html.Div(t("risk.guard.unreadable"), className="small"),
        html.Div(className="mb-2"),
        risk.limit_progress("ai-day", t("ai.budget.day"), guard.calls_today, day)
        if guard.calls_today is not None
        else html.Div(t("risk.guard.unreadable"), className="small"),
    ]
    per_regime = ", ".join(
        f"{r.regime} {r.ai_max_calls_per_hour.value}/{r.ai_max_calls_per_day.value}" for r in limits.regimes
    )
    return html.Div(
        [*rows, html.Div(t("ai.budget.note", regimes=per_regime), className="small text-secondary mt-2")],
        **{"data-ai-budget-panel": "ok"},
    )
