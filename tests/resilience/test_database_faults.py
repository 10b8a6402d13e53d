"""PostgreSQL failing under an open dashboard, injected for real: a TCP proxy between the app
and the real server refuses or silences connections, or a lock makes a query slow."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from callbacks import market as market_callbacks
from callbacks import overview as overview_callbacks
from callbacks import risk as risk_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services
from tests.support.components import by_attribute, text
from tests.support.faults import TcpProxy
from tests.support.helpers import make_settings, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CONNECT_TIMEOUT_S = 3


@pytest.fixture
def proxied(seeded_pg_url, redis_db):
    target = make_url(seeded_pg_url)
    with TcpProxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        services = build_services(make_settings(url, redis_db, db_connect_timeout_s=CONNECT_TIMEOUT_S))
        yield services, proxy
        services.database.dispose()


def problems(tree) -> set[str]:
    return {node["props"]["data-problem"] for node in by_attribute(tree, "data-problem")}


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


@pytest.mark.parametrize("fault", ["refuse", "silence"])
def test_every_database_panel_says_unreachable_within_the_connect_timeout_plus_a_second(proxied, fault):
    services, proxy = proxied
    overview_callbacks.overview_panels(services)  # a warm pool, as on an open page
    getattr(proxy, fault)()
    (_kpis, positions, _figure, message, _basis), elapsed = timed(overview_callbacks.overview_panels, services)
    assert elapsed < CONNECT_TIMEOUT_S + 1, f"{fault}: took {elapsed:.1f} s"
    assert problems(positions) == {"unreachable"} and "Database unreachable" in text(message)
    risk, elapsed = timed(risk_callbacks.risk_panels, services)
    assert elapsed < CONNECT_TIMEOUT_S + 1 and "Database unreachable" in text(risk[0])
    items, _ = shell_callbacks.status_strip(services)
    levels = {n["props"]["data-status"]: n["props"]["data-level"] for n in by_attribute(items, "data-status")}
    assert levels["database"] == "down" and levels["redis"] == "ok"


def test_panels_that_do_not_need_the_database_keep_working(proxied, redis_client):
    services, proxy = proxied
    redis_client.set(
        "bot:status:KRW-BTC",
        json.dumps(
            {"timestamp": datetime.now(UTC).isoformat(), "symbol": "KRW-BTC", "indicators": {}, "action": "WAITING"}
        ),
    )
    shell_callbacks.status_strip(services)  # the page was open: the symbol list is cached
    proxy.silence()
    brain, elapsed = timed(market_callbacks.bot_brain_panel, services, "KRW-BTC")
    assert by_attribute(brain, "data-brain-state", "ok") and elapsed < 1.0
    card, elapsed = timed(system_callbacks.redis_card, services)
    assert by_attribute(card, "data-level", "ok") and elapsed < 1.0


def test_everything_recovers_on_the_next_refresh_once_the_database_is_back(proxied):
    services, proxy = proxied
    proxy.refuse()
    _, positions, _, _, _ = overview_callbacks.overview_panels(services)
    assert problems(positions) == {"unreachable"}
    proxy.restore()

    def recovered():
        # Refresh as the page does; within the fast-fail window after a failure (2 s) the
        # panels still report it without trying the database.
        panels = overview_callbacks.overview_panels(services)
        return panels if not problems(panels[1]) else None

    panels = wait_until(recovered, timeout=5.0, interval=0.2)
    assert panels, "the positions panel still reports the outage 5 s after the database came back"
    kpis, _positions, _, _message, _basis = panels
    assert by_attribute(kpis, "data-kpi", "total-assets")


def test_a_slow_query_is_cancelled_at_the_statement_timeout_and_the_panel_says_so(seeded_pg_url, redis_db):
    services = build_services(make_settings(seeded_pg_url, redis_db, statement_timeout_ms=1000))
    locker = sa.create_engine(seeded_pg_url)
    locked = threading.Event()
    release = threading.Event()

    def hold_lock():
        with locker.begin() as conn:
            conn.execute(sa.text("LOCK TABLE trading_history IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        (_, positions, _, message, _basis), elapsed = timed(overview_callbacks.overview_panels, services)
        assert problems(positions) == {"timeout"} and "Query timed out" in text(message)
        assert 0.9 < elapsed < 3.0
        status, _ = shell_callbacks.status_strip(services)  # the same pool still serves other queries
        assert by_attribute(status, "data-status", "database")[0]["props"]["data-level"] == "ok"
    finally:
        release.set()
        holder.join()
        locker.dispose()
    _kpis, positions, _, _, _ = overview_callbacks.overview_panels(services)
    assert not problems(positions)
    services.database.dispose()
