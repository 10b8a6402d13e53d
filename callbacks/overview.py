"""Overview callbacks: assets, PnL, win rate, positions and the equity curve."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.failures import panel
from data import metrics
from data.equity import holding_windows, marked_equity_curve
from data.round_trips import round_trip_stats
from data.services import DataServices
from layouts import ids, overview
from layouts.components import empty_figure, problem


@panel(
    on_failure=lambda kind, message: ([], problem(kind, message), empty_figure(message), problem(kind, message), None)
)
def overview_panels(services: DataServices) -> tuple:
    """(kpi cards, positions table, equity figure, message, equity basis) computed from the database."""
    tz = services.display_timezone
    now = services.now()
    with services.database.connect() as conn:
        cash_row = services.cash_balance(conn)
        positions = services.positions(conn)
        latest = services.latest_candles(conn, list(positions["symbol"]))
        filled, ledger = services.filled_trades_and_ledger(conn)
        closes = services.hourly_closes(conn, holding_windows(ledger, now)) if not ledger.empty else {}
    notes = []
    cash = cash_row.balance if cash_row is not None else 0.0
    if cash_row is None:
        notes.append(
            problem("empty", "No cash balance recorded: account_state has no row 1 yet (the bot writes it on start).")
        )
    valued = metrics.position_table(positions, {s: c.close for s, c in latest.items()})
    assets = metrics.asset_summary(cash, valued)
    if assets.unpriced_symbols:
        notes.append(
            problem(
                "empty",
                "No candles for "
                + ", ".join(assets.unpriced_symbols)
                + ": those positions are valued at their average price.",
            )
        )
    stats = round_trip_stats(services.round_trips(ledger))
    starting_capital = assets.cash - metrics.net_cash_flow(filled) if cash_row is not None else None
    kpis = overview.kpi_row(
        total_assets=assets.total_assets,
        cash=assets.cash,
        realized_pnl=metrics.total_realized_pnl(ledger),
        unrealized_pnl=assets.unrealized_pnl,
        round_trips=stats,
        open_positions=len(valued),
        filled_trades=len(filled),
        starting_capital=starting_capital,
    )
    if ledger.empty or starting_capital is None:
        figure = empty_figure("No filled trades yet: the equity curve starts with the first fill.")
        basis = None
    else:
        marked = marked_equity_curve(ledger, starting_capital, closes, now, assets.total_assets)
        dd = metrics.drawdown(marked.curve["equity"])
        figure = overview.equity_figure(marked.curve, dd.series, tz, dd.max_drawdown_pct, dd.max_drawdown_krw)
        basis = overview.equity_basis(marked.unpriced_symbols)
    return kpis, overview.positions_table(valued, tz), figure, notes, basis


def register(app: Dash, services: DataServices) -> None:
    @app.callback(
        Output(ids.OVERVIEW_KPIS, "children"),
        Output(ids.OVERVIEW_POSITIONS, "children"),
        Output(ids.OVERVIEW_EQUITY, "figure"),
        Output(ids.OVERVIEW_MESSAGE, "children"),
        Output(ids.OVERVIEW_EQUITY_BASIS, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_overview(_n):
        return overview_panels(services)
