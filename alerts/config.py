"""The watcher's settings as a plain value (parsed from the environment in dashboard/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STATE_FILE_NAME = "alerts.sqlite3"


@dataclass(frozen=True)
class TelegramTarget:
    bot_token: str
    chat_id: str
    api_url: str = "https://api.telegram.org"


@dataclass(frozen=True)
class AlertSettings:
    evaluation_seconds: float = 30.0
    pending_seconds: float = 60.0
    repeat_minutes: float = 60.0
    # Percent of the daily loss limit used; each threshold is its own rule.
    loss_thresholds_pct: tuple[float, ...] = (50.0, 80.0)
    ai_budget_pct: float = 80.0
    # A numeric rule that fired clears only this many percentage points below its threshold.
    hysteresis_pct: float = 5.0
    webhook_urls: tuple[str, ...] = ()
    discord_webhook_url: str | None = None
    slack_webhook_url: str | None = None
    telegram: TelegramTarget | None = None
    heartbeat_url: str | None = None
    delivery_timeout_s: float = 5.0
    # How long a message is retried after it was queued (ALERT_DELIVERY_BUDGET_HOURS): an n8n
    # restart or a night-long outage of a channel loses nothing; past it the news is stale.
    delivery_budget_hours: float = 24.0
    state_dir: str = "alert-state"
    public_url: str | None = None

    @property
    def state_path(self) -> Path:
        return Path(self.state_dir) / STATE_FILE_NAME

    @property
    def delivery_budget_s(self) -> float:
        return self.delivery_budget_hours * 3600.0

    @property
    def lease_seconds(self) -> float:
        # Three missed evaluations before a standby takes over: one slow evaluation is no reason.
        return max(3 * self.evaluation_seconds, 1.0)

    def secret_values(self) -> tuple[str, ...]:
        """Every configured URL and token: none of them may appear in a log line or a page."""
        values = list(self.webhook_urls)
        values += [v for v in (self.discord_webhook_url, self.slack_webhook_url, self.heartbeat_url) if v]
        if self.telegram is not None:
            values += [self.telegram.bot_token]
        return tuple(v for v in values if v)

    def __repr__(self) -> str:  # settings get printed in tracebacks; URLs carry secrets
        return f"AlertSettings(evaluation_seconds={self.evaluation_seconds}, state_dir={self.state_dir!r}, ...)"
