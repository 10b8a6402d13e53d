"""Delivery threads: one per channel, sending the outbox with timeouts and bounded retries.

Evaluation only writes messages to the outbox; these threads send them. So a webhook that
hangs holds only its own thread (for at most the timeout per attempt), never an evaluation,
and never another channel: an alert that n8n is down still goes out through Discord.
"""

from __future__ import annotations

import logging
import threading

from alerts.channels import Channel, DeliveryFailed, get, post
from alerts.store import AlertStore

log = logging.getLogger("coinpilot.alerts")

BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 300.0
POLL_S = 0.5


def backoff_s(attempts: int) -> float:
    """Wait before attempt `attempts + 1`: 2, 4, 8 ... seconds, at most 5 minutes."""
    return min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** max(0, attempts - 1))


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
        max_attempts: int,
        secrets: tuple[str, ...],
        stop: threading.Event,
    ):
        super().__init__(name=f"alerts-{channel.kind}", daemon=True)
        self.store = store
        self.channel = channel
        self.holder = holder
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
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
        """Attempt every due message once; True when there was anything to attempt."""
        due = self.store.due(self.channel.name, self.holder)
        for delivery in due:
            if self.stop_event.is_set():
                break
            attempt = delivery.attempts + 1
            try:
                post(self.channel.request(delivery.message), self.timeout_s)
            except DeliveryFailed as exc:
                reason = scrub(str(exc), self.secrets)
                last = attempt >= self.max_attempts or not exc.retryable
                retry_in = None if last else max(backoff_s(attempt), exc.retry_after_s or 0.0)
                self.store.mark_attempt_failed(delivery.id, reason, retry_in)
                if last:
                    log.error(
                        "alert %s to %s NOT delivered after %d attempts: %s",
                        delivery.key,
                        self.channel.name,
                        attempt,
                        reason,
                    )
                else:
                    log.warning(
                        "alert %s to %s: attempt %d failed (%s); retrying in %.1f s",
                        delivery.key,
                        self.channel.name,
                        attempt,
                        reason,
                        retry_in,
                    )
                continue
            self.store.mark_sent(delivery.id)
            log.info("alert %s (%s) delivered to %s", delivery.key, delivery.kind, self.channel.name)
        return bool(due)


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
