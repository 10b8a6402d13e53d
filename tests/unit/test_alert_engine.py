"""The alert state machine: pending periods, hysteresis, reminders, silences, no duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.engine import EventKind, State, evaluate
from alerts.rules import Observation

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def stale(active, subject="KRW-BTC"):
    return Observation("bot_status_stale", subject, active, "value.missing")


def loss(pct):
    return Observation(
        "daily_loss",
        "80%",
        False,
        "value.pct_of_limit",
        {},
        {"threshold": 80},
        numeric=pct,
        fire_at=80.0,
        clear_at=75.0,
    )


def run(sequence, *, pending_s=60, repeat_s=0, step_s=30, silenced=frozenset()):
    """Evaluate observation lists one per step; return (final states, every event)."""
    states, events = {}, []
    for i, observations in enumerate(sequence):
        outcome = evaluate(
            states,
            observations,
            T0 + timedelta(seconds=i * step_s),
            pending_s=pending_s,
            repeat_s=repeat_s,
            silenced=silenced,
        )
        states = outcome.states
        events += outcome.events
    return states, events


def test_a_condition_fires_only_after_its_pending_period():
    states, events = run([[stale(True)], [stale(True)]])
    assert events == [] and states["bot_status_stale:KRW-BTC"].state is State.PENDING
    states, events = run([[stale(True)]] * 3)
    assert [e.kind for e in events] == [EventKind.FIRING]


def test_a_blip_shorter_than_the_pending_period_sends_nothing():
    states, events = run([[stale(True)], [stale(False)], [stale(True)], [stale(False)]])
    assert events == [] and states["bot_status_stale:KRW-BTC"].state is State.OK


def test_a_steady_fault_fires_once_and_resolves_once():
    _, events = run([[stale(True)]] * 20 + [[stale(False)]] * 3)
    assert [e.kind for e in events] == [EventKind.FIRING, EventKind.RESOLVED]


def test_reminders_follow_the_repeat_period():
    # 20 steps of 30 s: fires at 60 s, reminders at 360 s (5 min later); nothing else.
    _, events = run([[stale(True)]] * 20, repeat_s=300)
    assert [(e.kind, (e.at - T0).total_seconds()) for e in events] == [
        (EventKind.FIRING, 60),
        (EventKind.REMINDER, 360),
    ]


def test_an_unknown_observation_holds_a_firing_state():
    states, events = run([[stale(True)]] * 3 + [[stale(None)]] * 5)
    assert [e.kind for e in events] == [EventKind.FIRING]
    assert states["bot_status_stale:KRW-BTC"].state is State.FIRING and states["bot_status_stale:KRW-BTC"].unknown


def test_a_numeric_rule_clears_only_below_its_hysteresis_band():
    # Fires at 81; 78 is inside the band (75..80) and keeps it firing; 74 resolves.
    _, events = run([[loss(81)], [loss(78)], [loss(79)], [loss(74)]], pending_s=0)
    assert [e.kind for e in events] == [EventKind.FIRING, EventKind.RESOLVED]
    assert (events[1].at - T0).total_seconds() == 90


def test_a_numeric_rule_below_its_threshold_does_not_fire():
    _, events = run([[loss(79.9)]] * 5, pending_s=0)
    assert events == []


def test_a_silenced_rule_sends_nothing_but_keeps_its_state():
    states, events = run([[stale(True)]] * 5, silenced=frozenset({"bot_status_stale"}))
    assert events == [] and states["bot_status_stale:KRW-BTC"].state is State.FIRING


def test_a_silence_on_one_subject_leaves_the_others():
    _, events = run(
        [[stale(True, "KRW-BTC"), stale(True, "KRW-ETH")]] * 3, silenced=frozenset({"bot_status_stale:KRW-BTC"})
    )
    assert [e.state.key for e in events] == ["bot_status_stale:KRW-ETH"]


def test_a_rule_firing_through_its_silence_is_announced_when_the_silence_ends():
    states, _ = run([[stale(True)]] * 3, silenced=frozenset({"bot_status_stale"}))
    outcome = evaluate(states, [stale(True)], T0 + timedelta(seconds=120), pending_s=60, repeat_s=0)
    assert [e.kind for e in outcome.events] == [EventKind.FIRING]


def test_the_event_id_is_the_same_for_the_same_message():
    _, first = run([[stale(True)]] * 3)
    _, again = run([[stale(True)]] * 3)
    assert first[0].event_id == again[0].event_id
