"""Settings.from_env: CoinPilot-compatible configuration, and one-line errors for bad values."""

import pytest
from sqlalchemy.engine import make_url

from dashboard.settings import Settings, SettingsError
from data.risk import DashboardRiskSettings, LimitSource, resolve_limits


def test_unset_risk_settings_stay_unset_so_the_bots_code_defaults_apply_and_say_so():
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.display_timezone == "Asia/Seoul"
    assert settings.risk == DashboardRiskSettings()
    assert settings.strategy_config_path is None
    limits = resolve_limits(None, settings.risk)
    assert (
        limits.daily_loss_limit_pct,
        limits.max_daily_trades.value,
        limits.max_consecutive_losses.value,
        limits.cooldown_hours.value,
    ) == (5.0, 10, 3, 2.0)
    assert limits.max_daily_loss.source is LimitSource.BOT_DEFAULT
    assert settings.refresh_seconds == 10
    assert settings.statement_timeout_ms == 5000
    assert settings.redis_url == "redis://localhost:6379/0"
    assert not settings.auth.enabled


def test_coinpilot_asyncpg_url_uses_the_sync_psycopg2_driver():
    settings = Settings.from_env({"DATABASE_URL": "postgresql+asyncpg://bot:s3cret@db:5432/coinpilot?ssl=require"})
    url = make_url(settings.database_url)
    assert url.drivername == "postgresql+psycopg2"
    assert (url.username, url.password, url.host, url.database) == ("bot", "s3cret", "db", "coinpilot")
    assert url.query == {"sslmode": "require"}


@pytest.mark.parametrize("given", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_plain_postgresql_urls_are_accepted(given):
    assert make_url(Settings.from_env({"DATABASE_URL": given}).database_url).drivername == "postgresql+psycopg2"


def test_sqlite_url_is_accepted():
    assert Settings.from_env({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}).database_url == "sqlite:////tmp/x.sqlite3"


def test_db_parts_build_an_escaped_url():
    settings = Settings.from_env(
        {"DB_USER": "bot", "DB_PASSWORD": "p@ss:/w", "DB_HOST": "pg", "DB_PORT": "6543", "DB_NAME": "coinpilot"}
    )
    url = make_url(settings.database_url)
    assert (url.username, url.password, url.host, url.port, url.database) == ("bot", "p@ss:/w", "pg", 6543, "coinpilot")


def test_redis_host_and_port_build_the_url():
    assert Settings.from_env({"REDIS_HOST": "cache", "REDIS_PORT": "6380"}).redis_url == "redis://cache:6380/0"


def test_empty_n8n_url_means_not_configured_and_unset_means_coinpilots_local_n8n():
    assert Settings.from_env({"N8N_URL": ""}).n8n_url is None
    assert Settings.from_env({}).n8n_url == "http://localhost:5678"
    assert Settings.from_env({"N8N_URL": "http://n8n:5678/"}).n8n_url == "http://n8n:5678"


def test_url_prefix_is_normalised_to_slashes_on_both_ends():
    assert Settings.from_env({"DASHBOARD_URL_PREFIX": "coinpilot"}).url_prefix == "/coinpilot/"


@pytest.mark.parametrize(
    "environ, variable",
    [
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DB_HOST": "pg"}, "DB_NAME"),
        ({"DB_NAME": "x", "DB_PORT": "port"}, "DB_PORT"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"REDIS_PORT": "70000"}, "REDIS_PORT"),
        ({"DASHBOARD_TIMEZONE": "Mars/Olympus"}, "DASHBOARD_TIMEZONE"),
        ({"RISK_DAILY_LOSS_LIMIT_PCT": "-5"}, "RISK_DAILY_LOSS_LIMIT_PCT"),
        ({"RISK_DAILY_LOSS_LIMIT_PCT": "nan"}, "RISK_DAILY_LOSS_LIMIT_PCT"),
        ({"RISK_MAX_TRADES_PER_DAY": "ten"}, "RISK_MAX_TRADES_PER_DAY"),
        ({"DASHBOARD_REFRESH_SECONDS": "7"}, "DASHBOARD_REFRESH_SECONDS"),
        ({"DASHBOARD_STATEMENT_TIMEOUT_MS": "0"}, "DASHBOARD_STATEMENT_TIMEOUT_MS"),
        ({"DASHBOARD_DB_BACKEND": "oracle"}, "DASHBOARD_DB_BACKEND"),
        ({"DASHBOARD_URL_PREFIX": "/a b/"}, "DASHBOARD_URL_PREFIX"),
        ({"DASHBOARD_USERNAME": "ops"}, "DASHBOARD_PASSWORD"),
        ({"DASHBOARD_PASSWORD": "x"}, "DASHBOARD_USERNAME"),
        ({"DASHBOARD_USERNAME": "ops", "DASHBOARD_PASSWORD_HASH": "plain"}, "DASHBOARD_PASSWORD_HASH"),
        ({"N8N_URL": "ftp://n8n"}, "N8N_URL"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_the_variable(environ, variable):
    with pytest.raises(SettingsError) as error:
        Settings.from_env(environ)
    message = str(error.value)
    assert message.startswith(variable + ":")
    assert "\n" not in message


def test_risk_limits_are_configurable():
    settings = Settings.from_env(
        {
            "RISK_DAILY_LOSS_LIMIT_PCT": "3.5",
            "RISK_MAX_TRADES_PER_DAY": "20",
            "RISK_MAX_CONSECUTIVE_LOSSES": "5",
            "RISK_COOLDOWN_HOURS": "4",
        }
    )
    limits = resolve_limits(None, settings.risk)
    assert limits.daily_loss_limit_pct == pytest.approx(3.5)
    assert limits.max_daily_trades.value == 20
    assert limits.max_consecutive_losses.value == 5
    assert limits.cooldown_hours.value == 4.0
    assert {limits.max_daily_loss.source, limits.max_daily_trades.source} == {LimitSource.DASHBOARD_SETTING}


def test_the_ai_call_budget_defaults_to_the_bots_and_is_configurable():
    defaults = resolve_limits(None, Settings.from_env({}).risk)
    assert (defaults.ai_calls_per_hour(), defaults.ai_calls_per_day()) == (20, 120)
    settings = Settings.from_env({"AI_MAX_CALLS_PER_HOUR": "30", "AI_MAX_CALLS_PER_DAY": "200"})
    limits = resolve_limits(None, settings.risk)
    assert (limits.ai_calls_per_hour(), limits.ai_calls_per_day()) == (30, 200)


@pytest.mark.parametrize("variable, value", [("AI_MAX_CALLS_PER_HOUR", "lots"), ("AI_MAX_CALLS_PER_DAY", "0")])
def test_a_bad_ai_call_budget_stops_start_up_with_one_line(variable, value):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})
    assert str(error.value).startswith(variable + ":") and "\n" not in str(error.value)
