"""Reconciliation (System page): the dashboard's realized PnL per UTC day against the bot's
daily_risk_state.total_pnl, and the positions the fills build against the positions table,
with the rows behind every discrepancy."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import html

from layouts import format as fmt

TEXT = {
    "fees": (
        "Fees count the same on both sides: a sell realizes (sell price − average cost) × quantity − the "
        "sell's fee − the share of the position's buy fees the sold quantity carries, as the bot's "
        "total_pnl does (SCHEMA.md). A difference beyond the larger of 1 KRW and 0.01 % of the day's "
        "turnover (BUY and SELL value) is a discrepancy."
    ),
    "days_ok": "Realized PnL agrees with the bot's daily_risk_state.total_pnl on all {n} UTC day(s) checked "
    "(last {window} days).",
    "days_bad": "{bad} of {n} UTC day(s) disagree with the bot's daily_risk_state.total_pnl (last {window} days).",
    "no_days": "No fills and no bot PnL in the last {window} days: nothing to reconcile.",
    "positions_ok": "The positions table matches the fills for all {n} symbol(s) held.",
    "positions_bad": "{bad} of {n} symbol(s): the positions table does not match the fills that built them.",
    "no_positions": "No open positions on either side.",
    "no_row": "no daily_risk_state row",
    "unmatched": " ({n} sell(s) without a buy before them: their PnL is unknown to the dashboard)",
}


def _status(ok: bool) -> html.Span:
    return html.Span("agrees" if ok else "DISCREPANCY", className="text-gain" if ok else "text-loss fw-semibold")


def _fills_table(fills, tz: ZoneInfo) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th("Executed"),
                html.Th("Order id"),
                html.Th("Symbol"),
                html.Th("Side"),
                html.Th("Price", className="text-end"),
                html.Th("Quantity", className="text-end"),
                html.Th("Fee", className="text-end"),
                html.Th("Realized PnL", className="text-end"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(fmt.timestamp(f.executed_at, tz)),
                html.Td(f.id, className="small font-monospace"),
                html.Td(f.symbol),
                html.Td(f.side),
                html.Td(fmt.price(f.price), className="text-end num"),
                html.Td(fmt.quantity(f.quantity), className="text-end num"),
                html.Td(fmt.krw(f.fee), className="text-end num"),
                html.Td(
                    fmt.krw(f.realized_pnl, signed=True) if f.side == "SELL" else "",
                    className=f"text-end num {fmt.pnl_class(f.realized_pnl)}",
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
        return html.P(TEXT["no_days"].format(window=window_days), className="text-secondary mb-0")
    bad = [c for c in checks if c.is_discrepancy]
    summary = (
        TEXT["days_bad"].format(bad=len(bad), n=len(checks), window=window_days)
        if bad
        else TEXT["days_ok"].format(n=len(checks), window=window_days)
    )
    header = html.Thead(
        html.Tr(
            [
                html.Th("UTC day"),
                html.Th("Dashboard (fills)", className="text-end"),
                html.Th("Bot (total_pnl)", className="text-end"),
                html.Th("Difference", className="text-end"),
                html.Th("Tolerance", className="text-end"),
                html.Th("Turnover", className="text-end"),
                html.Th("Check"),
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
                            TEXT["unmatched"].format(n=check.unmatched_sells) if check.unmatched_sells else "",
                        ],
                        className="text-end num",
                    ),
                    html.Td(
                        fmt.krw(check.bot_pnl, signed=True) if check.bot_pnl is not None else TEXT["no_row"],
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
                    f"{check.day.isoformat()}: the {len(check.fills)} fill(s) behind the dashboard's figure",
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
                className="mb-2 " + ("text-loss fw-semibold" if bad else "text-gain"),
                **{"data-reconciliation": "days-bad" if bad else "days-ok"},
            ),
            dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-2"),
            *details,
        ]
    )


def positions_panel(checks: list, tz: ZoneInfo) -> html.Div:
    """`checks`: data.reconciliation.PositionCheck, by symbol."""
    if not checks:
        return html.P(TEXT["no_positions"], className="text-secondary mb-0")
    bad = [c for c in checks if c.is_discrepancy]
    summary = (
        TEXT["positions_bad"].format(bad=len(bad), n=len(checks)) if bad else TEXT["positions_ok"].format(n=len(checks))
    )
    header = html.Thead(
        html.Tr(
            [
                html.Th("Symbol"),
                html.Th("Quantity (fills)", className="text-end"),
                html.Th("Quantity (positions)", className="text-end"),
                html.Th("Avg cost (fills)", className="text-end"),
                html.Th("Avg cost (positions)", className="text-end"),
                html.Th("Cost difference", className="text-end"),
                html.Th("Check"),
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
                html.Summary(f"{c.symbol}: the {len(c.fills)} fill(s) since it was last flat", className="small"),
                _fills_table(c.fills, tz),
            ],
            open=True,
            **{"data-rows-behind": c.symbol},
        )
        for c in bad
    ]
    return html.Div(
        [
            html.P(summary, className="mb-2 " + ("text-loss fw-semibold" if bad else "text-gain")),
            dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-2"),
            *details,
        ]
    )


def panel(days: html.Div, positions: html.Div) -> html.Div:
    return html.Div(
        [
            html.P(TEXT["fees"], className="small text-secondary mb-2", **{"data-fee-treatment": "both-sides"}),
            html.H3("Realized PnL per UTC day", className="h6 mt-2"),
            days,
            html.H3("Positions against their fills", className="h6 mt-3"),
            positions,
        ]
    )
