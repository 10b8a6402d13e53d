"""`coinpilot-dashboard watch`: the alert watcher's loop (evaluate the rules every
ALERT_EVALUATION_SECONDS and deliver), once or as a dry run, and `watch --silence`."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerts.config import AlertSettings
from alerts.rules import RULES
from alerts.store import AlertStore
from alerts.watcher import Watcher
from data.services import DataServices

log = logging.getLogger("coinpilot.dashboard")


def silence(rule: str, for_s: float | None, settings: AlertSettings, timezone: ZoneInfo) -> int:
    """Silence a rule (or rule:subject) for `for_s` seconds."""
    if rule.split(":", 1)[0] not in RULES:
        print(f"error: unknown rule {rule!r}; rules: {', '.join(RULES)}", file=sys.stderr)
        return 2
    if for_s is None:
        print("error: --silence needs --for, e.g. --for 2h", file=sys.stderr)
        return 2
    until = AlertStore(settings.state_path).add_silence(rule, for_s)
    print(f"silenced {rule} until {datetime.fromtimestamp(until, UTC).astimezone(timezone):%Y-%m-%d %H:%M %Z}")
    return 0


def watch(
    services: DataServices, settings: AlertSettings, timezone: ZoneInfo, language: str, *, once: bool, dry_run: bool
) -> int:
    watcher = Watcher(services, settings, timezone, language=language)
    if dry_run:
        for line in watcher.dry_run():
            print(line)
        return 0
    if once:
        watcher.start_delivery()
        report = watcher.evaluate()
        watcher.drain(settings.delivery_timeout_s * 2 + 1)
        watcher.stop()
        print("evaluated" if report.leader else "standby: another watcher holds the sender lease", file=sys.stderr)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: watcher.stop_event.set())
    log.info(
        "alert watcher %s: every %g s, %d channel(s), state in %s",
        watcher.holder,
        settings.evaluation_seconds,
        len(watcher.channels),
        settings.state_path,
    )
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    return 0
