"""An event turned into a message in DASHBOARD_LANGUAGE and the display time zone (plain values).

The message is composed once, when the event is queued, and stored in the outbox; each channel
only lays it out in its own format (alerts.channels). A message that goes out late (a channel
was away, the watcher was down) is written again from its stored fields when it is sent: it
says it is late and when it happened, and a firing and its resolution that waited together
become one message saying both times (`late`, `merged`).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from alerts import messages
from alerts.engine import Event, EventKind, RuleState

_ICONS = {EventKind.FIRING: "🔴", EventKind.REMINDER: "🟠", EventKind.RESOLVED: "🟢"}


def rule_title(language: str | None, state: RuleState) -> str:
    return messages.text(language, f"rule.{state.rule}", **state.rule_args)


def value_text(language: str | None, state: RuleState) -> str:
    args = dict(state.value_args)
    if "age_s" in args:
        args["age"] = messages.duration(language, args.pop("age_s"))
    if state.value_key == "value.block":
        left = args.pop("left_s", None)
        args["left"] = (
            "" if left is None else messages.text(language, "value.block_left", age=messages.duration(language, left))
        )
    if "window" in args:
        args["window"] = messages.text(language, f"value.window.{args['window']}")
    try:
        return messages.text(language, state.value_key, **args)
    except (KeyError, ValueError, IndexError):
        # A state saved by an older watcher with other arguments: show the raw values.
        return ", ".join(f"{k}={v}" for k, v in sorted(state.value_args.items()))


def deep_link(public_url: str | None, page: str) -> str | None:
    if not public_url:
        return None
    return urljoin(public_url.rstrip("/") + "/", page.lstrip("/"))


def compose(event: Event, language: str, zone: ZoneInfo, public_url: str | None) -> dict:
    state = event.state
    title = rule_title(language, state)
    if state.subject and state.rule in ("bot_status_stale", "candle_stale"):
        title = f"{title}: {state.subject}"
    message = {
        "id": event.event_id,
        "event": event.kind.value,
        "rule": state.rule,
        "key": state.key,
        "subject": state.subject,
        "title": title,
        "value": value_text(language, state),
        "since": state.since.isoformat() if state.since else None,
        "at": event.at.isoformat(),
        "link": deep_link(public_url, state.page),
        "language": language,
        "late": False,
    }
    return _written(message, zone)


def late(message: dict, sent_at: datetime, zone: ZoneInfo) -> dict:
    """The message as it goes out at `sent_at`, long after it happened: marked late, with the
    time it happened (its `at`) and how much later it is sent."""
    late_by = max(0.0, (sent_at - datetime.fromisoformat(message["at"])).total_seconds())
    return _written({**message, "late": True, "late_by_s": round(late_by, 1), "sent_at": sent_at.isoformat()}, zone)


def merged(firing: dict, resolved: dict, sent_at: datetime, zone: ZoneInfo) -> dict:
    """A firing and its resolution that waited together: one message saying both times (since
    when it held, when it resolved), with the value it fired with, late as of `sent_at`."""
    message = {
        **firing,
        "id": f"{firing['id']}+{resolved['id']}",
        "event": "resolved",
        "fired_at": firing["at"],
        "resolved_at": resolved["at"],
        "at": firing["at"],  # the time it happened, from which it is late
        "since": firing["since"] or firing["at"],
        "merged": [firing["id"], resolved["id"]],
    }
    return late(message, sent_at, zone)


def _written(message: dict, zone: ZoneInfo) -> dict:
    """`headline` and `text` from the message's fields, in its language."""
    language = message["language"]
    kind = EventKind(message["event"])
    is_merged = "resolved_at" in message
    word = messages.text(language, "event.fired_and_resolved" if is_merged else f"event.{kind.value}")
    if message.get("late"):
        word = messages.text(language, "event.late", event=word)
    headline = f"{_ICONS[kind]} {word}: {message['title']}"
    lines = [headline, f"{messages.text(language, 'field.value')}: {message['value']}"]

    def line(label: str, at: str) -> str:
        return f"{messages.text(language, label)}: {messages.local_time(datetime.fromisoformat(at), zone)}"

    if is_merged:
        lines += [line("field.since", message["since"]), line("field.resolved_at", message["resolved_at"])]
    elif message["since"] is not None:
        lines.append(
            line("field.resolved_at", message["at"])
            if kind is EventKind.RESOLVED
            else line("field.since", message["since"])
        )
    if message.get("late"):
        happened = messages.local_time(datetime.fromisoformat(message["at"]), zone)
        delay = messages.duration(language, message["late_by_s"])
        lines.append(
            f"{messages.text(language, 'field.late')}: {messages.text(language, 'late.detail', at=happened, delay=delay)}"
        )
    if message["link"]:
        lines.append(f"{messages.text(language, 'field.open')}: {message['link']}")
    return {**message, "headline": headline, "text": "\n".join(lines)}
