"""The embedded demo: builds its SQLite file, keeps the market moving, reuses the file later."""

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from dashboard.app import build_services, create_app
from dashboard.settings import Settings
from data.database import Database
from data.market import latest_candle_time
from data.orders import count_trades, fetch_cash_balance
from data.selection import TradeFilter
from data.tables import llm_usage_events, market_data, trading_history
from simulator.demo import DemoClock, start_demo
from simulator.paper_bot import demo_limits
from tests.support.helpers import wait_until


@pytest.fixture
def demo(tmp_path):
    started = []

    def start(speed=600.0):
        world, clock, redis_client, simulator = start_demo(tmp_path, ["KRW-BTC", "KRW-ETH"], 0.5, speed, demo_limits())
        started.append(simulator)
        return world, clock, redis_client, simulator

    yield start
    for simulator in started:
        simulator.stop()
        simulator.join(timeout=5)


def test_the_demo_appends_candles_and_publishes_bot_status_while_it_runs(demo):
    world, _clock, redis_client, simulator = demo(speed=600.0)  # a demo minute every 0.1 s
    reader = Database(f"sqlite:///{world.path}")
    with reader.connect() as conn:
        first = latest_candle_time(conn, "KRW-BTC")

    def newer():
        with reader.connect() as conn:
            return latest_candle_time(conn, "KRW-BTC") >= first + timedelta(minutes=5)

    assert wait_until(newer, timeout=15)

    def status_time() -> datetime:
        return datetime.fromisoformat(json.loads(redis_client.get("bot:status:KRW-ETH"))["timestamp"])

    # Not just the status the demo started with: one for a minute the simulator appended.
    assert wait_until(lambda: status_time() > first + timedelta(minutes=5), timeout=5), status_time()
    assert json.loads(redis_client.get("bot:status:KRW-ETH"))["symbol"] == "KRW-ETH"
    assert simulator.error is None
    reader.dispose()


def test_the_dashboard_reads_the_demo_through_a_read_only_session(demo):
    world, clock, redis_client, _simulator = demo()
    settings = Settings(database_url=f"sqlite:///{world.path}", n8n_url=None)
    services = build_services(settings, redis_client=redis_client, clock=clock.now, clock_rate=clock.speed)
    app = create_app(settings, services)
    response = app.server.test_client().get("/readyz")
    assert response.status_code == 200 and response.json["database"] == "up"


def test_a_second_run_reuses_the_file_and_continues_the_books(demo, tmp_path):
    world, _clock, _redis, simulator = demo(speed=1.0)
    simulator.stop()
    simulator.join(timeout=5)
    with world.writer.connect() as conn:
        cash = fetch_cash_balance(conn).balance
        orders = count_trades(conn, TradeFilter())
    world2, _clock2, _redis2, _sim2 = demo(speed=1.0)
    assert world2.path == world.path
    assert world2.bot.cash == pytest.approx(cash)
    with world2.writer.connect() as conn:
        assert count_trades(conn, TradeFilter()) >= orders


def test_demo_time_runs_at_the_chosen_speed():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    before = time.monotonic()
    clock = DemoClock(start, 120.0)
    built = time.monotonic()
    time.sleep(0.05)  # wall-clock time has to pass: how fast demo time follows it is the behaviour
    asked = time.monotonic()
    elapsed = (clock.now() - start).total_seconds()
    after = time.monotonic()
    # Demo time is 120 x the wall time between the clock's start and the reading.
    assert (asked - built) * 120.0 <= elapsed <= (after - before) * 120.0


def test_the_demo_without_fakeredis_says_which_extra_to_install(monkeypatch, tmp_path, capsys):
    from dashboard import cli

    # As on an install without the `demo` extra: fakeredis cannot be imported.
    monkeypatch.setitem(sys.modules, "fakeredis", None)
    monkeypatch.delitem(sys.modules, "simulator.demo")
    assert cli.main(["demo", "--data-dir", str(tmp_path)]) == 2
    assert "pip install 'coinpilot-dashboard[demo]'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # refused before anything was written


def test_the_dashboard_itself_never_imports_the_simulator_or_the_rollups_ddl():
    # A fresh interpreter: what create_app pulls in, without the test suite's own imports.
    code = (
        "import sys, dashboard.app, callbacks, layouts, data.services;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('simulator', 'fakeredis', 'admin')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_demo_writes_the_v3_redis_keys_with_their_ttls(demo):
    world, _clock, redis_client, _simulator = demo(speed=600.0)
    symbols = ["KRW-BTC", "KRW-ETH"]
    assert {redis_client.get(f"market:regime:{s}").decode() for s in symbols} <= {"BULL", "SIDEWAYS", "BEAR", "UNKNOWN"}
    assert all(7000 < redis_client.ttl(f"market:regime:{s}") <= 7200 for s in symbols)
    volatility = json.loads(redis_client.get("coinpilot:volatility_state"))
    assert volatility["current_volatility"] > 0 and isinstance(volatility["is_high_volatility"], bool)
    status = json.loads(redis_client.get("bot:status:KRW-BTC"))
    assert status["action"] in ("HOLD", "HOLD (POS)", "BUY", "SELL", "SKIP") and "regime" in status
    assert "bb_lower" not in status["indicators"]
    # The AI calls the bot made today, as the ledger has them.
    now = world.next_minute
    with world.writer.connect() as conn:
        calls_today = conn.execute(
            sa.select(sa.func.count())
            .select_from(llm_usage_events)
            .where(
                llm_usage_events.c.route == "ai_decision",
                llm_usage_events.c.created_at >= now.replace(hour=0, minute=0),
            )
        ).scalar()
    day_key = f"ai:usage:day:{now:%Y%m%d}"
    if calls_today:
        assert int(redis_client.get(day_key)) == calls_today and redis_client.ttl(day_key) > 0


def test_guardrails_in_force_are_published_with_the_time_left_as_ttl(demo):
    world, _clock, redis_client, simulator = demo(speed=60.0)
    simulator.stop()
    simulator.join(timeout=5)
    guard = world.bot.ai.guard
    now = world.next_minute
    guard.global_block_until = now + timedelta(minutes=10)
    guard.symbol_cooldown_until["KRW-ETH"] = now + timedelta(minutes=15)
    guard.rejects["KRW-ETH"].clear()
    guard.rejects["KRW-ETH"].append(now - timedelta(minutes=20))  # 10 of its 30 minutes left
    guard.error_streak = 2
    simulator.publish({})
    # Demo time runs 60x: 10 demo minutes are 10 wall seconds.
    assert 9 <= redis_client.ttl("ai:guard:global:block") <= 10
    assert 14 <= redis_client.ttl("ai:guard:symbol:KRW-ETH:cooldown") <= 15
    assert int(redis_client.get("ai:guard:symbol:KRW-ETH:reject_count")) == 1
    assert 9 <= redis_client.ttl("ai:guard:symbol:KRW-ETH:reject_count") <= 10
    assert int(redis_client.get("ai:guard:error_streak")) == 2 and redis_client.ttl("ai:guard:error_streak") > 0
    assert not redis_client.exists("ai:guard:symbol:KRW-BTC:cooldown")
    guard.global_block_until = now - timedelta(seconds=1)
    simulator.publish({})
    assert not redis_client.exists("ai:guard:global:block")  # lifted when demo time passes it


def test_the_demo_adds_post_exit_windows_as_demo_time_passes_them(demo):
    world, _clock, _redis, simulator = demo(speed=3000.0)  # an hour of demo time every 1.2 s
    reader = Database(f"sqlite:///{world.path}")
    th, md = trading_history, market_data
    with reader.connect() as conn:
        started = latest_candle_time(conn, "KRW-BTC")

    def sells_after_start():
        with reader.connect() as conn:
            return conn.execute(
                sa.select(th.c.symbol, th.c.price, th.c.created_at, th.c.post_exit_prices).where(
                    th.c.side == "SELL", th.c.status == "FILLED", th.c.created_at > started
                )
            ).all()

    assert wait_until(lambda: any(s.post_exit_prices for s in sells_after_start()), timeout=60)
    assert simulator.error is None
    with reader.connect() as conn:
        for sell in sells_after_start():
            for label, entry in (sell.post_exit_prices or {}).items():
                minutes = {"1h": 60, "4h": 240, "12h": 720, "24h": 1440}[label]
                at = sell.created_at - timedelta(minutes=1) + timedelta(minutes=minutes)
                close = conn.execute(
                    sa.select(md.c.close_price).where(md.c.symbol == sell.symbol, md.c.timestamp == at)
                ).scalar()
                assert entry["price"] == close
                assert entry["change_pct"] == pytest.approx((close - sell.price) / sell.price * 100, abs=1e-4)
    reader.dispose()
