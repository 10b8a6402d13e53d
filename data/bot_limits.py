"""The bot's limits as they stand now: its strategy file (watched for changes) resolved with the
dashboard's own settings (data.risk.resolve_limits). One object per process, shared by the pages,
the status strip and the alert watcher, so all of them judge by the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from data.risk import DashboardRiskSettings, RiskLimits, resolve_limits
from data.strategy_file import StrategyFileWatch


@dataclass
class BotLimits:
    dashboard: DashboardRiskSettings = field(default_factory=DashboardRiskSettings)
    # COINPILOT_STRATEGY_CONFIG: the bot's strategy file, mounted read-only; None: not configured.
    strategy_path: str | None = None
    _watch: StrategyFileWatch | None = field(default=None, init=False, repr=False)
    _resolved: tuple[object, RiskLimits] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.strategy_path:
            self._watch = StrategyFileWatch(self.strategy_path)

    def current(self) -> RiskLimits:
        strategy = self._watch.current() if self._watch is not None else None
        resolved = self._resolved
        if resolved is not None and resolved[0] is strategy:
            return resolved[1]
        limits = resolve_limits(strategy, self.dashboard)
        self._resolved = (strategy, limits)
        return limits

    @property
    def reference_equity_setting(self) -> float | None:
        return self.dashboard.reference_equity
