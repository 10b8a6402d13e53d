"""`coinpilot-dashboard seed`: writes a consistent history, refuses to overwrite, --force empties;
on real TimescaleDB it sets production's compression and policy, and --compress compresses."""

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


def scalar_rows(url, query):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.text(query))]
    engine.dispose()
    return rows


def test_seed_on_timescaledb_sets_productions_compression_and_policy(timescale):
    url = timescale.create("cp_seed_tsdb")
    assert main(["seed", "--database-url", url, "--days", "0.1", "--symbols", "KRW-BTC"]) == 0
    assert scalar_rows(url, "SELECT hypertable_name FROM timescaledb_information.hypertables") == [("market_data",)]
    assert scalar_rows(
        url, "SELECT segmentby, orderby FROM timescaledb_information.hypertable_compression_settings"
    ) == [("symbol,interval", '"timestamp" DESC')]
    assert scalar_rows(
        url,
        "SELECT hypertable_name::text, config->>'compress_after' FROM timescaledb_information.jobs "
        "WHERE proc_name = 'policy_compression'",
    ) == [("market_data", "7 days")]


def test_seed_compress_compresses_exactly_the_chunks_older_than_seven_days(timescale, capsys):
    url = timescale.create("cp_seed_tsdb")
    assert main(["seed", "--database-url", url, "--days", "21", "--symbols", "KRW-BTC", "--compress"]) == 0
    chunks = scalar_rows(
        url,
        "SELECT range_end < now() - INTERVAL '7 days', is_compressed FROM timescaledb_information.chunks "
        "WHERE hypertable_name = 'market_data'",
    )
    old = [compressed for older, compressed in chunks if older]
    new = [compressed for older, compressed in chunks if not older]
    assert old and all(old)
    assert new and not any(new)
    assert f"compressed {len(old)} chunks" in capsys.readouterr().err
    assert scalar_rows(url, "SELECT count(*) FROM market_data") == [(21 * 24 * 60,)]


def test_seed_force_reseeds_a_compressed_timescaledb(timescale):
    url = timescale.create("cp_seed_tsdb")
    assert main(["seed", "--database-url", url, "--days", "10", "--symbols", "KRW-ETH", "--compress"]) == 0
    assert main(["seed", "--database-url", url, "--days", "1", "--symbols", "KRW-ETH", "--force"]) == 0
    assert scalar_rows(url, "SELECT count(*) FROM market_data") == [(24 * 60,)]


def test_seed_compress_needs_timescaledb(postgres, capsys):
    url = postgres.create("cp_seed")
    assert main(["seed", "--database-url", url, "--days", "0.1", "--symbols", "KRW-BTC", "--compress"]) == 2
    assert "--compress needs TimescaleDB" in capsys.readouterr().err
    engine = sa.create_engine(url)
    assert sa.inspect(engine).get_table_names() == []  # refused before writing anything
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


def test_seed_v3_writes_regimes_the_ai_ledger_and_post_exit_prices(postgres):
    url = postgres.create("cp_seed")
    assert main(["seed", "--database-url", url, "--days", "2", "--symbols", "KRW-BTC"]) == 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = {
            t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar()
            for t in ("regime_history", "llm_usage_events", "llm_credit_snapshots", "llm_provider_cost_snapshots")
        }
        sells = conn.execute(
            sa.text("SELECT exit_reason, post_exit_prices, signal_info FROM trading_history WHERE side = 'SELL'")
        ).all()
    engine.dispose()
    assert all(count.values()), count
    assert sells and all(s.exit_reason and "entry_avg_price" in s.signal_info for s in sells)
    assert any("1h" in (s.post_exit_prices or {}) for s in sells)


def test_seed_week6_writes_week6_rows_only(postgres):
    url = postgres.create("cp_seed")
    assert main(["seed", "--database-url", url, "--days", "1", "--symbols", "KRW-BTC", "--schema", "week6"]) == 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        orders = conn.execute(sa.text("SELECT count(*) FROM trading_history")).scalar()
    engine.dispose()
    assert orders and not tables & {"regime_history", "llm_usage_events"}
