"""Technical indicators the bot uses (RSI 14, Bollinger 20/2, moving averages), as pure functions.

The chart and the demo's paper strategy share these, so what the demo bot decides and what
the Market page draws are the same numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RSI_PERIOD = 14
BOLLINGER_PERIOD = 20
BOLLINGER_STDDEVS = 2.0
# The chart fetches this many extra candles before the first one shown, so MA(200) and
# the exponentially smoothed RSI are already settled at the left edge.
INDICATOR_WARMUP = 200


def rsi(closes: pd.Series, period: int = RSI_PERIOD) -> pd.Series:
    """Wilder's RSI (the definition Upbit, TradingView and CoinPilot use)."""
    delta = closes.diff()
    gains = delta.clip(lower=0.0)
    losses = -delta.clip(upper=0.0)
    alpha = 1.0 / period
    avg_gain = gains.ewm(alpha=alpha, adjust=False, min_periods=period).mean()
    avg_loss = losses.ewm(alpha=alpha, adjust=False, min_periods=period).mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = avg_gain / avg_loss
        values = 100.0 - 100.0 / (1.0 + relative)
    # No losses at all in the window: RSI is 100 by definition (not NaN). No move at all (no gain and no
    # loss) is 0/0: NaN, as the bot computes it (its status then says "rsi": NaN).
    values = values.where(avg_loss != 0.0, 100.0)
    values[(avg_gain == 0.0) & (avg_loss == 0.0)] = np.nan
    values[avg_gain.isna()] = np.nan
    return values


def _valid(closes: pd.Series) -> pd.Series:
    # A NaN close (PostgreSQL's numeric holds 'NaN') would blank every window it falls in (200
    # candles of MA 200): averages run over the valid closes and are laid back on every row.
    return closes[np.isfinite(closes.to_numpy(dtype="float64"))]


def sma(closes: pd.Series, period: int) -> pd.Series:
    """The mean of the last `period` valid closes (NaN on a row whose own close is not valid)."""
    valid = _valid(closes)
    return valid.rolling(period, min_periods=period).mean().reindex(closes.index)


def bollinger(closes: pd.Series, period: int = BOLLINGER_PERIOD, stddevs: float = BOLLINGER_STDDEVS) -> pd.DataFrame:
    """Middle band (SMA), upper and lower bands at +/- k population standard deviations."""
    middle = sma(closes, period)
    valid = _valid(closes)
    spread = valid.rolling(period, min_periods=period).std(ddof=0).reindex(closes.index) * stddevs
    return pd.DataFrame({"bb_middle": middle, "bb_upper": middle + spread, "bb_lower": middle - spread})


def chart_indicators(candles: pd.DataFrame) -> pd.DataFrame:
    """The candle frame with the chart's indicator columns added (computed over all its rows)."""
    closes = candles["close"]
    bands = bollinger(closes)
    result = candles.copy()
    result["bb_upper"], result["bb_middle"], result["bb_lower"] = (
        bands["bb_upper"],
        bands["bb_middle"],
        bands["bb_lower"],
    )
    for period in (20, 60, 200):
        result[f"ma{period}"] = sma(closes, period)
    result["rsi"] = rsi(closes)
    return result
