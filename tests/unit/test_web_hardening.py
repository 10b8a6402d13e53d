"""The edges of the HTTP surface, through Flask's test client: what public /readyz tells a
stranger, whom the trusted user header is believed from, which Host names are served, how
failed logins are throttled and how a verified password is remembered."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from werkzeug.security import generate_password_hash

from dashboard import auth
from dashboard.app import create_app
from dashboard.extensions import services_of
from dashboard.settings import Settings, SettingsError
from data.database import Backend
from simulator.seeding import create_schema
from simulator.writer import WritableDatabase
from tests.support.services import free_port

USERNAME = "operator"
PASSWORD = "correct horse"
SECRET = "hunter2"
URL_PASSWORD = "s3cr3t-in-url"
# Nothing listens on these: each outage names a URL with a password in both usual places.
DOWN_DATABASE = f"postgresql://dash:{URL_PASSWORD}@127.0.0.1:{free_port()}/coinpilot?password={SECRET}"
DOWN_REDIS = f"redis://:{URL_PASSWORD}@127.0.0.1:{free_port()}/0"


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'empty.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    writer.dispose()
    return url


@pytest.fixture
def app_for():
    built = []

    def build(environ: dict[str, str], remote_addr: str = "127.0.0.1"):
        environ = {"REDIS_URL": DOWN_REDIS, "N8N_URL": "", **environ}
        app = create_app(Settings.from_env(environ))
        built.append(app)
        client = app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = remote_addr
        return app, client

    yield build
    for app in built:
        services_of(app.server).database.dispose()


# -- item 4: public readiness says up or down, details only behind auth and redacted ------------


def test_public_readyz_says_only_up_or_down_per_dependency(app_for, sqlite_url):
    _app, client = app_for({"DATABASE_URL": sqlite_url})
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "database": "up", "redis": "down"}


def test_public_readyz_names_no_url_and_no_password_during_an_outage(app_for):
    _app, client = app_for({"DATABASE_URL": DOWN_DATABASE})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "not ready", "database": "down", "redis": "down"}
    assert b"127.0.0.1" not in response.data and SECRET.encode() not in response.data


def test_authenticated_readyz_gives_details_with_every_password_redacted(app_for):
    _app, client = app_for(
        {"DATABASE_URL": DOWN_DATABASE, "DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD": PASSWORD}
    )
    body = client.get("/readyz", headers=basic(USERNAME, PASSWORD)).get_data(as_text=True)
    assert "details" in body and "unreachable" in body and "127.0.0.1" in body
    assert SECRET not in body and URL_PASSWORD not in body


def test_wrong_credentials_get_the_public_readyz(app_for):
    _app, client = app_for(
        {"DATABASE_URL": DOWN_DATABASE, "DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD": PASSWORD}
    )
    assert "details" not in client.get("/readyz", headers=basic(USERNAME, "wrong")).json


def test_the_check_command_redacts_passwords_in_urls():
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DASHBOARD_", "DATABASE_", "REDIS_", "N8N_"))}
    environ.update(DATABASE_URL=DOWN_DATABASE, REDIS_URL=DOWN_REDIS, N8N_URL="")
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "check"], env=environ, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "database  FAIL" in output and "127.0.0.1" in output
    assert SECRET not in output and URL_PASSWORD not in output


# -- item 5: the trusted header only from trusted proxies; Host names ---------------------------


def test_header_mode_refuses_to_start_without_trusted_proxies():
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"DASHBOARD_TRUSTED_USER_HEADER": "X-Forwarded-User"})
    message = str(raised.value)
    assert message.startswith("DASHBOARD_TRUSTED_PROXIES:") and "\n" not in message


def test_a_trusted_proxy_list_that_is_not_addresses_is_refused():
    with pytest.raises(SettingsError, match=r"^DASHBOARD_TRUSTED_PROXIES: not an IP address"):
        Settings.from_env({"DASHBOARD_TRUSTED_USER_HEADER": "X-User", "DASHBOARD_TRUSTED_PROXIES": "nginx.local"})


HEADER_MODE = {"DASHBOARD_TRUSTED_USER_HEADER": "X-Forwarded-User", "DASHBOARD_TRUSTED_PROXIES": "127.0.0.1"}


def test_the_user_header_is_believed_from_a_trusted_proxy(app_for, sqlite_url):
    _app, client = app_for({"DATABASE_URL": sqlite_url, **HEADER_MODE}, remote_addr="127.0.0.1")
    assert client.get("/", headers={"X-Forwarded-User": "alice"}).status_code == 200


@pytest.mark.parametrize("user", ["x", "%00", "admin"])
def test_the_user_header_from_any_other_address_is_ignored(app_for, sqlite_url, user):
    _app, client = app_for({"DATABASE_URL": sqlite_url, **HEADER_MODE}, remote_addr="192.0.2.7")
    assert client.get("/", headers={"X-Forwarded-User": user}).status_code == 401


def test_an_unlisted_host_is_refused_when_allowed_hosts_are_set(app_for, sqlite_url):
    _app, client = app_for({"DATABASE_URL": sqlite_url, "DASHBOARD_ALLOWED_HOSTS": "dash.example.org"})
    assert client.get("/", headers={"Host": "rebound.attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "dash.example.org:8443"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8050"}).status_code == 200


# -- item 9: failed logins throttled per client, verified credentials remembered ----------------

BASIC_MODE = {"DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD": PASSWORD}


def test_failed_logins_from_one_address_are_throttled(app_for, sqlite_url):
    _app, client = app_for({"DATABASE_URL": sqlite_url, **BASIC_MODE}, remote_addr="192.0.2.10")
    for _ in range(auth.LoginThrottle.FAILURES):
        assert client.get("/", headers=basic(USERNAME, "guess")).status_code == 401
    throttled = client.get("/", headers=basic(USERNAME, "guess"))
    assert throttled.status_code == 429 and 0 < int(throttled.headers["Retry-After"]) <= auth.LoginThrottle.WINDOW_S


def test_another_address_is_not_throttled_by_someone_elses_guesses(app_for, sqlite_url):
    app, client = app_for({"DATABASE_URL": sqlite_url, **BASIC_MODE}, remote_addr="192.0.2.11")
    for _ in range(auth.LoginThrottle.FAILURES + 1):
        client.get("/", headers=basic(USERNAME, "guess"))
    other = app.server.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.12"
    assert other.get("/", headers=basic(USERNAME, PASSWORD)).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_throttled(app_for, sqlite_url):
    _app, client = app_for(
        {"DATABASE_URL": sqlite_url, **BASIC_MODE, "DASHBOARD_TRUSTED_PROXIES": "127.0.0.1"}, remote_addr="127.0.0.1"
    )
    # A client cannot dodge the count by claiming addresses: only the last hop is believed.
    for n in range(auth.LoginThrottle.FAILURES + 1):
        status = client.get("/", headers={**basic(USERNAME, "guess"), "X-Forwarded-For": f"10.0.0.{n}, 198.51.100.1"})
    assert status.status_code == 429
    operator = {**basic(USERNAME, PASSWORD), "X-Forwarded-For": "198.51.100.2"}
    assert client.get("/", headers=operator).status_code == 200


def test_a_throttled_address_may_try_again_once_the_window_has_passed():
    now = [1000.0]
    throttle = auth.LoginThrottle(clock=lambda: now[0])
    for _ in range(throttle.FAILURES):
        throttle.failed("192.0.2.20")
    assert throttle.wait_s("192.0.2.20") > 0
    now[0] += throttle.WINDOW_S + 0.5
    assert throttle.wait_s("192.0.2.20") == 0
    throttle.failed("192.0.2.20")  # one more failure after the window is one, not the eleventh
    assert throttle.wait_s("192.0.2.20") == 0


@pytest.fixture
def counted_verifications(monkeypatch):
    calls = []
    real = auth.check_password_hash

    def counting(password_hash, password):
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return calls


def test_a_verified_password_hash_credential_is_remembered(app_for, sqlite_url, counted_verifications):
    hashed = {"DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD_HASH": generate_password_hash(PASSWORD)}
    _app, client = app_for({"DATABASE_URL": sqlite_url, **hashed})
    for _ in range(20):
        assert client.get("/_dash-layout", headers=basic(USERNAME, PASSWORD)).status_code == 200
    assert len(counted_verifications) == 1


def test_a_wrong_password_is_never_remembered(app_for, sqlite_url, counted_verifications):
    hashed = {"DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD_HASH": generate_password_hash(PASSWORD)}
    _app, client = app_for({"DATABASE_URL": sqlite_url, **hashed})
    for _ in range(3):
        assert client.get("/", headers=basic(USERNAME, "wrong")).status_code == 401
    assert len(counted_verifications) == 3


def test_a_remembered_credential_expires_after_its_ttl():
    now = [50.0]
    memory = auth.CredentialMemory(clock=lambda: now[0])
    memory.remember("Basic abc")
    assert memory.knows("Basic abc") and not memory.knows("Basic abd")
    now[0] += memory.TTL_S
    assert not memory.knows("Basic abc")
