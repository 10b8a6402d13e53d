"""DASHBOARD_STORE_URL and DASHBOARD_STATE_DIR: one state directory by default, a PostgreSQL store
of the dashboard's own, never the bot's database, and one-line errors that never echo a password."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from dashboard.settings import Settings, SettingsError

BOT = "postgresql+asyncpg://coinpilot:bot-secret@localhost:5432/coinpilot"


def test_by_default_the_store_is_a_sqlite_file_beside_the_alert_state():
    settings = Settings.from_env({})
    assert settings.store.url == "sqlite:///alert-state/dashboard.sqlite3"
    assert settings.store.state_dir == settings.alerts.state_dir == "alert-state"


def test_an_existing_deployments_alert_state_dir_holds_the_store_too():
    settings = Settings.from_env({"ALERT_STATE_DIR": "/var/lib/coinpilot-alerts"})
    assert settings.store.url == "sqlite:////var/lib/coinpilot-alerts/dashboard.sqlite3"
    assert settings.alerts.state_dir == "/var/lib/coinpilot-alerts"


def test_dashboard_state_dir_alone_holds_the_alert_state_too():
    settings = Settings.from_env({"DASHBOARD_STATE_DIR": "/data/coinpilot"})
    assert settings.store.url == "sqlite:////data/coinpilot/dashboard.sqlite3"
    assert str(settings.alerts.state_path) == "/data/coinpilot/alerts.sqlite3"


def test_both_state_dirs_set_keep_each_their_own():
    settings = Settings.from_env({"DASHBOARD_STATE_DIR": "/data/dashboard", "ALERT_STATE_DIR": "/data/alerts"})
    assert settings.store.url == "sqlite:////data/dashboard/dashboard.sqlite3"
    assert settings.alerts.state_dir == "/data/alerts"


def test_a_postgresql_store_url_in_coinpilots_form_uses_the_sync_driver():
    url = make_url(
        Settings.from_env({"DASHBOARD_STORE_URL": "postgresql+asyncpg://store:pw@db/dash?ssl=require"}).store.url
    )
    assert (url.drivername, url.username, url.password, url.host, url.database) == (
        "postgresql+psycopg2",
        "store",
        "pw",
        "db",
        "dash",
    )
    assert url.query == {"sslmode": "require"}


def test_the_stores_password_is_not_in_the_settings_repr():
    settings = Settings.from_env({"DASHBOARD_STORE_URL": "postgresql://store:store-secret@db/dash"})
    assert "store-secret" not in repr(settings.store)


@pytest.mark.parametrize(
    "store_url",
    [
        "postgresql://dashboard_store:other@127.0.0.1/coinpilot",  # another user, localhost's address
        "postgres://localhost:5432/coinpilot",
        "postgresql://u@/coinpilot?host=/var/run/postgresql",  # the same server through its socket
    ],
)
def test_a_store_url_naming_the_bots_database_is_refused_in_one_line(store_url):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"DATABASE_URL": BOT, "DASHBOARD_STORE_URL": store_url})
    message = str(error.value)
    assert message.startswith("DASHBOARD_STORE_URL: names the bot's database (coinpilot on localhost:5432")
    assert "\n" not in message and "bot-secret" not in message and "other" not in message


def test_the_bot_database_given_in_parts_is_refused_too():
    env = {
        "DB_HOST": "db",
        "DB_USER": "bot",
        "DB_NAME": "coinpilot",
        "DASHBOARD_STORE_URL": "postgresql://s@db/coinpilot",
    }
    with pytest.raises(SettingsError, match="names the bot's database"):
        Settings.from_env(env)


def test_the_bots_sqlite_file_is_refused_as_a_store(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3",
        "DASHBOARD_STORE_URL": f"sqlite:///{tmp_path}/./bot.sqlite3",
    }
    with pytest.raises(SettingsError, match="names the bot's database file"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "store_url",
    [
        "postgresql://store@localhost:5432/coinpilot_dashboard",  # another database on the bot's server
        "postgresql://store@db2:5432/coinpilot",  # the same name on another server
        "postgresql://store@localhost:5433/coinpilot",  # another port: another server
    ],
)
def test_a_database_of_the_dashboards_own_is_accepted(store_url):
    assert make_url(Settings.from_env({"DATABASE_URL": BOT, "DASHBOARD_STORE_URL": store_url}).store.url).database


@pytest.mark.parametrize(
    ("store_url", "says"),
    [
        ("redis://localhost:6379/0", "unsupported 'redis'"),
        ("sqlite://", "in-memory SQLite store is not shared between workers"),
        ("sqlite:///:memory:", "in-memory SQLite store is not shared between workers"),
        ("postgresql://store:pw@db", "no database name"),
        ("store:pw@db/dash", "not a database URL (value not shown"),
    ],
)
def test_a_malformed_store_url_stops_start_up_with_one_line_and_no_password(store_url, says):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"DASHBOARD_STORE_URL": store_url})
    message = str(error.value)
    assert message.startswith("DASHBOARD_STORE_URL: ") and says in message
    assert "\n" not in message and ":pw" not in message
