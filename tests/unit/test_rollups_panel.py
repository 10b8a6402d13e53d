"""The System page's rollup panel says what an operator needs: a failing refresh policy, how far
behind materialisation is, and the error text where this role may see it."""

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from callbacks.system import rollups_panel
from data.database import Backend
from data.rollups import ROLLUPS, PolicyJob, RollupCatalog, RollupStatus
from tests.support.components import by_attribute, text

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
PORTAL = 'cannot drop portal "" while it is being set up'


def failed_job(job_id: int, errors_visible: bool) -> PolicyJob:
    return PolicyJob(
        job_id=job_id,
        scheduled=True,
        job_status="Scheduled",
        last_run_status="Failed",
        last_run_started_at=NOW - timedelta(minutes=3),
        last_successful_finish=None,
        next_start=NOW + timedelta(minutes=2),
        total_runs=4,
        total_failures=4,
        errors_visible=errors_visible,
        last_error=PORTAL if errors_visible else None,
        last_error_at=NOW - timedelta(minutes=3) if errors_visible else None,
    )


def services_with(statuses, backend=Backend.TIMESCALEDB):
    catalog = RollupCatalog()
    return SimpleNamespace(
        now=lambda: NOW,
        display_timezone=ZoneInfo("Asia/Seoul"),
        database=SimpleNamespace(connect=nullcontext, backend=backend),
        rollups=catalog,
        rollup_status=lambda conn: (catalog.update_from(statuses), statuses)[1],
    )


def statuses(errors_visible: bool, lag: timedelta = timedelta(minutes=8)):
    return [
        RollupStatus(
            r, exists=True, real_time=True, readable=True, watermark=NOW - lag, job=failed_job(1000 + i, errors_visible)
        )
        for i, r in enumerate(ROLLUPS)
    ]


def test_a_failing_refresh_policy_is_shown_with_its_error_text_to_the_owner():
    panel = rollups_panel(services_with(statuses(errors_visible=True)))
    assert "refresh policy failing (3 of 3 jobs)" in text(panel)
    row = by_attribute(panel, "data-rollup", "candles_5m")[0]
    assert "job 1000 FAILED" in text(row) and "4 of 4 runs failed" in text(row) and "last success never" in text(row)
    assert PORTAL in text(row)
    assert by_attribute(row, "data-job", "down")


def test_a_role_that_cannot_see_the_error_text_is_told_whose_it_is():
    panel = rollups_panel(services_with(statuses(errors_visible=False)))
    row = by_attribute(panel, "data-rollup", "candles_1h")[0]
    assert "job 1001 FAILED" in text(row)
    assert "not visible to this role" in text(row) and PORTAL not in text(row)


def test_materialisation_far_behind_turns_the_panel_red():
    panel = rollups_panel(services_with(statuses(errors_visible=True, lag=timedelta(days=5))))
    assert by_attribute(panel, "data-rollups", "down")
    assert "(behind)" in text(by_attribute(panel, "data-rollup", "candles_5m")[0])


def test_without_timescaledb_the_panel_says_candles_come_from_the_one_minute_rows():
    panel = rollups_panel(services_with([RollupStatus(r, exists=False) for r in ROLLUPS], Backend.POSTGRESQL))
    assert by_attribute(panel, "data-rollups", "off")
    assert "not available on PostgreSQL" in text(panel)
