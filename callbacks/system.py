"""System callbacks: one per dependency, so a slow n8n, a dead Redis or an unwritable store delays only its own card."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.failures import panel
from callbacks.pages import PageServices
from data.freshness import candle_age_s
from data.health import N8nState, check_n8n
from data.risk_records import fetch_risk_audit
from data.status_payload import StatusState
from data.status_reader import RedisUnavailable
from i18n import t
from layouts import format as fmt
from layouts import ids, market, system
from layouts.components import problem
from layouts.risk import audit_rows
from store import DashboardStore, StoreState, store_of


def database_card(services: PageServices):
    database = services.database

    # The fallback names the database's URL, so it is declared here, where the database is known.
    @panel(
        on_failure=lambda kind, message: system.health_card(
            "database", "down", _down_headline(kind), [("url", database.display_url), ("problem", message)]
        )
    )
    def card():
        return _reachable_database_card(database, database.info())

    return card()


def _down_headline(kind: str) -> str:
    """The database card's headline for a DataError kind."""
    if kind == "unreachable":
        return t("system.unreachable")
    known = ("timeout", "schema_missing", "not_configured", "write_refused", "query_failed")
    return t(f"system.down.{kind}") if kind in known else t("system.down.other")


def _reachable_database_card(database, info):
    if info.backend.value == "sqlite":
        extension = t("system.sqlite_extension")
    else:
        extension = info.timescaledb_version or t("system.not_installed")
    facts = [
        (
            "backend",
            t("system.forced_backend", backend=info.backend.label)
            if database.backend_setting != "auto"
            else info.backend.label,
        ),
        ("server", info.server_version),
        ("timescaledb", extension),
        ("round_trip", t("system.ms", value=f"{info.latency_ms:.1f}")),
        ("statement_timeout", t("system.seconds", value=f"{database.statement_timeout_ms / 1000:g}")),
        ("url", database.display_url),
    ]
    headline = t("system.reachable")
    if info.backend.value == "postgresql" and not info.timescaledb_version:
        headline = t("system.reachable_plain")
    return system.health_card("database", "ok", headline, facts)


def redis_card(services: PageServices):
    reader = services.bot_status
    try:
        version, latency_ms = reader.server_info()
    except RedisUnavailable as exc:
        return system.health_card(
            "redis", "down", t("system.unreachable"), [("where", reader.description), ("problem", str(exc))]
        )
    return system.health_card(
        "redis",
        "ok",
        t("system.reachable"),
        [("version", version), ("ping", t("system.ms", value=f"{latency_ms:.1f}")), ("where", reader.description)],
    )


def n8n_card(services: PageServices):
    health = check_n8n(services.n8n_url, services.n8n_timeout_s)
    level = {
        N8nState.OK: "ok",
        N8nState.NOT_CONFIGURED: "off",
        N8nState.UNHEALTHY: "down",
        N8nState.UNREACHABLE: "down",
    }[health.state]
    headline = t(
        {
            N8nState.OK: "system.n8n.healthy",
            N8nState.NOT_CONFIGURED: "system.n8n.not_configured",
            N8nState.UNHEALTHY: "system.n8n.unhealthy",
            N8nState.UNREACHABLE: "system.n8n.unreachable",
        }[health.state]
    )
    facts = [("endpoint", health.url or t("system.n8n.set_url")), ("result", _n8n_result(health))]
    if health.latency_ms is not None:
        facts.append(("latency", t("system.ms", value=f"{health.latency_ms:.0f}")))
    facts.append(("timeout", t("system.seconds", value=f"{services.n8n_timeout_s:g}")))
    return system.health_card("n8n", level, headline, facts)


def _n8n_result(health) -> str:
    """What the health check found, in words; an unreachable n8n keeps the network's own reason."""
    if health.state is N8nState.OK:
        return t("system.n8n.result_ok")
    if health.state is N8nState.NOT_CONFIGURED:
        return t("system.n8n.result_not_configured")
    if health.state is N8nState.UNHEALTHY and health.status_code is not None:
        return t("system.n8n.result_http", status=health.status_code)
    return health.message


def access_card(services: PageServices):
    return system.access_card(services.access)


# A store that cannot be written is "down" (nothing is recorded until it is fixed), an empty one
# or one locked for a moment only "warn"; the pages work either way.
_STORE_LEVELS = {
    StoreState.OK: "ok",
    StoreState.EMPTY: "warn",
    StoreState.BUSY: "warn",
}


def store_card(store: DashboardStore):
    """The dashboard's own store: writable or why not (store.status() never raises)."""
    status = store.status()
    if status.found_version is None:
        schema = t("system.store.schema_none", supported=status.supported_version)
    else:
        schema = t("system.store.schema", found=status.found_version, supported=status.supported_version)
    facts = [("backend", status.server_version or status.backend), ("schema", schema), ("where", status.where)]
    if status.latency_ms is not None:
        facts.append(("round_trip", t("system.ms", value=f"{status.latency_ms:.1f}")))
    if status.problem is not None:
        facts.append(("problem", str(status.problem)))
    if not status.state.writable:
        facts.append(("effect", t("system.store.pages_unaffected")))
    level = _STORE_LEVELS.get(status.state, "down")
    return system.health_card("store", level, t(f"system.store.{status.state.value}"), facts)


@panel(on_failure=problem)
def freshness_panel(services: PageServices):
    now = services.now()
    tz = services.display_timezone
    with services.database.connect() as conn:
        symbols = services.symbols(conn)
        latest = services.latest_candles(conn, symbols)
        future = services.future_candles(conn, symbols)
        snapshot = services.bot_status.read(symbols)
        silences = services.silences(conn, snapshot.readings) if not snapshot.redis_error else {}
    rows = []
    for symbol in symbols:
        candle = latest.get(symbol)
        ahead = future.get(symbol)
        # The one age rule (data.freshness): from the candle's close, as the strip and the alerts count.
        candle_age = candle_age_s(candle, now) if candle else None
        reading = snapshot.readings.get(symbol)
        explanation = None
        if reading is None or reading.state is StatusState.REDIS_UNAVAILABLE:
            state_text, note = t("system.status_redis"), snapshot.redis_error
        elif reading.state is StatusState.MISSING:
            state_text, note = t("system.status_missing"), reading.message
            explanation = market.silence_text(silences.get(symbol))
        elif reading.state is StatusState.INVALID:
            state_text, note = t("system.status_invalid"), reading.problem_summary
        else:
            state_text, note = reading.status.action, reading.status.reason
        rows.append(
            {
                "symbol": symbol,
                "last_candle": fmt.timestamp(candle.timestamp, tz) if candle else t("system.none"),
                "candle_age": fmt.age(candle_age),
                "candle_stale": candle_age is None or candle_age > services.candle_stale_s,
                "status_state": state_text,
                "status_age": fmt.age(reading.age_s) if reading is not None and reading.age_s is not None else "–",
                "status_stale": bool(reading and reading.stale),
                "note": note,
                "explanation": explanation,
                "future_candle": fmt.timestamp(ahead, tz) if ahead else None,
                "future_by": fmt.ahead((ahead - now).total_seconds()) if ahead else None,
            }
        )
    return system.freshness_table(rows)


@panel(on_failure=problem)
def rollups_panel(services: PageServices):
    """Whether candle rollups exist, how far behind their materialisation is and the state of
    their refresh policy jobs (a failed job's error text only where this role may see it)."""
    now, tz = services.now(), services.display_timezone
    with services.database.connect() as conn:
        statuses = services.rollup_status(conn)
    backend = services.database.backend
    if backend.value != "timescaledb":
        return system.rollups_panel("off", t("system.rollups_unavailable", backend=backend.label), [])
    if not any(status.exists for status in statuses):
        return system.rollups_panel(
            "off",
            t("system.rollups_not_created"),
            [],
            t("system.rollups_create_hint"),
        )
    rows, used = [], services.rollups.known()
    for status in statuses:
        job, lag = status.job, status.lag(now)
        behind = status.exists and status.behind(now)
        if not status.exists:
            job_text, job_level, error = t("system.rollup_missing"), "down", ""
        elif job is None:
            job_text, job_level, error = t("system.no_policy"), "warn", ""
        else:
            job_text, job_level, error = _policy_job_text(job, tz)
        rows.append(
            {
                "rollup": status.rollup.view,
                "materialised": fmt.timestamp(status.watermark, tz, seconds=False)
                if status.watermark
                else t("system.nothing_yet"),
                "behind": _behind(lag, behind),
                "behind_level": "warn" if behind else "ok",
                "job": job_text if status.rollup.width in used else t("system.not_used", job=job_text),
                "job_level": job_level,
                "error": error,
            }
        )
    failing = [s for s in statuses if s.job is not None and s.job.failing]
    lagging = [s for s in statuses if s.exists and s.behind(now)]
    if failing:
        level = "down" if lagging else "warn"
        headline = t("system.rollups_failing", failing=len(failing), total=len(statuses))
    elif lagging or len(used) < len(statuses):
        level, headline = "warn", t("system.rollups_behind")
    else:
        level, headline = "ok", t("system.rollups_ok")
    note = t("system.rollups_note")
    return system.rollups_panel(level, headline, rows, note if failing or lagging else None)


def _behind(lag, behind: bool) -> str:
    """How far behind now the materialisation is (a span, no 'ago'), marked when too far."""
    shown = fmt.span(max(0, int(lag.total_seconds())), coarse=True) if lag is not None else fmt.MISSING
    return t("system.behind_mark", lag=shown) if behind else shown


def _policy_job_text(job, tz) -> tuple[str, str, str]:
    """(text, level, error) for a refresh policy job, in the operator's words."""
    started = fmt.timestamp(job.last_run_started_at, tz, seconds=False)
    if not job.scheduled or job.job_status == "Paused":
        text, level = t("system.job_paused", job=job.job_id), "warn"
    elif job.failing:
        text, level = t("system.job_failed", job=job.job_id, time=started), "down"
    elif job.last_run_status is None:
        text, level = t("system.job_not_run", job=job.job_id), "ok"
    else:
        text, level = t("system.job_ok", job=job.job_id, time=started), "ok"
    text = t(
        "system.job_history",
        text=text,
        failures=job.total_failures,
        runs=job.total_runs,
        success=fmt.timestamp(job.last_successful_finish, tz, seconds=False)
        if job.last_successful_finish
        else t("system.never"),
        next=fmt.timestamp(job.next_start, tz, seconds=False),
    )
    if job.last_error:
        error = job.last_error
    elif job.failing and not job.errors_visible:
        error = t("system.error_hidden")
    else:
        error = ""
    return text, level, error


@panel(on_failure=problem)
def strategy_card(services: PageServices):
    """The bot's strategy file behind the Risk page's limits: read, unreadable, or not configured."""
    limits = services.risk_limits
    strategy = limits.strategy
    summary = t(
        "system.strategy_summary",
        loss=f"{limits.max_daily_loss.value * 100:.4g}",
        trades=limits.max_daily_trades.value,
        order=f"{limits.max_position_size.value * 100:.4g}",
        exposure=f"{limits.max_total_exposure.value * 100:.4g}",
        positions=limits.max_concurrent_positions.value,
    )
    if strategy is None:
        return system.health_card("strategy", "off", t("system.strategy_none"), [("limits", summary)])
    facts = [("path", strategy.path), ("limits", summary)]
    if strategy.modified_at is not None:
        facts.insert(1, ("modified", fmt.timestamp(strategy.modified_at, services.display_timezone)))
    problems = limits.problems
    if problems:
        facts.append(("problem", " · ".join(str(p) for p in problems)))
        return system.health_card("strategy", "warn", t("system.strategy_problem"), facts)
    return system.health_card("strategy", "ok", t("system.strategy_read"), facts)


@panel(
    on_failure=lambda kind, message: [
        {"time": "", "violation_type": kind, "description": message, "related_order_id": ""}
    ]
)
def latest_audit(services: PageServices) -> list[dict]:
    with services.database.connect() as conn:
        return audit_rows(fetch_risk_audit(conn, limit=20), services.display_timezone)


# Each card is its own callback, so a slow dependency delays only its own card.
PANELS = (
    (ids.SYSTEM_DATABASE, "children", database_card),
    (ids.SYSTEM_REDIS, "children", redis_card),
    (ids.SYSTEM_N8N, "children", n8n_card),
    (ids.SYSTEM_ACCESS, "children", access_card),
    (ids.SYSTEM_STRATEGY, "children", strategy_card),
    (ids.SYSTEM_FRESHNESS, "children", freshness_panel),
    (ids.SYSTEM_AUDIT, "rowData", latest_audit),
    (ids.SYSTEM_ROLLUPS, "children", rollups_panel),
)


def register(app: Dash, services: PageServices) -> None:
    for component, prop, build in PANELS:
        app.callback(Output(component, prop), Input(ids.REFRESH_INTERVAL, "n_intervals"))(_refresher(build, services))
    store = store_of(app.server)

    @app.callback(Output(ids.SYSTEM_STORE, "children"), Input(ids.REFRESH_INTERVAL, "n_intervals"))
    def refresh_store_card(_n):
        return store_card(store)


def _refresher(build, services: PageServices):
    def refresh(_n):
        return build(services)

    refresh.__name__ = f"refresh_{build.__name__}"
    return refresh
