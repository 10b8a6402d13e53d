"""A PostgreSQL that accepts connections and then never answers, behind the real gunicorn: the
workers must keep serving, /readyz must say 503 in time, and everything must come back on its own."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.faults import TcpProxy
from tests.support.live import ARTIFACTS
from tests.support.processes import Gunicorn, http_get

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

READY_503_WITHIN_S = 15
READY_AGAIN_WITHIN_S = 30
CONCURRENT_REQUESTS = 24
WORKERS = 2


def worker_pids(master_pid: int) -> set[int]:
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            children.add(int(stat.parent.name))
    return children


def timed_get(url: str, timeout: float = 60) -> tuple[int | str, float]:
    started = time.monotonic()
    try:
        status = http_get(url, timeout=timeout)[0]
    except OSError as error:
        status = f"no answer ({error})"
    return status, time.monotonic() - started


@pytest.fixture
def silent_setup(seeded_pg_url, redis_db, tmp_path):
    target = make_url(seeded_pg_url)
    with TcpProxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        environment = {"DATABASE_URL": url, "REDIS_URL": redis_db, "N8N_URL": "", "GUNICORN_THREADS": "4"}
        with Gunicorn(environment, tmp_path, workers=WORKERS).start() as gunicorn:
            # Fill both workers' pools, so the silence catches pooled connections mid-use.
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(lambda _: timed_get(gunicorn.url + "/readyz")[0], range(16))) == {200}
            yield proxy, gunicorn


def test_a_silent_database_gets_readyz_503_in_time_and_recovers_without_a_restart(silent_setup):
    proxy, gunicorn = silent_setup
    workers_before = worker_pids(gunicorn.process.pid)
    assert len(workers_before) == WORKERS

    proxy.fall_silent()
    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        outage = list(pool.map(lambda _: timed_get(gunicorn.url + "/readyz"), range(CONCURRENT_REQUESTS)))
    slow = [(status, round(took, 1)) for status, took in outage if status != 503 or took > READY_503_WITHIN_S]
    assert not slow, f"readyz answers not 503 within {READY_503_WITHIN_S} s: {slow}"

    proxy.answer_again()
    answered_at = time.monotonic()
    while True:
        with ThreadPoolExecutor(8) as pool:
            round_ = list(
                pool.map(lambda path: timed_get(gunicorn.url + path, timeout=10)[0], ["/readyz", "/healthz"] * 8)
            )
        if set(round_) == {200}:
            break
        assert time.monotonic() - answered_at < READY_AGAIN_WITHIN_S, f"not ready again: {round_}"
        time.sleep(0.5)
    recovered_after = time.monotonic() - answered_at

    assert worker_pids(gunicorn.process.pid) == workers_before, "a worker was restarted"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "silent-database.json").write_text(
        json.dumps(
            {
                "readyz_503_slowest_s": round(max(took for _, took in outage), 2),
                "ready_again_after_s": round(recovered_after, 2),
            }
        )
    )


def test_healthz_answers_at_once_while_the_database_is_silent(silent_setup):
    proxy, gunicorn = silent_setup
    proxy.fall_silent()
    with ThreadPoolExecutor(4) as pool:
        # Two readiness checks hang on the database while liveness is asked beside them.
        hanging = [pool.submit(timed_get, gunicorn.url + "/readyz") for _ in range(2)]
        time.sleep(0.5)  # let the readiness checks reach the silent database first
        liveness = [timed_get(gunicorn.url + "/healthz", timeout=5) for _ in range(5)]
        for future in hanging:
            future.result()
    assert all(status == 200 and took < 1.0 for status, took in liveness), liveness
