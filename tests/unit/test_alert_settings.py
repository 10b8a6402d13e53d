"""Alert settings: defaults, and a malformed value stops start-up with one line naming it
(without echoing a URL or token, which may hold a secret)."""

from __future__ import annotations

import pytest

from dashboard.settings import Settings, SettingsError


def alerts(env):
    return Settings.from_env(env).alerts


def test_the_defaults_follow_the_issue():
    a = alerts({})
    assert (a.evaluation_seconds, a.pending_seconds, a.repeat_minutes) == (30.0, 60.0, 60.0)
    assert a.loss_thresholds_pct == (50.0, 80.0)
    assert str(a.state_path).endswith("alert-state/alerts.sqlite3")


def test_messages_are_retried_for_a_day_unless_told_otherwise():
    assert alerts({}).delivery_budget_s == 24 * 3600
    assert alerts({"ALERT_DELIVERY_BUDGET_HOURS": "0.5"}).delivery_budget_s == 1800
    # The attempt count it replaces is no longer read: an old environment file still starts.
    assert alerts({"ALERT_DELIVERY_ATTEMPTS": "5"}).delivery_budget_s == 24 * 3600


def test_webhook_urls_are_comma_separated():
    assert alerts({"ALERT_WEBHOOK_URLS": "http://n8n:5678/webhook/a, https://x.example/b"}).webhook_urls == (
        "http://n8n:5678/webhook/a",
        "https://x.example/b",
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ALERT_EVALUATION_SECONDS": "soon"}, "ALERT_EVALUATION_SECONDS"),
        ({"ALERT_PENDING_SECONDS": "-1"}, "ALERT_PENDING_SECONDS"),
        ({"ALERT_WEBHOOK_URLS": "http://ok.example/a,ftp://secret@x"}, "ALERT_WEBHOOK_URLS"),
        ({"ALERT_DISCORD_WEBHOOK_URL": "discord.com/api/webhooks/1/secret"}, "ALERT_DISCORD_WEBHOOK_URL"),
        ({"ALERT_TELEGRAM_BOT_TOKEN": "123:abc"}, "ALERT_TELEGRAM_CHAT_ID"),
        ({"ALERT_TELEGRAM_BOT_TOKEN": "not a token", "ALERT_TELEGRAM_CHAT_ID": "1"}, "ALERT_TELEGRAM_BOT_TOKEN"),
        ({"ALERT_LOSS_THRESHOLDS_PCT": "50,180"}, "ALERT_LOSS_THRESHOLDS_PCT"),
        ({"DASHBOARD_LANGUAGE": "fr"}, "DASHBOARD_LANGUAGE"),
        ({"DASHBOARD_PUBLIC_URL": "dash.example"}, "DASHBOARD_PUBLIC_URL"),
        ({"ALERT_DELIVERY_BUDGET_HOURS": "0"}, "ALERT_DELIVERY_BUDGET_HOURS"),
        ({"ALERT_DELIVERY_BUDGET_HOURS": "1000"}, "ALERT_DELIVERY_BUDGET_HOURS"),
        ({"ALERT_DELIVERY_BUDGET_HOURS": "a day"}, "ALERT_DELIVERY_BUDGET_HOURS"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(env, variable):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert message.startswith(variable + ":") and "\n" not in message


@pytest.mark.parametrize(
    "env",
    [
        {"ALERT_DISCORD_WEBHOOK_URL": "discord.com/api/webhooks/1/SECRETPART"},
        {"ALERT_WEBHOOK_URLS": "nonsense-SECRETPART"},
        {"ALERT_TELEGRAM_BOT_TOKEN": "SECRETPART", "ALERT_TELEGRAM_CHAT_ID": "1"},
    ],
)
def test_a_malformed_secret_is_not_echoed(env):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert "SECRETPART" not in str(caught.value)


def test_settings_printed_show_no_webhook_url():
    settings = Settings.from_env({"ALERT_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRETPART"})
    assert "SECRETPART" not in repr(settings)
