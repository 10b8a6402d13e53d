"""An event turned into a message in DASHBOARD_LANGUAGE and the display time zone (plain values).

The message is composed once, when the event is queued, and stored in the outbox; each channel
only lays it out in its own format (alerts.channels).
"""

from __future__ import annotations

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
    headline = f"{_ICONS[event.kind]} {messages.text(language, f'event.{event.kind.value}')}: {title}"
    value = value_text(language, state)
    link = deep_link(public_url, state.page)
    lines = [headline, f"{messages.text(language, 'field.value')}: {value}"]
    if state.since is not None:
        label = "field.resolved_at" if event.kind is EventKind.RESOLVED else "field.since"
        lines.append(
            f"{messages.text(language, label)}: {messages.local_time(state.since if event.kind is not EventKind.RESOLVED else event.at, zone)}"
        )
    if link:
        lines.append(f"{messages.text(language, 'field.open')}: {link}")
    return {
        "id": event.event_id,
        "event": event.kind.value,
        "rule": state.rule,
        "key": state.key,
        "subject": state.subject,
        "title": title,
        "headline": headline,
        "value": value,
        "since": state.since.isoformat() if state.since else None,
        "at": event.at.isoformat(),
        "link": link,
        "language": language,
        "text": "\n".join(lines),
    }
