"""Alerts: the watcher's rules with their state, the transition history, silences, delivery
channels and the watcher's own liveness (read-only); and the browser-notification switch."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import alert, section

STATE_LABELS = {"firing": "FIRING", "pending": "PENDING", "ok": "OK"}
STATE_COLOURS = {"firing": "danger", "pending": "warning", "ok": "success"}


@dataclass(frozen=True)
class RuleRow:
    key: str
    state: str  # ok, pending, firing
    title: str
    subject: str
    value: str
    since: str
    evaluated: str
    silenced: bool
    unknown: bool
    link: str | None


@dataclass(frozen=True)
class HistoryRow:
    at: str
    title: str
    old: str
    new: str


def page() -> html.Div:
    return html.Div(
        [
            html.H1("Alerts", className="page-title"),
            html.Div(id=ids.ALERTS_WATCHER, className="mb-3"),
            section(
                "Rules",
                html.Div(id=ids.ALERTS_RULES),
                right=html.Div(
                    [
                        dbc.Switch(
                            id=ids.ALERTS_NOTIFY,
                            label="Browser notifications",
                            value=False,
                            persistence=True,
                            persistence_type="local",
                            className="mb-0",
                        ),
                        html.Span(id=ids.ALERTS_NOTIFY_STATUS, className="small text-secondary"),
                    ],
                    className="d-flex align-items-center gap-2",
                ),
            ),
            dbc.Row(
                [
                    dbc.Col(section("Silences", html.Div(id=ids.ALERTS_SILENCES)), lg=6),
                    dbc.Col(section("Delivery channels", html.Div(id=ids.ALERTS_CHANNELS)), lg=6),
                ]
            ),
            section("Transition history (newest first)", html.Div(id=ids.ALERTS_HISTORY)),
        ]
    )


def no_watcher(state_path: str) -> html.Div:
    return alert(
        html.Span(
            [
                "No alert watcher has run with this state directory (",
                html.Code(state_path),
                "). Nobody is told when something breaks while this page is closed: start one with ",
                html.Code("coinpilot-dashboard watch"),
                " (deploy/coinpilot-alerts.service).",
            ]
        ),
        "warning",
        "No watcher",
        **{"data-watcher": "none"},
    )


def watcher_card(level: str, headline: str, facts: list[tuple[str, str]]) -> dbc.Card:
    colours = {"ok": "success", "warn": "warning", "down": "danger"}
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [html.Span(className=f"dot dot-{level}"), html.Span("Alert watcher", className="fw-semibold")],
                    className="d-flex align-items-center gap-2 mb-1",
                ),
                html.Div(headline, className=f"text-{colours[level]}", **{"data-watcher": level}),
                html.Dl(
                    [item for label, value in facts for item in (html.Dt(label), html.Dd(value))],
                    className="health-facts mb-0",
                ),
            ]
        )
    )


def rules_table(rows: list[RuleRow]) -> html.Div:
    if not rows:
        return html.P("The watcher has not evaluated any rule yet.", className="text-secondary mb-0")
    header = html.Thead(
        html.Tr([html.Th(h) for h in ("State", "Rule", "Symbol / threshold", "Value", "Since", "Evaluated")])
    )
    body = []
    for row in rows:
        badges = [dbc.Badge(STATE_LABELS[row.state], color=STATE_COLOURS[row.state])]
        if row.silenced:
            badges.append(dbc.Badge("silenced", color="secondary", className="ms-1"))
        if row.unknown:
            badges.append(dbc.Badge("source unreachable", color="secondary", className="ms-1"))
        title = dcc.Link(row.title, href=row.link) if row.link else row.title
        body.append(
            html.Tr(
                [
                    html.Td(badges),
                    html.Td(title),
                    html.Td(row.subject),
                    html.Td(row.value),
                    html.Td(row.since),
                    html.Td(row.evaluated),
                ],
                **{"data-rule": row.key, "data-state": row.state},
            )
        )
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, className="mb-0 alerts-table")


def history_table(rows: list[HistoryRow]) -> html.Div:
    if not rows:
        return html.P("No transitions yet.", className="text-secondary mb-0")
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th("At"), html.Th("Rule"), html.Th("From"), html.Th("To")])),
            html.Tbody(
                [
                    html.Tr(
                        [html.Td(r.at), html.Td(r.title), html.Td(STATE_LABELS[r.old]), html.Td(STATE_LABELS[r.new])]
                    )
                    for r in rows
                ]
            ),
        ],
        size="sm",
        responsive=True,
        className="mb-0",
    )


def silences_list(rows: list[tuple[str, str]]) -> html.Div:
    if not rows:
        return html.P(
            ["No active silences. ", html.Code("coinpilot-dashboard watch --silence RULE --for 2h"), " adds one."],
            className="text-secondary mb-0",
        )
    return html.Ul(
        [html.Li([html.Code(target), f" until {until}"], **{"data-silence": target}) for target, until in rows],
        className="mb-0",
    )


def channels_list(rows: list[tuple[str, str, str]]) -> html.Div:
    """(channel name, level, text): never a URL or a token."""
    if not rows:
        return html.P("No message has been queued yet (or no channel is configured).", className="text-secondary mb-0")
    return html.Ul(
        [
            html.Li(
                [html.Span(className=f"dot dot-{level} me-2"), html.Strong(name), ": ", text], **{"data-channel": name}
            )
            for name, level, text in rows
        ],
        className="list-unstyled mb-0",
    )


def strip_link(firing: int, href: str, watcher_running: bool) -> list:
    """The status strip's alert count (children of the ALERTS_STRIP link)."""
    level = "down" if firing else ("ok" if watcher_running else "warn")
    text = f"{firing} firing" if watcher_running or firing else "no watcher"
    return [html.Span(className=f"dot dot-{level}"), html.Span("Alerts: ", className="strip-label"), html.Span(text)]
