"""The alert rules: what the watcher looks at each evaluation, read through the data layer the pages use.

`observe` returns one Observation per rule and subject (a symbol, a threshold or nothing). A
rule whose source cannot be read says so with active=None, and its state is held as it was:
a Redis outage is one alert (redis_unreachable), not one per symbol on top of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alerts.config import AlertSettings
from data.database import Backend, DatabaseNotConfigured, DatabaseUnreachable, DataError, QueryTimeout
from data.freshness import candle_age_s
from data.health import N8nState, check_n8n
from data.reconciliation import daily_checks, position_checks
from data.risk import TradingState
from data.risk_records import days_back, fetch_daily_risk_history, utc_today
from data.services import DataServices
from data.status_payload import SilenceCause, StatusState
from data.status_reader import RedisUnavailable

log = logging.getLogger("coinpilot.alerts")

# Every rule the watcher knows, in the order the Alerts page lists them.
RULES = (
    "bot_status_stale",
    "candle_stale",
    "trading_halted",
    "trading_cooldown",
    "trading_limit_reached",
    "daily_loss",
    "consecutive_losses",
    "database_unreachable",
    "redis_unreachable",
    "n8n_unreachable",
    "ai_global_block",
    "ai_budget",
    "rollups_lagging",
    "reconciliation_discrepancy",
)
# The UTC days the reconciliation rule checks, as the System page's reconciliation panel does.
RECONCILE_DAYS = 30

_TRADING_RULES = {
    TradingState.HALTED: "trading_halted",
    TradingState.COOLDOWN: "trading_cooldown",
    TradingState.LIMIT_REACHED: "trading_limit_reached",
}


@dataclass(frozen=True)
class Observation:
    """One rule for one subject at one evaluation.

    active: the condition holds (True), does not (False), or cannot be judged now (None).
    For numeric rules `numeric` is compared with `fire_at`, and once active, with `clear_at`
    (hysteresis: a value wobbling around the threshold does not fire and resolve by turns).
    """

    rule: str
    subject: str | None
    active: bool | None
    value_key: str = "value.none"
    value_args: dict[str, Any] = field(default_factory=dict)
    rule_args: dict[str, Any] = field(default_factory=dict)
    page: str = "/alerts"
    numeric: float | None = None
    fire_at: float | None = None
    clear_at: float | None = None

    @property
    def key(self) -> str:
        return self.rule if self.subject is None else f"{self.rule}:{self.subject}"

    def holds(self, was_active: bool) -> bool | None:
        """The condition, with hysteresis for numeric rules."""
        if self.active is None or self.fire_at is None or self.numeric is None:
            return self.active
        bound = self.clear_at if (was_active and self.clear_at is not None) else self.fire_at
        return self.numeric >= bound


def observe(services: DataServices, settings: AlertSettings) -> list[Observation]:
    """Every rule's observation now. Never raises for a source that is down: that is a finding."""
    now = services.now()
    observations: list[Observation] = []
    symbols = _database_rules(services, settings, now, observations)
    _redis_rules(services, settings, symbols, observations)
    observations.append(_n8n_rule(services))
    return observations


def _database_rules(services, settings, now: datetime, out: list[Observation]):
    """Database reachability, candle freshness, the trading state, the loss thresholds,
    consecutive losses and the rollups; returns the symbols (the last known ones when the
    database is down, so the bot-status rules keep watching every symbol)."""
    try:
        with services.database.connect() as conn:
            symbols = services.symbols(conn)
            latest = services.latest_candles(conn, symbols)
            features = services.database.schema(conn)
            # The Risk page's and the strip's reading of today (the bot's limits and reference equity).
            assessment = services.risk_assessment(conn)
            rollups = services.rollup_status(conn) if services.database.backend is Backend.TIMESCALEDB else []
            risk_days = fetch_daily_risk_history(conn, days_back(now, RECONCILE_DAYS), features)
            positions = services.positions(conn)
            _filled, ledger = services.filled_trades_and_ledger(conn)
    except DatabaseNotConfigured:
        return _fallback_symbols(services)
    except (DatabaseUnreachable, QueryTimeout) as exc:
        out.append(
            Observation("database_unreachable", None, True, "value.unreachable", {"detail": str(exc)}, page="/system")
        )
        _unknown(out, ("candle_stale",), _fallback_symbols(services))
        _unknown_risk(out, settings)
        return _fallback_symbols(services)
    except DataError as exc:
        # Reachable but not answering as a CoinPilot database (a missing table): the pages
        # explain it; the watcher only holds the rules that depend on it.
        log.warning("database rules skipped: %s", exc)
        out.append(Observation("database_unreachable", None, False, page="/system"))
        _unknown(out, ("candle_stale",), _fallback_symbols(services))
        _unknown_risk(out, settings)
        return _fallback_symbols(services)
    out.append(Observation("database_unreachable", None, False, page="/system"))
    for symbol in symbols:
        candle = latest.get(symbol)
        page = f"/market?symbol={symbol}"
        if candle is None:
            out.append(Observation("candle_stale", symbol, True, "value.no_candles", page=page))
            continue
        # From the candle's close, as the status strip counts it (data.freshness).
        age = candle_age_s(candle, now)
        out.append(
            Observation("candle_stale", symbol, age > services.candle_stale_s, "value.age", {"age_s": age}, page=page)
        )
    limits = assessment.limits
    for state, rule in _TRADING_RULES.items():
        out.append(
            Observation(
                rule, None, assessment.state is state, "value.state", {"state": assessment.state.value}, page="/risk"
            )
        )
    used_pct = None
    if assessment.daily_loss_limit_krw > 0:
        used_pct = max(0.0, -assessment.day.total_pnl) / assessment.daily_loss_limit_krw * 100.0
    for threshold in settings.loss_thresholds_pct:
        out.append(
            Observation(
                "daily_loss",
                f"{threshold:g}%",
                None if used_pct is None else False,
                "value.pct_of_limit",
                {"pct": used_pct or 0.0, "pnl": assessment.day.total_pnl, "limit": assessment.daily_loss_limit_krw},
                {"threshold": threshold},
                page="/risk",
                numeric=used_pct,
                fire_at=threshold,
                clear_at=threshold - settings.hysteresis_pct,
            )
        )
    one_short = limits.max_consecutive_losses.value - 1
    out.append(
        Observation(
            "consecutive_losses",
            None,
            one_short >= 1 and assessment.day.consecutive_losses == one_short,
            "value.losses",
            {"count": assessment.day.consecutive_losses, "limit": limits.max_consecutive_losses.value},
            page="/risk",
        )
    )
    out.append(reconciliation_observation(ledger, risk_days, positions, now))
    behind = [status.rollup.view for status in rollups if status.exists and status.behind(now)]
    if any(status.exists for status in rollups):
        out.append(
            Observation(
                "rollups_lagging", None, bool(behind), "value.lagging", {"views": ", ".join(behind)}, page="/system"
            )
        )
    return symbols


def reconciliation_observation(ledger, risk_days, positions, now: datetime) -> Observation:
    """The System page's reconciliation as a rule: firing while any of the last 30 UTC days or
    any position disagrees with the bot's own record beyond the tolerance (data.reconciliation)."""
    days = [
        c for c in daily_checks(ledger, risk_days, days_back(now, RECONCILE_DAYS), utc_today(now)) if c.is_discrepancy
    ]
    held = [c for c in position_checks(ledger, positions) if c.is_discrepancy]
    return Observation(
        "reconciliation_discrepancy",
        None,
        bool(days or held),
        "value.discrepancies",
        {"days": len(days), "positions": len(held)},
        page="/system",
    )


def _redis_rules(services, settings, symbols: list[str], out: list[Observation]) -> None:
    """Redis reachability, each symbol's bot status (the dead man's switch), the AI guardrails."""
    if not symbols:
        try:
            symbols = services.bot_status.discover_symbols()
        except Exception:  # noqa: BLE001 - an unreachable Redis shows in read() below
            symbols = []
    snapshot = services.bot_status.read(symbols)
    if snapshot.redis_error:
        out.append(
            Observation(
                "redis_unreachable",
                None,
                True,
                "value.unreachable",
                {"detail": str(snapshot.redis_error)},
                page="/system",
            )
        )
        _unknown(out, ("bot_status_stale",), symbols)
        _unknown(out, ("ai_global_block",), [None])
        _unknown_budget(out, settings)
        return
    out.append(Observation("redis_unreachable", None, False, page="/system"))
    silences = _silences(services, snapshot.readings)
    for symbol in symbols:
        reading = snapshot.readings.get(symbol)
        page = f"/market?symbol={symbol}"
        silence = silences.get(symbol)
        if reading is not None and silence is not None and silence.cause is SilenceCause.ENTRY_SKIPPED:
            # The bot runs (another symbol reports) and skips this flat symbol's BUY signals it
            # cannot size, writing no status meanwhile: not a dead bot (the Bot Brain says the same).
            detail = {"detail": str(silence.detail)} if silence.detail is not None else {}
            out.append(Observation("bot_status_stale", symbol, False, "value.entry_skipped", detail, page=page))
        elif reading is None or reading.state is StatusState.MISSING:
            out.append(Observation("bot_status_stale", symbol, True, "value.missing", page=page))
        else:
            age = reading.age_s
            stale = bool(reading.stale) or age is None
            args = {"age_s": age} if age is not None else {}
            out.append(
                Observation(
                    "bot_status_stale", symbol, stale, "value.age" if args else "value.missing", args, page=page
                )
            )
    try:
        guards = services.bot_status.read_guardrails(symbols, services.clock_rate)
    except RedisUnavailable:
        _unknown(out, ("ai_global_block",), [None])
        _unknown_budget(out, settings)
        return
    if not guards.any_key:
        return  # a bot without the AI guardrails: nothing to judge
    block = guards.global_block
    args = {"left_s": block.seconds_left} if block.seconds_left is not None else {}
    out.append(Observation("ai_global_block", None, block.active, "value.block", args, page="/risk"))
    # The lowest of the regimes' budgets (the strategy file's, as the Risk page shows): where the
    # first regime's entries stop.
    limits = services.risk_limits
    for window, used, limit in (
        ("hour", guards.calls_this_hour, limits.ai_calls_per_hour()),
        ("day", guards.calls_today, limits.ai_calls_per_day()),
    ):
        # A budget of 0 blocks every call: the bot compares used >= limit.
        pct = None if used is None else (used / limit * 100.0 if limit > 0 else 100.0)
        out.append(
            Observation(
                "ai_budget",
                window,
                None if pct is None else False,
                "value.budget",
                {"pct": pct or 0.0, "used": used, "limit": limit, "window": window},
                {"threshold": settings.ai_budget_pct},
                page="/risk",
                numeric=pct,
                fire_at=settings.ai_budget_pct,
                clear_at=settings.ai_budget_pct - settings.hysteresis_pct,
            )
        )


def _silences(services, readings) -> dict:
    """Why the symbols without a status are silent (DataServices.silences); nothing when the
    database cannot say (then every missing status counts as the bot's silence)."""
    try:
        with services.database.connect() as conn:
            return services.silences(conn, dict(readings))
    except DataError:
        return {}


def _n8n_rule(services) -> Observation:
    health = check_n8n(services.n8n_url, services.n8n_timeout_s)
    if health.state is N8nState.NOT_CONFIGURED:
        return Observation("n8n_unreachable", None, False, page="/system")
    down = health.state in (N8nState.UNREACHABLE, N8nState.UNHEALTHY)
    return Observation(
        "n8n_unreachable", None, down, "value.unreachable", {"detail": str(health.message)}, page="/system"
    )


def _fallback_symbols(services) -> list[str]:
    return list(services.cached_symbols() or [])


def _unknown(out: list[Observation], rules, subjects) -> None:
    for rule in rules:
        for subject in subjects:
            out.append(Observation(rule, subject, None))


def _unknown_risk(out: list[Observation], settings) -> None:
    _unknown(out, (*_TRADING_RULES.values(), "consecutive_losses"), [None])
    _unknown(out, ("daily_loss",), [f"{t:g}%" for t in settings.loss_thresholds_pct])


def _unknown_budget(out: list[Observation], settings) -> None:
    _unknown(out, ("ai_budget",), ["hour", "day"])
