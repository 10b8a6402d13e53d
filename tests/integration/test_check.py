"""`coinpilot-dashboard check`: which backend, TimescaleDB or not, Redis, n8n; non-zero exit
when the database is unreachable."""

import pytest

from dashboard.cli import main
from tests.support.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_check_reports_plain_postgresql_and_redis(seeded_pg_url, redis_db, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", seeded_pg_url)
    monkeypatch.setenv("REDIS_URL", redis_db)
    monkeypatch.setenv("N8N_URL", "")
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "database  OK" in out and "plain PostgreSQL (TimescaleDB not installed)" in out
    assert "redis     OK" in out and "n8n       --" in out and "open access" in out


def test_check_fails_when_the_database_is_unreachable(redis_db, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/coinpilot")
    monkeypatch.setenv("REDIS_URL", redis_db)
    monkeypatch.setenv("N8N_URL", "")
    assert main(["check"]) == 1
    assert "database  FAIL" in capsys.readouterr().out


def test_a_bad_setting_stops_check_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_USERNAME", "operator")
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "configuration error: DASHBOARD_PASSWORD: required with DASHBOARD_USERNAME (or DASHBOARD_PASSWORD_HASH)"
    )
