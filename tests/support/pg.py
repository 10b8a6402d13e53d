"""Creating and dropping throw-away databases and roles. Identifiers cannot be bind
parameters, so they are composed with psycopg2.sql.Identifier, which quotes them."""

from __future__ import annotations

from psycopg2 import sql
from sqlalchemy.engine import Engine


def _run(engine: Engine, statement: sql.Composed) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE refuse to run inside one)."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute(statement)
    finally:
        raw.driver_connection.autocommit = False  # back to the pool as it came
        raw.close()


def create_database(engine: Engine, name: str, template: str | None = None) -> None:
    """An empty database, or a copy of `template` (a file copy: far faster than seeding again;
    the template must have no open connections)."""
    if template is None:
        _run(engine, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        _run(engine, sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))


def drop_database(engine: Engine, name: str) -> None:
    _run(engine, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_login_role(engine: Engine, name: str, password: str, *, createrole: bool = False) -> None:
    options = sql.SQL(" CREATEROLE") if createrole else sql.SQL("")
    _run(
        engine,
        sql.SQL("CREATE ROLE {} LOGIN{} PASSWORD {}").format(sql.Identifier(name), options, sql.Literal(password)),
    )


def create_owned_database(engine: Engine, name: str, owner: str) -> None:
    _run(engine, sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))


def drop_role(engine: Engine, name: str) -> None:
    _run(engine, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
