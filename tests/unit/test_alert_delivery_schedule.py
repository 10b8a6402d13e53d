"""The retry schedule (issue 23, item 3): backoff and its cap, the delivery budget, Retry-After,
one probe per pause for a channel that is away, the schedule kept across a restart, and what a
backlog becomes when the channel is back (late, merged, reminders dropped). A real webhook on
loopback answers; the clock is the test's, moved to each due attempt, so nothing waits."""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.backlog import LATE_AFTER_S
from alerts.channels import configured_channels, retry_after_s
from alerts.compose import compose
from alerts.config import AlertSettings
from alerts.delivery import BACKOFF_MAX_S, ChannelSender, backoff_s
from alerts.engine import Event, EventKind, Outcome, RuleState, State
from alerts.store import AlertStore
from tests.support.webhooks import WebhookReceiver

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
HOUR = 3600.0


class Clock:
    """Epoch seconds the test moves."""

    def __init__(self, at: datetime = START):
        self.now = at.timestamp()

    def __call__(self) -> float:
        return self.now

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


class Outbox:
    """One webhook channel, its outbox and its sender, driven by hand: `step()` moves the clock to
    the next due attempt (as the polling thread would reach it) and runs one round."""

    def __init__(self, tmp_path, receiver: WebhookReceiver, clock: Clock, *, budget_s: float = 24 * HOUR):
        settings = AlertSettings(webhook_urls=(receiver.url + "/hook",), state_dir=str(tmp_path))
        self.path = settings.state_path
        self.store = AlertStore(self.path)
        [self.channel] = configured_channels(settings)
        self.clock = clock
        self.budget_s = budget_s
        self.sender = self.new_sender()
        receiver.clock = clock

    def new_sender(self, store: AlertStore | None = None) -> ChannelSender:
        return ChannelSender(
            store or self.store,
            self.channel,
            None,
            timeout_s=2.0,
            secrets=(),
            stop=threading.Event(),
            budget_s=self.budget_s,
            clock=self.clock,
            zone=SEOUL,
        )

    def queue(
        self, kind: EventKind, key: str = "bot_status_stale:KRW-BTC", *, since: datetime | None = None, language="en"
    ):
        at = self.clock.at
        subject = key.split(":", 1)[1] if ":" in key else None
        state = RuleState(
            key=key,
            rule=key.split(":", 1)[0],
            subject=subject,
            state=State.OK if kind is EventKind.RESOLVED else State.FIRING,
            since=since or at,
            value_key="value.missing",
            value_args={},
            rule_args={},
            page="/market",
            evaluated_at=at,
            notified_at=at,
        )
        event = Event(kind, state, at)
        message = compose(event, language, SEOUL, None)
        self.store.commit_evaluation(
            None, Outcome({}, [], [event]), [(event, self.channel.name, message)], now=self.clock()
        )
        return event

    def rows(self) -> list[dict]:
        return self.store.outbox_rows()

    def waiting(self) -> list[dict]:
        return [r for r in self.rows() if r["sent_at"] is None and r["failed_at"] is None]

    def step(self) -> bool:
        """Move to the next due attempt (or deadline) and run one round; False when nothing waits."""
        waiting = self.waiting()
        if not waiting:
            return False
        next_due = min(r["next_attempt_at"] for r in waiting)
        self.clock.now = max(self.clock.now, next_due)
        self.sender.send_due()
        return True

    def run_until(self, end: float) -> None:
        while self.waiting() and min(r["next_attempt_at"] for r in self.waiting()) <= end:
            self.step()


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


def attempt_times(receiver: WebhookReceiver, start: float) -> list[float]:
    return [round(at - start, 3) for at, _ in receiver.requests]


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 3) for a, b in itertools.pairwise(times)]


# -- backoff, its cap and the budget ----------------------------------------------------------


def test_backoff_doubles_from_2_s_and_is_capped_at_5_minutes():
    assert [backoff_s(n) for n in range(1, 12)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert backoff_s(10_000) == BACKOFF_MAX_S  # a long outage's count does not overflow


def test_a_refusing_channel_is_retried_at_the_backoff_pace_and_delivered_once_it_accepts(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.refuse_while = lambda: clock() < start + HOUR
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    while box.waiting():
        box.step()
    times = attempt_times(receiver, start)
    assert gaps(times)[:9] == [2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert set(gaps(times)[8:]) == {300}  # the cap holds for the rest of the hour
    assert times[-2] < HOUR <= times[-1] < HOUR + 300  # delivered at the first probe after the outage
    assert len(receiver.received) == 1
    [row] = box.rows()
    assert row["sent_at"] == start + times[-1] and row["attempts"] == len(times)


def test_an_outage_of_70_seconds_loses_nothing(tmp_path, receiver, caplog):
    """The issue's probe: with the defaults, 70 s of refusals used to mark 3 messages NOT delivered."""
    clock = Clock()
    start = clock()
    receiver.refuse_while = lambda: clock() < start + 70
    box = Outbox(tmp_path, receiver, clock)
    with caplog.at_level(logging.INFO, logger="coinpilot.alerts"):
        for key in ("bot_status_stale:KRW-BTC", "candle_stale:KRW-ETH", "trading_halted"):
            box.queue(EventKind.FIRING, key)
            clock.now += 1
        while box.waiting():
            box.step()
    assert sorted(m.body["key"] for m in receiver.received) == [
        "bot_status_stale:KRW-BTC",
        "candle_stale:KRW-ETH",
        "trading_halted",
    ]
    assert "NOT delivered" not in caplog.text


def test_a_message_is_retried_for_its_whole_budget_then_given_up_and_never_tried_again(tmp_path, receiver, caplog):
    clock = Clock()
    start = clock()
    receiver.mode = WebhookReceiver.REFUSE
    box = Outbox(tmp_path, receiver, clock, budget_s=HOUR)
    box.queue(EventKind.FIRING)
    with caplog.at_level(logging.WARNING, logger="coinpilot.alerts"):
        while box.waiting():
            box.step()
    times = attempt_times(receiver, start)
    assert times[-1] == HOUR  # the last retry falls on the budget's end, not after it
    assert times[-2] > HOUR - BACKOFF_MAX_S
    [row] = box.rows()
    assert row["failed_at"] == start + HOUR and row["sent_at"] is None
    assert "NOT delivered" in caplog.text and "1 h delivery budget" in caplog.text
    clock.now += 10 * HOUR
    box.sender.send_due()
    assert len(receiver.requests) == len(times)


def test_a_message_queued_before_a_long_watcher_outage_is_given_up_unsent_past_its_budget(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock, budget_s=HOUR)
    box.queue(EventKind.FIRING)
    clock.now += HOUR + 1  # the watcher was down for longer than the budget
    box.sender.send_due()
    assert receiver.requests == []
    [row] = box.rows()
    assert row["failed_at"] is not None and "1 h delivery budget" in row["last_error"]


# -- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_honoured_over_the_backoff(tmp_path, receiver, status):
    clock = Clock()
    start = clock()
    receiver.refuse_status = status
    receiver.retry_after = "120"
    receiver.refuse_while = lambda: clock() < start + 1
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    while box.waiting():
        box.step()
    assert attempt_times(receiver, start) == [0, 120]


def test_a_retry_after_date_is_honoured(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.refuse_status = 503
    receiver.retry_after = format_datetime(clock.at + timedelta(minutes=7), usegmt=True)
    receiver.refuse_while = lambda: clock() < start + 1
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    while box.waiting():
        box.step()
    assert attempt_times(receiver, start) == [0, 420]


def test_a_retry_after_past_the_budget_gives_the_message_up_at_once(tmp_path, receiver):
    clock = Clock()
    receiver.refuse_status = 429
    receiver.retry_after = str(int(2 * HOUR))
    receiver.mode = WebhookReceiver.REFUSE
    box = Outbox(tmp_path, receiver, clock, budget_s=HOUR)
    box.queue(EventKind.FIRING)
    box.step()
    [row] = box.rows()
    assert len(receiver.requests) == 1 and row["failed_at"] is not None and row["last_error"] == "HTTP 429"


def test_retry_after_reads_seconds_and_http_dates_and_ignores_nonsense():
    now = START.timestamp()
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s("1.5", now) == 1.5
    assert retry_after_s(format_datetime(START + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after_s(format_datetime(START - timedelta(hours=1), usegmt=True), now) == 0.0
    for nonsense in (None, "", "soon", "-5", "nan", "inf"):
        assert retry_after_s(nonsense, now) is None


# -- a channel that is away, a message the service rejects ------------------------------------


def test_a_channel_that_is_away_gets_one_probe_per_pause_not_one_request_per_message(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.refuse_while = lambda: clock() < start + 600
    box = Outbox(tmp_path, receiver, clock)
    keys = [f"bot_status_stale:KRW-{name}" for name in ("BTC", "ETH", "XRP", "SOL", "ADA")]
    for key in keys:
        box.queue(EventKind.FIRING, key)
    while box.waiting():
        box.step()
    refused = [body["key"] for at, body in receiver.requests if at < start + 600]
    assert refused == [keys[0]] * 9  # at 0, 2, 6, 14, 30, 62, 126, 254 and 510 s: the oldest
    assert [m.body["key"] for m in receiver.received] == keys  # then all of them, in order


def test_a_new_message_during_an_outage_keeps_the_channels_pace(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.mode = WebhookReceiver.REFUSE
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING, "bot_status_stale:KRW-BTC")
    box.run_until(start + 260)  # 8 refusals, the last at 254 s: the next is due at 510 s
    clock.now = start + 300
    box.queue(EventKind.FIRING, "trading_halted")
    box.step()  # the new message is tried once ...
    assert [body["key"] for _, body in receiver.requests[-1:]] == ["trading_halted"]
    held = {r["key"]: r["next_attempt_at"] - clock() for r in box.waiting()}
    assert held == {"bot_status_stale:KRW-BTC": 300, "trading_halted": 300}  # ... then waits like the rest


def test_a_message_the_service_rejects_with_500_delays_no_other_message(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.refuse_status = 500
    receiver.refuse_if = lambda body: body.get("key") == "trading_halted"
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING, "trading_halted")
    box.queue(EventKind.FIRING, "bot_status_stale:KRW-BTC")
    box.sender.send_due()
    assert [m.body["key"] for m in receiver.received] == ["bot_status_stale:KRW-BTC"]
    [stuck] = box.waiting()
    assert stuck["key"] == "trading_halted" and stuck["next_attempt_at"] == start + 2


def test_a_rules_newer_message_waits_for_its_older_ones_retry(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.refuse_first, receiver.refuse_status = 1, 500  # the firing fails once, on its own
    box = Outbox(tmp_path, receiver, clock)
    firing = box.queue(EventKind.FIRING)
    box.sender.send_due()
    clock.now = start + 1
    box.queue(EventKind.RESOLVED, since=firing.state.since)
    box.sender.send_due()  # the resolution is due, but must not overtake its firing
    assert receiver.received == []
    clock.now = start + 2
    box.sender.send_due()
    assert [m.body["event"] for m in receiver.received] == ["resolved"]  # the pair, as one message
    assert receiver.received[0].body["merged"] == [firing.event_id, box.rows()[1]["event_id"]]


def test_the_schedule_survives_a_watcher_restart(tmp_path, receiver):
    clock = Clock()
    start = clock()
    receiver.mode = WebhookReceiver.REFUSE
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    box.run_until(start + 6)  # attempts at 0, 2 and 6 s: the next is due at 14 s
    assert attempt_times(receiver, start) == [0, 2, 6]
    restarted = box.new_sender(AlertStore(box.path))  # a new process on the same state file
    clock.now = start + 7
    restarted.send_due()
    assert len(receiver.requests) == 3  # not before its time
    box.sender = restarted
    box.run_until(start + 30)
    assert attempt_times(receiver, start) == [0, 2, 6, 14, 30]  # the pace goes on


def test_a_rejected_payload_is_given_up_after_one_attempt(tmp_path, receiver):
    clock = Clock()
    receiver.mode = WebhookReceiver.REFUSE
    receiver.refuse_status = 400
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    box.step()
    [row] = box.rows()
    assert (row["attempts"], row["failed_at"] is not None) == (1, True)


# -- what the backlog becomes -----------------------------------------------------------------


def outage_then_back(receiver: WebhookReceiver, clock: Clock, minutes: float) -> None:
    """The channel refuses from now for `minutes` of the test's clock, then accepts."""
    start = clock()
    receiver.refuse_while = lambda: clock() < start + minutes * 60


def finish(box: Outbox) -> None:
    while box.waiting():
        box.step()


def test_a_rule_that_fired_and_resolved_while_the_channel_was_away_arrives_as_one_message(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock)
    outage_then_back(receiver, clock, minutes=2)
    firing = box.queue(EventKind.FIRING)
    box.step()
    clock.now += 40
    box.queue(EventKind.RESOLVED, since=firing.state.since)
    finish(box)
    [message] = [m.body for m in receiver.received]
    assert message["event"] == "resolved" and message["late"] is True
    assert (
        message["since"] == START.isoformat() and message["resolved_at"] == (START + timedelta(seconds=40)).isoformat()
    )
    assert message["text"].splitlines()[:5] == [
        "🟢 FIRED AND RESOLVED (LATE): Bot status missing or stale: KRW-BTC",
        "Value: no status (key expired or never written)",
        "Since: 2026-12-08 12:00:00 KST",
        "Resolved at: 2026-12-08 12:00:40 KST",
        f"Late: happened 2026-12-08 12:00:00 KST, sent {message_delay(message)} later",
    ]
    firing_row, resolved_row = box.rows()
    assert firing_row["sent_at"] == resolved_row["sent_at"] and resolved_row["sent_with"] == firing_row["id"]
    assert receiver.received[0].headers["Idempotency-Key"] == message["id"]


def message_delay(message: dict) -> str:
    seconds = message["late_by_s"]
    return f"{int(seconds)} s" if seconds < 120 else f"{int(seconds // 60)} min"


def test_reminders_waiting_behind_a_newer_message_for_the_rule_are_dropped(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock)
    firing = box.queue(EventKind.FIRING)
    box.step()  # delivered at once
    outage_then_back(receiver, clock, minutes=130)
    for _ in range(2):
        clock.now += HOUR
        box.queue(EventKind.REMINDER, since=firing.state.since)
        box.step()
    clock.now += 60
    box.queue(EventKind.RESOLVED, since=firing.state.since)
    finish(box)
    assert [(m.body["event"], m.body["late"]) for m in receiver.received] == [("firing", False), ("resolved", True)]
    rows = box.rows()
    assert [r["kind"] for r in rows] == ["firing", "reminder", "reminder", "resolved"]
    assert all(r["sent_at"] for r in rows) and [r["sent_with"] for r in rows[1:3]] == [rows[3]["id"]] * 2


def test_a_firing_still_firing_after_the_outage_arrives_late_with_its_original_time(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock)
    outage_then_back(receiver, clock, minutes=3)
    box.queue(EventKind.FIRING)
    finish(box)
    [message] = [m.body for m in receiver.received]
    assert message["event"] == "firing" and message["late"] is True and message["at"] == START.isoformat()
    assert message["text"].splitlines()[0] == "🔴 FIRING (LATE): Bot status missing or stale: KRW-BTC"
    assert "Late: happened 2026-12-08 12:00:00 KST, sent " in message["text"]


def test_a_late_message_says_so_in_korean(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock)
    outage_then_back(receiver, clock, minutes=3)
    firing = box.queue(EventKind.FIRING, language="ko")
    box.step()
    clock.now += 30
    box.queue(EventKind.RESOLVED, since=firing.state.since, language="ko")
    finish(box)
    [message] = [m.body for m in receiver.received]
    lines = message["text"].splitlines()
    assert lines[0] == "🟢 경보 발생 후 해제 (지연): 봇 상태 없음 또는 오래됨: KRW-BTC"
    assert "시작: 2026-12-08 12:00:00 KST" in lines and "해제 시각: 2026-12-08 12:00:30 KST" in lines
    assert any(line.startswith("지연 전송: 2026-12-08 12:00:00 KST에 발생, ") for line in lines)


def test_a_prompt_message_is_not_late_and_a_fresh_pair_is_not_merged(tmp_path, receiver):
    clock = Clock()
    box = Outbox(tmp_path, receiver, clock)
    firing = box.queue(EventKind.FIRING)
    clock.now += 5
    box.queue(EventKind.RESOLVED, since=firing.state.since)
    box.sender.send_due()  # both waited only seconds: no backlog, sent as they are
    assert [(m.body["event"], m.body["late"]) for m in receiver.received] == [("firing", False), ("resolved", False)]
    assert "LATE" not in receiver.received[0].body["text"]


def test_a_short_retry_is_not_late(tmp_path, receiver):
    clock = Clock()
    receiver.refuse_first = 2
    box = Outbox(tmp_path, receiver, clock)
    box.queue(EventKind.FIRING)
    finish(box)  # delivered 6 s after it happened
    [message] = [m.body for m in receiver.received]
    assert message["late"] is False and LATE_AFTER_S > 6
