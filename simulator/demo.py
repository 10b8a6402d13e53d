"""The embedded demo: a SQLite file of synthetic CoinPilot history, a simulator thread that keeps
the market and the paper bot going, and an in-process Redis substitute for the bot's status.

Demo time may run faster than the wall clock (--speed); the dashboard is given the same
clock, so every age it shows is measured in demo time. The demo is a v3 bot: besides the
status it writes market:regime:{symbol}, coinpilot:volatility_state and the AI guardrail and
budget keys. A key whose TTL is "time left" gets that time in demo time divided by the speed,
so it expires when demo time reaches its end (Redis counts TTLs in wall-clock seconds).
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
from data.market import as_utc, fetch_recent_closes, fetch_symbols, latest_candle_time
from data.metrics import realized_pnl_ledger
from data.orders import fetch_cash_balance, fetch_filled_trades, fetch_positions
from data.risk_records import fetch_daily_risk_history
from data.schema import SchemaFeatures, detect_schema
from data.status_reader import REGIME_KEY_PREFIX, STATUS_KEY_PREFIX, VOLATILITY_KEY, reference_equity_key
from data.tables import STORED_CANDLE_INTERVAL, llm_usage_events, market_data, positions
from simulator import ai_books, status_writer
from simulator.paper_bot import BotConfig, DayState, Holding, IndicatorWindow, PaperBot
from simulator.post_exit import track_in_database
from simulator.regime import MA_LONG_HOURS, RegimeDetector, base_coin
from simulator.seeding import (
    create_schema,
    insert_bot_rows,
    insert_candles,
    next_candle_id,
    save_bot_state,
    write_history,
)
from simulator.synthetic import RandomWalk, generate_history, profile_for
from simulator.writer import WritableDatabase

log = logging.getLogger("coinpilot.demo")

DEMO_FILE = "coinpilot-demo.sqlite3"
STATUS_TTL_S = 300  # the bot's own TTL
REGIME_TTL_S = 7200  # the bot's own TTL for market:regime:{symbol}
MAX_CATCH_UP = timedelta(days=3)
# coinpilot:volatility_state: the stdev of the last hour's 1-minute log returns x sqrt(60) x 100
# (% per hour); high above HIGH_VOLATILITY_FACTOR x the symbol's typical hourly volatility.
VOLATILITY_MINUTES = 60
HIGH_VOLATILITY_FACTOR = 1.5
GUARD_KEY = "ai:guard:global:block"
ERROR_STREAK_KEY = "ai:guard:error_streak"
USAGE_HOUR_TTL = timedelta(hours=2)
USAGE_DAY_TTL = timedelta(days=2)
ERROR_STREAK_TTL = timedelta(hours=1)
# Once a demo day the thinnest market is suspended (as Upbit suspends a coin's trading for a network
# upgrade): its candles repeat the last price with no volume. After 200 such minutes the bot's
# RSI over its 200-candle window is 0/0, and its status says `"rsi": NaN`, as a real bot's does.
SUSPENDED_SYMBOL = "KRW-DOGE"
SUSPENSION_START_UTC_HOUR = 3
SUSPENSION = timedelta(hours=4)


def symbol_guard_key(symbol: str, what: str) -> str:
    return f"ai:guard:symbol:{symbol}:{what}"


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
    detectors: dict[str, RegimeDetector]
    features: SchemaFeatures
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
    writer = WritableDatabase(f"sqlite:///{path}")
    create_schema(writer.engine, Backend.SQLITE, "v3")
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
    with writer.connect() as conn:
        features = detect_schema(conn)
    return DemoWorld(
        path,
        writer,
        history.bot,
        history.walks,
        windows,
        history.end,
        list(symbols),
        history.detectors,
        features,
        history.last_status,
    )


def _restore(path: Path, limits, seed: int) -> DemoWorld | None:
    """Rebuild the simulator's state from what an earlier demo wrote."""
    writer = WritableDatabase(f"sqlite:///{path}")
    with writer.connect() as conn:
        symbols = fetch_symbols(conn)
        if not symbols:
            return None
        cash = fetch_cash_balance(conn)
        if cash is None:
            return None
        newest = [latest_candle_time(conn, s) for s in symbols]
        held = fetch_positions(conn)
        ledger = realized_pnl_ledger(fetch_filled_trades(conn))
        features = detect_schema(conn)
        days = fetch_daily_risk_history(conn, (min(newest) - timedelta(days=2)).date(), features)
        closes = {symbol: fetch_recent_closes(conn, symbol, 400) for symbol in symbols}
        v3_positions = _v3_positions(conn, features)
        hourly = {symbol: _hourly_closes(conn, symbol, newest[i]) for i, symbol in enumerate(symbols)}
    rng = np.random.default_rng([seed, int(time.time())])
    v3 = features.generation == "v3"
    bot = PaperBot(BotConfig(limits=limits, v3=v3, limit_counts_buys=v3), rng, cash=cash.balance)
    for row in held.itertuples(index=False):
        regime, high_water_mark = v3_positions.get(row.symbol, ("UNKNOWN", row.avg_price))
        bot.holdings[row.symbol] = Holding(
            row.quantity,
            row.avg_price,
            row.opened_at.to_pydatetime(),
            _open_buy_fees(ledger, row.symbol),
            row.updated_at.to_pydatetime(),
            regime,
            high_water_mark,
        )
    for day in days:
        bot.days[day.date] = DayState(
            day.date,
            day.total_pnl,
            day.trade_count,
            day.buy_count or 0,
            day.sell_count or 0,
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
    detectors = {s: RegimeDetector(base_coin(s), hourly[s]) for s in symbols}
    if v3:
        with writer.connect() as conn:
            _restore_ai_books(conn, bot.ai, min(newest) + timedelta(minutes=1))
    return DemoWorld(
        path, writer, bot, walks, windows, min(newest) + timedelta(minutes=1), symbols, detectors, features
    )


def _v3_positions(conn, features: SchemaFeatures) -> dict[str, tuple[str, float]]:
    if not features.has_column("positions", "high_water_mark") or not features.has_column("positions", "regime"):
        return {}
    rows = conn.execute(sa.select(positions.c.symbol, positions.c.regime, positions.c.high_water_mark)).all()
    return {row.symbol: (row.regime or "UNKNOWN", float(row.high_water_mark)) for row in rows if row.high_water_mark}


def _hourly_closes(conn, symbol: str, newest: datetime) -> list[float]:
    """The closes of the last MA_LONG_HOURS whole hours (each hour's last 1-minute candle)."""
    md = market_data
    since = newest - timedelta(hours=MA_LONG_HOURS + 1)
    rows = conn.execute(
        sa.select(md.c.timestamp, md.c.close_price)
        .where(md.c.symbol == symbol, md.c.interval == STORED_CANDLE_INTERVAL, md.c.timestamp > since)
        .order_by(md.c.timestamp)
    ).all()
    return [float(close) for at, close in rows if as_utc(at).minute == 59][-MA_LONG_HOURS:]


def _restore_ai_books(conn, books: ai_books.AiBooks, now: datetime) -> None:
    """What the AI side needs to continue: spend so far, today's cost per provider (for the
    provider's bill) and this hour's and today's AI-decision calls (the budget)."""
    ev = llm_usage_events
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    for provider, spent in conn.execute(
        sa.select(ev.c.provider, sa.func.sum(ev.c.estimated_cost_usd)).group_by(ev.c.provider)
    ):
        books.spent[provider] = float(spent or 0.0)
    today = sa.select(ev.c.provider, sa.func.sum(ev.c.estimated_cost_usd)).where(ev.c.created_at >= day_start)
    for provider, cost in conn.execute(today.group_by(ev.c.provider)):
        books.cost_by_day[(provider, day_start.date())] = float(cost or 0.0)
    decisions = sa.select(sa.func.count()).select_from(ev).where(ev.c.route == ai_books.DECISION_ROUTE)
    books.guard.usage_day[ai_books.day_key(now)] = int(
        conn.execute(decisions.where(ev.c.created_at >= day_start)).scalar()
    )
    books.guard.usage_hour[ai_books.hour_key(now)] = int(
        conn.execute(decisions.where(ev.c.created_at >= hour_start)).scalar()
    )


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
        bot = world.bot
        candles = {symbol: world.walks[symbol].generate(minutes[0], len(minutes)) for symbol in world.symbols}
        if SUSPENDED_SYMBOL in candles:
            self.suspend(candles[SUSPENDED_SYMBOL], world.windows[SUSPENDED_SYMBOL].closes[-1])
        closes = {symbol: frame["close"].to_numpy() for symbol, frame in candles.items()}
        statuses: dict[str, dict] = {}
        for j, minute in enumerate(minutes):
            if bot.config.v3 and minute.minute == 0:
                # The hour closed with the previous candle: detect the regimes, then the hourly side.
                for symbol in world.symbols:
                    previous = float(closes[symbol][j - 1]) if j else world.windows[symbol].closes[-1]
                    bot.on_regime(symbol, world.detectors[symbol].detect(minute, previous))
                bot.on_hour(minute)
            for symbol in world.symbols:
                close = float(closes[symbol][j])
                indicators = world.windows[symbol].push(close)
                statuses[symbol] = bot.on_candle(
                    symbol, minute + timedelta(minutes=1), close, indicators, want_status=True
                )
        rows = bot.drain_rows()
        with world.writer.engine.begin() as conn:
            next_id = next_candle_id(conn)
            for symbol, frame in candles.items():
                insert_candles(conn, symbol, frame, first_id=next_id)
                next_id += len(frame)
            insert_bot_rows(conn, rows, world.features)
            save_bot_state(conn, bot, bot.dirty_symbols, bot.dirty_days, world.features)
            if world.features.has_column("trading_history", "post_exit_prices"):
                track_in_database(conn, dict.fromkeys(world.symbols, minutes[-1]))
        bot.dirty_symbols.clear()
        bot.dirty_days.clear()
        self.publish(statuses)
        return len(minutes)

    @staticmethod
    def suspend(frame: pd.DataFrame, last_close: float) -> None:
        """The minutes of the frame inside the day's suspension repeat the price the market stopped
        at, with no volume (in place)."""
        times = frame["timestamp"]
        start = times.dt.normalize() + pd.Timedelta(hours=SUSPENSION_START_UTC_HOUR)
        inside = (times >= start) & (times < start + SUSPENSION)
        if not inside.any():
            return
        frozen = last_close
        for index in frame.index:
            if inside[index]:
                frame.loc[index, ["open", "high", "low", "close"]] = frozen
                frame.loc[index, "volume"] = 0.0
            else:
                frozen = float(frame.at[index, "close"])

    def publish(self, statuses: dict[str, dict]) -> None:
        """The bot's status per symbol and, for a v3 bot, the other keys it writes."""
        pipe = self.redis.pipeline(transaction=False)
        for symbol, payload in statuses.items():
            # None: the bot wrote no status this loop (a BUY sized at 0), so the key ages out.
            if payload is not None:
                pipe.set(STATUS_KEY_PREFIX + symbol, status_writer.dumps(payload), ex=STATUS_TTL_S)
        bot = self.world.bot
        if bot.config.v3:
            now = self.world.next_minute
            for symbol in self.world.symbols:
                pipe.set(REGIME_KEY_PREFIX + symbol, bot.regime_of(symbol), ex=REGIME_TTL_S)
            volatility = self.volatility_state(now)
            if volatility is not None:
                pipe.set(VOLATILITY_KEY, json.dumps(volatility))
                bot.high_volatility = bool(volatility["is_high_volatility"])
            self.publish_reference_equity(pipe, now)
            self.publish_ai_guard(pipe, now)
        pipe.execute()

    def publish_reference_equity(self, pipe, now: datetime) -> None:
        """coinpilot:reference_equity:{UTC day}, written once when the bot fixes the day's value and
        expiring at the next UTC midnight (at least an hour), as the bot does."""
        bot = self.world.bot
        for day in sorted(bot.unpublished_reference):
            midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            left = max(midnight - now, timedelta(hours=1))
            if midnight > now:
                pipe.set(reference_equity_key(day), str(bot.reference[day]), ex=self._ttl(left))
        bot.unpublished_reference.clear()

    def volatility_state(self, now: datetime) -> dict | None:
        symbol = next((s for s in self.world.symbols if base_coin(s) == "BTC"), self.world.symbols[0])
        closes = np.array(list(self.world.windows[symbol].closes)[-(VOLATILITY_MINUTES + 1) :], dtype="float64")
        if len(closes) < VOLATILITY_MINUTES + 1:
            return None
        current = float(np.std(np.diff(np.log(closes)), ddof=1) * math.sqrt(60) * 100)
        typical = profile_for(symbol)[1] * math.sqrt(60) * 100
        return {
            "current_volatility": round(current, 4),
            "is_high_volatility": current > HIGH_VOLATILITY_FACTOR * typical,
            "timestamp": now.isoformat(),
        }

    def _ttl(self, left: timedelta) -> int:
        """Seconds of demo time left, as wall-clock seconds for Redis."""
        return max(1, math.ceil(left.total_seconds() / self.clock.speed))

    def publish_ai_guard(self, pipe, now: datetime) -> None:
        """ai:guard:* while a guardrail holds (TTL = time left), ai:usage:* counting AI calls."""
        guard = self.world.bot.ai.guard
        if guard.global_block_until is not None and now < guard.global_block_until:
            pipe.set(GUARD_KEY, "1", ex=self._ttl(guard.global_block_until - now))
        else:
            pipe.delete(GUARD_KEY)
        for symbol in self.world.symbols:
            until = guard.symbol_cooldown_until.get(symbol)
            if until is not None and now < until:
                pipe.set(symbol_guard_key(symbol, "cooldown"), "1", ex=self._ttl(until - now))
            else:
                pipe.delete(symbol_guard_key(symbol, "cooldown"))
            rejects = guard.recent_rejects(symbol, now)
            if rejects:
                left = guard.rejects[symbol][0] + ai_books.REJECT_WINDOW - now
                pipe.set(symbol_guard_key(symbol, "reject_count"), rejects, ex=self._ttl(left))
            else:
                pipe.delete(symbol_guard_key(symbol, "reject_count"))
        if guard.error_streak:
            pipe.set(ERROR_STREAK_KEY, guard.error_streak, ex=self._ttl(ERROR_STREAK_TTL))
        else:
            pipe.delete(ERROR_STREAK_KEY)
        hour, day = ai_books.hour_key(now), ai_books.day_key(now)
        if guard.usage_hour.get(hour):
            pipe.set("ai:usage:hour:" + hour, guard.usage_hour[hour], ex=self._ttl(USAGE_HOUR_TTL))
        if guard.usage_day.get(day):
            pipe.set("ai:usage:day:" + day, guard.usage_day[day], ex=self._ttl(USAGE_DAY_TTL))

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
