"""Alerts page and the strip's firing count: the watcher's state file, read-only (alerts.state)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from dash import ClientsideFunction, Dash, Input, Output

from alerts.compose import rule_title, value_text
from alerts.engine import State
from alerts.state import AlertSnapshot, AlertStateReader, reader_of
from callbacks.pages import PageServices
from i18n import t
from layouts import alerts as layout
from layouts import format as fmt
from layouts import ids
from layouts.components import problem

LIVE_SUBJECT_RULES = ("bot_status_stale", "candle_stale")


def _at(epoch: float | None, tz) -> str:
    return fmt.timestamp(datetime.fromtimestamp(epoch, UTC), tz) if epoch is not None else t("alerts.page.never")


def watcher_panel(snapshot: AlertSnapshot, reader: AlertStateReader, tz, now: float):
    if not snapshot.exists:
        return layout.no_watcher(str(reader.path))
    if snapshot.error:
        return problem("unreachable", t("alerts.page.state_file_unreadable", error=snapshot.error))
    live = [w for w in snapshot.watchers if w.alive(now)]
    senders = [w for w in live if w.role == "sender"]
    if not live:
        last = max((w.seen_at for w in snapshot.watchers), default=None)
        return layout.watcher_card(
            "down",
            t("alerts.page.none_running", at=_at(last, tz)),
            [(t("alerts.page.state_file"), str(reader.path))],
        )
    sender = senders[0] if senders else live[0]
    facts = [
        (
            t("alerts.page.sender"),
            t("alerts.page.sender_is", host=sender.host, pid=sender.pid) if senders else t("alerts.page.standbys_only"),
        ),
        (t("alerts.page.last_evaluation"), _at(sender.evaluated_at, tz)),
        (t("alerts.page.every"), t("alerts.page.every_s", seconds=f"{sender.evaluation_seconds:g}")),
        (t("alerts.page.standbys"), str(len(live) - len(senders))),
    ]
    if sender.last_error:
        facts.append((t("alerts.page.last_error"), sender.last_error))
    level = "warn" if sender.last_error or not senders else "ok"
    headline = (
        t("alerts.page.running_last", age=fmt.age(now - sender.evaluated_at))
        if sender.evaluated_at
        else t("alerts.page.running")
    )
    return layout.watcher_card(level, headline, facts)


def rule_rows(snapshot: AlertSnapshot, tz, relative_path) -> list[layout.RuleRow]:
    """The rules in the browser's language (the watcher's messages are in DASHBOARD_LANGUAGE)."""
    silenced = {s.target for s in snapshot.silences}
    rows = []
    for rule in snapshot.rules:
        rows.append(
            layout.RuleRow(
                key=rule.key,
                state=rule.state.value,
                title=rule_title(None, rule),
                subject=rule.subject or "",
                value=value_text(None, rule),
                since=fmt.timestamp(rule.since, tz) if rule.state is not State.OK and rule.since else "",
                evaluated=fmt.timestamp(rule.evaluated_at, tz),
                silenced=rule.rule in silenced or rule.key in silenced,
                unknown=rule.unknown,
                link=relative_path(rule.page) if rule.page else None,
            )
        )
    return rows


def channel_rows(snapshot: AlertSnapshot, tz, titles: dict[str, str], now: float) -> list[layout.ChannelRow]:
    """Each channel's counts and its waiting messages (rule names in the browser's language)."""
    rows = []
    for c in snapshot.channels:
        level = "down" if c.failed else "warn" if c.waiting else "ok"
        text = t(
            "alerts.page.channel_counts", sent=c.sent, at=_at(c.last_sent_at, tz), waiting=c.waiting, failed=c.failed
        )
        if c.merged:
            text += t("alerts.page.channel_merged", merged=c.merged)
        if c.last_error and (c.failed or c.waiting):
            text += t("alerts.page.channel_error", error=c.last_error)
        queue = tuple(
            layout.QueueRow(
                key=q.key,
                kind=q.kind,
                title=titles.get(q.key, q.key),
                happened=_iso_at(q.happened_at, tz),
                attempts=q.attempts,
                next_attempt=t("alerts.page.next_now") if q.next_attempt_at <= now else _at(q.next_attempt_at, tz),
                gives_up=_at(q.gives_up_at, tz),
            )
            for q in c.queue
        )
        rows.append(layout.ChannelRow(c.channel, level, text, queue, max(0, c.waiting - len(queue))))
    return rows


def _iso_at(value: str | None, tz) -> str:
    try:
        return fmt.timestamp(datetime.fromisoformat(value), tz) if value else t("alerts.page.never")
    except ValueError:
        return value


def alerts_panels(reader: AlertStateReader, services: PageServices, relative_path) -> tuple:
    tz = services.display_timezone
    snapshot = reader.read()
    rules = rule_rows(snapshot, tz, relative_path)
    titles = {r.key: r.title + (f" ({r.subject})" if r.subject else "") for r in rules}
    history = [
        layout.HistoryRow(
            fmt.timestamp(datetime.fromisoformat(h.at), tz), titles.get(h.key, h.key), h.old.value, h.new.value
        )
        for h in snapshot.history
    ]
    silences = [(s.target, _at(s.until, tz)) for s in snapshot.silences]
    return (
        watcher_panel(snapshot, reader, tz, time.time()),
        layout.rules_table(rules),
        layout.history_table(history),
        layout.silences_list(silences),
        layout.channels_list(channel_rows(snapshot, tz, titles, time.time())),
    )


def strip(reader: AlertStateReader) -> tuple[list, dict]:
    """The strip's count and, for browser notifications, the firing rules (key -> text)."""
    snapshot = reader.read()
    now = time.time()
    running = any(w.alive(now) for w in snapshot.watchers)
    firing = {
        r.key: f"{rule_title(None, r)}{f' ({r.subject})' if r.subject else ''}: {value_text(None, r)}"
        for r in snapshot.firing
    }
    return layout.strip_link(len(firing), "", running), firing


def register(app: Dash, services: PageServices) -> None:
    reader = reader_of(app.server)

    @app.callback(
        Output(ids.ALERTS_WATCHER, "children"),
        Output(ids.ALERTS_RULES, "children"),
        Output(ids.ALERTS_HISTORY, "children"),
        Output(ids.ALERTS_SILENCES, "children"),
        Output(ids.ALERTS_CHANNELS, "children"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
        Input(ids.URL, "pathname"),
    )
    def refresh_alerts(_n, _pathname):
        return alerts_panels(reader, services, app.get_relative_path)

    @app.callback(
        Output(ids.ALERTS_STRIP, "children"),
        Output(ids.ALERTS_FIRING_STORE, "data"),
        Input(ids.REFRESH_INTERVAL, "n_intervals"),
    )
    def refresh_strip(_n):
        return strip(reader)

    # Browser notifications run in the browser (assets/alerts.js): the switch asks for the
    # permission and remembers the choice; every page then notifies about newly firing rules.
    app.clientside_callback(
        ClientsideFunction(namespace="coinpilotAlerts", function_name="notifySwitch"),
        Output(ids.ALERTS_NOTIFY_STATUS, "children"),
        Input(ids.ALERTS_NOTIFY, "value"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="coinpilotAlerts", function_name="notify"),
        Output(ids.ALERTS_NOTIFIED, "data-notified"),
        Input(ids.ALERTS_FIRING_STORE, "data"),
    )
