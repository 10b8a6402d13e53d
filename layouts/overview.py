"""Overview: assets, PnL, win rate, open positions and the equity curve."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from layouts import charts, ids
from layouts import format as fmt
from layouts.components import kpi_card, section


def page() -> html.Div:
    return html.Div(
        [
            html.H1("Overview", className="page-title"),
            dcc.Store(id=ids.OVERVIEW_VERSION),
            html.Div(id=ids.OVERVIEW_MESSAGE),
            dbc.Row(id=ids.OVERVIEW_KPIS, className="g-3 kpi-row"),
            section("Open positions", html.Div(id=ids.OVERVIEW_POSITIONS)),
            section(
                "Equity and drawdown",
                html.Div(id=ids.OVERVIEW_EQUITY_BASIS, className="small text-secondary mb-1"),
                dcc.Graph(id=ids.OVERVIEW_EQUITY, config={"displaylogo": False}, style={"height": "420px"}),
            ),
        ]
    )


def kpi_row(
    total_assets: float,
    cash: float,
    realized_pnl: float,
    unrealized_pnl: float,
    round_trips,
    open_positions: int,
    filled_trades: int,
    starting_capital: float | None,
) -> list:
    """`round_trips`: data.round_trips.RoundTripStats (the win rate is over closed round trips)."""
    win_value, win_note = win_rate_text(round_trips)
    return_note = None
    if starting_capital:
        return_note = (
            f"{fmt.pct((total_assets / starting_capital - 1) * 100)} since start ({fmt.krw(starting_capital)})"
        )
    return [
        kpi_card(
            "total-assets", "Total assets", fmt.krw(total_assets), note=return_note or "cash + positions at market"
        ),
        kpi_card("cash", "Cash", fmt.krw(cash)),
        kpi_card(
            "realized-pnl",
            "Realized PnL",
            fmt.krw(realized_pnl, signed=True),
            fmt.pnl_class(realized_pnl),
            note="cumulative, fees included",
        ),
        kpi_card(
            "unrealized-pnl",
            "Unrealized PnL",
            fmt.krw(unrealized_pnl, signed=True),
            fmt.pnl_class(unrealized_pnl),
            note="open positions at latest price",
        ),
        kpi_card("win-rate", "Win rate", win_value, note=win_note),
        kpi_card("open-positions", "Open positions", str(open_positions)),
        kpi_card("filled-trades", "Filled trades", f"{filled_trades:,}"),
    ]


def win_rate_text(stats) -> tuple[str, str]:
    """(value, note) of the win rate over closed round trips, break-even said on its own."""
    if stats.win_rate_pct is None:
        note = "No closed round trips yet: a round trip closes when a position is sold down to zero."
        value = "n/a"
    else:
        value = fmt.pct(stats.win_rate_pct, signed=False)
        note = f"{stats.wins} won, {stats.losses} lost, {stats.break_even} break-even of {stats.closed} round trips"
    if stats.unmatched_sells:
        note += f" ({stats.unmatched_sells} sells without a matching buy are not counted)"
    return value, note


EQUITY_BASIS = (
    "Marked to market: cash plus each open position at the close of every hour (UTC hourly candles), "
    "so the curve and the max drawdown include losses on positions still held; the last point is now, "
    "at the latest price."
)


def equity_basis(unpriced_symbols: tuple[str, ...]) -> html.Span:
    text = EQUITY_BASIS
    if unpriced_symbols:
        text += f" No candle for {', '.join(unpriced_symbols)} in some hours: valued at average cost there."
    return html.Span(text, **{"data-equity-basis": "marked-to-market"})


def positions_table(positions: pd.DataFrame, tz: ZoneInfo) -> html.Div:
    if positions.empty:
        return html.P(
            "No open positions: the bot holds only cash.",
            className="text-secondary mb-0",
            **{"data-empty": "positions"},
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, className=c)
                for h, c in (
                    ("Symbol", ""),
                    ("Quantity", "text-end"),
                    ("Avg price", "text-end"),
                    ("Current price", "text-end"),
                    ("Value", "text-end"),
                    ("Unrealized", "text-end"),
                    ("Unrealized %", "text-end"),
                    ("Held since", ""),
                )
            ]
        )
    )
    rows = []
    for row in positions.itertuples(index=False):
        price_cell = fmt.price(row.current_price)
        if not row.priced:
            price_cell = [price_cell, html.Span(" (no candle: valued at avg price)", className="text-warning small")]
        rows.append(
            html.Tr(
                [
                    html.Td(row.symbol, className="fw-semibold"),
                    html.Td(fmt.quantity(row.quantity), className="text-end num"),
                    html.Td(fmt.price(row.avg_price), className="text-end num"),
                    html.Td(price_cell, className="text-end num"),
                    html.Td(fmt.krw(row.value), className="text-end num"),
                    html.Td(
                        fmt.krw(row.unrealized_krw, signed=True),
                        className=f"text-end num {fmt.pnl_class(row.unrealized_krw)}",
                    ),
                    html.Td(fmt.pct(row.unrealized_pct), className=f"text-end num {fmt.pnl_class(row.unrealized_pct)}"),
                    html.Td(fmt.timestamp(row.opened_at, tz, seconds=False)),
                ],
                **{"data-symbol": row.symbol},
            )
        )
    return dbc.Table(
        [header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 positions-table"
    )


def equity_figure(
    equity: pd.DataFrame, drawdown_pct: pd.Series, tz: ZoneInfo, max_drawdown_pct: float, max_drawdown_krw: float
) -> dict:
    """Equity above, drawdown below on a shared time axis: what make_subplots(rows=2,
    shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04) lays out, built as a plain
    dict. Graph objects validated every property on every refresh: 80% of this page's callback."""
    # Wall-clock times of the display zone, as graph objects send a tz-aware series.
    times = equity["time"].dt.tz_convert(tz).dt.tz_localize(None).to_numpy()
    layout = charts.plain_layout(height=420, showlegend=False, uirevision="equity")
    layout.update(
        title={
            "text": f"Max drawdown {fmt.pct(max_drawdown_pct)} ({fmt.krw(-max_drawdown_krw)})",
            "x": 0.01,
            "font": {"size": 13},
        },
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False, "gridcolor": charts.GRID},
        yaxis={
            "anchor": "x",
            "domain": [_EQUITY_BOTTOM, 1.0],
            "title": {"text": "KRW"},
            "tickformat": ",.0f",
            "gridcolor": charts.GRID,
        },
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0], "gridcolor": charts.GRID},
        yaxis2={
            "anchor": "x2",
            "domain": [0.0, _DRAWDOWN_TOP],
            "title": {"text": "DD %"},
            "ticksuffix": "%",
            "gridcolor": charts.GRID,
        },
        margin={"l": 70, "r": 16, "t": 40, "b": 32},
    )
    return {
        "data": [
            {
                "type": "scatter",
                "x": times,
                "y": equity["equity"].to_numpy(dtype=float),
                "mode": "lines",
                "name": "Equity",
                "line": {"color": charts.ACCENT, "width": 2},
                "hovertemplate": "%{y:,.0f} KRW<extra>equity</extra>",
                "xaxis": "x",
                "yaxis": "y",
            },
            {
                "type": "scatter",
                "x": times,
                "y": pd.Series(drawdown_pct).to_numpy(dtype=float),
                "mode": "lines",
                "name": "Drawdown",
                "fill": "tozeroy",
                "line": {"color": charts.loss(), "width": 1},
                "hovertemplate": "%{y:.2f}%<extra>drawdown</extra>",
                "xaxis": "x2",
                "yaxis": "y2",
            },
        ],
        "layout": layout,
    }


# The two rows' vertical extents: 0.7 and 0.3 of the height left after a 0.04 gap.
_EQUITY_BOTTOM = 0.3 * (1 - 0.04) + 0.04
_DRAWDOWN_TOP = 0.3 * (1 - 0.04)
