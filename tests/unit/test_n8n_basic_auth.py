"""n8n behind basic auth (issue 23, item 2): `N8N_URL=http://user:SECRET@host` is probed with the
credentials as an Authorization header against a real HTTP server on loopback that demands them
(401 without, 200 with), and the password shows on no page, in no log line and not in `check`."""

from __future__ import annotations

import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from alerts.rules import observe
from dashboard.app import build_services, create_app
from dashboard.cli import main
from dashboard.extensions import services_of
from dashboard.settings import Settings, SettingsError
from data.database import Backend
from data.health import N8nState, check_n8n
from layouts import ids
from simulator.seeding import create_schema
from simulator.writer import WritableDatabase
from tests.support.components import text
from tests.support.services import free_port

USER = "n8n-operator"
SECRET = "Zq9-n8n-SECRET"  # what must never be shown
TOKEN = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()  # nor its basic-auth form


class BasicAuthHealthz:
    """n8n's /healthz behind a proxy that demands basic auth: 401 without the right credentials."""

    def __init__(self, user: str, password: str):
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization header)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                header = self.headers.get("Authorization")
                outer.requests.append((self.path, header))
                if header != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="n8n"')
                    self.end_headers()
                    return
                body = json.dumps({"status": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, user: str | None = None, password: str | None = None) -> str:
        port = self.server.server_address[1]
        if user is None:
            return f"http://127.0.0.1:{port}"
        return f"http://{quote(user, safe='')}:{quote(password or '', safe='')}@127.0.0.1:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def n8n():
    with BasicAuthHealthz(USER, SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('n8n') / 'bot.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    writer.dispose()
    return url


def environment(sqlite_url: str, n8n_url: str) -> dict[str, str]:
    return {"DATABASE_URL": sqlite_url, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "N8N_URL": n8n_url}


def assert_no_secret(*texts: str) -> None:
    for shown in texts:
        assert SECRET not in shown and TOKEN not in shown


def n8n_card_over_http(app) -> tuple[str, str, str]:
    """The System page's n8n card as the browser gets it: (text, level, raw response)."""
    body = {
        "output": f"{ids.SYSTEM_N8N}.children",
        "outputs": {"id": ids.SYSTEM_N8N, "property": "children"},
        "inputs": [{"id": ids.REFRESH_INTERVAL, "property": "n_intervals", "value": 1}],
        "changedPropIds": [f"{ids.REFRESH_INTERVAL}.n_intervals"],
    }
    response = app.server.test_client().post("/_dash-update-component?lang=en", json=body)
    assert response.status_code == 200, response.data[:300]
    raw = response.get_data(as_text=True)
    card = json.loads(raw)["response"][ids.SYSTEM_N8N]["children"]
    level = next(node["props"]["data-level"] for node in _nodes(card) if "data-level" in node["props"])
    return text(card), level, raw


def _nodes(tree):
    if isinstance(tree, dict) and "props" in tree:
        yield tree
        yield from _nodes(tree["props"].get("children"))
    elif isinstance(tree, list):
        for child in tree:
            yield from _nodes(child)


def test_the_server_demands_basic_auth(n8n):
    assert check_n8n(n8n.url(), 2.0).status_code == 401


def test_credentials_in_the_url_are_sent_as_an_authorization_header(n8n):
    health = check_n8n(n8n.url(USER, SECRET), 2.0)
    assert health.state is N8nState.OK and health.status_code == 200
    assert n8n.requests == [("/healthz", f"Basic {TOKEN}")]
    assert health.url == f"http://{USER}:***@127.0.0.1:{n8n.server.server_address[1]}/healthz"


def test_percent_encoded_credentials_are_decoded_before_they_are_sent():
    with BasicAuthHealthz("ops@example", "p@ss:w/rd") as server:
        health = check_n8n(server.url("ops@example", "p@ss:w/rd"), 2.0)
    assert health.state is N8nState.OK
    assert "p%40ss" not in health.url and "p@ss" not in health.url


def test_a_wrong_password_is_named_as_http_401_without_either_password(n8n):
    health = check_n8n(n8n.url(USER, "wrong-" + SECRET), 2.0)
    assert health.state is N8nState.UNHEALTHY and health.status_code == 401
    assert_no_secret(health.url, str(health.message))


def test_the_system_card_shows_n8n_healthy_and_the_password_as_stars(n8n, sqlite_url, caplog):
    with caplog.at_level(logging.DEBUG):
        app = create_app(Settings.from_env(environment(sqlite_url, n8n.url(USER, SECRET))))
        try:
            shown, level, raw = n8n_card_over_http(app)
            client = app.server.test_client()
            pages = [client.get(path).get_data(as_text=True) for path in ("/system", "/_dash-layout")]
        finally:
            services_of(app.server).database.dispose()
    assert level == "ok" and "healthy" in shown
    assert f"http://{USER}:***@127.0.0.1" in shown
    assert_no_secret(shown, raw, *pages, caplog.text)


def test_the_system_card_names_a_refused_login_without_the_password(n8n, sqlite_url, caplog):
    with caplog.at_level(logging.DEBUG):
        app = create_app(Settings.from_env(environment(sqlite_url, n8n.url(USER, "not-" + SECRET))))
        try:
            shown, level, raw = n8n_card_over_http(app)
        finally:
            services_of(app.server).database.dispose()
    assert level == "down" and "n8n answered HTTP 401" in shown
    assert_no_secret(shown, raw, caplog.text)


def test_check_reports_n8n_ok_behind_basic_auth_without_the_password(n8n, sqlite_url, monkeypatch, capsys, caplog):
    for name, value in environment(sqlite_url, n8n.url(USER, SECRET)).items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.DEBUG):
        assert main(["check"]) == 0
    captured = capsys.readouterr()
    [line] = [line for line in captured.out.splitlines() if line.startswith("n8n")]
    assert line.startswith("n8n       OK") and f"{USER}:***@127.0.0.1" in line
    assert_no_secret(captured.out, captured.err, caplog.text)


def test_the_n8n_alert_rule_holds_only_for_a_refused_login_and_its_value_has_no_password(n8n, sqlite_url):
    def n8n_observation(url: str):
        settings = Settings.from_env(environment(sqlite_url, url))
        services = build_services(settings)
        try:
            return next(o for o in observe(services, settings.alerts) if o.rule == "n8n_unreachable")
        finally:
            services.database.dispose()

    assert n8n_observation(n8n.url(USER, SECRET)).active is False
    refused = n8n_observation(n8n.url(USER, "not-" + SECRET))
    assert refused.active is True and refused.value_args["detail"] == "n8n answered HTTP 401."
    assert_no_secret(json.dumps(refused.value_args))


def test_a_bad_n8n_url_is_refused_without_showing_its_password():
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"N8N_URL": f"ftp://{USER}:{SECRET}@n8n:5678"})
    assert str(raised.value).startswith("N8N_URL:")
    assert_no_secret(str(raised.value))
