"""Reconciliation (System page): the dashboard's realized PnL per UTC day against the bot's
daily_risk_state.total_pnl, and the positions the fills build against the positions table,
with the rows behind every discrepancy."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import html

from i18n import t
from layouts import format as fmt
from layouts.codes import code_label


def _status(ok: bool) -> html.Span:
    return html.Span(
        t("reconciliation.agrees") if ok else t("reconciliation.discrepancy"),
        className="text-ok" if ok else "text-bad fw-semibold",
    )


def _fills_table(fills, tz: ZoneInfo) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("reconciliation.col.executed")),
                html.Th(t("reconciliation.col.order_id")),
                html.Th(t("reconciliation.col.symbol")),
                html.Th(t("reconciliation.col.side")),
                html.Th(t("reconciliation.col.price"), className="text-end"),
                html.Th(t("reconciliation.col.quantity"), className="text-end"),
                html.Th(t("reconciliation.col.fee"), className="text-end"),
                html.Th(t("reconciliation.col.realized_pnl"), className="text-end"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(fmt.timestamp(f.executed_at, tz)),
                html.Td(f.id, className="small font-monospace"),
                html.Td(f.symbol),
                html.Td(code_label("side", f.side)),
                html.Td(fmt.price(f.price), className="text-end num"),
                html.Td(fmt.quantity(f.quantity), className="text-end num"),
                html.Td(fmt.krw(f.fee), className="text-end num"),
                html.Td(
                    fmt.krw(f.price_pnl, signed=True) if f.side == "SELL" else "",
                    className=f"text-end num {fmt.pnl_class(f.price_pnl)}",
                ),
            ],
            **{"data-fill": f.id},
        )
        for f in fills.itertuples(index=False)
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", className="mb-2 reconciliation-fills")


def days_panel(checks: list, window_days: int, tz: ZoneInfo) -> html.Div:
    """`checks`: data.reconciliation.DayCheck, newest first."""
    if not checks:
        return html.P(t("reconciliation.no_days", window=window_days), className="text-secondary mb-0")
    bad = [c for c in checks if c.is_discrepancy]
    summary = (
        t("reconciliation.days_bad", bad=len(bad), n=len(checks), window=window_days)
        if bad
        else t("reconciliation.days_ok", n=len(checks), window=window_days)
    )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("reconciliation.col.day")),
                html.Th(t("reconciliation.col.dashboard"), className="text-end"),
                html.Th(t("reconciliation.col.bot"), className="text-end"),
                html.Th(t("reconciliation.col.difference"), className="text-end"),
                html.Th(t("reconciliation.col.tolerance"), className="text-end"),
                html.Th(t("reconciliation.col.turnover"), className="text-end"),
                html.Th(t("reconciliation.col.check")),
            ]
        )
    )
    rows = []
    for check in checks:
        difference = check.difference
        rows.append(
            html.Tr(
                [
                    html.Td(check.day.isoformat()),
                    html.Td(
                        [
                            fmt.krw(check.dashboard_pnl, signed=True),
                            t("reconciliation.unmatched", n=check.unmatched_sells) if check.unmatched_sells else "",
                        ],
                        className="text-end num",
                    ),
                    html.Td(
                        fmt.krw(check.bot_pnl, signed=True)
                        if check.bot_pnl is not None
                        else t("reconciliation.no_row"),
                        className="text-end num",
                    ),
                    html.Td(
                        fmt.krw(difference, signed=True) if difference is not None else "–",
                        className="text-end num",
                        **{"data-difference": check.day.isoformat()},
                    ),
                    html.Td(fmt.krw(check.tolerance), className="text-end num"),
                    html.Td(fmt.krw(check.turnover), className="text-end num"),
                    html.Td(_status(not check.is_discrepancy)),
                ],
                className="table-danger" if check.is_discrepancy else "",
                **{"data-day": check.day.isoformat(), "data-discrepancy": str(check.is_discrepancy).lower()},
            )
        )
    details = [
        html.Details(
            [
                html.Summary(
                    t("reconciliation.day_fills", day=check.day.isoformat(), n=len(check.fills)),
                    className="small",
                ),
                _fills_table(check.fills, tz),
            ],
            open=True,
            **{"data-rows-behind": check.day.isoformat()},
        )
        for check in bad
    ]
    return html.Div(
        [
            html.P(
                summary,
                className="mb-2 " + ("text-bad fw-semibold" if bad else "text-ok"),
                **{"data-reconciliation": "days-bad" if bad else "days-ok"},
            ),
            dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-2"),
            *details,
        ]
    )


def positions_panel(checks: list, tz: ZoneInfo) -> html.Div:
    """`checks`: data.reconciliation.PositionCheck, by symbol."""
    if not checks:
        return html.P(t("reconciliation.no_positions"), className="text-secondary mb-0")
    bad = [c for c in checks if c.is_discrepancy]
    summary = (
        t("reconciliation.positions_bad", bad=len(bad), n=len(checks))
        if bad
        else t("reconciliation.positions_ok", n=len(checks))
    )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("reconciliation.col.symbol")),
                html.Th(t("reconciliation.col.fills_quantity"), className="text-end"),
                html.Th(t("reconciliation.col.bot_quantity"), className="text-end"),
                html.Th(t("reconciliation.col.fills_avg"), className="text-end"),
                html.Th(t("reconciliation.col.bot_avg"), className="text-end"),
                html.Th(t("reconciliation.col.cost_difference"), className="text-end"),
                html.Th(t("reconciliation.col.check")),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(c.symbol),
                html.Td(fmt.quantity(c.fills_quantity), className="text-end num"),
                html.Td(fmt.quantity(c.bot_quantity), className="text-end num"),
                html.Td(fmt.price(c.fills_avg_price), className="text-end num"),
                html.Td(fmt.price(c.bot_avg_price), className="text-end num"),
                html.Td(fmt.krw(c.value_difference_krw, signed=True), className="text-end num"),
                html.Td(_status(not c.is_discrepancy)),
            ],
            className="table-danger" if c.is_discrepancy else "",
            **{"data-position": c.symbol, "data-discrepancy": str(c.is_discrepancy).lower()},
        )
        for c in checks
    ]
    details = [
        html.Details(
            [
                html.Summary(t("reconciliation.symbol_fills", symbol=c.symbol, n=len(c.fills)), className="small"),
                _fills_table(c.fills, tz),
            ],
            open=True,
            **{"data-rows-behind": c.symbol},
        )
        for c in bad
    ]
    return html.Div(
        [
            html.P(summary, className="mb-2 " + ("text-bad fw-semibold" if bad else "text-ok")),
            dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-2"),
            *details,
        ]
    )


def panel(days: html.Div, positions: html.Div) -> html.Div:
    return html.Div(
        [
            html.P(
                t("reconciliation.fees"), className="small text-secondary mb-2", **{"data-fee-treatment": "both-sides"}
            ),
            html.H3(t("reconciliation.days_title"), className="h6 mt-2"),
            days,
            html.H3(t("reconciliation.positions_title"), className="h6 mt-3"),
            positions,
        ]
    )
