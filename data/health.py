"""Health of the bot's infrastructure: the n8n liveness probe (GET /healthz) and redaction of
the secrets that connection URLs carry, for every health report that names a URL."""

from __future__ import annotations

import base64
import enum
import http.client
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from i18n import Message


class N8nState(str, enum.Enum):
    NOT_CONFIGURED = "not_configured"
    OK = "ok"
    UNHEALTHY = "unhealthy"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class N8nHealth:
    state: N8nState
    url: str | None
    message: Message  # put into words when shown
    status_code: int | None = None
    latency_ms: float | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies from the environment and no redirects: the probe goes exactly where it is told.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class N8nProbe:
    """Where the probe goes and what it sends: the URL without its user-info (a URL library
    reads `user:secret@host` as the host), the credentials as a basic-auth header, and the URL
    as pages and logs may show it (the password as ***)."""

    url: str
    headers: dict[str, str] = field(repr=False)
    display_url: str


def n8n_probe(base_url: str) -> N8nProbe:
    parts = urlsplit(base_url.rstrip("/") + "/healthz")
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return N8nProbe(urlunsplit(parts), {}, redact(urlunsplit(parts)))
    username, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(username)}:{unquote(password)}".encode()).decode("ascii")
    shown = f"{username}:***@{host}" if password else f"{username}@{host}"
    return N8nProbe(
        urlunsplit(parts._replace(netloc=host)),
        {"Authorization": f"Basic {token}"},
        redact(urlunsplit(parts._replace(netloc=shown))),
    )


def check_n8n(base_url: str | None, timeout_s: float) -> N8nHealth:
    """GET {base_url}/healthz with a short timeout; never raises. Credentials in the URL
    (n8n behind basic auth) go as an Authorization header and are shown as ***."""
    if not base_url:
        return N8nHealth(N8nState.NOT_CONFIGURED, None, Message("status.n8n_not_configured"))
    probe = n8n_probe(base_url)
    url = probe.display_url
    started = time.perf_counter()
    try:
        request = urllib.request.Request(probe.url, headers=probe.headers, method="GET")
        with _opener.open(request, timeout=timeout_s) as response:
            response.read(4096)
            status = response.status
    except urllib.error.HTTPError as exc:
        latency = (time.perf_counter() - started) * 1000.0
        return N8nHealth(N8nState.UNHEALTHY, url, Message("status.n8n_http", code=exc.code), exc.code, latency)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            message = Message("status.n8n_timeout", timeout=f"{timeout_s:g}")
        else:
            # The request URL holds no credentials, so the network's reason cannot name them.
            message = Message("status.n8n_unreachable", reason=str(reason))
        return N8nHealth(N8nState.UNREACHABLE, url, message)
    latency = (time.perf_counter() - started) * 1000.0
    if 200 <= status < 300:
        return N8nHealth(N8nState.OK, url, Message("status.n8n_healthy"), status, latency)
    return N8nHealth(N8nState.UNHEALTHY, url, Message("status.n8n_http", code=status), status, latency)


_URL_USERINFO_PASSWORD = re.compile(r"(?P<keep>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")
_QUERY_SECRET = re.compile(
    r"(?P<keep>[?&;](?:password|passwd|pwd|sslpassword|secret|token|api_?key)=)[^&#\s]*", re.IGNORECASE
)


def redact(text: str) -> str:
    """`text` with every password in a URL replaced by ***: the user-info part
    (postgresql://user:secret@host) and secret query parameters (?password=secret)."""
    text = _URL_USERINFO_PASSWORD.sub(r"\g<keep>***@", text)
    return _QUERY_SECRET.sub(r"\g<keep>***", text)
