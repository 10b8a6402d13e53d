"""The dashboard's own store on each backend, for the tests: a fresh SQLite file, or a fresh
PostgreSQL database made by deploy/store-database.sql (a database and a role of its own)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from store.migrations import MIGRATIONS, Migration
from tests.support.processes import REPO
from tests.support.services import PG_ADMIN_URL, unique_name

STORE_BACKENDS = ["sqlite", "postgresql"]


def sql_statements(script: str) -> list[str]:
    without_comments = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in without_comments.split(";") if statement.strip()]


def own_store_database(postgres) -> str:
    """A database and its owner role made by the documented script, as an operator runs it."""
    role, database, password = unique_name("cp_store_role"), unique_name("cp_store"), unique_name("pw")
    script = (REPO / "deploy" / "store-database.sql").read_text()
    script = script.replace("coinpilot_dashboard_store", role).replace("coinpilot_dashboard", database)
    script = script.replace(":store_password", f"'{password}'")  # what psql -v does
    # Dropped at the end of the session, the database before its role.
    postgres.created.append(database)
    postgres.roles.append(role)
    # Asked for per connection: tests.support.pg hands its connections back to the pool without autocommit.
    with postgres.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in sql_statements(script):
            conn.execute(sa.text(statement))
    return (
        make_url(PG_ADMIN_URL)
        .set(username=role, password=password, database=database)
        .render_as_string(hide_password=False)
    )


def new_store_url(backend: str, request, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'dashboard.sqlite3'}"
    return own_store_database(request.getfixturevalue("postgres"))


def add_column_step(version: int) -> Migration:
    """A later release's step, for tests that play two versions of the code: it adds a column."""

    def upgrade(conn):
        conn.execute(sa.text("ALTER TABLE event_log ADD COLUMN note VARCHAR(20)"))

    return Migration(version, f"event_log.note (test step {version})", upgrade)


def next_release_steps() -> tuple[Migration, ...]:
    return (*MIGRATIONS, add_column_step(MIGRATIONS[-1].version + 1))
