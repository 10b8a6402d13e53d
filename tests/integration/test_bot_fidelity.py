"""The bot's own numbers on every backend: the limits from its strategy file measured against the day's
reference equity, a BUY it skips for exposure or cash told apart from a dead bot, a strategy file it
cannot use said in one line, and one age rule for a candle (the strip, System and the alerts agree).

Rows and keys are written the way the bot writes them; the expected figures are worked out from the
upstream strategy file's values (tests/support/bot_config: 3 % loss, 6 BUYs, 100 % exposure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from alerts.config import AlertSettings
from alerts.rules import observe
from callbacks import market as market_callbacks
from callbacks import risk as risk_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services
from data.database import Backend, Database
from data.status_reader import reference_equity_key
from data.tables import account_state, daily_risk_state, positions
from simulator import status_writer as writer
from simulator.seeding import create_schema, insert_candles
from simulator.writer import WritableDatabase
from tests.support.bot_config import write_strategy
from tests.support.components import by_attribute, one, text
from tests.support.helpers import FixedClock, make_settings

pytestmark = [pytest.mark.redis]

# A fresh minute: the newest candles opened 90 s before NOW and closed 30 s before it.
NOW = datetime(2026, 12, 7, 5, 0, 30, tzinfo=UTC)
LAST_OPEN = NOW - timedelta(seconds=90)
CLOSES = {"KRW-BTC": 95_000_000.0, "KRW-ETH": 4_500_000.0, "KRW-XRP": 3_000.0}
CASH = 700_000.0


@pytest.fixture(params=["postgresql", "timescaledb", "sqlite"])
def bot_world(request, tmp_path):
    """A v3 bot's database (fresh candles for three symbols, 700,000 KRW of cash), the strategy file
    it trades by, and a way to add positions and today's risk row (function scope: tests write)."""
    backend = Backend(request.param)
    if backend is Backend.SQLITE:
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    else:
        request.node.add_marker(pytest.mark.postgres)
        factory = request.getfixturevalue("timescale" if backend is Backend.TIMESCALEDB else "postgres")
        url = factory.create("cp_fidelity")
    owner = WritableDatabase(url)
    create_schema(owner.engine, backend, "v3", compression_policy=False)
    with owner.engine.begin() as conn:
        for index, (symbol, close) in enumerate(CLOSES.items()):
            times = pd.date_range(end=LAST_OPEN, periods=60, freq="1min", tz="UTC")
            frame = pd.DataFrame(
                {"timestamp": times, "open": close, "high": close, "low": close, "close": close, "volume": 1.0}
            )
            insert_candles(conn, symbol, frame, first_id=1 + 60 * index)
        conn.execute(sa.insert(account_state), [{"id": 1, "balance": CASH, "updated_at": NOW}])
    world = World(url, owner, write_strategy(tmp_path))
    yield world
    owner.dispose()


class World:
    def __init__(self, url: str, owner: Database, strategy_path: str):
        self.url, self.owner, self.strategy_path = url, owner, strategy_path

    def hold(self, symbol: str, quantity: float, avg_price: float) -> None:
        with self.owner.engine.begin() as conn:
            conn.execute(
                sa.insert(positions),
                [
                    {
                        "symbol": symbol,
                        "quantity": quantity,
                        "avg_price": avg_price,
                        "opened_at": NOW - timedelta(hours=1),
                        "updated_at": NOW,
                        "regime": "BULL",
                        "high_water_mark": avg_price,
                    }
                ],
            )

    def today(self, **row) -> None:
        values = {"date": NOW.date(), "total_pnl": 0, "trade_count": 0, "buy_count": 0, "sell_count": 0}
        values |= {"consecutive_losses": 0, "is_trading_halted": False, "updated_at": NOW} | row
        with self.owner.engine.begin() as conn:
            conn.execute(sa.insert(daily_risk_state), [values])

    def services(self, redis_url: str, **settings):
        values = {"strategy_config_path": self.strategy_path} | settings
        return build_services(make_settings(self.url, redis_url, **values), clock=FixedClock(NOW))


@pytest.fixture
def bot_redis(redis_client):
    yield redis_client
    for pattern in ("coinpilot:reference_equity:*", "market:regime:*", "bot:status:*"):
        for key in redis_client.scan_iter(match=pattern):
            redis_client.delete(key)


def limit_value(sources, key: str) -> str:
    return text(one(sources, "data-limit-value", key))


def limit_source(sources, key: str) -> str:
    row = one(sources, "data-limit-row", key)
    return one(row, "data-limit-source")["props"]["data-limit-source"]


def test_the_limits_are_the_strategy_files_fractions_of_the_days_reference_equity(bot_world, redis_db, bot_redis):
    # The case: 700,000 of cash, a reference of 1,000,000 fixed in Redis, 2 BUYs today. 5 % of
    # the cash said -35,000 and 2 / 10; the bot halts at 3 % of 1,000,000 and allows 6.
    bot_redis.set(reference_equity_key(NOW.date()), "1000000")
    bot_world.today(total_pnl=-15_000, buy_count=2, sell_count=1, trade_count=3)
    services = bot_world.services(redis_db)
    try:
        panels = risk_callbacks.risk_panels(services)
        trades, sources, entries = panels[3], panels[8], panels[9]
        assert text(one(trades, "data-limit", "trades")) == "2 / 6"
        assert limit_value(sources, "reference") == "1,000,000 KRW"
        assert limit_source(sources, "reference") == "redis"
        assert limit_value(sources, "daily-loss") == "3% · -30,000 KRW"
        assert limit_source(sources, "daily-loss") == "strategy_file"
        assert limit_value(sources, "daily-trades") == "6" and limit_source(sources, "daily-trades") == "strategy_file"
        assert limit_source(sources, "cooldown") == "bot_code"  # 3 losses, whatever the file says
        # BULL: 1,000,000 x 20 % x 1.0 = 200,000, within 700,000 x 0.998 of cash and 1,000,000 of room.
        bull = one(entries, "data-entry-regime", "BULL")
        assert one(bull, "data-entry-outcome")["props"]["data-entry-outcome"] == "would_buy"
        assert "200,000 KRW" in text(bull)
        # The watcher judges the same limit: a 15,000 loss is 50 % of 30,000.
        observed = {o.key: o for o in observe(services, AlertSettings())}
        assert observed["daily_loss:50%"].numeric == pytest.approx(50.0)
        assert observed["daily_loss:50%"].value_args["limit"] == pytest.approx(30_000)
    finally:
        services.database.dispose()


def test_before_the_bot_fixes_the_days_reference_the_page_shows_a_forecast_that_can_move(
    bot_world, redis_db, bot_redis
):
    bot_world.hold("KRW-ETH", 0.02, 4_000_000.0)  # worth 0.02 x 4,500,000 = 90,000 at the last close
    services = bot_world.services(redis_db)
    try:
        sources = risk_callbacks.risk_panels(services)[8]
        assert limit_value(sources, "reference") == "790,000 KRW"  # 700,000 + 90,000
        assert limit_source(sources, "reference") == "forecast"
        assert by_attribute(sources, "data-reference", "forecast")
        assert limit_value(sources, "daily-loss") == "3% · -23,700 KRW"
    finally:
        services.database.dispose()


def test_a_buy_skipped_for_a_full_exposure_is_explained_not_called_a_dead_bot(bot_world, redis_db, bot_redis):
    # ETH is worth 0.25 x 4,500,000 = 1,125,000: past the 1,000,000 limit (100 % of the reference).
    bot_redis.set(reference_equity_key(NOW.date()), "1000000")
    bot_world.hold("KRW-ETH", 0.25, 4_400_000.0)
    held = writer.HeldPosition(4_400_000.0, 0.25, "BULL")
    eth = writer.v3_status(
        "KRW-ETH", NOW - timedelta(seconds=20), price=4_500_000.0, regime="BULL", rsi=55.0, ma_trend=4_480_000.0,
        action="HOLD (POS)", reason=writer.hold_position_reason("BULL", 2.27, 0.0), position=held, new_hwm=4_500_000.0,
    )  # fmt: skip
    bot_redis.set("bot:status:KRW-ETH", writer.dumps(eth), ex=300)
    for flat in ("KRW-BTC", "KRW-XRP"):  # both flat, both in a regime the bot enters in
        bot_redis.set(f"market:regime:{flat}", "BULL")
    services = bot_world.services(redis_db)
    try:
        with services.database.connect() as conn:
            services.symbols(conn)  # the Bot Brain checks a symbol against the last list the database gave
        brain = market_callbacks.bot_brain_panel(services, "KRW-BTC")
        assert one(brain, "data-brain-silence")["props"]["data-brain-silence"] == "entry_skipped"
        assert "exposure limit reached (1,125,000 of 1,000,000)" in text(brain)
        observed = {o.key: o for o in observe(services, AlertSettings())}
        assert observed["bot_status_stale:KRW-BTC"].active is False
        assert observed["bot_status_stale:KRW-BTC"].value_key == "value.entry_skipped"
        strip = text(shell_callbacks.status_strip(services)[0])
        assert "KRW-BTC: no status, skipping BUY" in strip
        freshness = one(system_callbacks.freshness_panel(services), "data-symbol", "KRW-BTC")
        assert "skips such a signal without writing its status" in text(freshness)
        # Without another symbol reporting, the same silence is a stopped bot.
        bot_redis.delete("bot:status:KRW-ETH")
        brain = market_callbacks.bot_brain_panel(services, "KRW-BTC")
        assert one(brain, "data-brain-silence")["props"]["data-brain-silence"] == "bot_stopped"
        assert {o.key: o for o in observe(services, AlertSettings())}["bot_status_stale:KRW-BTC"].active is True
    finally:
        services.database.dispose()


def test_a_strategy_file_the_bot_cannot_use_is_one_line_on_risk_and_system_and_the_defaults_apply(
    bot_world, redis_db, bot_redis, tmp_path
):
    broken = write_strategy(tmp_path, "risk_management: [0.03, unclosed\n", name="broken.yaml")
    services = bot_world.services(redis_db, strategy_config_path=broken)
    try:
        panels = risk_callbacks.risk_panels(services)
        sources = panels[8]
        assert "Strategy file not used (not valid YAML" in text(sources)
        assert limit_value(sources, "daily-trades") == "10" and limit_source(sources, "daily-trades") == "bot_default"
        card = system_callbacks.strategy_card(services)
        assert one(card, "data-health")["props"]["data-level"] == "warn"
        assert "not valid YAML" in text(card)
    finally:
        services.database.dispose()


def test_a_candle_has_one_age_on_the_strip_on_system_and_in_the_alerts(bot_world, redis_db, bot_redis):
    services = bot_world.services(redis_db)
    try:
        # The newest candles closed 30 s before NOW (they opened 90 s before it).
        strip = text(shell_callbacks.status_strip(services)[0])
        assert "30 s ago" in strip
        freshness = one(system_callbacks.freshness_panel(services), "data-symbol", "KRW-BTC")
        assert text(one(freshness, "data-candle-stale")).startswith("30 s ago")
        observed = {o.key: o for o in observe(services, AlertSettings())}
        assert observed["candle_stale:KRW-BTC"].value_args["age_s"] == pytest.approx(30.0)
    finally:
        services.database.dispose()


def test_the_ai_budget_is_judged_by_the_lowest_regime_budget_on_risk_the_ai_page_and_the_alerts(
    bot_world, redis_db, bot_redis, tmp_path
):
    from callbacks import ai as ai_callbacks
    from data.guardrail_payload import usage_day_key, usage_hour_key
    from tests.support.bot_config import UPSTREAM_FILE

    # BEAR's budget is 8 an hour in this file; BULL's and SIDEWAYS' stay 20.
    bear = UPSTREAM_FILE.replace(
        "ai_max_calls_per_hour: 20\n      ai_max_calls_per_day: 120\n    position_size_ratio: 0.7",
        "ai_max_calls_per_hour: 8\n      ai_max_calls_per_day: 120\n    position_size_ratio: 0.7",
    )
    path = write_strategy(tmp_path, bear, name="bear.yaml")
    bot_redis.set(usage_hour_key(NOW), "7", ex=3600)
    bot_redis.set(usage_day_key(NOW), "30", ex=86400)
    services = bot_world.services(redis_db, strategy_config_path=path)
    try:
        guard, _volatility = risk_callbacks.guardrail_panels(services)
        assert text(one(guard, "data-limit", "ai-hour")) == "7 / 8"
        assert text(one(guard, "data-ai-budget", "BEAR")).strip() == "BEAR 8/120"
        budget = ai_callbacks.budget_panel(services)
        assert text(one(budget, "data-limit", "ai-hour")) == "7 / 8"
        assert text(one(budget, "data-limit", "ai-day")) == "30 / 120"
        observed = {o.key: o for o in observe(services, AlertSettings())}
        assert observed["ai_budget:hour"].numeric == pytest.approx(7 / 8 * 100)
    finally:
        services.database.dispose()


def test_a_held_symbols_silence_is_never_blamed_on_buy_sizing(bot_world, redis_db, bot_redis):
    # A held symbol's loop checks exits and writes HOLD (POS) whatever the room for a BUY: its silence
    # is the bot's, even while a flat symbol beside it is visibly skipped.
    bot_redis.set(reference_equity_key(NOW.date()), "1000000")
    bot_world.hold("KRW-ETH", 0.25, 4_400_000.0)
    xrp = writer.v3_status(
        "KRW-XRP", NOW - timedelta(seconds=20), price=3_000.0, regime="BULL", rsi=50.0, ma_trend=3_000.0,
        action="HOLD", reason=writer.hold_reason("BULL", "RSI 50"),
    )  # fmt: skip
    bot_redis.set("bot:status:KRW-XRP", writer.dumps(xrp), ex=300)
    for symbol in ("KRW-BTC", "KRW-ETH"):
        bot_redis.set(f"market:regime:{symbol}", "BULL")
    services = bot_world.services(redis_db)
    try:
        with services.database.connect() as conn:
            services.symbols(conn)
        assert (
            one(market_callbacks.bot_brain_panel(services, "KRW-BTC"), "data-brain-silence")["props"][
                "data-brain-silence"
            ]
            == "entry_skipped"
        )
        assert (
            one(market_callbacks.bot_brain_panel(services, "KRW-ETH"), "data-brain-silence")["props"][
                "data-brain-silence"
            ]
            == "bot_stopped"
        )
    finally:
        services.database.dispose()
