"""The Market page in Korean: no English left in its controls, the Bot Brain, the status table
and the chart's titles and trace names."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data.status_payload import validate_payload
from i18n import using
from layouts import market
from tests.support.components import english_words, shown_strings, text

NOW = datetime(2026, 3, 5, 12, 35, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
V3 = {
    "timestamp": (NOW - timedelta(seconds=200)).isoformat(),
    "symbol": "KRW-BTC",
    "current_price": 95000000.0,
    "regime": "BULL",
    "indicators": {"rsi": 45.2, "ma_trend": 94000000.0, "hwm": 96100000.0},
    "position": {"has_position": True, "avg_price": 94000000.0, "quantity": 0.01, "pnl_pct": 1.06},
    "action": "HOLD (POS)",
    "reason": "보유 중: 청산 조건 미충족",
}


@pytest.fixture(autouse=True)
def korean():
    with using(language="ko"):
        yield


# Candle widths keep the bot's interval codes (1m, 15m, 1h, 1d, 1w) and the payload format its
# version name (v3), the time axis the IANA zone (Asia/Seoul): all read the same in a Korean UI.
CODES = frozenset({"m", "h", "d", "w", "v3", "Asia", "Seoul"})


def reading(body=V3):
    return validate_payload(body["symbol"], "bot:status:" + body["symbol"], json.dumps(body).encode(), NOW, 120)


def test_the_market_controls_are_korean():
    page = market.page(["KRW-BTC"], "KRW-BTC", "15m", 200, market.DEFAULT_OVERLAYS)
    assert english_words(page, CODES) == set()
    assert "캔들 단위" in shown_strings(page)


def test_the_bot_brain_and_status_table_are_korean():
    brain = market.bot_brain(reading(), SEOUL, 120)
    table = market.status_table([reading()], SEOUL)
    assert english_words([brain, table], CODES) == set()
    assert "포지션 보유 중, 청산 조건 미충족." in text(brain)


def test_the_candle_chart_titles_and_traces_are_korean():
    buckets = pd.date_range(NOW - timedelta(hours=3), periods=12, freq="15min", tz=UTC)
    frame = pd.DataFrame({"bucket": buckets, "open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 3.0})
    for column in ("bb_upper", "bb_middle", "bb_lower", "ma20", "ma60", "ma200", "rsi"):
        frame[column] = 1.0
    fills = pd.DataFrame({"executed_at": [buckets[2]], "side": ["BUY"], "price": [1.2], "quantity": [0.1]})
    figure = market.candle_figure(frame, fills, lambda s: s, "KRW-BTC", "15m", market.DEFAULT_OVERLAYS, SEOUL)
    assert english_words(figure, CODES) == set()
    assert "봇 매수" in shown_strings(figure)
