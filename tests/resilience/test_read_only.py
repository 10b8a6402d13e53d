"""The dashboard cannot write: its session refuses writes, and with the documented read-only
role (deploy/readonly-role.sql) the database itself refuses them too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from callbacks import overview as overview_callbacks
from dashboard.app import build_services
from data.database import Backend, WriteRefused
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import by_attribute
from tests.support.helpers import make_settings
from tests.support.processes import REPO
from tests.support.services import unique_name

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

WRITES = [
    "DELETE FROM positions",
    "UPDATE account_state SET balance = 0",
    "INSERT INTO risk_audit (violation_type, timestamp) VALUES ('x', CURRENT_TIMESTAMP)",
    "DROP TABLE market_data",
    "CREATE TABLE intruder (id int)",
]


@pytest.mark.parametrize("statement", WRITES)
def test_the_dashboards_own_session_refuses_every_write(seeded_services, statement):
    with pytest.raises(WriteRefused), seeded_services.database.connect() as conn:
        conn.execute(sa.text(statement))


def sql_statements(script: str) -> list[str]:
    without_comments = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in without_comments.split(";") if statement.strip()]


@pytest.fixture
def read_only_url(postgres):
    """A database seeded by its owner, and the URL of the role the docs tell operators to create."""
    url = postgres.create("cp_roles")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    write_history(writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC"], 0.5, datetime.now(UTC)))
    role, password = unique_name("cp_ro"), unique_name("pw")
    postgres.roles.append(role)
    script = (REPO / "deploy" / "readonly-role.sql").read_text()
    script = script.replace("coinpilot_dashboard", role)
    script = script.replace("DATABASE coinpilot", f'DATABASE "{make_url(url).database}"')
    script = script.replace(":dashboard_password", f"'{password}'")  # what psql -v does
    with writer.engine.begin() as conn:
        for statement in sql_statements(script):
            conn.execute(sa.text(statement))
    writer.dispose()
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


def test_with_the_documented_role_the_dashboard_reads(read_only_url, redis_db):
    services = build_services(make_settings(read_only_url, redis_db))
    kpis, *_ = overview_callbacks.overview_panels(services)
    assert by_attribute(kpis, "data-kpi", "total-assets")
    services.database.dispose()


def test_the_documented_role_cannot_write_even_with_read_only_mode_switched_off(read_only_url):
    engine = sa.create_engine(read_only_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("SET default_transaction_read_only = off"))
        for statement in WRITES:
            with pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"):
                conn.execute(sa.text(statement))
    engine.dispose()


def test_the_documented_role_reads_the_v3_tables_and_tables_the_bot_creates_later(read_only_url):
    owner = sa.create_engine(make_url(read_only_url).set(username="postgres", password=None))
    with owner.begin() as conn:  # a later bot migration, run by the owner
        conn.execute(sa.text("CREATE TABLE bot_feature_next (id int)"))
    owner.dispose()
    engine = sa.create_engine(read_only_url)
    with engine.connect() as conn:
        for table in ("regime_history", "llm_usage_events", "llm_credit_snapshots", "llm_provider_cost_snapshots"):
            # Readable: without the grant the SELECT raises "permission denied".
            assert conn.execute(sa.text("SELECT count(*) FROM " + table)).scalar() >= 0
        assert conn.execute(sa.text("SELECT count(*) FROM bot_feature_next")).scalar() == 0
    engine.dispose()
