"""Redis refused or silent, n8n slow or down: each shows in its own panel, quickly, and nothing
else waits for it. Faults are real: a TCP proxy in front of the real Redis, real HTTP servers."""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from callbacks import market as market_callbacks
from callbacks import overview as overview_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services
from tests.support.components import by_attribute, text
from tests.support.faults import TcpProxy
from tests.support.helpers import make_settings
from tests.support.processes import Gunicorn, http_get
from tests.support.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def redis_proxy(redis_db):
    target = urlsplit(redis_db)
    with TcpProxy(target.hostname, target.port) as proxy:
        yield proxy, f"redis://127.0.0.1:{proxy.port}{target.path}"


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


class _Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the Overview used Redis ({name})")


@pytest.mark.parametrize("fault", ["refuse", "silence"])
def test_redis_down_shows_in_the_bot_brain_and_strip_within_two_seconds(
    seeded_pg_url, redis_proxy, redis_client, fault
):
    proxy, url = redis_proxy
    services = build_services(make_settings(seeded_pg_url, url))
    redis_client.set(
        "bot:status:KRW-BTC",
        json.dumps(
            {"timestamp": datetime.now(UTC).isoformat(), "symbol": "KRW-BTC", "indicators": {}, "action": "WAITING"}
        ),
    )
    assert by_attribute(market_callbacks.bot_brain_panel(services, "KRW-BTC"), "data-brain-state", "ok")
    getattr(proxy, fault)()
    brain, elapsed = timed(market_callbacks.bot_brain_panel, services, "KRW-BTC")
    assert elapsed < 2.0 and "Redis unreachable" in text(brain)
    (items, _), elapsed = timed(shell_callbacks.status_strip, services)
    levels = {n["props"]["data-status"]: n["props"]["data-level"] for n in by_attribute(items, "data-status")}
    assert elapsed < 2.5 and levels["redis"] == "down" and levels["database"] == "ok"
    # The Overview needs no Redis: it answers without touching it at all (a use would raise here),
    # which a time bound could only suggest on a loaded machine.
    reader = services.bot_status
    services.bot_status = _Untouchable()
    try:
        kpis, *_ = overview_callbacks.overview_panels(services)
    finally:
        services.bot_status = reader
    assert by_attribute(kpis, "data-kpi", "total-assets")
    proxy.restore()
    assert by_attribute(market_callbacks.bot_brain_panel(services, "KRW-BTC"), "data-brain-state", "ok")
    services.database.dispose()


def test_a_silent_redis_never_times_out_a_gunicorn_worker(seeded_pg_url, redis_proxy, tmp_path):
    proxy, url = redis_proxy
    proxy.silence()
    with Gunicorn(
        {"DATABASE_URL": seeded_pg_url, "REDIS_URL": url, "N8N_URL": "", "GUNICORN_TIMEOUT": "5"}, tmp_path
    ).start() as gunicorn:
        results = []

        def hit():
            results.append(http_get(gunicorn.url + "/readyz", timeout=15))

        threads = [threading.Thread(target=hit) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(status == 200 for status, _, _ in results)  # ready: the database is fine
        assert all(json.loads(body)["redis"] == "down" for _, _, body in results)
        # Nothing happening is the behaviour: wait out gunicorn's 5 s worker timeout.
        time.sleep(6)
        log = gunicorn.error_log.read_text()
        assert "WORKER TIMEOUT" not in log
        assert log.count("Booting worker") == 2  # no worker was killed and replaced


class _SlowHealth(http.server.BaseHTTPRequestHandler):
    delay_s = 10.0

    def do_GET(self):
        time.sleep(self.delay_s)  # the fault under test: an n8n that takes 10 s to answer
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_n8n():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHealth)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_slow_n8n_shows_within_its_timeout_and_delays_nothing_else(seeded_pg_url, redis_db, slow_n8n):
    services = build_services(make_settings(seeded_pg_url, redis_db, n8n_url=slow_n8n, n8n_timeout_s=1.0))
    cards = {}

    def n8n():
        cards["n8n"] = timed(system_callbacks.n8n_card, services)

    thread = threading.Thread(target=n8n)
    thread.start()
    database_card, elapsed = timed(system_callbacks.database_card, services)
    assert elapsed < 0.5 and by_attribute(database_card, "data-level", "ok")
    thread.join()
    card, elapsed = cards["n8n"]
    assert 0.9 < elapsed < 2.0
    assert by_attribute(card, "data-level", "down") and "did not answer within 1 s" in text(card)
    services.database.dispose()


def test_n8n_down_and_not_configured_are_different_states(seeded_pg_url, redis_db):
    down = build_services(make_settings(seeded_pg_url, redis_db, n8n_url=f"http://127.0.0.1:{free_port()}"))
    card, elapsed = timed(system_callbacks.n8n_card, down)
    assert elapsed < 1.0 and "unreachable" in text(card) and by_attribute(card, "data-level", "down")
    off = build_services(make_settings(seeded_pg_url, redis_db, n8n_url=None))
    assert "not configured" in text(system_callbacks.n8n_card(off)) and by_attribute(
        system_callbacks.n8n_card(off), "data-level", "off"
    )
