"""Pre-aggregated candles (TimescaleDB continuous aggregates): which exist, whether this role
may read them, and how far behind their refresh is.

`coinpilot-dashboard rollups create` (admin/rollups.py) builds, in a schema of its own, a
hierarchy over the collector's 1-minute rows:

    market_data (1m) -> coinpilot_rollups.candles_5m -> candles_1h -> candles_1d

Each level is a continuous aggregate of the level below, with real-time aggregation
(`timescaledb.materialized_only = false`: buckets its refresh has not reached, the still-open
newest one included, are computed from its source at read time) and a refresh policy. Candle
reads (data.market) use a rollup only while it exists, is real-time all the way down and this
role may SELECT it; otherwise they aggregate the 1-minute rows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.database import Backend

log = logging.getLogger("coinpilot.dashboard")

ROLLUP_SCHEMA = "coinpilot_rollups"


@dataclass(frozen=True)
class Rollup:
    width: str  # the candle width it holds (a key of data.market.CANDLE_WIDTHS)
    step: timedelta
    view: str  # its name in ROLLUP_SCHEMA
    source: str | None  # the width of the rollup it is built from; None: market_data
    # Its refresh policy: the window [now - start_offset, now - end_offset) is refreshed every
    # schedule_interval. end_offset is one bucket, so a still-open bucket is never
    # materialised (a materialised bucket is not re-read until the next refresh; an open one
    # must stay real-time).
    start_offset: timedelta
    end_offset: timedelta
    schedule_interval: timedelta

    @property
    def expected_lag(self) -> timedelta:
        """How far behind `now` the materialisation is when the policy keeps up."""
        return self.end_offset + self.step + self.schedule_interval


ROLLUPS: tuple[Rollup, ...] = (
    Rollup(
        "5m", timedelta(minutes=5), "candles_5m", None, timedelta(days=1), timedelta(minutes=5), timedelta(minutes=5)
    ),
    Rollup("1h", timedelta(hours=1), "candles_1h", "5m", timedelta(days=3), timedelta(hours=1), timedelta(minutes=30)),
    Rollup("1d", timedelta(days=1), "candles_1d", "1h", timedelta(days=7), timedelta(days=1), timedelta(hours=1)),
)
ROLLUP_BY_WIDTH: dict[str, Rollup] = {rollup.width: rollup for rollup in ROLLUPS}
_VIEW_TO_WIDTH = {rollup.view: rollup.width for rollup in ROLLUPS}


def rollup_table(rollup: Rollup) -> sa.TableClause:
    """The rollup as a selectable; SQLAlchemy quotes the schema and view names (from ROLLUPS)."""
    return sa.table(
        rollup.view,
        sa.column("bucket", sa.DateTime(timezone=True)),
        sa.column("symbol"),
        sa.column("open"),
        sa.column("high"),
        sa.column("low"),
        sa.column("close"),
        sa.column("volume"),
        schema=ROLLUP_SCHEMA,
    )


_CAGG_SQL = sa.text(
    """
    SELECT ca.view_name,
           ca.materialized_only,
           has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') AS readable
    FROM timescaledb_information.continuous_aggregates ca
    JOIN pg_namespace n ON n.nspname = ca.view_schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = ca.view_name
    WHERE ca.view_schema = :schema
    """
)


def usable_widths(found: dict[str, tuple[bool, bool]]) -> frozenset[str]:
    """Widths whose rollup exists, is real-time and readable, and whose sources all are too.

    found: view name -> (real_time, readable). A materialised-only level anywhere below would
    leave the newest buckets out of every level above it.
    """
    usable: set[str] = set()
    for rollup in ROLLUPS:  # sources come first
        real_time, readable = found.get(rollup.view, (False, False))
        if real_time and readable and (rollup.source is None or rollup.source in usable):
            usable.add(rollup.width)
    return frozenset(usable)


def detect_rollups(conn: Connection, backend: Backend) -> frozenset[str]:
    """The widths of the rollups candle reads may use (none outside TimescaleDB)."""
    if backend is not Backend.TIMESCALEDB:
        return frozenset()
    rows = conn.execute(_CAGG_SQL, {"schema": ROLLUP_SCHEMA}).all()
    return usable_widths({row.view_name: (not row.materialized_only, bool(row.readable)) for row in rows})


class RollupCatalog:
    """The rollups this process reads candles from: detected on the first candle read, again
    whenever the rollups' status is read (the System page, `rollups status`) and after a read
    of a rollup failed because it vanished or became unreadable."""

    def __init__(self) -> None:
        self._widths: frozenset[str] | None = None
        self._lock = threading.Lock()

    def widths(self, conn: Connection, backend: Backend) -> frozenset[str]:
        if self._widths is None:
            self.detect(conn, backend)
        return self._widths or frozenset()

    def known(self) -> frozenset[str]:
        """The widths found by the last detection, without touching the database."""
        return self._widths or frozenset()

    def detect(self, conn: Connection, backend: Backend) -> frozenset[str]:
        try:
            with conn.begin_nested():  # a failed look-up must not abort the caller's transaction
                widths = detect_rollups(conn, backend)
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            log.warning("cannot look up candle rollups (%s); aggregating raw rows", exc.orig)
            widths = frozenset()
        self._set(widths)
        return widths

    def update_from(self, statuses: list[RollupStatus]) -> None:
        self._set(usable_widths({s.rollup.view: (bool(s.real_time), s.readable) for s in statuses if s.exists}))

    def _set(self, widths: frozenset[str]) -> None:
        with self._lock:
            if widths != self._widths:
                log.info("candle rollups in use: %s", ", ".join(sorted(widths, key=_order)) or "none (raw aggregation)")
            self._widths = widths

    def source_for(self, conn: Connection, backend: Backend, step: timedelta) -> Rollup | None:
        """The coarsest usable rollup whose width divides `step` (None: aggregate raw rows)."""
        widths = self.widths(conn, backend)
        for rollup in reversed(ROLLUPS):
            if rollup.width in widths and step >= rollup.step and step % rollup.step == timedelta(0):
                return rollup
        return None


def _order(width: str) -> int:
    return [r.width for r in ROLLUPS].index(width) if width in ROLLUP_BY_WIDTH else len(ROLLUPS)


# -- status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyJob:
    job_id: int
    scheduled: bool
    job_status: str | None  # Scheduled, Running, Paused
    last_run_status: str | None  # Success, Failed (None: never ran)
    last_run_started_at: datetime | None
    last_successful_finish: datetime | None
    next_start: datetime | None
    total_runs: int
    total_failures: int
    errors_visible: bool  # job_errors shows rows only to the job's and the database's owners
    last_error: str | None
    last_error_at: datetime | None

    @property
    def failing(self) -> bool:
        return self.last_run_status == "Failed"


@dataclass(frozen=True)
class RollupStatus:
    rollup: Rollup
    exists: bool
    real_time: bool | None = None
    readable: bool = False
    watermark: datetime | None = None  # buckets before it are materialised
    job: PolicyJob | None = None

    def lag(self, now: datetime) -> timedelta | None:
        return None if self.watermark is None else now - self.watermark

    def behind(self, now: datetime) -> bool:
        """Materialisation more than twice as far behind as its policy would keep it."""
        lag = self.lag(now)
        return lag is None or lag > 2 * self.rollup.expected_lag


_STATUS_SQL = sa.text(
    """
    SELECT ca.view_name,
           ca.materialized_only,
           has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') AS readable,
           wm.watermark,
           j.job_id,
           j.scheduled,
           s.job_status,
           s.last_run_status,
           CASE WHEN isfinite(s.last_run_started_at) THEN s.last_run_started_at END AS last_run_started_at,
           CASE WHEN isfinite(s.last_successful_finish) THEN s.last_successful_finish END AS last_successful_finish,
           CASE WHEN isfinite(coalesce(s.next_start, j.next_start)) THEN coalesce(s.next_start, j.next_start) END
               AS next_start,
           coalesce(s.total_runs, 0) AS total_runs,
           coalesce(s.total_failures, 0) AS total_failures,
           coalesce(pg_has_role(current_user, j.owner, 'MEMBER'), false)
               OR pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()),
                              'MEMBER') AS errors_visible
    FROM timescaledb_information.continuous_aggregates ca
    JOIN pg_namespace n ON n.nspname = ca.view_schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = ca.view_name
    JOIN _timescaledb_catalog.hypertable h
      ON h.schema_name = ca.materialization_hypertable_schema AND h.table_name = ca.materialization_hypertable_name
    CROSS JOIN LATERAL (
        SELECT _timescaledb_functions.to_timestamp(_timescaledb_functions.cagg_watermark(h.id)) AS raw_watermark
    ) raw
    CROSS JOIN LATERAL (
        -- Nothing materialised yet reads as the minimum time: report it as "none".
        SELECT CASE WHEN isfinite(raw.raw_watermark) AND raw.raw_watermark > TIMESTAMPTZ '1970-01-01 00:00:00+00'
                    THEN raw.raw_watermark END AS watermark
    ) wm
    LEFT JOIN timescaledb_information.jobs j
      ON j.proc_name = 'policy_refresh_continuous_aggregate'
     AND j.hypertable_schema = ca.view_schema AND j.hypertable_name = ca.view_name
    LEFT JOIN timescaledb_information.job_stats s ON s.job_id = j.job_id
    WHERE ca.view_schema = :schema
    """
)

_LAST_ERRORS_SQL = sa.text(
    """
    SELECT DISTINCT ON (job_id) job_id, finish_time, err_message
    FROM timescaledb_information.job_errors
    WHERE job_id = ANY(:job_ids)
    ORDER BY job_id, finish_time DESC NULLS LAST
    """
)


def rollup_status(conn: Connection, backend: Backend) -> list[RollupStatus]:
    """One RollupStatus per rollup of ROLLUPS (exists=False for those not created)."""
    if backend is not Backend.TIMESCALEDB:
        return [RollupStatus(rollup, exists=False) for rollup in ROLLUPS]
    rows = {row.view_name: row for row in conn.execute(_STATUS_SQL, {"schema": ROLLUP_SCHEMA})}
    job_ids = [int(row.job_id) for row in rows.values() if row.job_id is not None]
    errors = {}
    if job_ids:
        errors = {row.job_id: row for row in conn.execute(_LAST_ERRORS_SQL, {"job_ids": job_ids})}
    statuses = []
    for rollup in ROLLUPS:
        row = rows.get(rollup.view)
        if row is None:
            statuses.append(RollupStatus(rollup, exists=False))
            continue
        job = None
        if row.job_id is not None:
            error = errors.get(row.job_id)
            job = PolicyJob(
                job_id=int(row.job_id),
                scheduled=bool(row.scheduled),
                job_status=row.job_status,
                last_run_status=row.last_run_status,
                last_run_started_at=row.last_run_started_at,
                last_successful_finish=row.last_successful_finish,
                next_start=row.next_start,
                total_runs=int(row.total_runs),
                total_failures=int(row.total_failures),
                errors_visible=bool(row.errors_visible),
                last_error=error.err_message if error is not None else None,
                last_error_at=error.finish_time if error is not None else None,
            )
        statuses.append(
            RollupStatus(
                rollup,
                exists=True,
                real_time=not row.materialized_only,
                readable=bool(row.readable),
                watermark=row.watermark,
                job=job,
            )
        )
    return statuses
