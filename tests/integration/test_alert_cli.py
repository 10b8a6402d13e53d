"""`coinpilot-dashboard watch --once`, `--dry-run` and `--silence` against the real PostgreSQL and
Redis, delivering to a loopback receiver."""

from __future__ import annotations

import pytest

from alerts.store import AlertStore
from dashboard.cli import main
from tests.support.alert_world import STATUS_KEY
from tests.support.webhooks import WebhookReceiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def environment(bot_database, redis_db, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", bot_database)
    monkeypatch.setenv("REDIS_URL", redis_db)
    monkeypatch.setenv("N8N_URL", "")
    monkeypatch.setenv("ALERT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ALERT_PENDING_SECONDS", "0")
    monkeypatch.setenv("DASHBOARD_LANGUAGE", "en")
    redis_client.delete(STATUS_KEY)
    with WebhookReceiver() as receiver:
        monkeypatch.setenv("ALERT_WEBHOOK_URLS", receiver.url + "/hook")
        yield receiver, tmp_path / "state" / "alerts.sqlite3"


def test_dry_run_prints_what_it_would_send_and_sends_and_saves_nothing(environment, capsys):
    receiver, state_path = environment
    assert main(["watch", "--once", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "- bot_status_stale:KRW-BTC: CONDITION HOLDS" in out
    assert "would send to webhook-1 (127.0.0.1):" in out
    assert "🔴 FIRING: Bot status missing or stale: KRW-BTC" in out
    assert "- database_unreachable: OK" in out
    assert receiver.attempts == 0
    assert AlertStore(state_path).load_states() == {}


def test_once_evaluates_and_delivers(environment):
    receiver, _ = environment
    assert main(["watch", "--once"]) == 0
    assert [m.body["event"] for m in receiver.messages("bot_status_stale:KRW-BTC")] == ["firing"]


def test_a_silenced_rule_sends_nothing(environment, capsys):
    receiver, state_path = environment
    assert main(["watch", "--silence", "bot_status_stale", "--for", "2h"]) == 0
    assert "silenced bot_status_stale until" in capsys.readouterr().out
    assert main(["watch", "--once"]) == 0
    assert receiver.messages("bot_status_stale") == []
    assert AlertStore(state_path).load_states()["bot_status_stale:KRW-BTC"].state.value == "firing"


def test_silencing_an_unknown_rule_is_refused_in_one_line(environment, capsys):
    assert main(["watch", "--silence", "bot_stat", "--for", "2h"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown rule 'bot_stat'") and "\n" not in err
