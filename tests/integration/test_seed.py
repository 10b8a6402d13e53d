"""`coinpilot-dashboard seed`: writes a consistent history, refuses to overwrite, --force empties."""

import subprocess
import sys

import pytest
import sqlalchemy as sa

from dashboard.cli import main
from data.database import Database
from data.market import fetch_symbols

pytestmark = pytest.mark.postgres


def row_counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar()
            for t in ("market_data", "trading_history", "account_state", "daily_risk_state")
        }
    engine.dispose()
    return counts


def test_seed_creates_the_schema_and_writes_history(postgres, capsys):
    url = postgres.create("cp_seed")
    assert main(["seed", "--database-url", url, "--days", "1", "--symbols", "KRW-BTC", "KRW-ETH"]) == 0
    counts = row_counts(url)
    assert counts["market_data"] == 2 * 24 * 60
    assert counts["account_state"] == 1
    database = Database(url)
    with database.connect() as conn:
        assert fetch_symbols(conn) == ["KRW-BTC", "KRW-ETH"]
    database.dispose()
    assert "Seeded" in capsys.readouterr().err


def test_seed_refuses_a_database_that_holds_rows_unless_forced(postgres, capsys):
    url = postgres.create("cp_seed")
    assert main(["seed", "--database-url", url, "--days", "0.5", "--symbols", "KRW-XRP"]) == 0
    before = row_counts(url)
    assert main(["seed", "--database-url", url, "--days", "0.5", "--symbols", "KRW-XRP"]) == 1
    assert "refusing" in capsys.readouterr().err
    assert row_counts(url) == before
    assert main(["seed", "--database-url", url, "--days", "0.25", "--symbols", "KRW-XRP", "--force"]) == 0
    assert row_counts(url)["market_data"] == 6 * 60


def test_seed_accepts_coinpilots_asyncpg_url(postgres):
    url = postgres.create("cp_seed").replace("postgresql+psycopg2://", "postgresql+asyncpg://")
    assert main(["seed", "--database-url", url, "--days", "0.1", "--symbols", "KRW-SOL"]) == 0


def test_seed_makes_market_data_a_hypertable_on_timescaledb(postgres, monkeypatch):
    """TimescaleDB is not installable here: a stand-in create_hypertable records the call."""
    url = postgres.create("cp_seed")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("""
            CREATE TABLE hypertable_calls (relation text, time_column text);
            CREATE FUNCTION create_hypertable(relation regclass, time_column name, if_not_exists boolean,
                                              migrate_data boolean) RETURNS void
                AS $$ INSERT INTO hypertable_calls VALUES (relation::text, time_column::text) $$ LANGUAGE sql;
        """)
    monkeypatch.setenv("DASHBOARD_DB_BACKEND", "timescaledb")
    assert main(["seed", "--database-url", url, "--days", "0.1", "--symbols", "KRW-BTC"]) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT relation, time_column FROM hypertable_calls")).all() == [
            ("market_data", "timestamp")
        ]
    engine.dispose()


def test_the_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "seed", "--help"], capture_output=True, text=True, check=True
    )
    assert "--force" in result.stdout


def test_seed_reports_an_unreachable_database_in_one_line(capsys):
    assert main(["seed", "--database-url", "postgresql://postgres@127.0.0.1:1/none", "--days", "0.1"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: cannot open") and "\n" not in error
