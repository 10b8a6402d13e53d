"""deploy/readonly-role.sql run as the docs tell an operator to run it: by psql, with ON_ERROR_STOP,
in one transaction, connected to the bot's database (whatever its name). Only the role's name is
made unique, because roles are shared by every database on the server."""

from __future__ import annotations

import os
import shutil
import subprocess

from sqlalchemy.engine import make_url

from tests.support.processes import REPO
from tests.support.services import missing, unique_name

SCRIPT = REPO / "deploy" / "readonly-role.sql"


def run_readonly_role_script(owner_url: str, roles: list[str]) -> str:
    """Create the read-only role on `owner_url`'s database; returns the role's URL. The role's
    name is appended to `roles` (the factory drops them at the end)."""
    psql = shutil.which("psql")
    if psql is None:
        missing("psql (postgresql-client) is not installed")
    role, password = unique_name("cp_ro"), unique_name("pw")
    roles.append(role)
    url = make_url(owner_url)
    environment = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
        "PGDATABASE": url.database,
    }
    if url.password:
        environment["PGPASSWORD"] = url.password
    result = subprocess.run(
        [
            psql,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-v",
            f"dashboard_password='{password}'",
            "-f",
            "-",
        ],
        input=SCRIPT.read_text().replace("coinpilot_dashboard", role),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"readonly-role.sql failed on {url.database!r}: {result.stderr.strip()}")
    return url.set(username=role, password=password).render_as_string(hide_password=False)
