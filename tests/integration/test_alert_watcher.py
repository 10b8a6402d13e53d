"""The alert watcher against the real PostgreSQL and Redis, delivering to a real webhook receiver
on loopback: firing and resolving, no duplicates, slow or refusing webhooks, restarts, two watchers."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from alerts import delivery
from alerts.config import AlertSettings
from alerts.watcher import Watcher
from dashboard.app import build_services
from simulator.bot_status_tool import build_payload
from tests.support.alert_world import STATUS_KEY, SYMBOL
from tests.support.faults import TcpProxy
from tests.support.helpers import FixedClock, make_settings, wait_until
from tests.support.webhooks import WebhookReceiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RULE_KEY = f"bot_status_stale:{SYMBOL}"


def write_status(redis_client, age_s: float = 0.0) -> None:
    payload = build_payload(SYMBOL, "HOLD", 50.0, None, "test", age_s, datetime.now(UTC))
    redis_client.set(STATUS_KEY, json.dumps(payload), ex=300)


class StatusWriter:
    """The bot's loop, writing a fresh status every 0.1 s until stopped."""

    def __init__(self, redis_client):
        self.redis_client = redis_client
        self.running = threading.Event()
        self.last_write = 0.0
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while self.running.is_set():
            write_status(self.redis_client)
            self.last_write = time.time()
            time.sleep(0.1)

    def start(self):
        self.running.set()
        self.thread.start()
        return self

    def stop(self) -> float:
        self.running.clear()
        self.thread.join()
        return self.last_write


def alert_settings(tmp_path, receiver, **overrides) -> AlertSettings:
    values = {
        "evaluation_seconds": 0.25,
        "pending_seconds": 1.0,
        "repeat_minutes": 0.0,
        "webhook_urls": (receiver.url + "/hook",),
        "delivery_timeout_s": 1.0,
        "state_dir": str(tmp_path / "alert-state"),
        "public_url": "https://dash.example",
    }
    values.update(overrides)
    return AlertSettings(**values)


def make_watcher(database_url, redis_url, alerts: AlertSettings, *, clock=None, stale_s: int = 120, **kw) -> Watcher:
    settings = make_settings(database_url, redis_url, bot_status_stale_s=stale_s, alerts=alerts)
    services = build_services(settings, clock=clock) if clock else build_services(settings)
    kw.setdefault("language", "en")
    return Watcher(services, alerts, settings.timezone, **kw)


def run_in_thread(watcher: Watcher) -> threading.Thread:
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


def test_a_bot_status_that_stops_being_written_fires_within_pending_plus_one_evaluation(
    bot_database, redis_db, redis_client, receiver, tmp_path
):
    alerts = alert_settings(tmp_path, receiver)
    watcher = make_watcher(bot_database, redis_db, alerts, stale_s=1)
    writer = StatusWriter(redis_client).start()
    thread = run_in_thread(watcher)
    try:
        time.sleep(1.5)  # the watcher sees a healthy bot for a while
        assert receiver.messages(RULE_KEY) == []
        last_write = writer.stop()
        stale_at = last_write + 1.0  # the status is stale from here on (BOT_STATUS_STALE_SECONDS=1)
        firing = wait_until(lambda: receiver.messages(RULE_KEY), timeout=10)
        assert [m.body["event"] for m in firing] == ["firing"]
        delay = firing[0].at - stale_at
        print(
            f"\nfault -> delivered message: {delay:.2f} s (pending {alerts.pending_seconds:g} s, "
            f"evaluation every {alerts.evaluation_seconds:g} s)"
        )
        assert delay <= alerts.pending_seconds + alerts.evaluation_seconds + 0.5
        assert firing[0].body["link"] == f"https://dash.example/market?symbol={SYMBOL}"
        writer = StatusWriter(redis_client).start()
        resolved = wait_until(lambda: len(receiver.messages(RULE_KEY)) >= 2, timeout=10)
        assert resolved
        assert [m.body["event"] for m in receiver.messages(RULE_KEY)] == ["firing", "resolved"]
    finally:
        writer.stop() if writer.running.is_set() else None
        watcher.stop()
        thread.join(5)


def test_twenty_evaluations_of_a_steady_fault_send_one_message(
    bot_database, redis_db, redis_client, receiver, tmp_path
):
    clock = FixedClock(datetime.now(UTC))
    alerts = alert_settings(tmp_path, receiver, pending_seconds=60.0)
    watcher = make_watcher(bot_database, redis_db, alerts, clock=clock)
    redis_client.delete(STATUS_KEY)
    watcher.start_delivery()
    try:
        for _ in range(20):
            watcher.evaluate()
            clock.advance(30)
        watcher.drain(5)
        assert [m.body["event"] for m in receiver.messages(RULE_KEY)] == ["firing"]
    finally:
        watcher.stop()


def test_a_steady_fault_sends_a_reminder_every_repeat_period(bot_database, redis_db, redis_client, receiver, tmp_path):
    clock = FixedClock(datetime.now(UTC))
    alerts = alert_settings(tmp_path, receiver, pending_seconds=60.0, repeat_minutes=5.0)
    watcher = make_watcher(bot_database, redis_db, alerts, clock=clock)
    redis_client.delete(STATUS_KEY)
    watcher.start_delivery()
    try:
        for _ in range(20):  # 10 minutes: fires at 60 s, reminders at 360 s
            watcher.evaluate()
            clock.advance(30)
        watcher.drain(5)
        assert [m.body["event"] for m in receiver.messages(RULE_KEY)] == ["firing", "reminder"]
    finally:
        watcher.stop()


def test_a_hanging_webhook_delays_no_evaluation_and_is_retried(
    bot_database, redis_db, redis_client, receiver, tmp_path, monkeypatch
):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST_S", 0.1)
    receiver.mode = WebhookReceiver.HANG
    receiver.hang_s = 20.0  # longer than the test: only the delivery timeout ends an attempt
    alerts = alert_settings(tmp_path, receiver, pending_seconds=0.0)
    watcher = make_watcher(bot_database, redis_db, alerts)
    redis_client.delete(STATUS_KEY)
    watcher.start_delivery()
    try:
        durations = []
        for _ in range(12):
            durations.append(watcher.evaluate().duration_s)
            time.sleep(0.25)
        assert receiver.attempts >= 2  # the first attempt timed out and was tried again
        assert max(durations) < alerts.delivery_timeout_s  # no evaluation waited for the webhook
    finally:
        watcher.stop()


def test_a_refusing_webhook_is_retried_until_it_accepts(
    bot_database, redis_db, redis_client, receiver, tmp_path, monkeypatch
):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST_S", 0.1)
    receiver.refuse_first = 2
    # One evaluation only: a lease long enough for the retries (only the lease holder sends).
    alerts = alert_settings(tmp_path, receiver, pending_seconds=0.0, evaluation_seconds=10.0)
    watcher = make_watcher(bot_database, redis_db, alerts)
    redis_client.delete(STATUS_KEY)
    watcher.start_delivery()
    try:
        watcher.evaluate()
        assert wait_until(lambda: receiver.messages(RULE_KEY), timeout=10)
        assert receiver.attempts == 3
        sent = wait_until(lambda: [r for r in watcher.store.outbox_rows() if r["sent_at"] is not None], timeout=5)
        assert [(r["key"], r["attempts"]) for r in sent] == [(RULE_KEY, 3)]
    finally:
        watcher.stop()


def test_a_restart_mid_alert_sends_nothing_new(bot_database, redis_db, redis_client, receiver, tmp_path):
    alerts = alert_settings(tmp_path, receiver, pending_seconds=0.0)
    first = make_watcher(bot_database, redis_db, alerts)
    redis_client.delete(STATUS_KEY)
    first.start_delivery()
    first.evaluate()
    assert wait_until(lambda: receiver.messages(RULE_KEY), timeout=10)
    first.stop(release=False)  # a crash: the lease is not handed back
    before = len(receiver.received)
    second = make_watcher(bot_database, redis_db, alerts)
    thread = run_in_thread(second)
    try:
        assert wait_until(lambda: second.evaluations >= 8, timeout=15)
        assert len(receiver.received) == before
    finally:
        second.stop()
        thread.join(5)


def test_two_watchers_send_once(bot_database, redis_db, redis_client, receiver, tmp_path):
    alerts = alert_settings(tmp_path, receiver, pending_seconds=0.5)
    watchers = [make_watcher(bot_database, redis_db, alerts) for _ in range(2)]
    write_status(redis_client)
    threads = [run_in_thread(w) for w in watchers]
    try:
        assert wait_until(lambda: sum(w.evaluations for w in watchers) >= 4, timeout=10)
        redis_client.delete(STATUS_KEY)
        assert wait_until(lambda: receiver.messages(RULE_KEY), timeout=10)
        time.sleep(2 * alerts.pending_seconds)  # time for a second sender to show itself
        assert len(receiver.messages(RULE_KEY)) == 1
        assert sorted(w.evaluations > 0 for w in watchers) == [False, True]  # one sender, one standby
    finally:
        for w in watchers:
            w.stop()
        for t in threads:
            t.join(5)


def test_two_watchers_send_the_database_outage_once(bot_database, redis_db, redis_client, receiver, tmp_path):
    url = sa.engine.make_url(bot_database)
    with TcpProxy(url.host, url.port or 5432) as proxy:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        alerts = alert_settings(tmp_path, receiver, pending_seconds=0.5)
        watchers = [make_watcher(proxied, redis_db, alerts) for _ in range(2)]
        write_status(redis_client)
        threads = [run_in_thread(w) for w in watchers]
        try:
            assert wait_until(lambda: sum(w.evaluations for w in watchers) >= 4, timeout=10)
            proxy.refuse()
            down = wait_until(lambda: receiver.messages("database_unreachable"), timeout=15)
            assert [m.body["event"] for m in down] == ["firing"]
            time.sleep(1.0)
            assert len(receiver.messages("database_unreachable")) == 1
        finally:
            for w in watchers:
                w.stop()
            for t in threads:
                t.join(5)


def test_an_alert_about_a_dead_channel_goes_out_through_the_others(
    bot_database, redis_db, redis_client, receiver, tmp_path
):
    dead = WebhookReceiver()  # never started: its port refuses, like n8n when it is down
    dead_url = dead.url + "/n8n-hook"
    dead.server.server_close()
    alerts = alert_settings(tmp_path, receiver, pending_seconds=0.0, webhook_urls=(dead_url, receiver.url + "/hook"))
    watcher = make_watcher(bot_database, redis_db, alerts)
    redis_client.delete(STATUS_KEY)
    watcher.start_delivery()
    try:
        watcher.evaluate()
        assert wait_until(lambda: receiver.messages(RULE_KEY), timeout=10)
    finally:
        watcher.stop()


def test_the_heartbeat_url_is_called_after_evaluations(bot_database, redis_db, redis_client, receiver, tmp_path):
    alerts = alert_settings(tmp_path, receiver, webhook_urls=(), heartbeat_url=receiver.url + "/beat")
    watcher = make_watcher(bot_database, redis_db, alerts)
    write_status(redis_client)
    thread = run_in_thread(watcher)
    try:
        assert wait_until(lambda: len([r for r in receiver.received if r.path == "/beat"]) >= 2, timeout=10)
    finally:
        watcher.stop()
        thread.join(5)
