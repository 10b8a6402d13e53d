"""The watcher's loop: hold the sender lease, evaluate the rules, save, queue, beat.

`Watcher.evaluate()` is one evaluation (used by the loop, `--once` and the tests); `run()`
repeats it every ALERT_EVALUATION_SECONDS while the delivery threads send what it queued.
A watcher that does not hold the lease is a standby: it records that it is alive, and takes
over when the sender's lease runs out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from alerts import messages
from alerts.channels import Channel, configured_channels
from alerts.compose import compose
from alerts.config import AlertSettings
from alerts.delivery import ChannelSender, Heartbeat, scrub
from alerts.engine import Event, EventKind, Outcome, evaluate
from alerts.rules import observe
from alerts.store import AlertStore
from data.services import DataServices
from i18n import using

log = logging.getLogger("coinpilot.alerts")


@dataclass
class EvaluationReport:
    leader: bool
    outcome: Outcome | None = None
    queued: list[tuple[Event, str, dict]] = field(default_factory=list)
    duration_s: float = 0.0


class Watcher:
    def __init__(
        self,
        services: DataServices,
        settings: AlertSettings,
        zone: ZoneInfo,
        store: AlertStore | None = None,
        holder: str | None = None,
        language: str = "ko",
    ):
        self.services = services
        self.settings = settings
        self.zone = zone
        # DASHBOARD_LANGUAGE (settings.display.language): the language of every message sent.
        self.language = language
        self.store = store or AlertStore(settings.state_path)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.channels: list[Channel] = configured_channels(settings)
        self.secrets = settings.secret_values()
        self.started_at = time.time()
        self.stop_event = threading.Event()
        self.senders: list[ChannelSender] = []
        self.heartbeat: Heartbeat | None = None
        self.evaluations = 0  # evaluations this process made as the sender

    # -- one evaluation -----------------------------------------------------------------------

    def evaluate(self) -> EvaluationReport:
        """Take (or keep) the lease; if it is ours, evaluate, save and queue. Never sends itself."""
        started = time.perf_counter()
        leader = self.store.try_lease(self.holder, self.settings.lease_seconds)
        if not leader:
            self._record("standby", evaluated=False)
            return EvaluationReport(False, duration_s=time.perf_counter() - started)
        observations = self.observe()
        now = self.services.now()
        outcome = evaluate(
            self.store.load_states(),
            observations,
            now,
            pending_s=self.settings.pending_seconds,
            repeat_s=self.settings.repeat_minutes * 60.0,
            silenced=self.store.active_silences(),
        )
        queued = [
            (event, channel.name, compose(event, self.language, self.zone, self.settings.public_url))
            for event in outcome.events
            for channel in self.channels
        ]
        if not self.store.commit_evaluation(self.holder, outcome, queued, now=now.timestamp()):
            log.warning("lost the sender lease during an evaluation; another watcher sends now")
            self._record("standby", evaluated=False)
            return EvaluationReport(False, duration_s=time.perf_counter() - started)
        for event in outcome.events:
            log.info("%s %s", event.kind.value.upper(), event.state.key)
        if outcome.events and not self.channels:
            log.warning("%d alert message(s) and no delivery channel configured", len(outcome.events))
        self.evaluations += 1
        self._record("sender", evaluated=True)
        for sender in self.senders:
            sender.wake.set()
        if self.heartbeat is not None:
            self.heartbeat.beat.set()
        return EvaluationReport(True, outcome, queued, time.perf_counter() - started)

    def _record(self, role: str, *, evaluated: bool, error: str | None = None) -> None:
        self.store.record_watcher(
            self.holder,
            socket.gethostname(),
            os.getpid(),
            role,
            self.started_at,
            self.settings.evaluation_seconds,
            evaluated,
            error,
        )

    # -- the long-running process -------------------------------------------------------------

    def start_delivery(self) -> None:
        for channel in self.channels:
            sender = ChannelSender(
                self.store,
                channel,
                self.holder,
                timeout_s=self.settings.delivery_timeout_s,
                secrets=self.secrets,
                stop=self.stop_event,
                budget_s=self.settings.delivery_budget_s,
                clock=lambda: self.services.now().timestamp(),
                zone=self.zone,
            )
            sender.start()
            self.senders.append(sender)
        if self.settings.heartbeat_url:
            self.heartbeat = Heartbeat(self.settings.heartbeat_url, self.settings.delivery_timeout_s, self.stop_event)
            self.heartbeat.start()

    def run(self, max_evaluations: int | None = None) -> None:
        """Evaluate on a fixed cadence until stop() (or `max_evaluations`)."""
        self.start_delivery()
        count = 0
        next_at = time.monotonic()
        try:
            while not self.stop_event.is_set():
                try:
                    self.evaluate()
                except Exception as exc:  # noqa: BLE001 - the watcher outlives any one evaluation
                    message = scrub(f"{type(exc).__name__}: {exc}", self.secrets)
                    log.error("evaluation failed: %s", message)
                    try:
                        self._record("sender", evaluated=False, error=message)
                    except Exception:  # noqa: BLE001 - the state file itself may be the fault
                        pass
                count += 1
                if max_evaluations is not None and count >= max_evaluations:
                    break
                next_at += self.settings.evaluation_seconds
                self.stop_event.wait(max(0.0, next_at - time.monotonic()))
        finally:
            self.stop(release=False)

    def drain(self, timeout_s: float) -> None:
        """Wait (bounded) until the senders have nothing due: `--once` exits after delivering."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pending = [r for r in self.store.outbox_rows() if r["sent_at"] is None and r["failed_at"] is None]
            if not pending:
                return
            time.sleep(0.1)

    def stop(self, release: bool = True) -> None:
        self.stop_event.set()
        for sender in self.senders:
            sender.wake.set()
        for thread in [*self.senders, *([self.heartbeat] if self.heartbeat else [])]:
            thread.join(timeout=self.settings.delivery_timeout_s + 1)
        if release:
            self.store.release_lease(self.holder)

    def observe(self):
        """The rules' observations; the data layer's sentences they keep (an unreachable
        Redis's reason) are put into words in DASHBOARD_LANGUAGE, as the messages are."""
        with using(language=self.language):
            return observe(self.services, self.settings)

    # -- --dry-run ----------------------------------------------------------------------------

    def dry_run(self) -> list[str]:
        """Evaluate once against the saved states without saving or sending: every rule's
        condition, and the message each holding condition would send (pending period ignored,
        so an operator sees the words without waiting)."""
        language = self.language
        observations = self.observe()
        now = self.services.now()
        previous = self.store.load_states()
        outcome = evaluate(previous, observations, now, pending_s=0, repeat_s=0)
        firing = {event.state.key: event for event in outcome.events}
        names = ", ".join(c.name for c in self.channels) or messages.text(language, "dry_run.no_channels")
        lines = [
            messages.text(language, "dry_run.header", at=messages.local_time(now, self.zone), count=len(observations))
        ]
        for obs in observations:
            state = outcome.states.get(obs.key)
            was_active = obs.key in previous and previous[obs.key].state.value != "ok"
            holds = obs.holds(was_active)
            word = "dry_run.unknown" if holds is None else "dry_run.condition" if holds else "dry_run.ok"
            lines.append(f"- {obs.key}: {messages.text(language, word)}")
            if obs.key in firing:
                message = compose(firing[obs.key], language, self.zone, self.settings.public_url)
                lines.append("  " + messages.text(language, "dry_run.would_send", channels=names))
                lines.extend("    " + line for line in message["text"].splitlines())
            elif state is not None and state.state.value != "ok" and holds:
                event = Event(EventKind.REMINDER, state, now)
                message = compose(event, language, self.zone, self.settings.public_url)
                lines.append("  " + messages.text(language, "dry_run.would_send", channels=names))
                lines.extend("    " + line for line in message["text"].splitlines())
        return lines
