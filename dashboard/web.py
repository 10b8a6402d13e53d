"""The Flask side of the app: health endpoints, access control, security headers, and the guard
that turns malformed or forged callback requests into 400s before Dash sees them."""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import secrets
import threading
import time

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash

from dashboard.extensions import services_of
from dashboard.settings import AuthSettings, Settings
from data.database import DataError
from data.health import redact
from data.services import DataServices
from data.status_reader import RedisUnavailable
from i18n.preferences import COOKIE_MAX_AGE_S, Preferences, reset_current, set_current
from layouts.access import AccessKind, AccessMode

log = logging.getLogger("coinpilot.dashboard")

MAX_REQUEST_BYTES = 1024 * 1024
CALLBACK_PATH_SUFFIX = "_dash-update-component"


def access_mode(auth: AuthSettings) -> AccessMode:
    """How requests are checked, as a value the System page puts into words (layouts.access)."""
    if auth.basic_auth_enabled and auth.trusted_user_header:
        return AccessMode(
            AccessKind.BASIC_OR_PROXY, auth.username, auth.password_hash is not None, auth.trusted_user_header
        )
    if auth.basic_auth_enabled:
        return AccessMode(AccessKind.BASIC, auth.username, auth.password_hash is not None)
    if auth.trusted_user_header:
        return AccessMode(AccessKind.PROXY, header=auth.trusted_user_header)
    return AccessMode(AccessKind.OPEN)


def install(app: Dash, settings: Settings) -> None:
    server = app.server
    services = services_of(server)
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    prefix = settings.url_prefix
    open_paths = {prefix + "healthz", prefix + "readyz"}

    def healthz():
        # Liveness only: touches nothing, so a dead database never restarts healthy workers.
        return Response("ok\n", mimetype="text/plain")

    checker = _Authenticator(settings) if settings.auth.enabled else None

    def readyz():
        # Details (versions, errors) only for a caller who passes the same check as the pages.
        authorized = checker is not None and checker.check() is None
        return readiness(services, details=authorized)

    server.add_url_rule(prefix + "healthz", "coinpilot_healthz", healthz)
    server.add_url_rule(prefix + "readyz", "coinpilot_readyz", readyz)
    _install_host_check(server, settings.allowed_hosts, open_paths)

    if checker is not None:

        @server.before_request
        def require_credentials():
            if request.path in open_paths:
                return None
            return checker.check()
    else:
        log.warning("No dashboard credentials configured: open access to anyone who can reach this server.")

    install_preferences(server, settings.display)
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


def install_preferences(server, defaults: Preferences) -> None:
    """Each request is rendered in its browser's language, theme, colours and units: the
    settings' defaults, then the browser's cookies (sidebar switches), then `?lang=` & co. in a
    link, which is remembered as a cookie so the page's later callbacks keep it."""

    @server.before_request
    def adopt_preferences():
        preferences, from_link = defaults.resolve(request.args, request.cookies)
        g.coinpilot_preferences_token = set_current(preferences)
        g.coinpilot_preferences_from_link = from_link

    @server.after_request
    def remember_linked_preferences(response: Response) -> Response:
        for cookie, value in getattr(g, "coinpilot_preferences_from_link", {}).items():
            response.set_cookie(cookie, value, max_age=COOKIE_MAX_AGE_S, path="/", samesite="Lax")
        return response

    @server.teardown_request
    def forget_preferences(_exc):
        token = g.pop("coinpilot_preferences_token", None)
        if token is not None:
            try:
                reset_current(token)
            except ValueError:  # set in another context (a streamed response): nothing to undo
                pass


def _install_unknown_bundle_404(server) -> None:
    """Dash answers a /_dash-component-suites/ path it does not know by raising: that is a
    missing file (404), not a server error with a traceback in the log."""

    @server.errorhandler(DependencyException)
    def unknown_bundle(_exc: DependencyException):
        return Response("Not found\n", status=404, mimetype="text/plain")


def readiness(services: DataServices, *, details: bool = False):
    """Up or down per dependency; 503 when the database is unreachable. Versions, latencies and
    errors only with `details` (an authenticated caller), and then with secrets redacted: the
    public answer must not tell a stranger what runs here or where."""
    started = time.perf_counter()
    detail: dict = {}
    try:
        info = services.database.info()
        detail["database"] = {
            "state": "ok",
            "backend": info.backend.value,
            "version": info.server_version,
            "latency_ms": round(info.latency_ms, 2),
        }
    except DataError as exc:
        detail["database"] = {"state": exc.kind, "detail": redact(str(exc))}
    try:
        version, latency_ms = services.bot_status.server_info()
        detail["redis"] = {"state": "ok", "version": version, "latency_ms": round(latency_ms, 2)}
    except RedisUnavailable as exc:
        detail["redis"] = {"state": "unreachable", "detail": redact(str(exc))}
    ready = detail["database"]["state"] == "ok"
    body: dict = {"status": "ready" if ready else "not ready"}
    body.update({name: "up" if part["state"] == "ok" else "down" for name, part in detail.items()})
    if details:
        detail["checked_in_ms"] = round((time.perf_counter() - started) * 1000, 1)
        body["details"] = detail
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response


def _install_host_check(server, allowed_hosts: tuple[str, ...], open_paths: set[str]) -> None:
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


class _Authenticator:
    """HTTP basic auth in constant time, or a user header set by an authenticating proxy, and
    believed only from that proxy's address. Failed basic-auth guesses are throttled per client,
    and a verified credential is remembered for a short while (see _CredentialMemory)."""

    def __init__(self, settings: Settings):
        self.auth = settings.auth
        self.header = settings.auth.trusted_user_header
        self.proxies = settings.auth.trusted_proxies
        self.throttle = LoginThrottle()
        self.memory = _CredentialMemory()

    def check(self):
        peer_trusted = _is_trusted(request.remote_addr, self.proxies)
        if self.header and peer_trusted and request.headers.get(self.header, "").strip():
            return None
        if self.auth.basic_auth_enabled:
            authorization = request.headers.get("Authorization", "")
            if authorization and self.memory.knows(authorization):
                return None
            client = _client_address(peer_trusted)
            wait_s = self.throttle.wait_s(client)
            if wait_s > 0:
                response = Response("Too many failed logins: try again shortly\n", status=429, mimetype="text/plain")
                response.headers["Retry-After"] = str(math.ceil(wait_s))
                return response
            if authorization:
                if self._basic_auth_ok(authorization):
                    self.memory.remember(authorization)
                    return None
                self.throttle.failed(client)
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


def _is_trusted(address: str | None, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def _client_address(peer_trusted: bool) -> str:
    """Whom a failed login is counted against: the peer, or behind a trusted proxy the address
    that proxy saw (the last X-Forwarded-For entry: nginx appends its peer; earlier entries are
    whatever the client claimed)."""
    if peer_trusted:
        forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.remote_addr or "unknown"


class LoginThrottle:
    """At most FAILURES failed logins per client address in any WINDOW_S: the next attempt waits
    until the oldest failure leaves the window. Nothing is permanent, so an operator locked out by
    someone guessing from the same address gets in again within WINDOW_S of the guessing stopping.
    Counted per worker process (each gunicorn worker keeps its own)."""

    FAILURES = 10
    WINDOW_S = 60.0
    MAX_CLIENTS = 10_000  # bounds the memory a flood of addresses can take

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds until `client` may try again (0: now)."""
        with self._lock:
            failures = self._failures.get(client)
            if not failures:
                return 0.0
            now = self.clock()
            while failures and failures[0] <= now - self.WINDOW_S:
                failures.popleft()
            if not failures:
                del self._failures[client]
                return 0.0
            if len(failures) < self.FAILURES:
                return 0.0
            return failures[0] + self.WINDOW_S - now

    def failed(self, client: str) -> None:
        with self._lock:
            if client not in self._failures and len(self._failures) >= self.MAX_CLIENTS:
                self._failures.pop(next(iter(self._failures)))  # the longest-known client
            self._failures.setdefault(client, collections.deque(maxlen=self.FAILURES)).append(self.clock())


class _CredentialMemory:
    """Authorization headers verified in the last TTL_S, kept as HMAC digests under a key that
    exists only in this process's memory: a page refresh does not pay a scrypt verification
    (~100 ms of CPU) per request, and nothing stored can be turned back into the password."""

    TTL_S = 60.0
    MAX_ENTRIES = 1_000

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._verified: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def _digest(self, authorization: str) -> bytes:
        return hmac.new(self._key, authorization.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()

    def knows(self, authorization: str) -> bool:
        digest = self._digest(authorization)
        with self._lock:
            expires = self._verified.get(digest)
            if expires is None:
                return False
            if expires <= self.clock():
                del self._verified[digest]
                return False
            return True

    def remember(self, authorization: str) -> None:
        digest = self._digest(authorization)
        with self._lock:
            if len(self._verified) >= self.MAX_ENTRIES:
                now = self.clock()
                self._verified = {d: e for d, e in self._verified.items() if e > now}
                if len(self._verified) >= self.MAX_ENTRIES:
                    self._verified.clear()
            self._verified[digest] = self.clock() + self.TTL_S


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
