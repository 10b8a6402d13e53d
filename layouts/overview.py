"""Overview: assets, PnL, win rate, open positions and the equity curve."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import current, t
from layouts import charts, ids
from layouts import format as fmt
from layouts.components import kpi_card, section


def page() -> html.Div:
    return html.Div(
        [
            html.H1(t("overview.title"), className="page-title"),
            dcc.Store(id=ids.OVERVIEW_VERSION),
            html.Div(id=ids.OVERVIEW_MESSAGE),
            dbc.Row(id=ids.OVERVIEW_KPIS, className="g-3 kpi-row"),
            section(t("overview.section_positions"), html.Div(id=ids.OVERVIEW_POSITIONS)),
            section(
                t("overview.section_equity"),
                html.Div(id=ids.OVERVIEW_EQUITY_BASIS, className="small text-secondary mb-1"),
                dcc.Graph(
                    id=ids.OVERVIEW_EQUITY,
                    config={"displaylogo": False, "locale": current().language},
                    style={"height": "420px"},
                ),
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
        return_note = t(
            "overview.note.since_start",
            pct=fmt.pct((total_assets / starting_capital - 1) * 100),
            capital=fmt.krw(starting_capital),
        )
    return [
        kpi_card(
            "total-assets",
            t("overview.kpi.total_assets"),
            fmt.krw(total_assets),
            note=return_note or t("overview.note.total_assets"),
        ),
        kpi_card("cash", t("overview.kpi.cash"), fmt.krw(cash)),
        kpi_card(
            "realized-pnl",
            t("overview.kpi.realized_pnl"),
            fmt.krw(realized_pnl, signed=True),
            fmt.pnl_class(realized_pnl),
            note=t("overview.note.realized_pnl"),
        ),
        kpi_card(
            "unrealized-pnl",
            t("overview.kpi.unrealized_pnl"),
            fmt.krw(unrealized_pnl, signed=True),
            fmt.pnl_class(unrealized_pnl),
            note=t("overview.note.unrealized_pnl"),
        ),
        kpi_card("win-rate", t("overview.kpi.win_rate"), win_value, note=win_note),
        kpi_card("open-positions", t("overview.kpi.open_positions"), str(open_positions)),
        kpi_card("filled-trades", t("overview.kpi.filled_trades"), f"{filled_trades:,}"),
    ]


def win_rate_text(stats) -> tuple[str, str]:
    """(value, note) of the win rate over closed round trips, break-even said on its own."""
    if stats.win_rate_pct is None:
        note = t("overview.win_rate.none")
        value = t("overview.win_rate.not_available")
    else:
        value = fmt.pct(stats.win_rate_pct, signed=False)
        note = t(
            "overview.win_rate.note",
            wins=stats.wins,
            losses=stats.losses,
            break_even=stats.break_even,
            closed=stats.closed,
        )
    if stats.unmatched_sells:
        note += t("overview.win_rate.unmatched", count=stats.unmatched_sells)
    return value, note


def equity_basis(unpriced_symbols: tuple[str, ...]) -> html.Span:
    """How the curve is valued (marked to market), and which symbols lacked candles."""
    text = t("overview.equity_basis")
    if unpriced_symbols:
        text += t("overview.equity_basis.unpriced", symbols=", ".join(unpriced_symbols))
    return html.Span(text, **{"data-equity-basis": "marked-to-market"})


def positions_table(positions: pd.DataFrame, tz: ZoneInfo) -> html.Div:
    if positions.empty:
        return html.P(
            t("overview.positions.empty"),
            className="text-secondary mb-0",
            **{"data-empty": "positions"},
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(f"overview.positions.{key}"), className=c)
                for key, c in (
                    ("symbol", ""),
                    ("quantity", "text-end"),
                    ("avg_price", "text-end"),
                    ("current_price", "text-end"),
                    ("value", "text-end"),
                    ("unrealized", "text-end"),
                    ("unrealized_pct", "text-end"),
                    ("held_since", ""),
                )
            ]
        )
    )
    rows = []
    for row in positions.itertuples(index=False):
        price_cell = fmt.price(row.current_price)
        if not row.priced:
            price_cell = [price_cell, html.Span(t("overview.positions.no_candle"), className="text-warning small")]
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
            "text": t("overview.equity.title", pct=fmt.pct(max_drawdown_pct), krw=fmt.krw(-max_drawdown_krw)),
            "x": 0.01,
            "font": {"size": 13},
        },
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False, "gridcolor": charts.GRID},
        yaxis={
            "anchor": "x",
            "domain": [_EQUITY_BOTTOM, 1.0],
            "title": {"text": t("overview.equity.axis_value")},
            "tickformat": ",.0f",
            "gridcolor": charts.GRID,
        },
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0], "gridcolor": charts.GRID},
        yaxis2={
            "anchor": "x2",
            "domain": [0.0, _DRAWDOWN_TOP],
            "title": {"text": t("overview.equity.axis_drawdown")},
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
                "name": t("overview.equity.trace_equity"),
                "line": {"color": charts.ACCENT, "width": 2},
                "hovertemplate": t("overview.equity.hover_equity"),
                "xaxis": "x",
                "yaxis": "y",
            },
            {
                "type": "scatter",
                "x": times,
                "y": pd.Series(drawdown_pct).to_numpy(dtype=float),
                "mode": "lines",
                "name": t("overview.equity.trace_drawdown"),
                "fill": "tozeroy",
                "line": {"color": charts.loss(), "width": 1},
                "hovertemplate": t("overview.equity.hover_drawdown"),
                "xaxis": "x2",
                "yaxis": "y2",
            },
        ],
        "layout": layout,
    }


# The two rows' vertical extents: 0.7 and 0.3 of the height left after a 0.04 gap.
_EQUITY_BOTTOM = 0.3 * (1 - 0.04) + 0.04
_DRAWDOWN_TOP = 0.3 * (1 - 0.04)
