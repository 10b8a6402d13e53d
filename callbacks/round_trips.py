"""Round-trip callbacks (History page): the statistics, the round-trips table and the PnL per
day / week / month, over the History filters' symbols and dates."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks import inputs
from callbacks.failures import panel
from callbacks.history import FILTER_INPUTS, recorded_columns, trade_filter
from callbacks.pages import PageServices
from data.orders import fetch_sell_exit_reasons
from data.round_trips import PERIODS, in_selection, outcome, pnl_by_period, round_trip_stats
from layouts import ids
from layouts import round_trips as layout
from layouts.components import problem


@panel(on_failure=lambda kind, message: (problem(kind, message), [], None))
def round_trip_panels(services: PageServices, period_value, *filters) -> tuple:
    """(statistics, round-trip grid rows, period table) for the History filters."""
    period = (inputs.choices(period_value, PERIODS, "period") or ("day",))[0]
    with services.database.connect() as conn:
        chosen = trade_filter(services, conn, *filters)
        reasons = fetch_sell_exit_reasons(conn) if "exit_reason" in recorded_columns(services, conn) else {}
        _filled, ledger = services.filled_trades_and_ledger(conn)
    result = in_selection(services.round_trips(ledger, reasons), chosen)
    trips = result.trips.iloc[::-1]  # the open positions first, then the newest exits
    kinds = outcome(trips["pnl_krw"]).where(~trips["is_open"], "open")
    return (
        layout.stats_panel(round_trip_stats(result)),
        layout.trip_rows(trips, kinds, services.display_timezone),
        layout.period_table(pnl_by_period(result, period), period),
    )


def register(app: Dash, services: PageServices) -> None:
    @app.callback(
        Output(ids.HISTORY_ROUND_TRIP_STATS, "children"),
        Output(ids.HISTORY_ROUND_TRIPS, "rowData"),
        Output(ids.HISTORY_PERIOD_TABLE, "children"),
        Input(ids.HISTORY_PERIOD, "value"),
        *[Input(i, p) for i, p in FILTER_INPUTS],
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_round_trips(period, *values):
        return round_trip_panels(services, period, *values[:-1])
