"""Synthetic market data for the demo and `seed`: price walks, and the paper bot's life over them.

The walk is a geometric random walk with clustered volatility and a weak pull back to the
symbol's reference price (so a year stays in a believable range). generate_history runs the
paper bot (simulator.paper_bot) over the walk and returns every row the real bot would have
written; for a v3 bot also the hourly regime detections, the AI ledger and the post-exit
prices of its SELLs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from simulator.paper_bot import (
    CANDLE_WINDOW,
    BotConfig,
    BotRows,
    Indicators,
    PaperBot,
    indicator_frame,
    optional_indicator,
)
from simulator.post_exit import fill_from_candles
from simulator.regime import RegimeDetector, base_coin

# (reference price in KRW, per-minute volatility, typical KRW traded per minute)
SYMBOL_PROFILES: dict[str, tuple[float, float, float]] = {
    "KRW-BTC": (95_000_000.0, 0.0006, 400_000_000.0),
    "KRW-ETH": (4_500_000.0, 0.0008, 150_000_000.0),
    "KRW-XRP": (3_100.0, 0.0011, 120_000_000.0),
    "KRW-SOL": (250_000.0, 0.001, 60_000_000.0),
    "KRW-DOGE": (320.0, 0.0012, 50_000_000.0),
}
DEFAULT_SYMBOLS = tuple(SYMBOL_PROFILES)
_MEAN_REVERSION = 2e-5  # per minute: a half-life of about 24 days
_VOL_PERSISTENCE = 0.002
_VOL_OF_VOL = 0.3


def profile_for(symbol: str) -> tuple[float, float, float]:
    if symbol in SYMBOL_PROFILES:
        return SYMBOL_PROFILES[symbol]
    # An unknown symbol gets a stable made-up profile derived from its name.
    seed = sum(ord(c) for c in symbol)
    return (1_000.0 * (1 + seed % 97), 0.0012, 30_000_000.0)


def tick_size(price: float) -> float:
    """Upbit KRW-market price units."""
    for floor, tick in (
        (2_000_000, 1000.0),
        (1_000_000, 500.0),
        (500_000, 100.0),
        (100_000, 50.0),
        (10_000, 10.0),
        (1_000, 1.0),
        (100, 0.1),
        (10, 0.01),
        (1, 0.001),
    ):
        if price >= floor:
            return tick
    return 0.0001


def _round_to_tick(prices: np.ndarray, mode: str = "nearest") -> np.ndarray:
    ticks = _vector_ticks(prices)
    rounding = {"nearest": np.round, "up": np.ceil, "down": np.floor}[mode]
    return np.round(rounding(prices / ticks) * ticks, 8)


def _vector_ticks(prices: np.ndarray) -> np.ndarray:
    floors = np.array([2_000_000, 1_000_000, 500_000, 100_000, 10_000, 1_000, 100, 10, 1, 0])
    ticks = np.array([1000.0, 500.0, 100.0, 50.0, 10.0, 1.0, 0.1, 0.01, 0.001, 0.0001])
    index = np.argmax(prices[:, None] >= floors[None, :], axis=1)
    return ticks[index]


@dataclass
class RandomWalk:
    """One symbol's price process; its state lets live candles continue the history."""

    symbol: str
    rng: np.random.Generator
    log_offset: float = 0.0  # log(price / reference)
    vol_state: float = 0.0
    last_close: float | None = None

    @property
    def reference(self) -> float:
        return profile_for(self.symbol)[0]

    def generate(self, start: datetime, minutes: int) -> pd.DataFrame:
        """`minutes` consecutive 1-minute candles from `start` (a minute boundary, UTC)."""
        reference, base_vol, notional = profile_for(self.symbol)
        shocks = self.rng.standard_normal(minutes)
        vol_shocks = self.rng.standard_normal(minutes) * _VOL_OF_VOL * math.sqrt(2 * _VOL_PERSISTENCE)
        vol = _ar1(vol_shocks, 1 - _VOL_PERSISTENCE, self.vol_state)
        sigma = base_vol * np.exp(vol)
        offsets = _ar1(shocks * sigma, 1 - _MEAN_REVERSION, self.log_offset)
        closes = reference * np.exp(offsets)
        opens = np.empty(minutes)
        opens[0] = self.last_close if self.last_close is not None else closes[0] * math.exp(-shocks[0] * sigma[0])
        opens[1:] = closes[:-1]
        opens = _round_to_tick(opens)
        closes = _round_to_tick(closes)
        wick = np.abs(self.rng.standard_normal((2, minutes))) * sigma * 0.6
        highs = _round_to_tick(np.maximum(opens, closes) * np.exp(wick[0]), "up")
        lows = _round_to_tick(np.minimum(opens, closes) * np.exp(-wick[1]), "down")
        activity = np.exp(self.rng.standard_normal(minutes) * 0.7) * (1 + 3 * np.abs(shocks))
        volumes = np.round(notional * activity / closes / 4.0, 8)
        self.log_offset, self.vol_state, self.last_close = float(offsets[-1]), float(vol[-1]), float(closes[-1])
        times = pd.date_range(start, periods=minutes, freq="1min", tz="UTC")
        return pd.DataFrame(
            {"timestamp": times, "open": opens, "high": highs, "low": lows, "close": closes, "volume": volumes}
        )


def _ar1(shocks: np.ndarray, phi: float, initial: float) -> np.ndarray:
    """x[t] = phi * x[t-1] + shock[t], x[-1] = initial, computed vectorised."""
    n = len(shocks)
    powers = phi ** np.arange(1, n + 1)
    # x[t] = phi^(t+1) * initial + sum_k phi^(t-k) shock[k]; the sum via a scaled cumsum is
    # unstable for long series, so process in blocks where phi^-block stays well-conditioned.
    out = np.empty(n)
    block = 2000
    state = initial
    for begin in range(0, n, block):
        chunk = shocks[begin : begin + block]
        m = len(chunk)
        scale = phi ** -np.arange(m)
        partial = np.cumsum(chunk * scale) * phi ** np.arange(m)
        out[begin : begin + m] = powers[:m] * state + partial
        state = out[begin + m - 1]
    return out


@dataclass
class History:
    candles: dict[str, pd.DataFrame]
    bot: PaperBot
    walks: dict[str, RandomWalk]
    rows: BotRows
    last_status: dict[str, dict]
    end: datetime
    detectors: dict[str, RegimeDetector]

    @property
    def orders(self) -> list[dict]:
        return self.rows.orders

    @property
    def audits(self) -> list[dict]:
        return self.rows.audits

    @property
    def decisions(self) -> list[dict]:
        return self.rows.decisions


# The v3 bot knows a regime only from 200 hourly closes (about 8.3 days); a deployment backfills them
# (the upstream's scripts/backfill_for_regime.py) rather than trade UNKNOWN, where it never enters.
REGIME_BACKFILL_HOURS = 200


def _backfilled_hourly_closes(symbol: str, seed: int, index: int, window: pd.DataFrame) -> list[float]:
    """The hourly closes before the window, as a backfill gives them to the regime detector: a walk
    of its own (so the window's candles stay what they were), scaled to end at the window's first
    open (the regime compares two averages of it, so the scale does not matter to it)."""
    walk = RandomWalk(symbol, np.random.default_rng([seed, index, 0xBACF]))
    before = walk.generate(
        window["timestamp"].iloc[0] - timedelta(hours=REGIME_BACKFILL_HOURS), REGIME_BACKFILL_HOURS * 60
    )
    hourly = before["close"].to_numpy()[59::60]
    return [float(close) for close in hourly * (float(window["open"].iloc[0]) / float(hourly[-1]))]


def generate_history(
    symbols: list[str],
    days: float,
    end: datetime,
    *,
    seed: int = 7,
    config: BotConfig | None = None,
    progress=None,
) -> History:
    """`days` of 1-minute candles ending at `end` (exclusive) and the paper bot's life over them."""
    end = end.astimezone(UTC).replace(second=0, microsecond=0)
    minutes = max(int(days * 24 * 60), 1)
    start = end - timedelta(minutes=minutes)
    rng = np.random.default_rng(seed)
    walks = {s: RandomWalk(s, np.random.default_rng([seed, i])) for i, s in enumerate(symbols)}
    candles = {s: walks[s].generate(start, minutes) for s in symbols}
    indicators = {s: indicator_frame(candles[s]["close"]) for s in symbols}
    bot = PaperBot(config or BotConfig(), rng)
    closes = {s: candles[s]["close"].to_numpy() for s in symbols}
    columns = {s: {name: indicators[s][name].to_numpy() for name in indicators[s].columns} for s in symbols}
    # A candle is decided on when it closes, one minute after its open time.
    decision_times = (candles[symbols[0]]["timestamp"] + pd.Timedelta(minutes=1)).dt.to_pydatetime()
    report_every = max(minutes // 50, 1)
    last_status: dict[str, dict] = {}
    oversold = bot.entry_rsi_ceiling
    v3 = bot.config.v3
    detectors = {
        s: RegimeDetector(base_coin(s), _backfilled_hourly_closes(s, seed, i, candles[s]))
        for i, s in enumerate(symbols)
    }
    # The first candle that opens on the hour: from there on, every 60th candle does.
    first_hour = (60 - candles[symbols[0]]["timestamp"].iloc[0].minute) % 60
    for i in range(minutes):
        last = i == minutes - 1
        if v3 and i >= first_hour and (i - first_hour) % 60 == 0 and i > 0:
            # An hour has just closed (candle i-1 was its last): detect, then the hourly side.
            hour = decision_times[i - 1]
            for s in symbols:
                bot.on_regime(s, detectors[s].detect(hour, float(closes[s][i - 1])))
            bot.on_hour(hour)
        for s in symbols:
            value = columns[s]["rsi"][i]
            if s not in bot.holdings and not last and (value != value or value >= oversold):
                continue  # nothing for the bot to do on this candle
            c = columns[s]
            ind = Indicators(
                optional_indicator(c["rsi"][i]),
                optional_indicator(c["bb_upper"][i]),
                optional_indicator(c["bb_lower"][i]),
                optional_indicator(c["ma_200"][i]),
                optional_indicator(c["ma_20"][i]),
                optional_indicator(c["low_60"][i]),
                candles=min(i + 1, CANDLE_WINDOW),
            )
            status = bot.on_candle(s, decision_times[i], float(closes[s][i]), ind, want_status=last)
            if last:
                last_status[s] = status
        if progress is not None and i % report_every == 0:
            progress(i, minutes)
    rows = bot.drain_rows()
    if v3:
        fill_from_candles(rows.orders, candles)
    bot.dirty_symbols.clear()
    bot.dirty_days.clear()
    if progress is not None:
        progress(minutes, minutes)
    return History(candles, bot, walks, rows, last_status, end, detectors)
