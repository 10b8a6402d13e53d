"""A missing status on a real database: the Bot Brain reads the symbol's newest candle to say
whether the collector stalled or the bot itself stopped."""

import pytest

from callbacks import market as market_callbacks
from tests.support.components import one, text

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def silence(panel) -> str:
    return one(panel, "data-brain-silence")["props"]["data-brain-silence"]


def test_no_status_with_fresh_candles_means_the_bot_stopped(seeded_services, redis_client):
    # The seeded clock stands 30 s after the last candle closed.
    panel = market_callbacks.bot_brain_panel(seeded_services, "KRW-BTC")
    assert silence(panel) == "bot_stopped"
    assert "the bot itself has stopped" in text(panel)


def test_no_status_with_stale_candles_means_the_collector_stalled(seeded_services, redis_client):
    seeded_services.test_clock.advance(10 * 60)
    panel = market_callbacks.bot_brain_panel(seeded_services, "KRW-BTC")
    assert silence(panel) == "collector_stalled"
