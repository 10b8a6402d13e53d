"""The Alerts page shows what waits for each channel (issue 23, item 3): each queued message,
when it happened, its attempts, its next attempt and when it would be given up; what was sent
inside another message; in both languages; and state files older watchers wrote still read."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from alerts.compose import compose
from alerts.engine import Event, EventKind, Outcome, RuleState, State
from alerts.state import QUEUE_SHOWN, AlertStateReader
from alerts.store import AlertStore
from callbacks import alerts as alerts_callbacks
from i18n import using
from layouts import alerts as alerts_layout
from tests.support.components import by_attribute, english_words, text

SEOUL = ZoneInfo("Asia/Seoul")
HOUR = 3600.0
CHANNEL = "webhook-1 (n8n)"
SERVICES = SimpleNamespace(display_timezone=SEOUL)


def firing(key: str, at: datetime) -> tuple[RuleState, Event]:
    symbol = key.split(":", 1)[1]
    state = RuleState(
        key=key,
        rule="bot_status_stale",
        subject=symbol,
        state=State.FIRING,
        since=at,
        value_key="value.missing",
        value_args={},
        rule_args={},
        page=f"/market?symbol={symbol}",
        evaluated_at=at,
        notified_at=at,
    )
    return state, Event(EventKind.FIRING, state, at)


def seoul(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone(SEOUL).strftime("%Y-%m-%d %H:%M:%S KST")


@pytest.fixture
def queued(tmp_path):
    """Two messages waiting for n8n since an hour ago (three failed attempts, the next in 4 min)."""
    store = AlertStore(tmp_path / "alerts.sqlite3")
    queued_at = time.time() - HOUR
    at = datetime.fromtimestamp(queued_at, UTC)
    pairs = [firing(key, at) for key in ("bot_status_stale:KRW-BTC", "bot_status_stale:KRW-ETH")]
    states = {state.key: state for state, _ in pairs}
    deliveries = [(event, CHANNEL, compose(event, "en", SEOUL, None)) for _, event in pairs]
    store.commit_evaluation(None, Outcome(states, [], [e for _, e in pairs]), deliveries, now=queued_at)
    ids = tuple(r["id"] for r in store.outbox_rows())
    for _ in range(3):
        store.mark_attempt_failed(ids, "HTTP 503", time.time() + 240, time.time())
    return SimpleNamespace(store=store, path=tmp_path / "alerts.sqlite3", queued_at=queued_at, ids=ids)


def channels_panel(path, budget_s: float = 24 * HOUR):
    reader = AlertStateReader(path, budget_s)
    return alerts_callbacks.alerts_panels(reader, SERVICES, lambda p: p)[4]


def test_each_waiting_message_shows_when_it_happened_its_attempts_next_try_and_when_it_is_given_up(queued):
    with using(language="en"):
        panel = channels_panel(queued.path)
    [channel] = by_attribute(panel, "data-channel", CHANNEL)
    assert "0 sent (last never), 2 waiting, 0 failed; last error: HTTP 503" in text(channel)
    entries = by_attribute(panel, "data-queued")
    assert [e["props"]["data-queued"] for e in entries] == ["bot_status_stale:KRW-BTC", "bot_status_stale:KRW-ETH"]
    first = " ".join(text(entries[0]).split())
    assert first.startswith("FIRING Bot status missing or stale (KRW-BTC)")
    row = queued.store.outbox_rows()[0]
    assert (
        f"happened {seoul(queued.queued_at)} · attempts: 3 · next try {seoul(row['next_attempt_at'])} · "
        f"given up {seoul(queued.queued_at + 24 * HOUR)}"
    ) in first


def test_the_give_up_time_follows_the_delivery_budget(queued):
    with using(language="en"):
        panel = channels_panel(queued.path, budget_s=2 * HOUR)
    assert f"given up {seoul(queued.queued_at + 2 * HOUR)}" in text(panel)


def test_a_channel_with_a_long_queue_lists_the_oldest_and_counts_the_rest(tmp_path):
    store = AlertStore(tmp_path / "alerts.sqlite3")
    now = time.time()
    events = [firing(f"bot_status_stale:KRW-C{n:02d}", datetime.fromtimestamp(now, UTC))[1] for n in range(14)]
    store.commit_evaluation(
        None, Outcome({}, [], events), [(e, CHANNEL, compose(e, "en", SEOUL, None)) for e in events], now=now
    )
    with using(language="en"):
        panel = channels_panel(tmp_path / "alerts.sqlite3")
    shown = [e["props"]["data-queued"] for e in by_attribute(panel, "data-queued")]
    assert shown == [f"bot_status_stale:KRW-C{n:02d}" for n in range(QUEUE_SHOWN)]
    assert f"… and {14 - QUEUE_SHOWN} more waiting" in text(panel)
    assert "next try now" in text(panel)  # not tried yet: due at once


def test_messages_sent_inside_another_are_counted(queued):
    queued.store.mark_sent(queued.ids, time.time())
    with using(language="en"):
        panel = channels_panel(queued.path)
    assert "2 sent" in text(panel) and "(1 of the sent carried inside another message)" in text(panel)
    assert by_attribute(panel, "data-queued") == []


def test_the_queue_reads_in_korean(queued):
    with using(language="ko"):
        panel = channels_panel(queued.path)
    shown = text(panel)
    assert "대기 중 (오래된 순):" in shown and "시도 3회" in shown and "포기 시각" in shown and "경보 발생" in shown
    # The channel's name and its last error are the watcher's own records, shown as written.
    assert english_words(panel, frozenset({"webhook", "n8n", "HTTP"})) == set()


def test_a_state_file_an_older_watcher_wrote_still_reads_and_is_upgraded(tmp_path):
    path = tmp_path / "alerts.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, channel TEXT NOT NULL,
            kind TEXT NOT NULL, key TEXT NOT NULL, message TEXT NOT NULL, created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
            sent_at REAL, failed_at REAL, last_error TEXT, UNIQUE (event_id, channel));
        CREATE TABLE rule_state (key TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT, state TEXT NOT NULL,
            since TEXT, value_key TEXT NOT NULL, value_args TEXT NOT NULL, rule_args TEXT NOT NULL,
            page TEXT NOT NULL, evaluated_at TEXT NOT NULL, notified_at TEXT, unknown INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, key TEXT NOT NULL,
            old_state TEXT NOT NULL, new_state TEXT NOT NULL, value_key TEXT NOT NULL, value_args TEXT NOT NULL);
        CREATE TABLE silences (target TEXT NOT NULL, until REAL NOT NULL, created_at REAL NOT NULL);
        CREATE TABLE watchers (holder TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, role TEXT NOT NULL,
            started_at REAL NOT NULL, seen_at REAL NOT NULL, evaluated_at REAL, evaluation_seconds REAL NOT NULL,
            last_error TEXT);"""
    )
    old.execute(
        "INSERT INTO outbox (event_id, channel, kind, key, message, created_at, next_attempt_at, sent_at) "
        "VALUES ('e1', ?, 'firing', 'trading_halted', '{\"at\": \"2026-12-08T03:00:00+00:00\"}', 1, 1, 2)",
        (CHANNEL,),
    )
    old.commit()
    old.close()
    with using(language="en"):
        assert "1 sent" in text(channels_panel(path))  # read-only, as the dashboard reads it
    store = AlertStore(path)  # a new watcher opens it
    [row] = store.outbox_rows()
    assert "sent_with" in row and row["sent_with"] is None


def test_an_empty_channel_list_still_says_so():
    with using(language="en"):
        assert "No message has been queued yet" in text(alerts_layout.channels_list([]))
