"""Alerts: the watcher's rules with their state, the transition history, silences, delivery
channels and the watcher's own liveness (read-only); and the browser-notification switch."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import t
from layouts import ids
from layouts.codes import known_label
from layouts.components import alert, section

STATE_COLOURS = {"firing": "danger", "pending": "warning", "ok": "success"}


def state_label(state: str) -> str:
    """A rule state (ok, pending, firing) in the operator's words."""
    return t(f"alerts.page.state.{state}")


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


@dataclass(frozen=True)
class QueueRow:
    """A message waiting for a channel, in the browser's words."""

    key: str
    kind: str  # firing, resolved, reminder
    title: str
    happened: str
    attempts: int
    next_attempt: str
    gives_up: str


@dataclass(frozen=True)
class ChannelRow:
    """A channel (its name, never its URL or token), its counts and what waits for it."""

    name: str
    level: str  # ok, warn, down
    text: str
    queue: tuple[QueueRow, ...] = ()
    more: int = 0  # waiting beyond those listed


def page() -> html.Div:
    return html.Div(
        [
            html.H1(t("alerts.page.title"), className="page-title"),
            html.Div(id=ids.ALERTS_WATCHER, className="mb-3"),
            section(
                t("alerts.page.rules"),
                html.Div(id=ids.ALERTS_RULES),
                right=html.Div(
                    [
                        dbc.Switch(
                            id=ids.ALERTS_NOTIFY,
                            label=t("alerts.page.notifications"),
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
                    dbc.Col(section(t("alerts.page.silences"), html.Div(id=ids.ALERTS_SILENCES)), lg=6),
                    dbc.Col(section(t("alerts.page.channels"), html.Div(id=ids.ALERTS_CHANNELS)), lg=6),
                ]
            ),
            section(t("alerts.page.history"), html.Div(id=ids.ALERTS_HISTORY)),
        ]
    )


def no_watcher(state_path: str) -> html.Div:
    return alert(
        html.Span(
            [
                t("alerts.page.no_watcher_before"),
                html.Code(state_path),
                t("alerts.page.no_watcher_middle"),
                html.Code("coinpilot-dashboard watch"),
                t("alerts.page.no_watcher_after"),
            ]
        ),
        "warning",
        t("alerts.page.no_watcher_title"),
        **{"data-watcher": "none"},
    )


def watcher_card(level: str, headline: str, facts: list[tuple[str, str]]) -> dbc.Card:
    colours = {"ok": "success", "warn": "warning", "down": "danger"}
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Span(className=f"dot dot-{level}"),
                        html.Span(t("alerts.page.watcher"), className="fw-semibold"),
                    ],
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
        return html.P(t("alerts.page.no_rules"), className="text-secondary mb-0")
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(f"alerts.page.col_{column}"))
                for column in ("state", "rule", "subject", "value", "since", "evaluated")
            ]
        )
    )
    body = []
    for row in rows:
        badges = [dbc.Badge(state_label(row.state), color=STATE_COLOURS[row.state])]
        if row.silenced:
            badges.append(dbc.Badge(t("alerts.page.silenced"), color="secondary", className="ms-1"))
        if row.unknown:
            badges.append(dbc.Badge(t("alerts.page.source_unreachable"), color="secondary", className="ms-1"))
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
        return html.P(t("alerts.page.no_transitions"), className="text-secondary mb-0")
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"alerts.page.col_{column}")) for column in ("at", "rule", "from", "to")])),
            html.Tbody(
                [
                    html.Tr([html.Td(r.at), html.Td(r.title), html.Td(state_label(r.old)), html.Td(state_label(r.new))])
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
            [
                t("alerts.page.no_silences"),
                html.Code("coinpilot-dashboard watch --silence RULE --for 2h"),
                t("alerts.page.adds_one"),
            ],
            className="text-secondary mb-0",
        )
    return html.Ul(
        [
            html.Li([html.Code(target), t("alerts.page.until", until=until)], **{"data-silence": target})
            for target, until in rows
        ],
        className="mb-0",
    )


EVENT_COLOURS = {"firing": "danger", "reminder": "warning", "resolved": "success"}


def channels_list(rows: list[ChannelRow]) -> html.Div:
    if not rows:
        return html.P(t("alerts.page.no_messages"), className="text-secondary mb-0")
    return html.Ul(
        [
            html.Li(
                [html.Span(className=f"dot dot-{row.level} me-2"), html.Strong(row.name), ": ", row.text]
                + ([_queue(row)] if row.queue else []),
                **{"data-channel": row.name},
                className="mb-2",
            )
            for row in rows
        ],
        className="list-unstyled mb-0",
    )


def _queue(row: ChannelRow) -> html.Div:
    """What waits for the channel, oldest first: each message, when it happened and its retries."""
    items = [
        html.Li(
            [
                dbc.Badge(known_label("alerts.event", q.kind), color=EVENT_COLOURS.get(q.kind, "secondary")),
                " ",
                html.Span(q.title, className="fw-semibold"),
                html.Div(
                    t(
                        "alerts.page.queued",
                        happened=q.happened,
                        attempts=q.attempts,
                        next=q.next_attempt,
                        gives_up=q.gives_up,
                    ),
                    className="small text-secondary",
                ),
            ],
            className="mb-1",
            **{"data-queued": q.key, "data-kind": q.kind},
        )
        for q in row.queue
    ]
    if row.more:
        items.append(html.Li(t("alerts.page.queue_more", count=row.more), className="small text-secondary"))
    return html.Div(
        [html.Div(t("alerts.page.queue_title"), className="small mt-1"), html.Ul(items, className="ps-3 mb-0")],
        className="channel-queue",
    )


def strip_link(firing: int, href: str, watcher_running: bool) -> list:
    """The status strip's alert count (children of the ALERTS_STRIP link). Without a watcher
    the item is neutral (grey): running without one is a valid deployment, not a fault."""
    level = "down" if firing else ("ok" if watcher_running else "off")
    text = t("strip.firing", count=firing) if watcher_running or firing else t("strip.no_watcher")
    attributes = {"data-level": level}
    if level == "off":
        attributes["title"] = t("strip.no_watcher_tip")
    return [
        html.Span(className=f"dot dot-{level}"),
        html.Span(t("strip.alerts") + ": ", className="strip-label"),
        html.Span(text, **attributes),
    ]
