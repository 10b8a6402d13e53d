"""Round trips on the History page: the statistics, the PnL per day / week / month, and one row
per round trip (entry to exit, partial sells as its legs)."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from layouts import format as fmt
from layouts import ids
from layouts.components import section

PERIOD_LABELS = {"day": "Daily", "week": "Weekly", "month": "Monthly"}
TEXT = {
    "title": "Round trips",
    "explain": (
        "A round trip runs from the BUY that opens a position to the SELL that closes it; partial sells "
        "are its legs. PnL is the legs' realized PnL, fees included (the sells' fees and the buy fees of "
        "the quantity sold). A trip within ±0.5 KRW is break-even: neither a win nor a loss, but it counts "
        "in the win rate's round trips. Filtered by symbol and by the day the trip closed (UTC); side and "
        "status filters do not apply."
    ),
    "periods": "PnL by period of exit (UTC)",
    "none": "No closed round trips in this set.",
    "open": "{n} position(s) still open: shown first, not counted in the statistics.",
    "unmatched": "{n} sell(s) without a buy before them (history that starts mid-position) are not paired.",
}
# What an operator reads first (when, how long, how much) on the left; the prices after.
GRID_COLUMNS = [
    {"field": "symbol", "headerName": "Symbol", "width": 105},
    {"field": "entry_time", "headerName": "Entry", "width": 190},
    {"field": "exit_time", "headerName": "Exit", "width": 190},
    {"field": "holding", "headerName": "Held", "width": 105, "type": "rightAligned"},
    {"field": "pnl_krw", "headerName": "PnL (KRW)", "width": 120, "type": "rightAligned", "cellRenderer": "PnlCell"},
    {"field": "pnl_pct", "headerName": "PnL %", "width": 95, "type": "rightAligned", "cellRenderer": "PnlCell"},
    {"field": "outcome", "headerName": "Result", "width": 100},
    {"field": "exit_reason", "headerName": "Exit reason", "width": 140},
    {"field": "entry_price", "headerName": "Entry avg price", "width": 130, "type": "rightAligned"},
    {"field": "exit_price", "headerName": "Exit avg price", "width": 130, "type": "rightAligned"},
    {"field": "quantity", "headerName": "Quantity", "width": 130, "type": "rightAligned"},
    {"field": "legs", "headerName": "Sells", "width": 75, "type": "rightAligned"},
    {"field": "fees", "headerName": "Fees (KRW)", "width": 105, "type": "rightAligned"},
]
OUTCOME_LABELS = {"win": "win", "loss": "loss", "break_even": "break-even", "open": "open"}


def holding(seconds: float | None) -> str:
    """How long a trip was held: '45 min', '5 h 0 min', '2 d 3 h'."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def section_for_history() -> dbc.Card:
    return section(
        TEXT["title"],
        html.P(TEXT["explain"], className="small text-secondary mb-2"),
        html.Div(id=ids.HISTORY_ROUND_TRIP_STATS, className="mb-2"),
        dag.AgGrid(
            id=ids.HISTORY_ROUND_TRIPS,
            columnDefs=GRID_COLUMNS,
            rowData=[],
            defaultColDef={"resizable": True, "sortable": False},
            dashGridOptions={"pagination": True, "paginationPageSize": 20, "paginationPageSizeSelector": False},
            style={"height": "420px"},
            className="round-trips-grid",
        ),
        html.Div(
            [
                html.Span(TEXT["periods"], className="small fw-semibold me-3"),
                dbc.RadioItems(
                    id=ids.HISTORY_PERIOD,
                    options=[{"label": label, "value": key} for key, label in PERIOD_LABELS.items()],
                    value="day",
                    inline=True,
                ),
            ],
            className="d-flex flex-wrap align-items-center mt-3 mb-2",
        ),
        html.Div(id=ids.HISTORY_PERIOD_TABLE),
    )


def _fact(key: str, title: str, value: str, value_class: str = "") -> html.Div:
    return html.Div(
        [html.Div(title, className="kpi-title"), html.Div(value, className=f"fw-semibold {value_class}")],
        className="round-trip-fact",
        **{"data-round-trip-stat": key},
    )


def _krw_or_na(value: float | None, signed: bool = True) -> str:
    return fmt.krw(value, signed=signed) if value is not None else "n/a"


def stats_panel(stats) -> html.Div:
    """`stats`: data.round_trips.RoundTripStats."""
    if stats.closed == 0:
        body = [html.P(TEXT["none"], className="text-secondary mb-1", **{"data-empty": "round-trips"})]
    else:
        factor = stats.profit_factor
        facts = [
            _fact("closed", "Round trips", f"{stats.closed:,}"),
            _fact(
                "win-rate",
                "Win rate",
                f"{fmt.pct(stats.win_rate_pct, signed=False)} ({stats.wins} won, {stats.losses} lost, "
                f"{stats.break_even} break-even)",
            ),
            _fact(
                "profit-factor",
                "Profit factor",
                f"{factor:.2f}" if factor is not None else "n/a (no losing trip)",
            ),
            _fact("average-win", "Average win", _krw_or_na(stats.average_win), "text-gain"),
            _fact("average-loss", "Average loss", _krw_or_na(stats.average_loss), "text-loss"),
            _fact(
                "expectancy",
                "Expectancy (per trip)",
                _krw_or_na(stats.expectancy),
                fmt.pnl_class(stats.expectancy),
            ),
            _fact("best", "Best trip", _krw_or_na(stats.best), fmt.pnl_class(stats.best)),
            _fact("worst", "Worst trip", _krw_or_na(stats.worst), fmt.pnl_class(stats.worst)),
            _fact("holding", "Average holding time", holding(stats.average_holding.total_seconds())),
        ]
        body = [html.Div(facts, className="round-trip-facts d-flex flex-wrap gap-4")]
    notes = []
    if stats.open:
        notes.append(TEXT["open"].format(n=stats.open))
    if stats.unmatched_sells:
        notes.append(TEXT["unmatched"].format(n=stats.unmatched_sells))
    if notes:
        body.append(html.Div(" ".join(notes), className="small text-secondary mt-1"))
    return html.Div(body)


def trip_rows(trips: pd.DataFrame, outcomes: pd.Series, tz: ZoneInfo) -> list[dict]:
    """One grid row per round trip; `outcomes`: win / loss / break_even / open per trip."""
    rows = []
    for trip, kind in zip(trips.itertuples(index=False), outcomes, strict=True):
        closed = not trip.is_open
        rows.append(
            {
                "symbol": trip.symbol,
                "entry_time": fmt.timestamp(trip.entry_time, tz, seconds=False),
                "entry_price": fmt.price(trip.entry_price),
                "exit_time": fmt.timestamp(trip.exit_time, tz, seconds=False) if closed else "",
                "exit_price": fmt.price(trip.exit_price) if trip.legs else "",
                "quantity": fmt.quantity(trip.quantity),
                "legs": trip.legs,
                "holding": holding(trip.holding_s) if closed else "",
                "fees": fmt.krw(trip.fees).removesuffix(" KRW"),
                "pnl_krw": fmt.krw(trip.pnl_krw, signed=True).removesuffix(" KRW") if closed else "",
                "pnl_pct": fmt.pct(trip.pnl_pct) if closed else "",
                "pnl_sign": 0 if not closed or kind == "break_even" else (1 if trip.pnl_krw > 0 else -1),
                "outcome": OUTCOME_LABELS[kind],
                "exit_reason": trip.exit_reason if isinstance(trip.exit_reason, str) else "",
            }
        )
    return rows


def period_table(table: pd.DataFrame, period: str) -> html.Div:
    if table.empty:
        return html.P(TEXT["none"], className="text-secondary small mb-0")
    first_day = {"day": "UTC day", "week": "Week from (Mon, UTC)", "month": "Month (UTC)"}[period]
    header = html.Thead(
        html.Tr(
            [
                html.Th(first_day),
                html.Th("Round trips", className="text-end"),
                html.Th("Won", className="text-end"),
                html.Th("Lost", className="text-end"),
                html.Th("Break-even", className="text-end"),
                html.Th("PnL", className="text-end"),
            ]
        )
    )
    rows = []
    for row in table.itertuples(index=False):
        label = row.period.strftime("%Y-%m") if period == "month" else row.period.isoformat()
        rows.append(
            html.Tr(
                [
                    html.Td(label),
                    html.Td(f"{row.trips:,}", className="text-end num"),
                    html.Td(f"{row.wins:,}", className="text-end num"),
                    html.Td(f"{row.losses:,}", className="text-end num"),
                    html.Td(f"{row.break_even:,}", className="text-end num"),
                    html.Td(fmt.krw(row.pnl_krw, signed=True), className=f"text-end num {fmt.pnl_class(row.pnl_krw)}"),
                ],
                **{"data-period": label},
            )
        )
    return dbc.Table(
        [header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 period-pnl-table"
    )
