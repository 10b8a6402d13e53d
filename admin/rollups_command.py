"""`coinpilot-dashboard rollups create|status|refresh|drop`: the one write to a bot's database, an
explicit command for an owner of that database (the dashboard itself only reads), and the text
report of the rollups' state."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from admin.rollups import RollupAdminError, create_rollups, drop_rollups, refresh_rollups, require_timescaledb
from data.database import Database, DataError
from data.rollups import ROLLUP_SCHEMA, rollup_status

ACTIONS = ("create", "status", "refresh", "drop")


def run(action: str, database: Database) -> int:
    """Do `action` on the database an owner pointed the command at (disposed of afterwards)."""
    try:
        require_timescaledb(database.backend, database.display_url)
        if action in ("create", "refresh"):
            started = time.perf_counter()
            progress = lambda r: print(f"refreshing {r.view} ...", file=sys.stderr)  # noqa: E731
            if action == "create":
                report = create_rollups(database.engine, progress)
                made = ", ".join(report.views_created) or "nothing new (the views were there)"
                print(f"created in {ROLLUP_SCHEMA}: {made}; refresh policies in place", file=sys.stderr)
            else:
                refresh_rollups(database.engine, progress)
            print(f"materialised up to one bucket before now in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if action == "drop":
            dropped = drop_rollups(database.engine)
            views = ", ".join(dropped.views_dropped) or "no rollup views (none existed)"
            schema = (
                f"; schema {ROLLUP_SCHEMA} dropped"
                if dropped.schema_dropped
                else f"; schema {ROLLUP_SCHEMA} kept: {dropped.schema_kept_because}"
                if dropped.schema_kept_because
                else ""
            )
            print(f"dropped {views}{schema}", file=sys.stderr)
            return 0
        with database.connect() as conn:
            statuses = rollup_status(conn, database.backend)
    except (RollupAdminError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"error: {database.display_url}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    for line in rollup_status_lines(statuses, datetime.now(UTC)):
        print(line)
    return 0


def rollup_status_lines(statuses, now: datetime) -> list[str]:
    """`rollups status` as text: one line per rollup, its policy job on the next."""
    if not any(status.exists for status in statuses):
        return ["no rollups: candles are aggregated from the 1-minute rows (`rollups create` makes them)"]
    lines = []
    for status in statuses:
        name = status.rollup.view
        if not status.exists:
            lines.append(f"{name:<11} missing")
            continue
        lag = status.lag(now)
        watermark = (
            f"materialised up to {status.watermark:%Y-%m-%d %H:%M} UTC ({_duration(lag)} behind)"
            if status.watermark is not None
            else "nothing materialised yet"
        )
        notes = []
        if not status.real_time:
            notes.append("real-time aggregation OFF: not used (newest candles would be missing)")
        if not status.readable:
            notes.append("not readable by this role")
        if status.watermark is not None and status.behind(now):
            notes.append("BEHIND")
        lines.append(f"{name:<11} {watermark}" + (f"; {'; '.join(notes)}" if notes else ""))
        lines.append(f"{'':<11} {_job_text(status.job)}")
    return lines


def _job_text(job) -> str:
    if job is None:
        return "no refresh policy (run `rollups create` again to add it)"
    state = "paused" if not job.scheduled else (job.job_status or "scheduled").lower()
    if job.last_run_status is None:
        last = "never ran"
    else:
        last = f"last run {job.last_run_status.upper()} at {_at(job.last_run_started_at)}"
    text = (
        f"policy job {job.job_id}: {state}; {last}; {job.total_failures} of {job.total_runs} runs failed; "
        f"last success {_at(job.last_successful_finish)}; next run {_at(job.next_start)}"
    )
    if job.last_error:
        text += f"; last error: {job.last_error}"
    elif job.failing and not job.errors_visible:
        text += "; error text visible only to the job's owner"
    return text


def _at(value) -> str:
    return "never" if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _duration(delta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
