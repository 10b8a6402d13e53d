"""Reconciliation callback (System page): realized PnL per UTC day against the bot's
daily_risk_state, and positions against the fills that built them."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.failures import panel
from callbacks.pages import PageServices
from data.reconciliation import daily_checks, position_checks
from data.risk_records import days_back, fetch_daily_risk_history, utc_today
from layouts import ids
from layouts import reconciliation as layout
from layouts.components import problem

# The days checked: the bot's daily rows the Risk page charts (30 UTC days, today included).
RECONCILE_DAYS = 30


@panel(on_failure=problem)
def reconciliation_panel(services: PageServices):
    now = services.now()
    since = days_back(now, RECONCILE_DAYS)
    with services.database.connect() as conn:
        features = services.database.schema(conn)
        risk_days = fetch_daily_risk_history(conn, since, features)
        positions = services.positions(conn)
        _filled, ledger = services.filled_trades_and_ledger(conn)
    tz = services.display_timezone
    days = daily_checks(ledger, risk_days, since, utc_today(now))
    return layout.panel(
        layout.days_panel(days, RECONCILE_DAYS, tz), layout.positions_panel(position_checks(ledger, positions), tz)
    )


def register(app: Dash, services: PageServices) -> None:
    @app.callback(Output(ids.SYSTEM_RECONCILIATION, "children"), Input(ids.REFRESH_INTERVAL, "n_intervals"))
    def refresh_reconciliation(_n):
        return reconciliation_panel(services)
