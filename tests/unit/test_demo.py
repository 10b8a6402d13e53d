"""The embedded demo: builds its SQLite file, keeps the market moving, reuses the file later."""

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.app import build_services, create_app
from dashboard.settings import Settings
from data.database import Database
from data.market import latest_candle_time
from data.orders import TradeFilter, count_trades, fetch_cash_balance
from data.risk import RiskLimits
from simulator.demo import DemoClock, start_demo
from tests.support.helpers import wait_until


@pytest.fixture
def demo(tmp_path):
    started = []

    def start(speed=600.0):
        world, clock, redis_client, simulator = start_demo(tmp_path, ["KRW-BTC", "KRW-ETH"], 0.5, speed, RiskLimits())
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
    assert response.status_code == 200 and response.json["database"]["backend"] == "sqlite"


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


def test_the_dashboard_itself_never_imports_the_simulator():
    # A fresh interpreter: what create_app pulls in, without the test suite's own imports.
    code = (
        "import sys, dashboard.app, callbacks, layouts, data.services;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('simulator', 'fakeredis')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
