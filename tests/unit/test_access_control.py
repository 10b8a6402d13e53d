"""Who may see the dashboard, for every access mode, through Flask's test client: the right
credentials open every page, asset and callback; anything else gets a 401; health stays open.

No server is started: the app is built on a SQLite file by create_app from the environment
variables an operator sets, at the root and under a URL prefix."""

from __future__ import annotations

import base64
import itertools

import pytest
from werkzeug.security import generate_password_hash

from dashboard.app import create_app
from dashboard.extensions import services_of
from dashboard.settings import Settings
from data.database import Backend
from simulator.seeding import create_schema
from simulator.writer import WritableDatabase

USERNAME = "operator"
PASSWORD = "correct horse"
USER_HEADER = "X-Forwarded-User"

# The four ways an operator can configure access (DASHBOARD_* variables only).
MODES = {
    "open": {},
    "password": {"DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD": PASSWORD},
    "password-hash": {
        "DASHBOARD_USERNAME": USERNAME,
        "DASHBOARD_PASSWORD_HASH": generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"),
    },
    "trusted-header": {"DASHBOARD_TRUSTED_USER_HEADER": USER_HEADER, "DASHBOARD_TRUSTED_PROXIES": "127.0.0.0/8"},
}
BASIC_MODES = ["password", "password-hash"]
PROTECTED_MODES = BASIC_MODES + ["trusted-header"]
PREFIXES = ["/", "/coinpilot/"]
# Pages, the two JSON documents the page loads first, a static asset.
PROTECTED_GETS = ["", "market", "history", "_dash-layout", "_dash-dependencies", "assets/dashboard.css"]
HEALTH = ["healthz", "readyz"]


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def right_credentials(mode: str) -> dict[str, str]:
    if mode == "trusted-header":
        return {USER_HEADER: "alice"}
    if mode in BASIC_MODES:
        return basic(USERNAME, PASSWORD)
    return {}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    # A database with the tables and no rows, so /readyz has something to be ready for.
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'empty.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def clients(database_url):
    """One Flask test client per (mode, prefix), built on first use."""
    built = {}
    # Each client comes from its own loopback address: failed logins are throttled per address,
    # and one test's wrong passwords must not spend the next test's allowance.
    addresses = (f"127.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())

    def client_for(mode: str, prefix: str):
        if (mode, prefix) not in built:
            environ = {
                "DATABASE_URL": database_url,
                "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens: no test here needs Redis
                "N8N_URL": "",
                "DASHBOARD_URL_PREFIX": prefix,
                **MODES[mode],
            }
            app = create_app(Settings.from_env(environ))
            built[mode, prefix] = app
        client = built[mode, prefix].server.test_client()
        client.environ_base["REMOTE_ADDR"] = next(addresses)
        return client

    yield client_for
    for app in built.values():
        services_of(app.server).database.dispose()


def post_callback(client, prefix: str, headers: dict[str, str]):
    # An empty body: past the access check, the callback guard answers 400; before it, 401.
    return client.post(prefix + "_dash-update-component", json={}, headers=headers)


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", list(MODES))
def test_the_right_credentials_open_every_page_asset_and_callback(clients, mode, prefix):
    client = clients(mode, prefix)
    for path in PROTECTED_GETS:
        assert client.get(prefix + path, headers=right_credentials(mode)).status_code == 200, prefix + path
    assert post_callback(client, prefix, right_credentials(mode)).status_code == 400


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", PROTECTED_MODES)
def test_without_credentials_every_page_asset_and_callback_is_refused(clients, mode, prefix):
    client = clients(mode, prefix)
    for path in PROTECTED_GETS:
        response = client.get(prefix + path)
        assert response.status_code == 401, prefix + path
        assert b"Authentication required" in response.data
    assert post_callback(client, prefix, {}).status_code == 401


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", BASIC_MODES)
def test_basic_auth_asks_the_browser_for_credentials(clients, mode, prefix):
    response = clients(mode, prefix).get(prefix)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="CoinPilot Dashboard", charset="UTF-8"'


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", BASIC_MODES)
def test_a_wrong_username_with_the_right_password_is_refused(clients, mode, prefix):
    client = clients(mode, prefix)
    for path in PROTECTED_GETS:
        assert client.get(prefix + path, headers=basic("intruder", PASSWORD)).status_code == 401, prefix + path
    assert post_callback(client, prefix, basic("intruder", PASSWORD)).status_code == 401


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", BASIC_MODES)
def test_the_right_username_with_a_wrong_password_is_refused(clients, mode, prefix):
    client = clients(mode, prefix)
    for path in PROTECTED_GETS:
        assert client.get(prefix + path, headers=basic(USERNAME, "wrong horse")).status_code == 401, prefix + path
    assert post_callback(client, prefix, basic(USERNAME, "wrong horse")).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("", id="empty"),
        pytest.param("Basic", id="scheme-only"),
        pytest.param("Basic !!!not-base64!!!", id="not-base64"),
        pytest.param("Basic " + base64.b64encode(f"{USERNAME}{PASSWORD}".encode()).decode(), id="no-colon"),
        pytest.param("Basic " + base64.b64encode(b"\xff\xfe:" + PASSWORD.encode()).decode(), id="not-utf8"),
        pytest.param("Bearer " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(), id="other-scheme"),
        pytest.param(f"Basic {USERNAME}:{PASSWORD}", id="not-encoded"),
    ],
)
@pytest.mark.parametrize("mode", BASIC_MODES)
def test_a_malformed_authorization_header_is_refused(clients, mode, authorization):
    assert clients(mode, "/").get("/", headers={"Authorization": authorization}).status_code == 401


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_trusted_user_header_is_refused(clients, prefix, value):
    assert clients("trusted-header", prefix).get(prefix, headers={USER_HEADER: value}).status_code == 401


@pytest.mark.parametrize("prefix", PREFIXES)
def test_basic_credentials_do_not_replace_the_trusted_user_header(clients, prefix):
    # With only a proxy header configured, the app has no password to check a basic login against.
    response = clients("trusted-header", prefix).get(prefix, headers=basic(USERNAME, PASSWORD))
    assert response.status_code == 401 and "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mode", list(MODES))
def test_health_endpoints_answer_without_credentials(clients, mode, prefix):
    client = clients(mode, prefix)
    assert client.get(prefix + "healthz").data == b"ok\n"
    ready = client.get(prefix + "readyz")
    assert ready.status_code == 200 and ready.json["database"] == "up"


def test_under_a_prefix_nothing_is_served_at_the_root(clients):
    client = clients("password", "/coinpilot/")
    for path in ["/", "/healthz", "/_dash-layout"]:
        assert client.get(path, headers=basic(USERNAME, PASSWORD)).status_code == 404, path
