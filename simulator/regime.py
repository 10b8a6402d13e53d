"""Market regime as the v3 bot detects it: MA50 against MA200 of hourly closes, per base coin.

About once an hour the bot takes the last hourly close of each coin and compares the two
moving averages: diff_pct = (MA50 - MA200) / MA200 x 100. Above +THRESHOLD_PCT the market is
BULL, below -THRESHOLD_PCT BEAR, in between SIDEWAYS; until 200 hourly closes exist the
regime is UNKNOWN (a fresh deployment trades it like SIDEWAYS). The result goes to
`regime_history` (coin_symbol = the base coin, BTC for KRW-BTC) and `market:regime:{symbol}`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

MA_SHORT_HOURS = 50
MA_LONG_HOURS = 200
THRESHOLD_PCT = 1.0
REGIMES = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")


def base_coin(symbol: str) -> str:
    """KRW-BTC and BTC-KRW are both BTC."""
    first, _, second = symbol.partition("-")
    return second if first == "KRW" and second else first


def classify(diff_pct: float | None) -> str:
    if diff_pct is None:
        return "UNKNOWN"
    if diff_pct > THRESHOLD_PCT:
        return "BULL"
    if diff_pct < -THRESHOLD_PCT:
        return "BEAR"
    return "SIDEWAYS"


@dataclass(frozen=True)
class Detection:
    detected_at: datetime
    coin_symbol: str
    regime: str
    ma50: float | None
    ma200: float | None
    diff_pct: float | None

    def row(self) -> dict:
        return {
            "detected_at": self.detected_at,
            "regime": self.regime,
            "ma50": self.ma50,
            "ma200": self.ma200,
            "diff_pct": self.diff_pct,
            "coin_symbol": self.coin_symbol,
        }


class RegimeDetector:
    """One coin's hourly closes and the regime they give."""

    def __init__(self, coin_symbol: str, hourly_closes=()):
        self.coin_symbol = coin_symbol
        self.closes: deque[float] = deque(hourly_closes, maxlen=MA_LONG_HOURS)

    def detect(self, at: datetime, hourly_close: float) -> Detection:
        self.closes.append(float(hourly_close))
        closes = list(self.closes)
        ma50 = sum(closes[-MA_SHORT_HOURS:]) / MA_SHORT_HOURS if len(closes) >= MA_SHORT_HOURS else None
        ma200 = sum(closes) / MA_LONG_HOURS if len(closes) >= MA_LONG_HOURS else None
        diff = round((ma50 - ma200) / ma200 * 100.0, 4) if ma50 is not None and ma200 is not None else None
        return Detection(
            at,
            self.coin_symbol,
            classify(diff),
            None if ma50 is None else round(ma50, 8),
            None if ma200 is None else round(ma200, 8),
            diff,
        )
