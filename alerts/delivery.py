"""Delivery threads: one per channel, sending the outbox with timeouts and retries over a time budget.

Evaluation only writes messages to the outbox; these threads send them. So a webhook that
hangs holds only its own thread (for at most the timeout per attempt), never an evaluation,
and never another channel: an alert that n8n is down still goes out through Discord.

The retry schedule (issue 23): a failed attempt is tried again after 2, 4, 8 ... seconds, at
most 5 minutes apart, or later when the service's Retry-After asks, for as long as the
message's budget lasts (ALERT_DELIVERY_BUDGET_HOURS from when it was queued). When the service
itself is away (no connection, no answer, 429, 502, 503, 504) the whole channel waits: one
probe per pause, the oldest message, not one request per waiting message; the pause is stored
in the outbox, so a restarted watcher keeps it. When the channel is back, its backlog goes out
in order, tidied per rule (alerts.backlog). Delivery stays at least once: rows are marked sent
only after the service accepted their message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerts.backlog import Outgoing, Waiting, plan
from alerts.channels import Channel, DeliveryFailed, get, post
from alerts.store import AlertStore, Delivery

log = logging.getLogger("coinpilot.alerts")

BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 300.0
POLL_S = 0.5
DEFAULT_BUDGET_S = 24 * 3600.0
SENT, FAILED, AWAY = "sent", "failed", "away"  # what one attempt at a message came to


def backoff_s(attempts: int) -> float:
    """Wait after failed attempt number `attempts`: 2, 4, 8 ... seconds, at most 5 minutes."""
    return min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** min(max(0, attempts - 1), 32))


def retry_at(now: float, deadline: float, attempts: int, retry_after_s: float | None) -> float | None:
    """When to try again after failed attempt number `attempts` at `now`; None once the budget
    (which ends at `deadline`) has no room: the attempt was at or after its end, or the service
    asks to wait past it. The last retry falls on the deadline rather than after it."""
    if now >= deadline:
        return None
    at = max(min(now + backoff_s(attempts), deadline), now + (retry_after_s or 0.0))
    return at if at <= deadline else None


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Remove every configured URL and token from a text bound for a log or a page."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


class ChannelSender(threading.Thread):
    def __init__(
        self,
        store: AlertStore,
        channel: Channel,
        holder: str | None,
        *,
        timeout_s: float,
        secrets: tuple[str, ...],
        stop: threading.Event,
        budget_s: float = DEFAULT_BUDGET_S,
        clock: Callable[[], float] = time.time,
        zone: ZoneInfo = UTC,
    ):
        super().__init__(name=f"alerts-{channel.kind}", daemon=True)
        self.store = store
        self.channel = channel
        self.holder = holder
        self.timeout_s = timeout_s
        self.budget_s = budget_s
        # The evaluation's clock (epoch seconds): a test moves it; in service it is the wall clock.
        self.clock = clock
        # Late messages say when they happened in the display time zone, as their first words did.
        self.zone = zone
        self.secrets = secrets
        self.stop_event = stop
        self.wake = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                sent_any = self.send_due()
            except Exception as exc:  # noqa: BLE001 - a broken state file must not kill the thread
                log.error("delivery to %s: %s", self.channel.name, scrub(str(exc), self.secrets))
                sent_any = False
            if not sent_any:
                self.wake.wait(POLL_S)
                self.wake.clear()

    def send_due(self) -> bool:
        """One round: give up what is past its budget, then send what is due, oldest first, each
        rule's backlog as alerts.backlog plans it. True when anything was attempted."""
        now = self.clock()
        waiting = self.store.waiting(self.channel.name, self.holder)
        expired = [d for d in waiting if now > d.created_at + self.budget_s]
        if expired:
            self._give_up(expired, now)
        live = [d for d in waiting if now <= d.created_at + self.budget_s]
        due = [d for d in live if d.next_attempt_at <= now]
        if not due:
            return False
        # How long the channel has been failing: its most-tried waiting message.
        channel_attempts = max(d.attempts for d in live)
        done: set[int] = set()
        for delivery in due:
            if self.stop_event.is_set() or delivery.id in done:
                continue
            # One rule's messages go out in order: a newer one waits while an older one's retry is not due.
            group = [d for d in live if d.key == delivery.key and d.id not in done]
            done.update(d.id for d in group)
            if group[0].next_attempt_at > now:
                continue
            by_id = {d.id: d for d in group}
            rows = [Waiting(d.id, d.kind, d.message, d.attempts) for d in group]
            for outgoing in plan(rows, datetime.fromtimestamp(now, UTC), self.zone):
                result = self._send(outgoing, [by_id[i] for i in outgoing.rows], now, channel_attempts)
                if result == AWAY:
                    return True  # everything else waits for the channel's pause
                if result == FAILED:
                    break  # the rest of this rule's messages wait behind the one that failed
        return True

    def _send(self, outgoing: Outgoing, rows: list[Delivery], now: float, channel_attempts: int) -> str:
        """Send one message: SENT, FAILED (this message waits, or was given up) or AWAY (the channel)."""
        first = rows[0]
        try:
            post(self.channel.request(outgoing.message), self.timeout_s, now)
        except DeliveryFailed as exc:
            reason = scrub(str(exc), self.secrets)
            attempt = max(r.attempts for r in rows) + 1
            deadline = min(r.created_at for r in rows) + self.budget_s
            # A channel that is away paces every message alike, however few tries each has had.
            pace = max(attempt, channel_attempts + 1) if exc.channel_wide else attempt
            again = retry_at(now, deadline, pace, exc.retry_after_s) if exc.retryable else None
            self.store.mark_attempt_failed(outgoing.rows, reason, again, now)
            if again is None:
                why = (
                    reason
                    if not exc.retryable
                    else f"{reason}; its {self.budget_s / 3600:g} h delivery budget is used up"
                )
                log.error(
                    "alert %s to %s NOT delivered after %d attempts: %s", first.key, self.channel.name, attempt, why
                )
                return FAILED
            log.warning(
                "alert %s to %s: attempt %d failed (%s); retrying in %.1f s",
                first.key,
                self.channel.name,
                attempt,
                reason,
                again - now,
            )
            if exc.channel_wide:
                self.store.hold_channel(self.channel.name, again)
                return AWAY
            return FAILED
        self.store.mark_sent(outgoing.rows, now)
        late = ", late" if outgoing.message.get("late") else ""
        carried = f", carrying {len(outgoing.rows) - 1} more" if len(outgoing.rows) > 1 else ""
        log.info(
            "alert %s (%s%s%s) delivered to %s", first.key, outgoing.message["event"], late, carried, self.channel.name
        )
        return SENT

    def _give_up(self, expired: list[Delivery], now: float) -> None:
        reason = f"not delivered within its {self.budget_s / 3600:g} h delivery budget"
        self.store.give_up([d.id for d in expired], reason, now)
        for d in expired:
            log.error("alert %s to %s NOT delivered: %s (%d attempts)", d.key, self.channel.name, reason, d.attempts)


class Heartbeat(threading.Thread):
    """Calls ALERT_HEARTBEAT_URL after each evaluation, off the evaluation's path (a dead
    dead-man service must not slow the watcher down). Beats are not queued: only the latest counts."""

    def __init__(self, url: str, timeout_s: float, stop: threading.Event):
        super().__init__(name="alerts-heartbeat", daemon=True)
        self.url = url
        self.timeout_s = timeout_s
        self.stop_event = stop
        self.beat = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            if not self.beat.wait(POLL_S):
                continue
            self.beat.clear()
            try:
                get(self.url, self.timeout_s)
            except DeliveryFailed as exc:
                log.warning("heartbeat call failed: %s", exc)
