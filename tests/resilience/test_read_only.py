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
from tests.support.pg import create_database, create_login_role, create_owned_database
from tests.support.readonly_role import run_readonly_role_script
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


def seeded_bot_database(postgres, name: str | None = None) -> str:
    """A bot's database seeded by its owner (named `name`, else a fresh cp_roles_... name)."""
    if name is None:
        url = postgres.create("cp_roles")
    else:
        create_database(postgres.engine, name)
        postgres.created.append(name)
        url = make_url(postgres.admin_url).set(database=name).render_as_string(hide_password=False)
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    write_history(writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC"], 0.5, datetime.now(UTC)))
    writer.dispose()
    return url


@pytest.fixture
def read_only_url(postgres):
    """A database seeded by its owner, and the URL of the role the docs tell operators to create."""
    return run_readonly_role_script(seeded_bot_database(postgres), postgres.roles)


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


def test_the_role_script_works_on_a_database_of_any_name(postgres, redis_db):
    # Mixed case, a hyphen and a space: psql's DBNAME, quoted as an identifier, names it exactly.
    name = f"Coin-Pilot Prod {unique_name('db')}"
    read_only_url = run_readonly_role_script(seeded_bot_database(postgres, name), postgres.roles)
    services = build_services(make_settings(read_only_url, redis_db))
    kpis, *_ = overview_callbacks.overview_panels(services)
    assert by_attribute(kpis, "data-kpi", "total-assets")
    services.database.dispose()


def test_the_documented_role_cannot_create_temporary_tables(read_only_url):
    engine = sa.create_engine(read_only_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("SET default_transaction_read_only = off"))
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied to create temporary tables"):
            conn.execute(sa.text("CREATE TEMPORARY TABLE intruder (id int)"))
    engine.dispose()


def test_the_databases_owner_keeps_its_temporary_tables(postgres):
    """Revoking TEMPORARY from PUBLIC leaves the owner's own privilege: a bot that owns its
    database and its tables (not a superuser) runs the script and still makes temporary tables."""
    owner_role, owner_password = unique_name("cp_owner"), unique_name("pw")
    postgres.roles.append(owner_role)
    create_login_role(postgres.engine, owner_role, owner_password, createrole=True)
    database = unique_name("cp_owned")
    create_owned_database(postgres.engine, database, owner_role)
    postgres.created.append(database)
    owner_url = (
        make_url(postgres.admin_url)
        .set(database=database, username=owner_role, password=owner_password)
        .render_as_string(hide_password=False)
    )
    writer = WritableDatabase(owner_url)
    create_schema(writer.engine, Backend.POSTGRESQL)  # the bot's tables, the owner's own
    writer.dispose()
    run_readonly_role_script(owner_url, postgres.roles)
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TEMPORARY TABLE scratch (id int)"))
        assert conn.execute(sa.text("SELECT count(*) FROM scratch")).scalar() == 0
    engine.dispose()
