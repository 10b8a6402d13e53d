"""Round trips on the History page: the statistics, the PnL per day / week / month, and one row
per round trip (entry to exit, partial sells as its legs)."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from i18n import t
from layouts import format as fmt
from layouts import grid_text, ids
from layouts.codes import code_label
from layouts.components import section

PERIODS = ("day", "week", "month")
# What an operator reads first (when, how long, how much) on the left; the prices after.
# (field, width, extra column settings); header from round_trips.col.<field>.
_GRID_COLUMNS = (
    ("symbol", 105, {}),
    ("entry_time", 190, {}),
    ("exit_time", 190, {}),
    ("holding", 105, {"type": "rightAligned"}),
    ("pnl_krw", 120, {"type": "rightAligned", "cellRenderer": "PnlCell"}),
    ("pnl_pct", 95, {"type": "rightAligned", "cellRenderer": "PnlCell"}),
    ("outcome", 100, {}),
    ("exit_reason", 140, {}),
    ("entry_price", 130, {"type": "rightAligned"}),
    ("exit_price", 130, {"type": "rightAligned"}),
    ("quantity", 130, {"type": "rightAligned"}),
    ("legs", 75, {"type": "rightAligned"}),
    ("fees", 105, {"type": "rightAligned"}),
)


def grid_columns() -> list[dict]:
    return [
        {"field": field, "headerName": t(f"round_trips.col.{field}"), "width": width, **extra}
        for field, width, extra in _GRID_COLUMNS
    ]


def holding(seconds: float | None) -> str:
    """How long a trip was held: '45 min', '5 h 0 min', '2 d 3 h'."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    minutes = round(seconds / 60)
    if minutes < 60:
        return t("round_trips.held_minutes", m=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return t("round_trips.held_hours", h=hours, m=rest)
    days, hours = divmod(hours, 24)
    return t("round_trips.held_days", d=days, h=hours)


def section_for_history() -> dbc.Card:
    return section(
        t("round_trips.title"),
        html.P(t("round_trips.explain"), className="small text-secondary mb-2"),
        html.Div(id=ids.HISTORY_ROUND_TRIP_STATS, className="mb-2"),
        dag.AgGrid(
            id=ids.HISTORY_ROUND_TRIPS,
            columnDefs=grid_columns(),
            rowData=[],
            defaultColDef={"resizable": True, "sortable": False},
            dashGridOptions={
                "pagination": True,
                "paginationPageSize": 20,
                "paginationPageSizeSelector": False,
                "localeText": grid_text.locale_text(t("round_trips.grid_empty")),
            },
            style={"height": "420px"},
            className="round-trips-grid",
        ),
        html.Div(
            [
                html.Span(t("round_trips.periods"), className="small fw-semibold me-3"),
                dbc.RadioItems(
                    id=ids.HISTORY_PERIOD,
                    options=[{"label": t(f"round_trips.period.{key}"), "value": key} for key in PERIODS],
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
    return fmt.krw(value, signed=signed) if value is not None else t("round_trips.na")


def stats_panel(stats) -> html.Div:
    """`stats`: data.round_trips.RoundTripStats."""
    if stats.closed == 0:
        body = [html.P(t("round_trips.none"), className="text-secondary mb-1", **{"data-empty": "round-trips"})]
    else:
        factor = stats.profit_factor
        facts = [
            _fact("closed", t("round_trips.stat.closed"), f"{stats.closed:,}"),
            _fact(
                "win-rate",
                t("round_trips.stat.win_rate"),
                t(
                    "round_trips.stat.win_rate_value",
                    rate=fmt.pct(stats.win_rate_pct, signed=False),
                    wins=stats.wins,
                    losses=stats.losses,
                    break_even=stats.break_even,
                ),
            ),
            _fact(
                "profit-factor",
                t("round_trips.stat.profit_factor"),
                f"{factor:.2f}" if factor is not None else t("round_trips.stat.no_losing_trip"),
            ),
            _fact("average-win", t("round_trips.stat.average_win"), _krw_or_na(stats.average_win), "text-gain"),
            _fact("average-loss", t("round_trips.stat.average_loss"), _krw_or_na(stats.average_loss), "text-loss"),
            _fact(
                "expectancy",
                t("round_trips.stat.expectancy"),
                _krw_or_na(stats.expectancy),
                fmt.pnl_class(stats.expectancy),
            ),
            _fact("best", t("round_trips.stat.best"), _krw_or_na(stats.best), fmt.pnl_class(stats.best)),
            _fact("worst", t("round_trips.stat.worst"), _krw_or_na(stats.worst), fmt.pnl_class(stats.worst)),
            _fact("holding", t("round_trips.stat.holding"), holding(stats.average_holding.total_seconds())),
        ]
        body = [html.Div(facts, className="round-trip-facts d-flex flex-wrap gap-4")]
    notes = []
    if stats.open:
        notes.append(t("round_trips.open", n=stats.open))
    if stats.unmatched_sells:
        notes.append(t("round_trips.unmatched", n=stats.unmatched_sells))
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
                "fees": fmt.krw_figure(trip.fees),
                "pnl_krw": fmt.krw_figure(trip.pnl_krw, signed=True) if closed else "",
                "pnl_pct": fmt.pct(trip.realized_pnl_pct) if closed else "",
                "pnl_sign": 0 if not closed or kind == "break_even" else (1 if trip.pnl_krw > 0 else -1),
                "outcome": t(f"round_trips.outcome.{kind}"),
                "exit_reason": code_label("exit_reason", trip.exit_reason) if isinstance(trip.exit_reason, str) else "",
            }
        )
    return rows


def period_table(table: pd.DataFrame, period: str) -> html.Div:
    if table.empty:
        return html.P(t("round_trips.none"), className="text-secondary small mb-0")
    first_day = t(f"round_trips.period_first.{period}")
    header = html.Thead(
        html.Tr(
            [
                html.Th(first_day),
                html.Th(t("round_trips.period_trips"), className="text-end"),
                html.Th(t("round_trips.period_won"), className="text-end"),
                html.Th(t("round_trips.period_lost"), className="text-end"),
                html.Th(t("round_trips.period_break_even"), className="text-end"),
                html.Th(t("round_trips.period_pnl"), className="text-end"),
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
