"""gunicorn and nginx as real processes, started the way the deployment starts them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.services import free_port, missing

REPO = Path(__file__).resolve().parents[2]
_APP_VARIABLES = re.compile(r"^(DASHBOARD_|DB_|DATABASE_URL|REDIS_|N8N_|RISK_|GUNICORN_|BOT_STATUS_|CANDLE_)")


def dockerfile_instruction(name: str) -> list[str]:
    """The JSON-array form of a Dockerfile instruction (CMD, or the command of HEALTHCHECK)."""
    text = (REPO / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    for line in joined.splitlines():
        if line.startswith(name + " "):
            return json.loads(line[line.index("[") :])
    raise AssertionError(f"no {name} in the Dockerfile")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_get(
    url: str, timeout: float = 3.0, headers: dict | None = None, tls: ssl.SSLContext | None = None
) -> tuple[int, dict, bytes]:
    """One GET, redirects not followed (a 301 is an answer). HTTPS is checked against `tls`, or
    not at all: the test nginx's certificate is self-signed, and only the TLS tests are about it."""
    request = urllib.request.Request(url, headers=headers or {})
    tls = tls or ssl._create_unverified_context()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=tls), _NoRedirect()
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for_http(url: str, status: int = 200, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = http_get(url, timeout=2)[0]
            if last == status:
                return
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {timeout} s (last: {last})")


class Gunicorn:
    """The Docker image's CMD, run outside Docker from the repository root."""

    def __init__(self, environment: dict[str, str], log_dir: Path, workers: int = 2, name: str = "gunicorn"):
        self.port = free_port()
        self.log_dir = log_dir
        self.name = name
        self.access_log = log_dir / f"{name}-access.log"
        self.error_log = log_dir / f"{name}-error.log"
        base = {k: v for k, v in os.environ.items() if not _APP_VARIABLES.match(k)}
        base.update(
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_ACCESS_LOG=str(self.access_log),
            GUNICORN_ERROR_LOG=str(self.error_log),
            PYTHONUNBUFFERED="1",
            # The workers create the dashboard's store at start-up: beside the logs, not in the repository.
            DASHBOARD_STATE_DIR=str(log_dir / f"{name}-state"),
        )
        base.update(environment)
        self.environment = base
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = dockerfile_instruction("CMD")
        assert command[0] == "gunicorn"
        return [str(Path(sys.executable).with_name("gunicorn"))] + command[1:]

    def start(self, prefix: str = "/", timeout: float = 40) -> Gunicorn:
        self.process = subprocess.Popen(
            self.command(), cwd=REPO, env=self.environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            # Generous: on a loaded CI machine two workers importing pandas and plotly take a while.
            wait_for_http(self.url + prefix + "healthz", 200, timeout=max(timeout, 120))
        except AssertionError:
            self.stop()
            log = self.error_log.read_text() if self.error_log.exists() else ""
            raise AssertionError(f"gunicorn did not start:\n{log}") from None
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path is None:
        missing("nginx is not installed (Debian package nginx)")
    return path


class Nginx:
    """One of deploy/nginx/*.conf, with its listen port and upstream servers pointed at the test's."""

    def __init__(
        self,
        site: str,
        upstream_ports: list[int],
        work_dir: Path,
        htpasswd: str | None = None,
        replace: dict[str, str] | None = None,
    ):
        self.binary = nginx_binary()
        self.port = free_port()
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        text = (REPO / "deploy" / "nginx" / site).read_text()
        assert "listen 80;" in text and "server 127.0.0.1:8050;" in text
        self.http_port = free_port()
        text = text.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        assert "listen 443 ssl;" in text and "/etc/ssl/coinpilot/fullchain.pem" in text
        text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;")
        self.certificate = self.dir / "fullchain.pem"
        self._self_signed_certificate(self.certificate, self.dir / "privkey.pem")
        text = text.replace("/etc/ssl/coinpilot/", f"{self.dir}/")
        text = text.replace("server 127.0.0.1:8050;", " ".join(f"server 127.0.0.1:{p};" for p in upstream_ports))
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        if htpasswd is not None:
            (self.dir / "htpasswd").write_text(htpasswd)
            text = text.replace("/etc/nginx/coinpilot.htpasswd", str(self.dir / "htpasswd"))
        (self.dir / "site.conf").write_text(text)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {self.dir}/nginx.pid;\nerror_log {self.dir}/error.log;\n"
            "events { worker_connections 512; }\n"
            "http {\n  include /etc/nginx/mime.types;\n"
            f"  access_log {self.dir}/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {self.dir}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {self.dir}/site.conf;\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @staticmethod
    def _self_signed_certificate(certificate: Path, key: Path) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", str(key), "-out", str(certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def start(self) -> Nginx:
        check = subprocess.run(
            [self.binary, "-t", "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait for the listening socket, not for an answer: the upstream may be meant to fail.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not start: " + (self.dir / "error.log").read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
