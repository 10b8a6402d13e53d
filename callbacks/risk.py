"""Risk callbacks: today's limits, the trading state, the daily PnL history, the audit log, and the
bot's AI guardrails and volatility state from Redis (a panel of their own: Redis down leaves the rest)."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output

from callbacks import inputs
from callbacks.failures import panel
from callbacks.pages import PageServices
from data.database import DataError
from data.risk_records import (
    days_back,
    fetch_daily_risk_history,
    fetch_risk_audit,
    fetch_risk_audit_types,
    utc_today,
)
from i18n import t
from layouts import format as fmt
from layouts import ids, risk
from layouts.components import alert, empty_figure, problem

AUDIT_ROWS = 500


@panel(
    on_failure=lambda kind, message: (
        problem(kind, message),
        None,
        empty_figure(message, 250),
        None,
        None,
        None,
        empty_figure(message, 300),
        None,
        problem(kind, message),
        None,
    )
)
def risk_panels(services: PageServices) -> tuple:
    """(state card, warnings, gauge, trades, losses, cooldown store, daily figure, message, limit
    sources, BUY rules)."""
    now = services.now()
    today = utc_today(now)
    with services.database.connect() as conn:
        cash_row = services.cash_balance(conn)
        # The same assessment the status strip and the watcher use (PageServices.risk_picture).
        picture = services.risk_picture(conn)
        history = fetch_daily_risk_history(conn, days_back(now, 30), services.database.schema(conn))
    assessment = picture.assessment
    limits = assessment.limits
    notes = []
    if cash_row is None:
        notes.append(problem("empty", t("risk.no_cash")))
    day = assessment.day
    today_label = fmt.utc_day_span(today, services.display_timezone)
    cooldown = cooldown_countdown(services, assessment, now)
    losses_note = t(
        "risk.losses_note", count=limits.max_consecutive_losses.value, hours=f"{limits.cooldown_hours.value:g}"
    )
    if assessment.counts_buys:
        trades_title = t("risk.trades_title_buys")
        trades_note = t(
            "risk.trades_note_buys", buys=day.buy_count, sells=day.sell_count, total=day.trade_count, day=today_label
        ) + (t("risk.trades_mismatch") if assessment.count_mismatch else "")
    else:
        trades_title = t("risk.trades_title")
        trades_note = t("risk.trades_note", day=today_label)
    figure = (
        risk.daily_pnl_figure(history, assessment.daily_loss_limit_krw, t("risk.daily.axis_day"))
        if history
        else empty_figure(t("risk.daily.no_history"), 300)
    )
    return (
        risk.state_card(assessment.state.value, assessment.has_row, today_label),
        risk.warnings(assessment.warnings),
        risk.loss_gauge(
            assessment.pnl_pct_of_reference, limits.daily_loss_limit_pct, day.total_pnl, assessment.daily_loss_limit_krw
        ),
        risk.limit_progress(
            "trades", trades_title, assessment.trades_counted, limits.max_daily_trades.value, trades_note
        ),
        risk.limit_progress(
            "losses", t("risk.losses_title"), day.consecutive_losses, limits.max_consecutive_losses.value, losses_note
        ),
        cooldown,
        figure,
        notes,
        risk.limit_sources(limits, assessment, picture.redis_problem, services.display_timezone, today_label),
        risk.entry_rules(picture.entries),
    )


def cooldown_countdown(services: PageServices, assessment, now) -> dict:
    """What the browser counts down every second (assets/dashboard.js cooldownCountdown): the
    remaining seconds and the sentences around them in this browser's language ({left}, {h},
    {m} and {s} are filled in there)."""
    texts = {"none": t("risk.cooldown.none")}
    if assessment.cooldown_remaining_s <= 0:
        return {"texts": texts}
    until = fmt.timestamp(assessment.day.cooldown_until, services.display_timezone)
    texts.update(
        ended=t("risk.cooldown.ended", until=until),
        left=t("risk.cooldown.left", until=until, left="{left}"),
        hms=t("risk.cooldown.hms", h="{h}", m="{m}", s="{s}"),
        ms=t("risk.cooldown.ms", m="{m}", s="{s}"),
    )
    return {
        "remaining_s": assessment.cooldown_remaining_s,
        "rate": services.clock_rate,
        "until": until,
        "stamp": now.isoformat(),
        "texts": texts,
    }


@panel(on_failure=lambda kind, message: ([], [], problem(kind, message)))
def audit_panel(services: PageServices, types_value) -> tuple:
    """(grid rows, type options, message) of the risk-audit log, newest first."""
    with services.database.connect() as conn:
        known_types = fetch_risk_audit_types(conn)
        chosen = inputs.choices(types_value, tuple(known_types), "violation types")
        audit = fetch_risk_audit(conn, chosen, limit=AUDIT_ROWS)
        v3 = services.database.schema(conn).generation != "week-6"
    options = [{"label": t, "value": t} for t in known_types]
    # The v3 bot's own code writes no risk_audit rows (only its simulation scripts do).
    note = alert(t("risk.audit.v3_note"), "info", **{"data-audit-note": "v3"}) if v3 and not known_types else None
    return risk.audit_rows(audit, services.display_timezone), options, note


@panel(on_failure=lambda kind, message: (problem(kind, message), problem(kind, message)))
def guardrail_panels(services: PageServices) -> tuple:
    """(AI guardrails, volatility) from one Redis round trip."""
    try:
        with services.database.connect() as conn:
            symbols = services.symbols(conn)
    except DataError:
        # Without the database, the symbols that have a status key still have cooldowns.
        symbols = services.cached_symbols() or services.bot_status.discover_symbols()
    guard = services.bot_status.read_guardrails(symbols, services.clock_rate)
    now = services.now()
    return (
        risk.guardrails(guard, services.risk_limits, now),
        risk.volatility(guard.volatility, services.display_timezone, now),
    )


def register(app: Dash, services: PageServices) -> None:
    @app.callback(
        Output(ids.RISK_STATE, "children"),
        Output(ids.RISK_WARNINGS, "children"),
        Output(ids.RISK_GAUGE, "figure"),
        Output(ids.RISK_TRADES, "children"),
        Output(ids.RISK_LOSSES, "children"),
        Output(ids.RISK_COOLDOWN_UNTIL, "data"),
        Output(ids.RISK_DAILY_PNL, "figure"),
        Output(ids.RISK_MESSAGE, "children"),
        Output(ids.RISK_LIMIT_SOURCES, "children"),
        Output(ids.RISK_ENTRY_RULES, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_risk(_n):
        return risk_panels(services)

    @app.callback(
        Output(ids.RISK_GUARDRAILS, "children"),
        Output(ids.RISK_VOLATILITY, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_guardrails(_n):
        return guardrail_panels(services)

    # The cooldown counts down every second in the browser, between data refreshes.
    app.clientside_callback(
        ClientsideFunction(namespace="coinpilot", function_name="cooldownCountdown"),
        Output(ids.RISK_COOLDOWN, "children"),
        Input(ids.RISK_CLOCK, "n_intervals"),
        Input(ids.RISK_COOLDOWN_UNTIL, "data"),
    )

    @app.callback(
        Output(ids.RISK_AUDIT_GRID, "rowData"),
        Output(ids.RISK_AUDIT_TYPES, "options"),
        Output(ids.RISK_AUDIT_MESSAGE, "children"),
        Input(ids.RISK_AUDIT_TYPES, "value"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_audit(types, _n):
        return audit_panel(services, types)
