"""The shipped nginx configs in front of the real gunicorn: HTTPS with HTTP redirected, no version
in the Server header, keep-alive that survives the refresh interval, and the auth proxy never
forwarding a user it did not verify."""

from __future__ import annotations

import http.client
import ssl
import subprocess
import time

import pytest

from tests.support.processes import Gunicorn, Nginx, http_get

pytestmark = [pytest.mark.nginx, pytest.mark.postgres, pytest.mark.redis]

SITES = ["coinpilot.conf", "coinpilot-subpath.conf", "coinpilot-auth-proxy.conf"]
REFRESH_S = 5  # the shortest refresh interval a page can be set to


@pytest.fixture
def environment(seeded_pg_url, redis_db):
    return {"DATABASE_URL": seeded_pg_url, "REDIS_URL": redis_db, "N8N_URL": ""}


@pytest.mark.parametrize("site", SITES)
def test_plain_http_is_redirected_to_https(tmp_path, site):
    with Nginx(site, [1], tmp_path / "nginx") as nginx:
        status, headers, _ = http_get(nginx.http_url + "/market?symbol=KRW-BTC")
        assert status == 301 and headers["Location"] == "https://127.0.0.1/market?symbol=KRW-BTC"


@pytest.mark.parametrize("site", ["coinpilot.conf", "coinpilot-auth-proxy.conf"])
def test_https_serves_the_dashboard_with_the_configured_certificate(environment, tmp_path, site):
    environment.update(DASHBOARD_TRUSTED_USER_HEADER="X-Forwarded-User", DASHBOARD_TRUSTED_PROXIES="127.0.0.1")
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx(site, [gunicorn.port], tmp_path / "nginx", htpasswd="operator:{PLAIN}s3cret\n") as nginx,
    ):
        verified = ssl.create_default_context(cafile=str(nginx.certificate))
        status, headers, body = http_get(nginx.url + "/healthz", tls=verified)
        assert status == 200 and body == b"ok\n"
        assert "max-age" in headers["Strict-Transport-Security"]


@pytest.mark.parametrize("site", SITES)
def test_nginx_does_not_tell_its_version(tmp_path, site):
    with Nginx(site, [1], tmp_path / "nginx") as nginx:
        for url in (nginx.http_url + "/", nginx.url + "/healthz"):
            _status, headers, body = http_get(url)
            assert headers["Server"] == "nginx", url
            assert b"nginx/" not in body, url


def test_an_idle_connection_to_gunicorn_outlives_the_refresh_interval(environment, tmp_path):
    with Gunicorn(environment, tmp_path).start() as gunicorn:
        connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() == b"ok\n"
        first_socket = connection.sock
        time.sleep(REFRESH_S + 1)  # idle for one refresh interval and a bit: the behaviour under test
        try:
            connection.request("GET", "/healthz")
            answer = connection.getresponse().read()
        except (http.client.RemoteDisconnected, ConnectionError) as error:
            raise AssertionError(f"gunicorn closed the idle connection within {REFRESH_S + 1} s: {error}") from None
        assert answer == b"ok\n" and connection.sock is first_socket
        connection.close()


def test_the_auth_proxy_never_forwards_an_unverified_user_from_its_health_locations(environment, tmp_path):
    environment.update(DASHBOARD_TRUSTED_USER_HEADER="X-Forwarded-User", DASHBOARD_TRUSTED_PROXIES="127.0.0.1")
    with (
        Gunicorn(environment, tmp_path).start() as gunicorn,
        Nginx(
            "coinpilot-auth-proxy.conf", [gunicorn.port], tmp_path / "nginx", htpasswd="operator:{PLAIN}s3cret\n"
        ) as nginx,
    ):
        # nginx matches the normalized path (/healthz, auth off) but passes the raw one upstream.
        traversal = subprocess.run(
            ["curl", "-sk", "--path-as-is", "-u", "operator:wrong", "-o", "/dev/null", "-w", "%{http_code}"]
            + [nginx.url + "/x/../healthz"],
            capture_output=True,
            text=True,
        )
        assert traversal.stdout == "401", "an unverified user got past the auth proxy"
        assert http_get(nginx.url + "/", headers={"X-Forwarded-User": "operator"})[0] == 401


def test_header_mode_without_trusted_proxies_does_not_start(environment, tmp_path):
    environment["DASHBOARD_TRUSTED_USER_HEADER"] = "X-Forwarded-User"
    gunicorn = Gunicorn(environment, tmp_path)
    with pytest.raises(AssertionError, match="DASHBOARD_TRUSTED_PROXIES"):
        gunicorn.start()
