"""The one write the project makes to a bot's database: `coinpilot-dashboard rollups
create|refresh|drop`, run once by an owner of the database, adds (or removes) the candle
rollups of data/rollups.py in a schema of their own. No table of the bot's is touched.

The dashboard never imports this module (a test checks): it only reads (data/rollups.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.database import Backend
from data.rollups import ROLLUP_SCHEMA, ROLLUPS, Rollup

# Marks a schema `create` made, so `drop` removes that schema and no other.
SCHEMA_MARK = "created by coinpilot-dashboard rollups create (rollups drop removes it)"

# Identifiers cannot be bound, so each view's definition is spelled out here, once, from the
# fixed list in data/rollups.py. Open/close come from first()/last() by time; a level built
# from another reads its bucket times, so every level equals aggregating the 1-minute rows.
_VIEW_DEFINITIONS: dict[str, sa.TextClause] = {
    "5m": sa.text(
        """
        CREATE MATERIALIZED VIEW coinpilot_rollups.candles_5m
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '5 minutes', "timestamp") AS bucket,
               symbol,
               first(open_price, "timestamp") AS open,
               max(high_price) AS high,
               min(low_price) AS low,
               last(close_price, "timestamp") AS close,
               sum(volume) AS volume
        FROM market_data
        WHERE "interval" = '1m'
        GROUP BY 1, symbol
        WITH NO DATA
        """
    ),
    "1h": sa.text(
        """
        CREATE MATERIALIZED VIEW coinpilot_rollups.candles_1h
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket,
               symbol,
               first(open, bucket) AS open,
               max(high) AS high,
               min(low) AS low,
               last(close, bucket) AS close,
               sum(volume) AS volume
        FROM coinpilot_rollups.candles_5m
        GROUP BY 1, symbol
        WITH NO DATA
        """
    ),
    "1d": sa.text(
        """
        CREATE MATERIALIZED VIEW coinpilot_rollups.candles_1d
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket,
               symbol,
               first(open, bucket) AS open,
               max(high) AS high,
               min(low) AS low,
               last(close, bucket) AS close,
               sum(volume) AS volume
        FROM coinpilot_rollups.candles_1h
        GROUP BY 1, symbol
        WITH NO DATA
        """
    ),
}
_DROP_VIEW: dict[str, sa.TextClause] = {
    "5m": sa.text("DROP MATERIALIZED VIEW IF EXISTS coinpilot_rollups.candles_5m"),
    "1h": sa.text("DROP MATERIALIZED VIEW IF EXISTS coinpilot_rollups.candles_1h"),
    "1d": sa.text("DROP MATERIALIZED VIEW IF EXISTS coinpilot_rollups.candles_1d"),
}
# The views are named by a bound (schema, view) pair from ROLLUPS, quoted by format('%I.%I').
_VIEW_EXISTS = sa.text("SELECT to_regclass(format('%I.%I', CAST(:schema AS text), CAST(:view AS text))) IS NOT NULL")
_ADD_POLICY = sa.text(
    """
    SELECT add_continuous_aggregate_policy(
        CAST(format('%I.%I', CAST(:schema AS text), CAST(:view AS text)) AS regclass),
        start_offset => CAST(:start_offset AS interval),
        end_offset => CAST(:end_offset AS interval),
        schedule_interval => CAST(:schedule_interval AS interval),
        if_not_exists => true)
    """
)
# Up to one bucket before now, as the policy does: a still-open bucket stays real-time.
# buckets_per_batch 0: one pass over the window. TimescaleDB 2.2x otherwise splits a manual
# refresh into batches of a few buckets, each re-planning and re-scanning the source: 16.6 s
# against 1.9 s for 18 days x 7 symbols of 1-minute rows here.
_REFRESH = sa.text(
    """
    CALL refresh_continuous_aggregate(
        CAST(format('%I.%I', CAST(:schema AS text), CAST(:view AS text)) AS regclass),
        NULL,
        now() - CAST(:end_offset AS interval),
        options => CAST('{"buckets_per_batch": 0}' AS jsonb))
    """
)
# TimescaleDB before the batching (and its options argument): the plain call.
_REFRESH_WITHOUT_OPTIONS = sa.text(
    """
    CALL refresh_continuous_aggregate(
        CAST(format('%I.%I', CAST(:schema AS text), CAST(:view AS text)) AS regclass),
        NULL,
        now() - CAST(:end_offset AS interval))
    """
)
_UNDEFINED_FUNCTION = "42883"
_CONCURRENT_REFRESH_ATTEMPTS = 120
_CONCURRENT_REFRESH_WAIT_S = 1.0
_SCHEMA_COMMENT = sa.text(
    "SELECT n.oid IS NOT NULL AS present, obj_description(n.oid, 'pg_namespace') AS comment "
    "FROM (SELECT CAST(:schema AS name) AS name) wanted LEFT JOIN pg_namespace n ON n.nspname = wanted.name"
)
_SCHEMA_OBJECTS = sa.text(
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema"
)


class RollupAdminError(Exception):
    """A refusal or failure, as one line for the operator."""


class NotTimescaleDB(RollupAdminError):
    pass


class NotPermitted(RollupAdminError):
    pass


def require_timescaledb(backend: Backend, where: str) -> None:
    if backend is not Backend.TIMESCALEDB:
        what = "a SQLite database" if backend is Backend.SQLITE else "plain PostgreSQL (no timescaledb extension)"
        raise NotTimescaleDB(
            f"rollups need TimescaleDB (continuous aggregates); {where} is {what}. "
            "Nothing to do: the dashboard aggregates candles from the 1-minute rows there."
        )


@dataclass(frozen=True)
class CreateReport:
    schema_created: bool
    views_created: tuple[str, ...]


def _policy_parameters(rollup: Rollup) -> dict:
    return {
        "schema": ROLLUP_SCHEMA,
        "view": rollup.view,
        "start_offset": _interval(rollup.start_offset),
        "end_offset": _interval(rollup.end_offset),
        "schedule_interval": _interval(rollup.schedule_interval),
    }


def _interval(delta) -> str:
    return f"{int(delta.total_seconds())} seconds"


def create_rollups(engine: Engine, progress=None) -> CreateReport:
    """The schema and the views, then every level materialised, then the refresh policies.

    The policies come last: a policy's first run starts as soon as it is added and refreshes its
    whole window at the same time as the materialisation here, which then fails with "concurrent
    refresh" once that run outlasts the wait (3 years x 5 symbols: the 1 d level's did)."""
    with _permission_errors("create"), engine.begin() as conn:
        present, _comment = conn.execute(_SCHEMA_COMMENT, {"schema": ROLLUP_SCHEMA}).one()
        if not present:
            conn.execute(sa.text("CREATE SCHEMA coinpilot_rollups"))
            conn.execute(sa.text("COMMENT ON SCHEMA coinpilot_rollups IS :mark").bindparams(mark=SCHEMA_MARK))
        created = []
        for rollup in ROLLUPS:
            if not _view_exists(conn, rollup):
                conn.execute(_VIEW_DEFINITIONS[rollup.width])
                created.append(rollup.view)
    refresh_rollups(engine, progress)
    with _permission_errors("create"), engine.begin() as conn:
        for rollup in ROLLUPS:
            conn.execute(_ADD_POLICY, _policy_parameters(rollup))
    return CreateReport(schema_created=not present, views_created=tuple(created))


def _refresh(conn: Connection, rollup: Rollup) -> None:
    """One level, materialised up to one bucket before now. The view's refresh policy may be
    running on it (a scheduled run, or `refresh` right after `create`): wait for it."""
    statement = _REFRESH
    for attempt in range(_CONCURRENT_REFRESH_ATTEMPTS):
        try:
            conn.execute(statement, _policy_parameters(rollup))
            return
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "pgcode", None) == _UNDEFINED_FUNCTION and statement is _REFRESH:
                statement = _REFRESH_WITHOUT_OPTIONS
            elif "concurrent refresh" not in str(exc.orig) or attempt == _CONCURRENT_REFRESH_ATTEMPTS - 1:
                raise
            else:
                time.sleep(_CONCURRENT_REFRESH_WAIT_S)


def refresh_rollups(engine: Engine, progress=None) -> list[str]:
    """Materialise every level now, sources first (refresh cannot run inside a transaction)."""
    refreshed = []
    with _permission_errors("refresh"), engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for rollup in ROLLUPS:
            if not _view_exists(conn, rollup):
                raise RollupAdminError(
                    f"{ROLLUP_SCHEMA}.{rollup.view} does not exist: run `coinpilot-dashboard rollups create` first"
                )
            if progress is not None:
                progress(rollup)
            _refresh(conn, rollup)
            refreshed.append(rollup.view)
    return refreshed


@dataclass(frozen=True)
class DropReport:
    views_dropped: tuple[str, ...]
    schema_dropped: bool
    schema_kept_because: str | None


def drop_rollups(engine: Engine) -> DropReport:
    """The views create made (their policies go with them) and its schema if it made it and
    nothing else lives there."""
    dropped = []
    with _permission_errors("drop"), engine.begin() as conn:
        for rollup in reversed(ROLLUPS):  # a level cannot go while one built on it exists
            if _view_exists(conn, rollup):
                conn.execute(_DROP_VIEW[rollup.width])
                dropped.append(rollup.view)
        present, comment = conn.execute(_SCHEMA_COMMENT, {"schema": ROLLUP_SCHEMA}).one()
        kept = None
        if not present:
            return DropReport(tuple(dropped), False, None)
        if comment != SCHEMA_MARK:
            kept = "it was not made by `rollups create` (deploy/readonly-role.sql may have made it)"
        elif conn.execute(_SCHEMA_OBJECTS, {"schema": ROLLUP_SCHEMA}).scalar():
            kept = "other objects live there"
        else:
            conn.execute(sa.text("DROP SCHEMA coinpilot_rollups RESTRICT"))
    return DropReport(tuple(dropped), kept is None, kept)


def _view_exists(conn: Connection, rollup: Rollup) -> bool:
    return bool(conn.execute(_VIEW_EXISTS, {"schema": ROLLUP_SCHEMA, "view": rollup.view}).scalar())


class _permission_errors:
    """Turn "permission denied" / "must be owner" / a read-only session into one line."""

    def __init__(self, action: str):
        self.action = action

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or not isinstance(exc, sa.exc.DBAPIError):
            return False
        code = getattr(exc.orig, "pgcode", None)
        message = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if code in ("42501", "25006"):
            raise NotPermitted(
                f"rollups {self.action} needs an owner of the database and of market_data "
                f"(this role may not: {message})"
            ) from None
        raise RollupAdminError(f"rollups {self.action} failed: {message}") from None
