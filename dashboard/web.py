"""The Flask side of the app: health endpoints, access control, security headers, and the guard
that turns malformed or forged callback requests into 400s before Dash sees them."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import time

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash

from dashboard.settings import Settings
from data.database import DataError
from data.services import DataServices, services_of
from data.status_reader import RedisUnavailable

log = logging.getLogger("coinpilot.dashboard")

MAX_REQUEST_BYTES = 1024 * 1024
CALLBACK_PATH_SUFFIX = "_dash-update-component"


def access_description(settings: Settings) -> str:
    auth = settings.auth
    if auth.basic_auth_enabled and auth.trusted_user_header:
        return f"HTTP basic auth, or the {auth.trusted_user_header} header set by the proxy"
    if auth.basic_auth_enabled:
        kind = "password hash" if auth.password_hash else "password"
        return f"HTTP basic auth (user {auth.username!r}, {kind} from the environment)"
    if auth.trusted_user_header:
        return f"authenticated by the proxy ({auth.trusted_user_header} header)"
    return "open access (no credentials configured)"


def install(app: Dash, settings: Settings) -> None:
    server = app.server
    services = services_of(server)
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    prefix = settings.url_prefix
    open_paths = {prefix + "healthz", prefix + "readyz"}

    def healthz():
        # Liveness only: touches nothing, so a dead database never restarts healthy workers.
        return Response("ok\n", mimetype="text/plain")

    def readyz():
        return readiness(services)

    server.add_url_rule(prefix + "healthz", "coinpilot_healthz", healthz)
    server.add_url_rule(prefix + "readyz", "coinpilot_readyz", readyz)

    if settings.auth.enabled:
        checker = _Authenticator(settings)

        @server.before_request
        def require_credentials():
            if request.path in open_paths:
                return None
            return checker.check()
    else:
        log.warning("No dashboard credentials configured: open access to anyone who can reach this server.")

    callback_path = prefix + CALLBACK_PATH_SUFFIX

    @server.before_request
    def guard_callback_request():
        if request.path == callback_path and request.method == "POST":
            problem = callback_request_problem(app, request.get_data(cache=True))
            if problem:
                log.info("rejected a callback request: %s", problem)
                return jsonify({"error": "invalid callback request", "detail": problem}), 400
        return None

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


def readiness(services: DataServices):
    """JSON with each dependency's state; 503 when the database is unreachable."""
    started = time.perf_counter()
    body: dict = {}
    try:
        info = services.database.info()
        body["database"] = {"state": "ok", "backend": info.backend.value, "latency_ms": round(info.latency_ms, 2)}
    except DataError as exc:
        body["database"] = {"state": exc.kind, "detail": str(exc)}
    try:
        version, latency_ms = services.bot_status.server_info()
        body["redis"] = {"state": "ok", "version": version, "latency_ms": round(latency_ms, 2)}
    except RedisUnavailable as exc:
        body["redis"] = {"state": "unreachable", "detail": str(exc)}
    ready = body["database"]["state"] == "ok"
    body["status"] = "ready" if ready else "not ready"
    body["checked_in_ms"] = round((time.perf_counter() - started) * 1000, 1)
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response


class _Authenticator:
    """HTTP basic auth in constant time, or a user header set by an authenticating proxy."""

    def __init__(self, settings: Settings):
        self.auth = settings.auth
        self.header = settings.auth.trusted_user_header

    def check(self):
        if self.header and request.headers.get(self.header, "").strip():
            return None
        if self.auth.basic_auth_enabled and self._basic_auth_ok(request.headers.get("Authorization", "")):
            return None
        response = Response("Authentication required\n", status=401, mimetype="text/plain")
        if self.auth.basic_auth_enabled:
            response.headers["WWW-Authenticate"] = 'Basic realm="CoinPilot Dashboard", charset="UTF-8"'
        return response

    def _basic_auth_ok(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        username, separator, password = decoded.partition(":")
        if not separator:
            return False
        # Compare both parts every time, so the time taken says nothing about which was wrong.
        user_ok = hmac.compare_digest(username.encode(), self.auth.username.encode())
        if self.auth.password_hash:
            password_ok = check_password_hash(self.auth.password_hash, password)
        else:
            password_ok = hmac.compare_digest(password.encode(), self.auth.password.encode())
        return user_ok and password_ok


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


def callback_request_problem(app: Dash, raw_body: bytes) -> str | None:
    """Why a POST to /_dash-update-component does not match a registered callback, or None."""
    try:
        body = json.loads(raw_body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return "missing output"
    spec = app.callback_map.get(output)
    if spec is None:
        return "no callback has this output"
    if not spec.get("callback"):
        # A clientside callback runs in the browser: the server has no function to call.
        return "this output belongs to a browser-side callback"
    for key, expected in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(expected):
            return f"{key} do not match the callback"
        for item, declared in zip(items, expected):
            if (
                not isinstance(item, dict)
                or item.get("id") != declared["id"]
                or item.get("property") != declared["property"]
            ):
                return f"{key} do not match the callback"
    declared_outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    outputs = body.get("outputs")
    if isinstance(outputs, dict):
        outputs = [outputs]
    if not isinstance(outputs, list) or len(outputs) != len(declared_outputs):
        return "outputs do not match the callback"
    for item, declared in zip(outputs, declared_outputs):
        # An output declared with allow_duplicate travels as "property@<hash>".
        if (
            not isinstance(item, dict)
            or item.get("id") != declared.component_id
            or not isinstance(item.get("property"), str)
            or item["property"].split("@", 1)[0] != declared.component_property
        ):
            return "outputs do not match the callback"
    changed = body.get("changedPropIds", [])
    allowed_changes = {f"{d['id']}.{d['property']}" for d in spec.get("inputs", [])}
    if not isinstance(changed, list) or any(not isinstance(c, str) or c not in allowed_changes for c in changed):
        return "changedPropIds do not match the callback's inputs"
    return None
