"""A deployment may be at any step between week-6 and v3: the data layer detects what exists,
uses it when present, and notices an upgrade or a downgrade without a restart."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from callbacks import risk as risk_callbacks
from dashboard.app import build_services
from data.database import Backend, Database, SchemaMissing
from data.risk_records import fetch_daily_risk_state
from data.schema import OPTIONAL_COLUMNS, OPTIONAL_TABLES, detect_schema
from simulator.paper_bot import BotConfig
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import one, text
from tests.support.helpers import SEED_END, SEED_SYMBOLS, FixedClock, make_settings

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def week6_history():
    return generate_history(SEED_SYMBOLS, 2, SEED_END, seed=11, config=BotConfig(limit_counts_buys=False))


@pytest.fixture
def week6_url(postgres, week6_history):
    url = postgres.create("cp_week6")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL, "week6")
    write_history(writer.engine, Backend.POSTGRESQL, week6_history)
    writer.dispose()
    return url


def test_a_week6_database_has_no_v3_column_or_table_and_a_v3_one_has_them_all(week6_url, seeded_pg_url):
    for url, generation in ((week6_url, "week-6"), (seeded_pg_url, "v3")):
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            features = detect_schema(conn)
        engine.dispose()
        assert features.generation == generation
    assert OPTIONAL_COLUMNS["daily_risk_state"] == ("buy_count", "sell_count")
    assert "regime_history" in OPTIONAL_TABLES


def test_on_a_week6_database_the_trade_limit_counts_every_trade(week6_url, redis_db, week6_history):
    # A week-6 deployment has no strategy file: the bot's code defaults (10 trades).
    settings = make_settings(week6_url, redis_db, strategy_config_path=None)
    services = build_services(settings, clock=FixedClock(SEED_END + timedelta(seconds=30)))
    state_card, _w, _g, trades, *_ = risk_callbacks.risk_panels(services)
    today = week6_history.bot.days[SEED_END.date()]
    assert text(one(trades, "data-limit", "trades")) == f"{today.trade_count} / 10"
    assert "does not split BUY/SELL" in text(trades)
    if not today.is_trading_halted and not today.cooldown_until:
        expected = "LIMIT REACHED" if today.trade_count >= 10 else "RUNNING"
        assert one(state_card, "data-trading-state")["props"]["data-trading-state"] == expected
    services.database.dispose()


def test_a_migration_applied_while_the_dashboard_runs_shows_after_the_redetect_interval(week6_url):
    database = Database(week6_url)
    ticks = [0.0]
    database.schema_watch.clock = lambda: ticks[0]
    with database.connect() as conn:
        assert not database.schema(conn).has_column("daily_risk_state", "buy_count")
    owner = sa.create_engine(week6_url)
    with owner.begin() as conn:  # the bot's v3.2.1 migration
        conn.execute(sa.text("ALTER TABLE daily_risk_state ADD COLUMN buy_count int NOT NULL DEFAULT 0"))
        conn.execute(sa.text("ALTER TABLE daily_risk_state ADD COLUMN sell_count int NOT NULL DEFAULT 0"))
    owner.dispose()
    with database.connect() as conn:
        assert not database.schema(conn).has_column("daily_risk_state", "buy_count")  # cached
    ticks[0] += database.schema_watch.redetect_after_s + 1
    with database.connect() as conn:
        features = database.schema(conn)
        assert features.has_column("daily_risk_state", "buy_count")
        assert fetch_daily_risk_state(conn, SEED_END.date(), features).buy_count == 0
    database.dispose()


def test_a_query_failing_on_a_vanished_column_makes_the_next_read_redetect(seeded_pg_url, postgres):
    url = postgres.create("cp_downgrade")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL, "v3")
    writer.dispose()
    database = Database(url)
    with database.connect() as conn:
        stale = database.schema(conn)
    owner = sa.create_engine(url)
    with owner.begin() as conn:  # the column goes away (a restored older backup)
        conn.execute(sa.text("ALTER TABLE daily_risk_state DROP COLUMN buy_count"))
    owner.dispose()
    with pytest.raises(SchemaMissing), database.connect() as conn:
        fetch_daily_risk_state(conn, SEED_END.date(), stale)
    with database.connect() as conn:  # no waiting for the interval: the failure forgot the answer
        fresh = database.schema(conn)
        assert not fresh.has_column("daily_risk_state", "buy_count")
        assert fetch_daily_risk_state(conn, SEED_END.date(), fresh) is None
    database.dispose()
