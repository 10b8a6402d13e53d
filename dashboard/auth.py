"""Who may see the dashboard: the access mode the System page names, HTTP basic auth in constant
time with failed guesses throttled per client and verified credentials remembered briefly, a user
header believed only from a trusted proxy, and `coinpilot-dashboard hash-password`, which makes the
DASHBOARD_PASSWORD_HASH it checks."""

from __future__ import annotations

import base64
import binascii
import collections
import getpass
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import sys
import threading
import time

from flask import Response, request
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.settings import AuthSettings, Settings
from layouts.access import AccessKind, AccessMode

log = logging.getLogger("coinpilot.dashboard")


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


class Authenticator:
    """HTTP basic auth in constant time, or a user header set by an authenticating proxy, and
    believed only from that proxy's address. Failed basic-auth guesses are throttled per client,
    and a verified credential is remembered for a short while (see CredentialMemory)."""

    def __init__(self, settings: Settings):
        self.auth = settings.auth
        self.header = settings.auth.trusted_user_header
        self.proxies = settings.auth.trusted_proxies
        self.throttle = LoginThrottle()
        self.memory = CredentialMemory()

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


def install(server, settings: Settings, open_paths: set[str]) -> Authenticator | None:
    """Require credentials on every path but the open ones, or say in the log that anyone who
    reaches the server may see the dashboard. The checker, for /readyz's details."""
    if not settings.auth.enabled:
        log.warning("No dashboard credentials configured: open access to anyone who can reach this server.")
        return None
    checker = Authenticator(settings)

    @server.before_request
    def require_credentials():
        if request.path in open_paths:
            return None
        return checker.check()

    return checker


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


class CredentialMemory:
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


def cmd_hash_password(args) -> int:
    """`hash-password`: a DASHBOARD_PASSWORD_HASH for a password typed (or piped with --stdin)."""
    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass("Dashboard password: ")
    if not password:
        print("error: empty password", file=sys.stderr)
        return 2
    print(generate_password_hash(password))
    return 0
