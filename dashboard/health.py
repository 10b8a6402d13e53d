"""The health endpoints: /healthz (liveness: touches nothing) and /readyz (up or down per
dependency; details only for a caller who passes the same check as the pages)."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Response, jsonify

from data.database import DataError
from data.health import redact
from data.services import DataServices
from data.status_reader import RedisUnavailable


def open_paths(prefix: str) -> set[str]:
    """The health endpoints' paths: open to everyone (load balancers and container checks probe them)."""
    return {prefix + "healthz", prefix + "readyz"}


def install(server, services: DataServices, prefix: str, authorized: Callable[[], bool]) -> None:
    """Add /healthz and /readyz under `prefix`; `authorized()` says whether the caller may see
    /readyz's details (versions, errors): only one who passes the same check as the pages."""

    def healthz():
        # Liveness only: touches nothing, so a dead database never restarts healthy workers.
        return Response("ok\n", mimetype="text/plain")

    def readyz():
        return readiness(services, details=authorized())

    server.add_url_rule(prefix + "healthz", "coinpilot_healthz", healthz)
    server.add_url_rule(prefix + "readyz", "coinpilot_readyz", readyz)


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
