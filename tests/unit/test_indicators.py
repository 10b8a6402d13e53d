"""The chart's indicators over candles with a hole in them."""

import numpy as np
import pandas as pd

from data.indicators import chart_indicators, rsi, sma

OVERLAYS = ["ma20", "ma60", "ma200", "bb_upper", "bb_middle", "bb_lower"]


def candles_with_a_nan_close(at: int = 250, n: int = 300) -> pd.DataFrame:
    closes = 100.0 + np.sin(np.arange(n) / 7.0) * 5
    closes[at] = np.nan  # PostgreSQL's numeric holds 'NaN'
    return pd.DataFrame({"close": closes})


def test_one_nan_close_blanks_only_its_own_row_of_the_overlays():
    frame = chart_indicators(candles_with_a_nan_close(at=250))
    for column in OVERLAYS:
        values = frame[column]
        assert values.iloc[250:251].isna().all(), column
        assert values.iloc[251:].notna().all(), column  # not the next 20, 60 or 200 candles
        assert values.iloc[201:250].notna().all(), column


def test_the_average_after_a_nan_is_over_the_last_valid_closes():
    closes = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0])
    assert sma(closes, 3).tolist()[3:] == [(1 + 2 + 4) / 3, (2 + 4 + 5) / 3]


def test_without_holes_the_average_is_the_plain_rolling_mean():
    closes = pd.Series(np.arange(50, dtype="float64"))
    pd.testing.assert_series_equal(sma(closes, 20), closes.rolling(20).mean())


def test_rsi_is_100_without_losses_and_undefined_without_any_move_as_the_bot_computes_it():
    rising = pd.Series(np.arange(40, dtype="float64"))
    assert rsi(rising).iloc[-1] == 100.0
    flat = pd.Series(np.full(40, 95_000_000.0))
    assert np.isnan(rsi(flat).iloc[-1])  # the bot's 0/0: its status says "rsi": NaN
