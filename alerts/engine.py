"""Rule states from observations: OK -> PENDING -> FIRING -> OK, and the messages that go out.

Pure: given the saved states, this evaluation's observations, the clock and the silences, it
returns the new states, the transitions for the history and the events to deliver. A rule
fires after its condition has held for the pending period (`for`, as in Grafana); a blip
shorter than that sends nothing. While firing, a reminder goes out every repeat period; no
other message repeats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from alerts.rules import Observation


class State(str, enum.Enum):
    OK = "ok"
    PENDING = "pending"
    FIRING = "firing"


class EventKind(str, enum.Enum):
    FIRING = "firing"
    RESOLVED = "resolved"
    REMINDER = "reminder"


@dataclass(frozen=True)
class RuleState:
    key: str
    rule: str
    subject: str | None
    state: State
    # When the condition began to hold (PENDING and FIRING), or when it last resolved (OK).
    since: datetime | None
    value_key: str
    value_args: dict[str, Any]
    rule_args: dict[str, Any]
    page: str
    evaluated_at: datetime
    # When a message about this firing last went out (None: none yet, e.g. silenced throughout).
    notified_at: datetime | None = None
    # The value is unknown this evaluation (its source is unreachable); the state is held.
    unknown: bool = False


@dataclass(frozen=True)
class Transition:
    key: str
    at: datetime
    old: State
    new: State
    value_key: str
    value_args: dict[str, Any]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    state: RuleState
    at: datetime

    @property
    def event_id(self) -> str:
        """Stable for one message: the same event built twice has the same id (idempotency key)."""
        since = self.state.since.isoformat() if self.state.since else "-"
        return f"{self.state.key}|{self.kind.value}|{since}|{self.at.isoformat()}"


@dataclass(frozen=True)
class Outcome:
    states: dict[str, RuleState]
    transitions: list[Transition]
    events: list[Event]


def evaluate(
    previous: dict[str, RuleState],
    observations: list[Observation],
    now: datetime,
    *,
    pending_s: float,
    repeat_s: float,
    silenced: set[str] | frozenset[str] = frozenset(),
) -> Outcome:
    """Advance every observed rule by one evaluation. Rules not observed keep their state."""
    states = dict(previous)
    transitions: list[Transition] = []
    events: list[Event] = []
    for obs in observations:
        old = previous.get(obs.key)
        was_active = old is not None and old.state is not State.OK
        holds = obs.holds(was_active)
        if holds is None:
            if old is not None:
                states[obs.key] = replace(old, evaluated_at=now, unknown=True)
            continue
        base = RuleState(
            key=obs.key,
            rule=obs.rule,
            subject=obs.subject,
            state=State.OK,
            since=None,
            value_key=obs.value_key,
            value_args=dict(obs.value_args),
            rule_args=dict(obs.rule_args),
            page=obs.page,
            evaluated_at=now,
        )
        if old is None:
            old = base
        new = replace(
            old,
            value_key=base.value_key,
            value_args=base.value_args,
            rule_args=base.rule_args,
            page=base.page,
            evaluated_at=now,
            unknown=False,
        )
        silent = _silenced(obs, silenced)
        if holds:
            if old.state is State.OK:
                new = replace(new, state=State.PENDING, since=now, notified_at=None)
            if new.state is State.PENDING and now - new.since >= timedelta(seconds=pending_s):
                new = replace(new, state=State.FIRING)
            if new.state is State.FIRING and not silent:
                if new.notified_at is None:
                    new = replace(new, notified_at=now)
                    events.append(Event(EventKind.FIRING, new, now))
                elif repeat_s > 0 and now - new.notified_at >= timedelta(seconds=repeat_s):
                    new = replace(new, notified_at=now)
                    events.append(Event(EventKind.REMINDER, new, now))
        elif old.state is not State.OK:
            # Resolved: say so only if the operator was told it fired (a silenced or still
            # pending rule clears quietly).
            if old.state is State.FIRING and old.notified_at is not None and not silent:
                events.append(Event(EventKind.RESOLVED, replace(new, state=State.OK), now))
            new = replace(new, state=State.OK, since=now, notified_at=None)
        if new.state is not old.state:
            transitions.append(Transition(obs.key, now, old.state, new.state, new.value_key, new.value_args))
        states[obs.key] = new
    return Outcome(states, transitions, events)


def _silenced(obs: Observation, silenced) -> bool:
    """A silence names a rule (every subject) or one rule:subject key."""
    return obs.rule in silenced or obs.key in silenced
