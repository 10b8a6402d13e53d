"""System callbacks: one per dependency, so a slow n8n or a dead Redis delays only its own card."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.failures import panel
from data.health import N8nState, check_n8n
from data.risk_records import fetch_risk_audit
from data.services import DataServices
from data.status_payload import StatusState
from data.status_reader import RedisUnavailable
from layouts import format as fmt
from layouts import ids, system
from layouts.components import problem
from layouts.risk import audit_rows


def database_card(services: DataServices):
    database = services.database

    # The fallback names the database's URL, so it is declared here, where the database is known.
    @panel(
        on_failure=lambda kind, message: system.health_card(
            "database",
            "Database",
            "down",
            "unreachable" if kind == "unreachable" else kind.replace("_", " "),
            [("URL", database.display_url), ("Problem", message)],
        )
    )
    def card():
        return _reachable_database_card(database, database.info())

    return card()


def _reachable_database_card(database, info):
    if info.backend.value == "sqlite":
        extension = "n/a (SQLite demo database)"
    else:
        extension = info.timescaledb_version or "not installed"
    facts = [
        (
            "Backend",
            info.backend.label + (" (forced by DASHBOARD_DB_BACKEND)" if database.backend_setting != "auto" else ""),
        ),
        ("Server", info.server_version),
        ("TimescaleDB", extension),
        ("Round trip", f"{info.latency_ms:.1f} ms"),
        ("Statement timeout", f"{database.statement_timeout_ms / 1000:g} s"),
        ("URL", database.display_url),
    ]
    level = "ok"
    headline = "reachable"
    if info.backend.value == "postgresql" and not info.timescaledb_version:
        headline = "reachable (plain PostgreSQL: candles via date_bin)"
    return system.health_card("database", "Database", level, headline, facts)


def redis_card(services: DataServices):
    reader = services.bot_status
    try:
        version, latency_ms = reader.server_info()
    except RedisUnavailable as exc:
        return system.health_card(
            "redis", "Redis", "down", "unreachable", [("Where", reader.description), ("Problem", str(exc))]
        )
    return system.health_card(
        "redis",
        "Redis",
        "ok",
        "reachable",
        [("Version", version), ("Ping", f"{latency_ms:.1f} ms"), ("Where", reader.description)],
    )


def n8n_card(services: DataServices):
    health = check_n8n(services.n8n_url, services.n8n_timeout_s)
    level = {
        N8nState.OK: "ok",
        N8nState.NOT_CONFIGURED: "off",
        N8nState.UNHEALTHY: "down",
        N8nState.UNREACHABLE: "down",
    }[health.state]
    headline = {
        N8nState.OK: "healthy",
        N8nState.NOT_CONFIGURED: "not configured",
        N8nState.UNHEALTHY: "unhealthy",
        N8nState.UNREACHABLE: "unreachable",
    }[health.state]
    facts = [("Endpoint", health.url or "set N8N_URL to monitor n8n"), ("Result", health.message)]
    if health.latency_ms is not None:
        facts.append(("Latency", f"{health.latency_ms:.0f} ms"))
    facts.append(("Timeout", f"{services.n8n_timeout_s:g} s"))
    return system.health_card("n8n", "n8n", level, headline, facts)


def access_card(services: DataServices):
    open_access = services.access_description.startswith("open access")
    return system.health_card(
        "access",
        "Access control",
        "warn" if open_access else "ok",
        "open access" if open_access else "credentials required",
        [("Mode", services.access_description)],
    )


@panel(on_failure=problem)
def freshness_panel(services: DataServices):
    now = services.now()
    tz = services.display_timezone
    with services.database.connect() as conn:
        symbols = services.symbols(conn)
        latest = services.latest_candles(conn, symbols)
        future = services.future_candles(conn, symbols)
    snapshot = services.bot_status.read(symbols)
    rows = []
    for symbol in symbols:
        candle = latest.get(symbol)
        ahead = future.get(symbol)
        candle_age = (now - candle.timestamp).total_seconds() if candle else None
        reading = snapshot.readings.get(symbol)
        if reading is None or reading.state is StatusState.REDIS_UNAVAILABLE:
            state_text, note = "Redis unreachable", snapshot.redis_error
        elif reading.state is StatusState.MISSING:
            state_text, note = "no status (5 min)", reading.message
        elif reading.state is StatusState.INVALID:
            state_text, note = "invalid payload", reading.problem_summary
        else:
            state_text, note = reading.status.action, reading.status.reason
        rows.append(
            {
                "symbol": symbol,
                "last_candle": fmt.timestamp(candle.timestamp, tz) if candle else "none",
                "candle_age": fmt.age(candle_age),
                "candle_stale": candle_age is None or candle_age > services.candle_stale_s,
                "status_state": state_text,
                "status_age": fmt.age(reading.age_s) if reading is not None and reading.age_s is not None else "–",
                "status_stale": bool(reading and reading.stale),
                "note": note,
                "future_candle": fmt.timestamp(ahead, tz) if ahead else None,
                "future_by": fmt.ahead((ahead - now).total_seconds()) if ahead else None,
            }
        )
    return system.freshness_table(rows)


@panel(on_failure=problem)
def rollups_panel(services: DataServices):
    """Whether candle rollups exist, how far behind their materialisation is and the state of
    their refresh policy jobs (a failed job's error text only where this role may see it)."""
    now, tz = services.now(), services.display_timezone
    with services.database.connect() as conn:
        statuses = services.rollup_status(conn)
    backend = services.database.backend
    if backend.value != "timescaledb":
        return system.rollups_panel("off", f"not available on {backend.label}: candles from the 1-minute rows", [])
    if not any(status.exists for status in statuses):
        return system.rollups_panel(
            "off",
            "not created: candles from the 1-minute rows",
            [],
            "An owner of the database can add them: coinpilot-dashboard rollups create --database-url ...",
        )
    rows, used = [], services.rollups.known()
    for status in statuses:
        job, lag = status.job, status.lag(now)
        behind = status.exists and status.behind(now)
        if not status.exists:
            job_text, job_level, error = "missing", "down", ""
        elif job is None:
            job_text, job_level, error = "no refresh policy", "warn", ""
        else:
            job_text, job_level, error = _policy_job_text(job, tz)
        rows.append(
            {
                "rollup": status.rollup.view,
                "materialised": fmt.timestamp(status.watermark, tz, seconds=False)
                if status.watermark
                else "nothing yet",
                "behind": (fmt.age(lag.total_seconds()).removesuffix(" ago") if lag is not None else "–")
                + (" (behind)" if behind else ""),
                "behind_level": "warn" if behind else "ok",
                "job": job_text + ("" if status.rollup.width in used else "; not used for candles"),
                "job_level": job_level,
                "error": error,
            }
        )
    failing = [s for s in statuses if s.job is not None and s.job.failing]
    lagging = [s for s in statuses if s.exists and s.behind(now)]
    if failing:
        level = "down" if lagging else "warn"
        headline = f"refresh policy failing ({len(failing)} of {len(statuses)} jobs)"
    elif lagging or len(used) < len(statuses):
        level, headline = "warn", "behind or partly unusable"
    else:
        level, headline = "ok", "in use, refreshed"
    note = "Candles stay complete: what is not materialised yet is aggregated at read time (slower as the gap grows)."
    return system.rollups_panel(level, headline, rows, note if failing or lagging else None)


def _policy_job_text(job, tz) -> tuple[str, str, str]:
    """(text, level, error) for a refresh policy job, in the operator's words."""
    if not job.scheduled or job.job_status == "Paused":
        text, level = f"job {job.job_id} paused", "warn"
    elif job.failing:
        text, level = f"job {job.job_id} FAILED at {fmt.timestamp(job.last_run_started_at, tz, seconds=False)}", "down"
    elif job.last_run_status is None:
        text, level = f"job {job.job_id} has not run yet", "ok"
    else:
        text, level = f"job {job.job_id} ok at {fmt.timestamp(job.last_run_started_at, tz, seconds=False)}", "ok"
    text += (
        f"; {job.total_failures} of {job.total_runs} runs failed"
        f"; last success {fmt.timestamp(job.last_successful_finish, tz, seconds=False) if job.last_successful_finish else 'never'}"
        f"; next {fmt.timestamp(job.next_start, tz, seconds=False)}"
    )
    if job.last_error:
        error = job.last_error
    elif job.failing and not job.errors_visible:
        error = "not visible to this role (job owner only): run coinpilot-dashboard rollups status as the owner"
    else:
        error = ""
    return text, level, error


@panel(
    on_failure=lambda kind, message: [
        {"time": "", "violation_type": kind, "description": message, "related_order_id": ""}
    ]
)
def latest_audit(services: DataServices) -> list[dict]:
    with services.database.connect() as conn:
        return audit_rows(fetch_risk_audit(conn, limit=20), services.display_timezone)


# Each card is its own callback, so a slow dependency delays only its own card.
PANELS = (
    (ids.SYSTEM_DATABASE, "children", database_card),
    (ids.SYSTEM_REDIS, "children", redis_card),
    (ids.SYSTEM_N8N, "children", n8n_card),
    (ids.SYSTEM_ACCESS, "children", access_card),
    (ids.SYSTEM_FRESHNESS, "children", freshness_panel),
    (ids.SYSTEM_AUDIT, "rowData", latest_audit),
    (ids.SYSTEM_ROLLUPS, "children", rollups_panel),
)


def register(app: Dash, services: DataServices) -> None:
    for component, prop, build in PANELS:
        app.callback(Output(component, prop), Input(ids.REFRESH_INTERVAL, "n_intervals"))(_refresher(build, services))


def _refresher(build, services: DataServices):
    def refresh(_n):
        return build(services)

    refresh.__name__ = f"refresh_{build.__name__}"
    return refresh
