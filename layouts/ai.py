"""AI: the reviewer's decisions, whether they were right, and what the LLM calls cost."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from layouts import charts, ids
from layouts import format as fmt
from layouts.components import alert, kpi_card, lookback_days, section

DAYS_MIN, DAYS_MAX, DEFAULT_DAYS = 1, 30, 7
USAGE_BUCKETS = ("day", "hour")
DEFAULT_BUCKET = "day"
DECISION_COLOURS = {"CONFIRM": charts.OK, "REJECT": charts.DANGER, "SAFE": charts.ACCENT, "WARNING": charts.AMBER}

# Every word this page shows, in one place (a later issue moves them into ko/en catalogues).
TEXT = {
    "title": "AI",
    "days_label": "Look-back (days, 1-30)",
    "days_note": "Decisions and LLM calls made in the last N days; days in the display time zone.",
    "decisions": "AI reviewer decisions",
    "per_day": "Decisions per day",
    "confidence": "Confidence distribution",
    "per_model": "Per model",
    "outcomes": "Outcomes: the price move after each decision",
    "outcomes_note": (
        "Move = (close of the 1-minute candle at decision time + window - price at decision) / price at decision. "
        "A REJECT is right when the price 4 h later is below the price at decision, a CONFIRM when it is above; "
        "an unchanged price is right for neither. SAFE and WARNING are shown, not scored. "
        "Decisions whose 4 h has not come yet are pending."
    ),
    "by_regime": "By regime",
    "by_model": "By model",
    "overall": "All decisions",
    "usage": "LLM usage and cost",
    "bucket_label": "Per",
    "by_route": "By route",
    "by_feature": "By feature",
    "by_model_usage": "By model",
    "reconciliation": "Provider bill vs. the ledger",
    "reconciliation_note": (
        "Ledger = the sum of estimated_cost_usd of the provider's calls in the bill's window; "
        "difference = billed - ledger; % of billed."
    ),
    "credit": "Credit balance",
    "not_recorded": "{what}: not recorded by this CoinPilot version.",
    "no_decisions": "No AI decisions in the last {days} days.",
    "no_usage": "No LLM calls recorded in the last {days} days.",
    "no_bills": "No provider bill (llm_provider_cost_snapshots) for a window in the last {days} days.",
    "no_credit": "No credit balance recorded yet.",
    "capped": "Only the newest {limit:,} {what} of the look-back are shown.",
    "no_price": "price_at_decision is not recorded by this CoinPilot version: moves cannot be computed.",
    "no_regime": "regime is not recorded by this CoinPilot version.",
    "not_scored": "not scored",
}
OUTCOME_HEADERS = (
    ("group", ""),
    ("decision", "Decision"),
    ("decisions", "Decisions"),
    ("pending", "Pending 4 h"),
    ("scored", "Scored 4 h"),
    ("right", "Right 4 h"),
    ("hit_rate_pct", "Hit rate 4 h"),
    ("hit_rate_1h_pct", "Hit rate 1 h"),
    ("hit_rate_24h_pct", "Hit rate 24 h"),
    ("avg_move_4h_pct", "Avg move 4 h"),
)
USAGE_HEADERS = (
    ("group", ""),
    ("calls", "Calls"),
    ("errors", "Errors"),
    ("error_rate_pct", "Error rate"),
    ("total_tokens", "Tokens"),
    ("cost_usd", "Est. cost"),
    ("latency_p50_ms", "p50"),
    ("latency_p95_ms", "p95"),
)


def page(days: int = DEFAULT_DAYS) -> html.Div:
    return html.Div(
        [
            html.H1(TEXT["title"], className="page-title"),
            dbc.Row(
                [
                    lookback_days(ids.AI_DAYS, TEXT["days_label"], days, DAYS_MIN, DAYS_MAX),
                    dbc.Col(html.Div(TEXT["days_note"], className="small text-secondary"), className="align-self-end"),
                ],
                className="mb-3",
            ),
            html.Div(id=ids.AI_MESSAGE),
            section(
                TEXT["decisions"],
                html.Div(id=ids.AI_DECISIONS_NOTE),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Div(TEXT["per_day"], className="small text-secondary"),
                                dcc.Graph(id=ids.AI_DECISIONS_DAILY, config={"displayModeBar": False}),
                            ],
                            lg=6,
                        ),
                        dbc.Col(
                            [
                                html.Div(TEXT["confidence"], className="small text-secondary"),
                                dcc.Graph(id=ids.AI_CONFIDENCE, config={"displayModeBar": False}),
                            ],
                            lg=6,
                        ),
                    ]
                ),
                html.Div(TEXT["per_model"], className="small text-secondary mt-2"),
                html.Div(id=ids.AI_MODELS),
            ),
            section(
                TEXT["outcomes"],
                html.Div(TEXT["outcomes_note"], className="small text-secondary mb-2"),
                html.Div(id=ids.AI_OUTCOMES),
            ),
            section(
                TEXT["usage"],
                html.Div(id=ids.AI_USAGE_KPIS),
                html.Div(
                    [
                        dbc.Label(TEXT["bucket_label"], className="small mb-0 me-2"),
                        dbc.RadioItems(
                            id=ids.AI_USAGE_BUCKET,
                            options=[{"label": b, "value": b} for b in USAGE_BUCKETS],
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
                            TEXT["reconciliation"],
                            html.Div(TEXT["reconciliation_note"], className="small text-secondary mb-2"),
                            html.Div(id=ids.AI_RECONCILIATION),
                        ),
                        lg=8,
                    ),
                    dbc.Col(section(TEXT["credit"], html.Div(id=ids.AI_CREDIT)), lg=4),
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
    return fmt.MISSING if _missing(value) else f"{value:,.0f} ms"


def count(value) -> str:
    return fmt.MISSING if _missing(value) else f"{int(value):,}"


def not_recorded(what: str) -> html.Div:
    return alert(TEXT["not_recorded"].format(what=what), "secondary", **{"data-not-recorded": what})


def empty(message: str, key: str) -> html.Div:
    return alert(message, "info", **{"data-empty": key})


def capped(limit: int, what: str) -> html.Div:
    return alert(TEXT["capped"].format(limit=limit, what=what), "warning")


# -- decisions -------------------------------------------------------------------------------


def _bar_figure(table: pd.DataFrame, x_labels: list[str], height: int = 260) -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(
                x=x_labels,
                y=[int(v) for v in table[decision]],
                name=decision,
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
    figure.update_xaxes(title_text="confidence")
    return figure


def model_table(models: pd.DataFrame) -> dbc.Table:
    decisions = list(_ordered(models.drop(columns=["total", "avg_confidence"])).columns)
    header = html.Thead(
        html.Tr([html.Th("Model")] + [html.Th(d, className="text-end") for d in decisions + ["Total", "Avg conf."]])
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
    if key in ("group", "decision"):
        return str(value)
    if key.startswith("hit_rate"):
        if row["decision"] not in ("CONFIRM", "REJECT"):
            return TEXT["not_scored"]
        return fmt.pct(value, signed=False)
    if key == "avg_move_4h_pct":
        return fmt.pct(value)
    return count(value)


def outcome_table(summary: pd.DataFrame, key: str, group_label: str) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(group_label if name == "group" else label, className="" if i < 2 else "text-end")
                for i, (name, label) in enumerate(OUTCOME_HEADERS)
            ]
        )
    )
    rows = []
    for row in summary.to_dict("records"):
        cells = [
            html.Td(
                _outcome_cell(name, row),
                className="" if i < 2 else "text-end num",
                **{"data-col": name},
            )
            for i, (name, _label) in enumerate(OUTCOME_HEADERS)
        ]
        rows.append(html.Tr(cells, **{"data-outcome": f"{key}:{row['group']}:{row['decision']}"}))
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-3 ai-table")


def outcomes(overall: pd.DataFrame, by_regime: pd.DataFrame | None, by_model: pd.DataFrame, notes: list) -> list:
    parts = list(notes)
    parts += [html.H6(TEXT["overall"], className="mt-1"), outcome_table(overall, "all", "")]
    if by_regime is not None:
        parts += [html.H6(TEXT["by_regime"]), outcome_table(by_regime, "regime", "Regime")]
    parts += [html.H6(TEXT["by_model"]), outcome_table(by_model, "model", "Model")]
    return parts


# -- usage and cost --------------------------------------------------------------------------


def usage_kpis(total: pd.DataFrame) -> dbc.Row:
    row = total.iloc[0].to_dict()
    return dbc.Row(
        [
            kpi_card("llm-calls", "LLM calls", count(row["calls"])),
            kpi_card("llm-tokens", "Tokens", count(row["total_tokens"])),
            kpi_card("llm-cost", "Estimated cost", usd(row["cost_usd"])),
            kpi_card("llm-error-rate", "Error rate", fmt.pct(row["error_rate_pct"], signed=False)),
            kpi_card("llm-latency-p50", "Latency p50", milliseconds(row["latency_p50_ms"])),
            kpi_card("llm-latency-p95", "Latency p95", milliseconds(row["latency_p95_ms"])),
        ]
    )


def usage_figure(over_time: pd.DataFrame, bucket: str) -> go.Figure:
    labels = [str(label) for label in over_time.index]
    figure = go.Figure(
        [
            go.Bar(x=labels, y=[int(v) for v in over_time["calls"]], name="calls", marker={"color": charts.ACCENT}),
            go.Bar(x=labels, y=[int(v) for v in over_time["errors"]], name="errors", marker={"color": charts.DANGER}),
            go.Scatter(
                x=labels,
                y=[float(v) for v in over_time["cost_usd"]],
                name="est. cost (USD)",
                yaxis="y2",
                mode="lines+markers",
                line={"color": charts.AMBER},
            ),
        ]
    )
    figure.update_layout(
        **charts.base_layout(height=280, barmode="group", hovermode="x unified"),
        yaxis={"title": {"text": f"calls per {bucket}"}, "gridcolor": charts.GRID},
        yaxis2={"title": {"text": "USD"}, "overlaying": "y", "side": "right", "showgrid": False},
    )
    figure.update_xaxes(type="category")
    return figure


def _usage_cell(key: str, value) -> str:
    if key == "group":
        return str(value)
    if key == "error_rate_pct":
        return fmt.pct(value, signed=False)
    if key == "cost_usd":
        return usd(value)
    if key.startswith("latency"):
        return milliseconds(value)
    return count(value)


def usage_table(summary: pd.DataFrame, key: str, group_label: str) -> html.Div:
    header = html.Thead(
        html.Tr(
            [
                html.Th(group_label if name == "group" else label, className="" if i == 0 else "text-end")
                for i, (name, label) in enumerate(USAGE_HEADERS)
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(_usage_cell(name, row[name]), className="" if i == 0 else "text-end num", **{"data-col": name})
                for i, (name, _label) in enumerate(USAGE_HEADERS)
            ],
            **{"data-usage": f"{key}:{row['group']}"},
        )
        for row in summary.to_dict("records")
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-3 ai-table")


def usage_tables(by_route: pd.DataFrame, by_feature: pd.DataFrame, by_model: pd.DataFrame) -> list:
    return [
        html.H6(TEXT["by_route"], className="mt-2"),
        usage_table(by_route, "route", "Route"),
        html.H6(TEXT["by_feature"]),
        usage_table(by_feature, "feature", "Feature"),
        html.H6(TEXT["by_model_usage"]),
        usage_table(by_model, "model", "Model"),
    ]


def reconciliation_table(bills: pd.DataFrame, tz: ZoneInfo) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [html.Th("Provider"), html.Th("Window")]
            + [html.Th(label, className="text-end") for label in ("Billed", "Ledger", "Difference", "% of billed")]
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
                    html.Div(row["provider"] or "(unknown)", className="kpi-title"),
                    html.Div(
                        fmt.MISSING
                        if _missing(row["balance_usd"])
                        else usd(row["balance_usd"])
                        if (row["balance_unit"] or "USD").upper() == "USD"
                        else f"{row['balance_usd']:,.4f} {row['balance_unit']}",
                        className="kpi-value",
                        **{"data-credit": row["provider"] or "(unknown)"},
                    ),
                    html.Div(f"as of {fmt.timestamp(row['created_at'], tz)}", className="kpi-note"),
                ],
                className="mb-2",
            )
            for row in credits.to_dict("records")
        ]
    )
