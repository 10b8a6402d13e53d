"""Overview callbacks: assets, PnL, win rate, positions and the equity curve.

A browser refreshes the page every few seconds, but what it shows changes only when the cash
balance, a position, a latest price or an order does, or when the equity curve's end moves to a
new minute. Each refresh reads those (queries shared for a tick, data.cache) into a version;
when the browser already shows that version (it keeps it in a dcc.Store), nothing is sent.
The numbers of a version are computed once per worker (PageServices.derived) and each browser
renders them itself, so per-browser presentation (time zone, language, colours and KRW units)
never reads another browser's output. The version a browser keeps also names its presentation
(`shown_version`): a per-browser input added to this callback must enter it too, or a change of
it would be answered with no_update.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import datetime

import pandas as pd
from dash import Dash, Input, Output, State, no_update

from callbacks.failures import panel
from callbacks.pages import PageServices
from data import metrics
from data.equity import holding_windows, marked_equity_curve
from data.market import LatestCandle
from data.orders import CashBalance
from data.round_trips import RoundTripStats, round_trip_stats
from i18n import current, t
from layouts import ids, overview
from layouts.components import empty_figure, problem


@dataclass(frozen=True)
class OverviewData:
    """What the Overview shows, as numbers and frames (shared by every viewer: never mutate)."""

    cash_recorded: bool
    assets: metrics.AssetSummary
    valued: pd.DataFrame
    realized_pnl: float
    round_trips: RoundTripStats
    filled_trades: int
    starting_capital: float | None
    # Marked to market at each hour's close (data.equity); symbols without candles at cost.
    equity: pd.DataFrame | None
    drawdown: metrics.Drawdown | None
    equity_unpriced_symbols: tuple[str, ...]


def overview_version(
    cash: CashBalance | None,
    positions: pd.DataFrame,
    latest: dict[str, LatestCandle],
    orders_marker: object,
    now: datetime,
) -> str:
    """A short digest of everything the Overview is computed from; equal digests, equal page."""
    parts = (
        repr(cash),
        pd.util.hash_pandas_object(positions, index=False).to_numpy().tobytes().hex(),
        repr(sorted(latest.items())),
        repr(orders_marker),
        # The curve's last point is "now" and its hourly closes roll with the hour: it moves on
        # once a minute, not on every tick.
        now.replace(second=0, microsecond=0).isoformat(),
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def overview_data(services: PageServices) -> tuple[str, OverviewData]:
    """(version, data) as of now; the data is computed once per version per worker."""
    with services.database.connect() as conn:
        cash_row = services.cash_balance(conn)
        positions = services.positions(conn)
        latest = services.latest_candles(conn, list(positions["symbol"]))
        now = services.now()
        version = overview_version(cash_row, positions, latest, services.orders_marker(conn), now)
        data = services.derived("overview", version, lambda: _compute(services, conn, cash_row, positions, latest, now))
    return version, data


def _compute(services: PageServices, conn, cash_row, positions, latest, now) -> OverviewData:
    filled, ledger = services.filled_trades_and_ledger(conn)
    closes = services.hourly_closes(conn, holding_windows(ledger, now)) if not ledger.empty else {}
    cash = cash_row.balance if cash_row is not None else 0.0
    valued = metrics.position_table(positions, {s: c.close for s, c in latest.items()})
    assets = metrics.asset_summary(cash, valued)
    starting_capital = assets.cash - metrics.net_cash_flow(filled) if cash_row is not None else None
    equity = dd = None
    unpriced: tuple[str, ...] = ()
    if not ledger.empty and starting_capital is not None:
        marked = marked_equity_curve(ledger, starting_capital, closes, now, assets.total_assets)
        equity, unpriced = marked.curve, tuple(marked.unpriced_symbols)
        dd = metrics.drawdown(equity["equity"])
    return OverviewData(
        cash_recorded=cash_row is not None,
        assets=assets,
        valued=valued,
        realized_pnl=metrics.total_realized_pnl(ledger),
        round_trips=round_trip_stats(services.round_trips(ledger)),
        filled_trades=len(filled),
        starting_capital=starting_capital,
        equity=equity,
        drawdown=dd,
        equity_unpriced_symbols=unpriced,
    )


def _render(data: OverviewData, tz) -> tuple:
    notes = []
    if not data.cash_recorded:
        notes.append(problem("empty", t("overview.no_cash")))
    if data.assets.unpriced_symbols:
        notes.append(problem("empty", t("overview.unpriced", symbols=", ".join(data.assets.unpriced_symbols))))
    kpis = overview.kpi_row(
        total_assets=data.assets.total_assets,
        cash=data.assets.cash,
        realized_pnl=data.realized_pnl,
        unrealized_pnl=data.assets.unrealized_pnl,
        round_trips=data.round_trips,
        open_positions=len(data.valued),
        filled_trades=data.filled_trades,
        starting_capital=data.starting_capital,
    )
    if data.equity is None:
        figure = empty_figure(t("overview.no_fills"))
        basis = None
    else:
        dd = data.drawdown
        figure = overview.equity_figure(data.equity, dd.series, tz, dd.max_drawdown_pct, dd.max_drawdown_krw)
        basis = overview.equity_basis(list(data.equity_unpriced_symbols))
    return kpis, overview.positions_table(data.valued, tz), figure, notes, basis


def _failure(kind: str, message: str) -> tuple:
    return [], problem(kind, message), empty_figure(message), problem(kind, message), None


@panel(on_failure=_failure)
def overview_panels(services: PageServices) -> tuple:
    """(kpi cards, positions table, equity figure, message, equity basis) computed from the database."""
    _version, data = overview_data(services)
    return _render(data, services.display_timezone)


# A failed refresh forgets the version, so the next one renders whatever it finds.
@panel(on_failure=lambda kind, message: (*_failure(kind, message), None))
def overview_refresh(services: PageServices, shown_version: str | None) -> tuple:
    """The five panels and the version they show; no_update for all six when the browser
    already shows this version."""
    version, data = overview_data(services)
    version = presented_version(version)
    if version == shown_version:
        return (no_update,) * 6
    return (*_render(data, services.display_timezone), version)


def presented_version(version: str) -> str:
    """The data version together with how this browser shows it (language, theme, colours, KRW
    units): a browser whose preferences changed must not be answered with no_update."""
    return ":".join([version, *(str(value) for value in astuple(current()))])


def register(app: Dash, services: PageServices) -> None:
    @app.callback(
        Output(ids.OVERVIEW_KPIS, "children"),
        Output(ids.OVERVIEW_POSITIONS, "children"),
        Output(ids.OVERVIEW_EQUITY, "figure"),
        Output(ids.OVERVIEW_MESSAGE, "children"),
        Output(ids.OVERVIEW_EQUITY_BASIS, "children"),
        Output(ids.OVERVIEW_VERSION, "data"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        State(ids.OVERVIEW_VERSION, "data"),
    )
    def refresh_overview(_n, shown_version):
        return overview_refresh(services, shown_version)
