"""System: PostgreSQL/TimescaleDB, Redis, n8n and the dashboard's store, data freshness, candle rollups, latest audit events."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from i18n import t
from layouts import ids
from layouts.access import AccessMode, access_sentence
from layouts.components import section
from layouts.risk import audit_grid


def page() -> html.Div:
    return html.Div(
        [
            html.H1(t("system.title"), className="page-title"),
            dbc.Row(
                [
                    dbc.Col(html.Div(id=ids.SYSTEM_DATABASE), md=6, xl=3, className="mb-3"),
                    dbc.Col(html.Div(id=ids.SYSTEM_REDIS), md=6, xl=3, className="mb-3"),
                    dbc.Col(html.Div(id=ids.SYSTEM_N8N), md=6, xl=3, className="mb-3"),
                    dbc.Col(html.Div(id=ids.SYSTEM_ACCESS), md=6, xl=3, className="mb-3"),
                    dbc.Col(html.Div(id=ids.SYSTEM_STRATEGY), md=6, xl=3, className="mb-3"),
                    dbc.Col(html.Div(id=ids.SYSTEM_STORE), md=6, xl=3, className="mb-3"),
                ]
            ),
            section(t("system.section_freshness"), html.Div(id=ids.SYSTEM_FRESHNESS)),
            section(t("system.section_rollups"), html.Div(id=ids.SYSTEM_ROLLUPS)),
            section(t("system.section_reconciliation"), html.Div(id=ids.SYSTEM_RECONCILIATION)),
            section(t("system.section_audit"), audit_grid(ids.SYSTEM_AUDIT, height=300)),
        ]
    )


def access_card(access: AccessMode) -> dbc.Card:
    """Who may see the dashboard: a warning while anyone who reaches it may."""
    return health_card(
        "access",
        "warn" if access.is_open else "ok",
        t("system.access_open") if access.is_open else t("system.access_closed"),
        [("mode", access_sentence(access))],
    )


def health_card(key: str, level: str, headline: str, facts: list[tuple[str, str]]) -> dbc.Card:
    """key: database, redis, n8n, access or store (the card's title is system.card.<key>). level: ok,
    warn, down or off (not configured). facts: (fact, value), each fact labelled by
    system.fact.<fact> and findable by data-fact="<key>:<fact>"."""
    title = t(f"system.card.{key}")
    colours = {"ok": "success", "warn": "warning", "down": "danger", "off": "secondary"}
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [html.Span(className=f"dot dot-{level}"), html.Span(title, className="fw-semibold")],
                    className="d-flex align-items-center gap-2 mb-1",
                ),
                html.Div(
                    headline,
                    className=f"health-headline text-{colours[level]}",
                    **{"data-health": key, "data-level": level},
                ),
                html.Dl(
                    [
                        item
                        for fact, value in facts
                        for item in (
                            html.Dt(t(f"system.fact.{fact}")),
                            html.Dd(value, **{"data-fact": f"{key}:{fact}"}),
                        )
                    ],
                    className="health-facts mb-0",
                ),
            ]
        ),
        className="h-100",
    )


def freshness_table(rows: list[dict]) -> html.Div:
    """rows: symbol, last_candle, candle_age, candle_stale, status_state, status_age, status_stale, note,
    and future_candle, future_by (None, or the furthest future-dated candle's time and how far ahead)."""
    if not rows:
        return html.P(t("system.no_symbols"), className="text-secondary mb-0")
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(f"system.col.{column}"))
                for column in ("symbol", "last_candle", "candle_age", "bot_status", "status_age")
            ]
        )
    )
    body = []
    for row in rows:
        body.append(
            html.Tr(
                [
                    html.Td(row["symbol"], className="fw-semibold"),
                    html.Td(
                        [
                            row["last_candle"],
                            html.Div(
                                [
                                    dbc.Badge("future-dated", color="warning", className="me-1"),
                                    f"a candle at {row['future_candle']}, {row['future_by']}",
                                ],
                                className="small text-warning-emphasis",
                                **{"data-candle-future": row["symbol"]},
                            )
                            if row.get("future_candle")
                            else None,
                        ]
                    ),
                    html.Td(
                        [
                            row["candle_age"],
                            dbc.Badge(t("system.stale"), color="danger", className="ms-2")
                            if row["candle_stale"]
                            else None,
                        ],
                        **{"data-candle-stale": str(row["candle_stale"]).lower()},
                    ),
                    html.Td(
                        [
                            row["status_state"],
                            # Why a status is missing is read on a phone too (no tooltip there).
                            html.Div(row["explanation"], className="small text-secondary")
                            if row.get("explanation")
                            else None,
                        ],
                        title=row.get("note") or "",
                    ),
                    html.Td(
                        [
                            row["status_age"],
                            dbc.Badge(t("system.stale"), color="danger", className="ms-2")
                            if row["status_stale"]
                            else None,
                        ]
                    ),
                ],
                **{"data-symbol": row["symbol"]},
            )
        )
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, className="mb-0")


def rollups_panel(level: str, headline: str, rows: list[dict], note: str | None = None) -> html.Div:
    """level: ok, warn, down or off. rows: rollup, materialised, behind, behind_level, job,
    job_level (ok, warn, down), error."""
    colours = {"ok": "success", "warn": "warning", "down": "danger", "off": "secondary"}
    head = html.Div(
        [html.Span(className=f"dot dot-{level}"), html.Span(headline, className=f"text-{colours[level]}")],
        className="d-flex align-items-center gap-2 mb-2",
        **{"data-rollups": level},
    )
    children = [head]
    if note:
        children.append(html.P(note, className="text-secondary small mb-2"))
    if rows:
        header = html.Thead(
            html.Tr(
                [
                    html.Th(t(f"system.col.{column}"))
                    for column in ("rollup", "materialised", "behind", "policy", "error")
                ]
            )
        )
        body = [
            html.Tr(
                [
                    html.Td(row["rollup"], className="fw-semibold"),
                    html.Td(row["materialised"]),
                    html.Td(row["behind"], className=f"text-{colours[row['behind_level']]}"),
                    html.Td(
                        row["job"], className=f"text-{colours[row['job_level']]}", **{"data-job": row["job_level"]}
                    ),
                    html.Td(row["error"], className="small"),
                ],
                **{"data-rollup": row["rollup"]},
            )
            for row in rows
        ]
        children.append(dbc.Table([header, html.Tbody(body)], size="sm", responsive=True, className="mb-0"))
    return html.Div(children)
