"""The embedded demo: a SQLite file of synthetic CoinPilot history, a simulator thread that keeps
the market and the paper bot going, and an in-process Redis substitute for the bot's status.

Demo time may run faster than the wall clock (--speed); the dashboard is given the same
clock, so every age it shows is measured in demo time.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fakeredis
import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.database import Backend, Database
from data.market import fetch_recent_closes, fetch_symbols, latest_candle_time
from data.metrics import realized_pnl_ledger
from data.orders import fetch_cash_balance, fetch_filled_trades, fetch_positions
from data.risk_records import fetch_daily_risk_history
from data.status_reader import STATUS_KEY_PREFIX
from simulator.paper_bot import BotConfig, DayState, Holding, IndicatorWindow, PaperBot
from simulator.seeding import create_schema, insert_candles, insert_rows, next_candle_id, save_bot_state, write_history
from simulator.synthetic import RandomWalk, generate_history, profile_for

log = logging.getLogger("coinpilot.demo")

DEMO_FILE = "coinpilot-demo.sqlite3"
STATUS_TTL_S = 300  # the bot's own TTL
MAX_CATCH_UP = timedelta(days=3)


class DemoClock:
    """Demo time: starts at `start` and runs `speed` times faster than the wall clock."""

    def __init__(self, start: datetime, speed: float):
        self.speed = speed
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._started) * self.speed)


@dataclass
class DemoWorld:
    path: Path
    writer: Database
    bot: PaperBot
    walks: dict[str, RandomWalk]
    windows: dict[str, IndicatorWindow]
    next_minute: datetime
    symbols: list[str]
    last_status: dict[str, dict] | None = None


def prepare_world(data_dir: Path, symbols: list[str], days: float, limits, seed: int = 7) -> DemoWorld:
    """Reuse the demo database in data_dir when it is recent enough, else build it afresh."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DEMO_FILE
    now = datetime.now(UTC)
    if path.exists():
        try:
            world = _restore(path, limits, seed)
            if world is not None and now - world.next_minute <= MAX_CATCH_UP:
                log.info("Reusing %s (last candle %s)", path, world.next_minute - timedelta(minutes=1))
                return world
            log.info("%s is too old or incomplete: building a new demo history", path)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("Cannot reuse %s (%s): building a new demo history", path, exc)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return _build(path, symbols, days, limits, seed, now)


def _build(path: Path, symbols: list[str], days: float, limits, seed: int, now: datetime) -> DemoWorld:
    writer = Database(f"sqlite:///{path}", read_only=False, statement_timeout_ms=None)
    create_schema(writer.engine, Backend.SQLITE)
    started = time.perf_counter()
    history = generate_history(symbols, days, now, seed=seed, config=BotConfig(limits=limits))
    report = write_history(writer.engine, Backend.SQLITE, history)
    log.info(
        "Demo history: %s candles, %s orders in %.1f s",
        f"{report.candles:,}",
        report.orders,
        time.perf_counter() - started,
    )
    windows = {s: IndicatorWindow(list(history.candles[s]["close"])) for s in symbols}
    return DemoWorld(path, writer, history.bot, history.walks, windows, history.end, list(symbols), history.last_status)


def _restore(path: Path, limits, seed: int) -> DemoWorld | None:
    """Rebuild the simulator's state from what an earlier demo wrote."""
    writer = Database(f"sqlite:///{path}", read_only=False, statement_timeout_ms=None)
    with writer.connect() as conn:
        symbols = fetch_symbols(conn)
        if not symbols:
            return None
        cash = fetch_cash_balance(conn)
        if cash is None:
            return None
        newest = [latest_candle_time(conn, s) for s in symbols]
        positions = fetch_positions(conn)
        ledger = realized_pnl_ledger(fetch_filled_trades(conn))
        days = fetch_daily_risk_history(conn, (min(newest) - timedelta(days=2)).date())
        closes = {symbol: fetch_recent_closes(conn, symbol, 400) for symbol in symbols}
    rng = np.random.default_rng([seed, int(time.time())])
    bot = PaperBot(BotConfig(limits=limits), rng, cash=cash.balance)
    for row in positions.itertuples(index=False):
        bot.holdings[row.symbol] = Holding(
            row.quantity,
            row.avg_price,
            row.opened_at.to_pydatetime(),
            _open_buy_fees(ledger, row.symbol),
            row.updated_at.to_pydatetime(),
        )
    for day in days:
        bot.days[day.date] = DayState(
            day.date,
            day.total_pnl,
            day.trade_count,
            day.consecutive_losses,
            day.cooldown_until,
            day.is_trading_halted,
            day.updated_at,
        )
    walks = {}
    for i, symbol in enumerate(symbols):
        last_close = closes[symbol][-1]
        walks[symbol] = RandomWalk(
            symbol,
            np.random.default_rng([seed, i, int(time.time())]),
            log_offset=math.log(last_close / profile_for(symbol)[0]),
            last_close=last_close,
        )
    windows = {s: IndicatorWindow(closes[s]) for s in symbols}
    return DemoWorld(path, writer, bot, walks, windows, min(newest) + timedelta(minutes=1), symbols)


def _open_buy_fees(ledger: pd.DataFrame, symbol: str) -> float:
    """Buy fees of the open position: BUY fees since the symbol was last flat."""
    rows = ledger[ledger["symbol"] == symbol]
    flat = rows.index[rows["position_after"] <= 0]
    since = rows.loc[rows.index > flat[-1]] if len(flat) else rows
    return float(since.loc[since["side"] == "BUY", "fee"].sum())


class Simulator(threading.Thread):
    """Appends one candle per symbol per demo minute, runs the paper bot on it, writes what
    the bot writes and publishes its status to the Redis substitute."""

    def __init__(self, world: DemoWorld, redis_client, clock: DemoClock):
        super().__init__(name="coinpilot-demo-simulator", daemon=True)
        self.world = world
        self.redis = redis_client
        self.clock = clock
        self.stop_event = threading.Event()
        self.error: BaseException | None = None

    def catch_up(self, until: datetime) -> int:
        """Simulate every whole minute that has ended by `until`; returns how many."""
        world = self.world
        minutes = []
        while world.next_minute + timedelta(minutes=1) <= until:
            minutes.append(world.next_minute)
            world.next_minute += timedelta(minutes=1)
        if not minutes:
            return 0
        candles: dict[str, pd.DataFrame] = {}
        statuses: dict[str, dict] = {}
        for symbol in world.symbols:
            frame = world.walks[symbol].generate(minutes[0], len(minutes))
            candles[symbol] = frame
            for minute, close in zip(minutes, frame["close"]):
                indicators = world.windows[symbol].push(float(close))
                statuses[symbol] = world.bot.on_candle(
                    symbol, minute + timedelta(minutes=1), float(close), indicators, want_status=True
                )
        orders, audits, decisions = world.bot.drain_rows()
        with world.writer.engine.begin() as conn:
            next_id = next_candle_id(conn)
            for symbol, frame in candles.items():
                insert_candles(conn, symbol, frame, first_id=next_id)
                next_id += len(frame)
            insert_rows(conn, orders, audits, decisions)
            save_bot_state(conn, world.bot, world.bot.dirty_symbols, world.bot.dirty_days)
        world.bot.dirty_symbols.clear()
        world.bot.dirty_days.clear()
        self.publish(statuses)
        return len(minutes)

    def publish(self, statuses: dict[str, dict]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for symbol, payload in statuses.items():
            if payload is not None:
                pipe.set(STATUS_KEY_PREFIX + symbol, json.dumps(payload, ensure_ascii=False), ex=STATUS_TTL_S)
        pipe.execute()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.catch_up(self.clock.now())
            except Exception as exc:  # keep the demo alive: log the step that failed, retry next tick
                self.error = exc
                log.exception("demo simulator step failed")
            self.stop_event.wait(0.5)

    def stop(self) -> None:
        self.stop_event.set()


def start_demo(data_dir: Path, symbols: list[str], days: float, speed: float, limits, seed: int = 7):
    """Build or reuse the world, catch up to now, and start the simulator.

    Returns (world, clock, redis substitute, simulator)."""
    world = prepare_world(data_dir, symbols, days, limits, seed)
    redis_client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    wall_now = datetime.now(UTC)
    catch_up_clock = DemoClock(wall_now, 1.0)
    simulator = Simulator(world, redis_client, catch_up_clock)
    if world.next_minute < wall_now:
        caught = simulator.catch_up(wall_now)
        if caught:
            log.info("Caught up %s demo minutes since the last run", caught)
    # Demo time resumes where the data ends (it may be ahead of the wall clock after a fast run).
    clock = DemoClock(max(wall_now, world.next_minute), speed)
    simulator.clock = clock
    if world.last_status:
        simulator.publish(world.last_status)
    simulator.start()
    return world, clock, redis_client, simulator
