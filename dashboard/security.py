"""What every response carries and every request is checked for, apart from credentials: a size
limit, the Host check (DNS rebinding), the Content Security Policy and the other security headers,
a 404 for an unknown component bundle, and no traceback ever sent to a browser."""

from __future__ import annotations

import logging

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("coinpilot.dashboard")

MAX_REQUEST_BYTES = 1024 * 1024


def install_host_check(server, allowed_hosts: tuple[str, ...], open_paths: set[str]) -> None:
    """With DASHBOARD_ALLOWED_HOSTS set, refuse any other Host: a page on another site that
    rebinds its own name to this server's address (DNS rebinding) gets a 400, not the data."""
    if not allowed_hosts:
        return
    allowed = set(allowed_hosts)

    @server.before_request
    def check_host():
        if request.path in open_paths:
            return None  # load balancers and the container health check probe by address
        host = request.host.lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in allowed:
            log.info("refused a request for host %r", host)
            return Response("Unknown host\n", status=400, mimetype="text/plain")
        return None


def install_headers(app: Dash, open_paths: set[str]) -> None:
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    policy = _ContentSecurityPolicy(app)

    @server.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = policy.header()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path in open_paths:
            response.headers["Cache-Control"] = "no-store"
        return response


def install_error_pages(server) -> None:
    _install_unknown_bundle_404(server)

    @server.errorhandler(Exception)
    def no_tracebacks(exc: Exception):
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unhandled error on %s", request.path, exc_info=exc)
        return Response("Internal server error (details in the server log)\n", status=500, mimetype="text/plain")


def _install_unknown_bundle_404(server) -> None:
    """Dash answers a /_dash-component-suites/ path it does not know by raising: that is a
    missing file (404), not a server error with a traceback in the log."""

    @server.errorhandler(DependencyException)
    def unknown_bundle(_exc: DependencyException):
        return Response("Not found\n", status=404, mimetype="text/plain")


class _ContentSecurityPolicy:
    """Scripts only from this server plus Dash's one inline bootstrap script (by hash): no
    'unsafe-eval'. Styles allow inline attributes, which Plotly and React set."""

    def __init__(self, app: Dash):
        self.app = app
        self._value: str | None = None

    def header(self) -> str:
        if self._value is None:
            hashes = " ".join(self.app.csp_hashes())
            self._value = "; ".join(
                [
                    "default-src 'self'",
                    f"script-src 'self' {hashes}",
                    "style-src 'self' 'unsafe-inline'",
                    "img-src 'self' data: blob:",
                    "font-src 'self' data:",
                    "connect-src 'self'",
                    "worker-src 'self' blob:",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'none'",
                ]
            )
        return self._value
