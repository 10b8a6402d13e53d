"""Small helpers shared by the tests."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from dashboard.settings import Settings
from i18n import Preferences
from store import StoreSettings, default_store_url

# A fixed "now" for seeded data, so numbers in tests are reproducible.
SEED_END = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
SEED_SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP"]


@cache
def test_state_dir() -> Path:
    """One state directory for the test session's dashboards (their store), removed at exit, so
    no test writes a store into the working directory."""
    path = Path(tempfile.mkdtemp(prefix="coinpilot-test-state-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def make_settings(database_url, redis_url, **overrides) -> Settings:
    """Settings for a test server. English is pinned (the product defaults to Korean) because
    most tests assert English text; Korean tests pass `display=Preferences(language="ko")`. The
    dashboard reads the strategy file the simulated bot trades by (simulator/strategy_v3.yaml),
    as it would a real bot's; `strategy_config_path=None` tests a deployment without one. The
    dashboard's store is the session's (test_state_dir); a test of the store makes its own."""
    from simulator.paper_bot import DEMO_STRATEGY_FILE

    values = {
        "database_url": database_url,
        "redis_url": redis_url,
        "n8n_url": None,
        "display": Preferences(language="en"),
        "strategy_config_path": str(DEMO_STRATEGY_FILE),
        "store": StoreSettings(url=default_store_url(test_state_dir()), state_dir=str(test_state_dir())),
    }
    values.update(overrides)
    return Settings(**values)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@contextmanager
def recorded_statements(engine):
    """The (statement, parameters) pairs run on `engine` while the block runs."""
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def start_cooldown(engine, remaining: timedelta) -> None:
    """Today's risk row replaced by one in cooldown for `remaining` from now (4 trades, -1,000 KRW)."""
    today = datetime.now(UTC).date()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM daily_risk_state WHERE date = :d"), {"d": today})
        conn.execute(
            sa.text(
                "INSERT INTO daily_risk_state (date, total_pnl, trade_count, consecutive_losses, "
                "cooldown_until, is_trading_halted, updated_at) VALUES (:d, -1000, 4, 0, :u, false, now())"
            ),
            {"d": today, "u": datetime.now(UTC) + remaining},
        )


def risk_day(now: datetime, **values):
    """Today's daily_risk_state row as of `now`: nothing traded, nothing lost, unless `values` say so."""
    from data.risk import DailyRiskState

    base = {
        "date": now.date(),
        "total_pnl": 0.0,
        "trade_count": 0,
        "consecutive_losses": 0,
        "cooldown_until": None,
        "is_trading_halted": False,
        "updated_at": now,
    }
    return DailyRiskState(**(base | values))


def balance(value: float):
    """A week-6 base for data.risk.assess_risk: limits in % of the cash balance."""
    from data.risk import LimitSource, ReferenceEquity

    return ReferenceEquity(value, LimitSource.BALANCE)


def reference(value: float, source: str = "redis"):
    """A v3 base for data.risk.assess_risk: the day's reference equity (the bot's Redis key by default)."""
    from data.risk import LimitSource, ReferenceEquity

    return ReferenceEquity(value, LimitSource(source))


def history_holding_positions(symbols, days: float, end: datetime, first_seed: int, tries: int = 20):
    """The first simulated history from `first_seed` on whose bot still holds a position at the end
    (the pages' position tables and their PnL need one). The history ends at `end`, which may be
    the wall clock, so a fixed seed alone cannot promise it."""
    from simulator.synthetic import generate_history

    for seed in range(first_seed, first_seed + tries):
        history = generate_history(symbols, days, end, seed=seed)
        if history.bot.holdings:
            return history
    raise AssertionError(f"no seed in {first_seed}..{first_seed + tries - 1} leaves the bot holding a position")
