"""A webhook that refuses for 2 minutes, then accepts (issue 23, item 3): the real watcher on the
real PostgreSQL and Redis, its delivery threads, a scripted webhook on loopback, and a clock the
test moves (so the 2 minutes take seconds, and nothing waits a fixed time). Across a watcher
that crashes mid-outage and a new one that takes over: nothing lost, nothing twice, the rule
that fired and resolved meanwhile arrives as one message with both times, every message says
it is late and when it happened."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from alerts.config import AlertSettings
from alerts.watcher import Watcher
from dashboard.app import build_services
from data.tables import market_data
from simulator.bot_status_tool import build_payload
from simulator.writer import WritableDatabase
from tests.support.helpers import FixedClock, make_settings, wait_until
from tests.support.webhooks import WebhookReceiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BTC, ETH = "KRW-BTC", "KRW-ETH"
OUTAGE = timedelta(minutes=2)
STEP_S = 10


class World:
    """The bot's statuses on the test's clock, the watchers, and the scripted webhook."""

    def __init__(self, database_url, redis_db, redis_client, receiver, state_dir):
        self.clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
        self.start = self.clock.current
        self.redis = redis_client
        self.receiver = receiver
        receiver.clock = lambda: self.clock.current.timestamp()
        receiver.refuse_while = lambda: self.clock.current < self.start + OUTAGE
        self.alerts = AlertSettings(
            evaluation_seconds=1.0,  # the lease (3 evaluations) is on the wall clock: a crash frees it in 3 s
            pending_seconds=0.0,
            repeat_minutes=0.0,
            webhook_urls=(receiver.url + "/n8n",),
            delivery_timeout_s=1.0,
            state_dir=str(state_dir),
            public_url="https://dash.example",
        )
        # Candles stay fresh for the test's few minutes; a status is stale after a minute.
        self.settings = make_settings(
            database_url, redis_db, bot_status_stale_s=60, candle_stale_s=3600, alerts=self.alerts
        )
        self.watcher = self.new_watcher()

    def new_watcher(self) -> Watcher:
        return Watcher(
            build_services(self.settings, clock=self.clock), self.alerts, self.settings.timezone, language="en"
        )

    def status(self, symbol: str, present: bool) -> None:
        key = f"bot:status:{symbol}"
        if present:
            payload = build_payload(symbol, "HOLD", 50.0, None, "test", 0, self.clock.current)
            self.redis.set(key, json.dumps(payload), ex=300)
        else:
            self.redis.delete(key)

    def seconds(self) -> float:
        return (self.clock.current - self.start).total_seconds()

    def nothing_due(self) -> bool:
        """The senders have caught up with the clock: every waiting message waits for a later time."""
        now = self.clock.current.timestamp()
        return all(
            r["next_attempt_at"] > now
            for r in self.watcher.store.outbox_rows()
            if r["sent_at"] is None and r["failed_at"] is None
        )

    def step(self, btc: bool, eth: bool) -> None:
        """One evaluation period of the test's clock: the bot writes what it writes, the watcher
        evaluates, and the delivery threads do what is due by then."""
        self.status(BTC, btc)
        self.status(ETH, eth)
        assert self.watcher.evaluate().leader
        wait_until(self.nothing_due, timeout=10, interval=0.02)
        self.clock.advance(STEP_S)

    def waiting(self) -> list[dict]:
        return [r for r in self.watcher.store.outbox_rows() if r["sent_at"] is None and r["failed_at"] is None]


@pytest.fixture
def world(bot_database, redis_db, redis_client, tmp_path):
    writer = WritableDatabase(bot_database)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with writer.engine.begin() as conn:  # a second market the bot trades, beside the fixture's KRW-BTC
        conn.execute(
            sa.insert(market_data),
            [
                {
                    "symbol": ETH,
                    "interval": "1m",
                    "open_price": 1,
                    "high_price": 1,
                    "low_price": 1,
                    "close_price": 1,
                    "volume": 1,
                    "timestamp": now,
                }
            ],
        )
    writer.dispose()
    with WebhookReceiver() as receiver:
        world = World(bot_database, redis_db, redis_client, receiver, tmp_path / "alert-state")
        yield world
        world.watcher.stop()
        world.watcher.services.database.dispose()


def test_a_webhook_refusing_for_two_minutes_loses_nothing_sends_nothing_twice_and_says_it_is_late(world, caplog):
    caplog.set_level(logging.INFO, logger="coinpilot.alerts")
    w = world
    w.step(btc=True, eth=True)  # t=0: all well
    w.watcher.start_delivery()
    w.step(btc=False, eth=True)  # t=10: KRW-BTC's status is gone: fires, and n8n refuses
    w.step(btc=False, eth=True)
    w.step(btc=False, eth=True)
    w.step(btc=True, eth=True)  # t=40: it is back: resolved, still undelivered
    w.step(btc=True, eth=False)  # t=50: KRW-ETH's status is gone: fires, for good
    assert w.receiver.received == [] and w.receiver.attempts >= 3

    # t=60: the watcher crashes (its lease is not handed back) and a new one takes over.
    w.watcher.stop(release=False)
    crashed = w.watcher
    w.watcher = w.new_watcher()
    assert wait_until(lambda: w.watcher.evaluate().leader, timeout=15, interval=0.1)
    w.watcher.start_delivery()
    crashed.services.database.dispose()

    while w.seconds() <= 300 and (w.seconds() <= OUTAGE.total_seconds() or w.waiting()):
        w.step(btc=True, eth=False)

    received = {m.body["key"]: m for m in w.receiver.received}
    assert [m.body["key"] for m in w.receiver.received].count(f"bot_status_stale:{BTC}") == 1
    assert [m.body["key"] for m in w.receiver.received].count(f"bot_status_stale:{ETH}") == 1
    ids = [m.headers["Idempotency-Key"] for m in w.receiver.received]
    assert len(ids) == len(set(ids))  # nothing twice
    back = (w.start + OUTAGE).timestamp()
    accepted = sorted(body["key"] for at, body in w.receiver.requests if at >= back)
    assert accepted == [f"bot_status_stale:{BTC}", f"bot_status_stale:{ETH}"]  # one request each once it is back

    local = w.settings.timezone

    def shown(seconds: int) -> str:
        return (w.start + timedelta(seconds=seconds)).astimezone(local).strftime("%Y-%m-%d %H:%M:%S %Z")

    pair = received[f"bot_status_stale:{BTC}"].body
    assert pair["event"] == "resolved" and pair["late"] is True
    assert pair["since"] == (w.start + timedelta(seconds=10)).isoformat()
    assert pair["resolved_at"] == (w.start + timedelta(seconds=40)).isoformat()
    lines = pair["text"].splitlines()
    assert lines[0] == f"🟢 FIRED AND RESOLVED (LATE): Bot status missing or stale: {BTC}"
    assert f"Since: {shown(10)}" in lines and f"Resolved at: {shown(40)}" in lines
    assert any(line.startswith(f"Late: happened {shown(10)}, sent ") for line in lines)

    still = received[f"bot_status_stale:{ETH}"].body
    assert (
        still["event"] == "firing"
        and still["late"] is True
        and still["at"] == (w.start + timedelta(seconds=50)).isoformat()
    )
    assert still["text"].splitlines()[0] == f"🔴 FIRING (LATE): Bot status missing or stale: {ETH}"
    assert f"Late: happened {shown(50)}, sent " in still["text"]

    # Every request during the outage was refused, and they came at the backoff's pace, not
    # every evaluation; once the webhook accepts, each message went once.
    refused = [at for at, _body in w.receiver.requests if at < back]
    assert 3 <= len(refused) <= 8
    rows = w.watcher.store.outbox_rows()
    assert all(r["sent_at"] is not None and r["failed_at"] is None for r in rows)
    assert "NOT delivered" not in caplog.text
