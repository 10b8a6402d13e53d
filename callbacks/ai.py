"""AI callbacks: the reviewer's decisions and their outcomes, LLM usage, the provider's bill
against the ledger and the credit balance. Each panel says when its data is not recorded."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from dash import Dash, Input, Output, html

from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data.ai import MAX_REVIEWED_DECISIONS, fetch_closes_at, fetch_decisions_since
from data.ai_outcomes import (
    candle_targets,
    confidence_distribution,
    decision_outcomes,
    decisions_per_day,
    outcome_summary,
    per_model,
)
from data.llm import (
    MAX_USAGE_EVENTS,
    fetch_cost_snapshots,
    fetch_latest_credits,
    fetch_ledger_costs,
    fetch_usage_events,
)
from data.llm_costs import reconcile, usage_over_time, usage_summary
from i18n import t
from layouts import ai, ids
from layouts.components import empty_figure, problem


def look_back_days(value) -> int:
    return inputs.integer(value, "look-back days", ai.DAYS_MIN, ai.DAYS_MAX)


@panel(
    on_failure=lambda kind, message: (
        problem(kind, message),
        empty_figure(message, 260),
        empty_figure(message, 260),
        None,
        problem(kind, message),
    )
)
def decision_panels(services: PageServices, days_value) -> tuple:
    """(decisions note, per-day figure, confidence figure, per-model table, outcomes)."""
    days = look_back_days(days_value)
    now = services.now()
    with services.database.connect() as conn:
        records = fetch_decisions_since(conn, services.database.schema(conn), now - timedelta(days=days))
        closes = {}
        if records.has_price and not records.frame.empty:
            closes = {
                symbol: fetch_closes_at(conn, symbol, minutes)
                for symbol, minutes in candle_targets(records.frame).items()
            }
    decisions = records.frame
    if decisions.empty:
        message = t("ai.no_decisions", days=days)
        return (
            ai.empty(message, "decisions"),
            empty_figure(message, 260),
            empty_figure(message, 260),
            None,
            ai.empty(message, "outcomes"),
        )
    note = ai.capped(MAX_REVIEWED_DECISIONS, "decisions") if records.capped else None
    tz = services.display_timezone
    if not records.has_price:
        outcome_part = ai.not_recorded("price")
    else:
        outcomes = decision_outcomes(decisions, closes, now)
        notes = [] if records.has_regime else [ai.not_recorded("regime")]
        outcome_part = ai.outcomes(
            outcome_summary(outcomes, None),
            outcome_summary(outcomes, "regime") if records.has_regime else None,
            outcome_summary(outcomes, "model_used"),
            notes,
        )
    bands = confidence_distribution(decisions)
    return (
        note,
        ai.daily_figure(decisions_per_day(decisions, tz)),
        ai.confidence_figure(bands) if not bands.empty else empty_figure(t("ai.no_confidence"), 260),
        ai.model_table(per_model(decisions)),
        outcome_part,
    )


@panel(on_failure=lambda kind, message: (problem(kind, message), empty_figure(message, 280), None))
def usage_panels(services: PageServices, days_value, bucket_value) -> tuple:
    """(KPIs, calls/cost per hour or day, tables by route, feature and model)."""
    days = look_back_days(days_value)
    bucket = inputs.one_of(bucket_value, ai.USAGE_BUCKETS, "bucket")
    now = services.now()
    with services.database.connect() as conn:
        if not services.database.schema(conn).has_table("llm_usage_events"):
            message = t("ai.not_recorded", what=t("ai.what.usage"))
            return ai.not_recorded("usage"), empty_figure(message, 280), None
        records = fetch_usage_events(conn, now - timedelta(days=days))
    events = records.frame
    if events.empty:
        message = t("ai.no_usage", days=days)
        return ai.empty(message, "usage"), empty_figure(message, 280), None
    kpis = ai.usage_kpis(usage_summary(events, None))
    if records.capped:
        kpis = html.Div([ai.capped(MAX_USAGE_EVENTS, "calls"), kpis])
    return (
        kpis,
        ai.usage_figure(usage_over_time(events, bucket, services.display_timezone), bucket),
        ai.usage_tables(
            usage_summary(events, "route"), usage_summary(events, "feature"), usage_summary(events, "model")
        ),
    )


@panel(on_failure=lambda kind, message: problem(kind, message))
def reconciliation_panel(services: PageServices, days_value):
    """The provider's bills in the look-back against the ledger's sum for the same windows."""
    days = look_back_days(days_value)
    now = services.now()
    with services.database.connect() as conn:
        features = services.database.schema(conn)
        if not features.has_table("llm_provider_cost_snapshots"):
            return ai.not_recorded("bills")
        if not features.has_table("llm_usage_events"):
            return ai.not_recorded("usage")
        bills = fetch_cost_snapshots(conn, now - timedelta(days=days))
        if bills.empty:
            return ai.empty(t("ai.no_bills", days=days), "bills")
        ledger = fetch_ledger_costs(
            conn, bills["window_start"].min().to_pydatetime(), bills["window_end"].max().to_pydatetime()
        )
    return ai.reconciliation_table(reconcile(bills, ledger), services.display_timezone)


@panel(on_failure=lambda kind, message: problem(kind, message))
def credit_panel(services: PageServices):
    """The newest balance reading per provider, with its time."""
    with services.database.connect() as conn:
        if not services.database.schema(conn).has_table("llm_credit_snapshots"):
            return ai.not_recorded("credit")
        credits = fetch_latest_credits(conn)
    if credits.empty:
        return ai.empty(t("ai.no_credit"), "credit")
    return ai.credit_list(credits, services.display_timezone)


@panel(on_failure=lambda kind, message: problem(kind, message))
def budget_panel(services: PageServices):
    """The bot's AI call budget now: the guardrails' usage keys against the strategy file's regime
    limits, read as the Risk page and the watcher's ai_budget rule read them."""
    symbols = services.cached_symbols() or []
    guard = services.bot_status.read_guardrails(symbols, services.clock_rate)
    return ai.budget(guard, services.risk_limits, services.now())


def ai_query(days_value) -> str:
    """The shareable URL query of the AI page (only a valid look-back is written)."""
    try:
        days = look_back_days(days_value)
    except inputs.InvalidInput:
        return ""
    return "" if days == ai.DEFAULT_DAYS else "?" + urlencode({"days": days})


def register(app: Dash, services: PageServices) -> None:
    days = Input(ids.AI_DAYS, "value")
    tick = Input(ids.REFRESH_INTERVAL, "n_intervals")

    @app.callback(
        Output(ids.AI_DECISIONS_NOTE, "children"),
        Output(ids.AI_DECISIONS_DAILY, "figure"),
        Output(ids.AI_CONFIDENCE, "figure"),
        Output(ids.AI_MODELS, "children"),
        Output(ids.AI_OUTCOMES, "children"),
        days,
        tick,
    )
    def refresh_decisions(days_value, _n):
        return decision_panels(services, days_value)

    @app.callback(
        Output(ids.AI_USAGE_KPIS, "children"),
        Output(ids.AI_USAGE_CHART, "figure"),
        Output(ids.AI_USAGE_TABLES, "children"),
        days,
        Input(ids.AI_USAGE_BUCKET, "value"),
        tick,
    )
    def refresh_usage(days_value, bucket_value, _n):
        return usage_panels(services, days_value, bucket_value)

    @app.callback(Output(ids.AI_RECONCILIATION, "children"), days, tick)
    def refresh_reconciliation(days_value, _n):
        return reconciliation_panel(services, days_value)

    @app.callback(Output(ids.AI_BUDGET, "children"), tick)
    def refresh_budget(_n):
        return budget_panel(services)

    @app.callback(Output(ids.AI_CREDIT, "children"), tick)
    def refresh_credit(_n):
        return credit_panel(services)

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), days, prevent_initial_call=True)
    def share_look_back(days_value):
        return ai_query(days_value)
