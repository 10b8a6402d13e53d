"""Where the dashboard's store shows: its health card on System (in both languages), `check`,
`store upgrade`, and start-up, which never stops the pages when the store cannot be written."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

import pytest

from callbacks.system import store_card
from dashboard.app import create_app, prepare_store
from dashboard.cli import main
from dashboard.settings import Settings
from i18n import using
from layouts import ids
from store import DashboardStore, StoreSettings, store_of
from store.migrations import MIGRATIONS
from tests.support.components import text
from tests.support.services import free_port
from tests.support.stores import next_release_steps
from tests.support.unprivileged import make_read_only, run_unprivileged

LATEST = MIGRATIONS[-1].version


def store_card_over_http(app, language: str) -> tuple[str, str]:
    """The System page's store card as the browser gets it: (text, level)."""
    body = {
        "output": f"{ids.SYSTEM_STORE}.children",
        "outputs": {"id": ids.SYSTEM_STORE, "property": "children"},
        "inputs": [{"id": ids.REFRESH_INTERVAL, "property": "n_intervals", "value": 1}],
        "changedPropIds": [f"{ids.REFRESH_INTERVAL}.n_intervals"],
    }
    response = app.server.test_client().post(f"/_dash-update-component?lang={language}", json=body)
    assert response.status_code == 200, response.data[:300]
    card = json.loads(response.data)["response"][ids.SYSTEM_STORE]["children"]
    levels = [node["props"]["data-level"] for node in _nodes(card) if "data-level" in node["props"]]
    return text(card), levels[0]


def _nodes(tree):
    if isinstance(tree, dict) and "props" in tree:
        yield tree
        yield from _nodes(tree["props"].get("children"))
    elif isinstance(tree, list):
        for child in tree:
            yield from _nodes(child)


def app_on(store_url: str, bot_url: str):
    return create_app(Settings(database_url=bot_url, n8n_url=None, store=StoreSettings(url=store_url)))


@pytest.fixture
def shared_dir():
    """A directory another user may enter (pytest's tmp_path is root's own on a root machine)."""
    path = Path(tempfile.mkdtemp(prefix="coinpilot-store-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _look(app) -> dict:
    """Start as a gunicorn worker does, then load the page and its store card in both languages."""
    started = prepare_store(store_of(app.server))
    client = app.server.test_client()
    return {
        "started": started,
        "index": client.get("/").status_code,
        "layout": client.get("/_dash-layout").status_code,
        "en": store_card_over_http(app, "en"),
        "ko": store_card_over_http(app, "ko"),
        "events": [event.kind for event in store_of(app.server).events.recent()],
    }


def test_a_read_only_store_file_is_named_on_system_in_both_languages_and_the_pages_keep_working(shared_dir):
    path = shared_dir / "dashboard.sqlite3"
    app = app_on(f"sqlite:///{path}", f"sqlite:///{shared_dir}/bot.sqlite3")
    # Once while the file is writable, so every module the look needs is loaded before the
    # child drops to a user who may not read the Python installation.
    assert _look(app)["en"][1] == "ok"
    store_of(app.server).events.append("test.before")
    store_of(app.server).dispose()
    make_read_only(path)
    seen = run_unprivileged(_look, app)
    assert seen["started"] is False  # start-up said so in the log and went on
    assert (seen["index"], seen["layout"]) == (200, 200)
    assert seen["events"] == ["test.before"]  # what it holds can still be read
    english, level = seen["en"]
    assert level == "down"
    assert "Dashboard store" in english and "read-only: not written" in english
    assert str(path) in english and "attempt to write a readonly database" in english
    assert "The pages keep working" in english
    korean, _ = seen["ko"]
    assert "대시보드 저장소" in korean and "읽기 전용: 쓰지 않음" in korean and "페이지는 계속 동작합니다" in korean


def test_a_store_newer_than_the_dashboard_is_named_on_system(tmp_path):
    url = f"sqlite:///{tmp_path}/dashboard.sqlite3"
    DashboardStore(url, migrations=next_release_steps()).upgrade()
    app = app_on(url, f"sqlite:///{tmp_path}/bot.sqlite3")
    english, level = store_card_over_http(app, "en")
    assert level == "down" and "newer than this dashboard: not written" in english
    assert f"version {LATEST + 1} (this dashboard: {LATEST})" in english
    korean, _ = store_card_over_http(app, "ko")
    assert "이 대시보드보다 새 버전: 쓰지 않음" in korean


def test_an_unreachable_postgresql_store_is_named_on_system_and_its_password_is_not():
    url = f"postgresql+psycopg2://store:secret-pw@127.0.0.1:{free_port()}/store"
    store = DashboardStore(url, connect_timeout_s=1)
    with using(language="en"):
        card = store_card(store)
    shown = text(card)
    assert "unreachable: not written" in shown and "Connection refused" in shown
    assert "secret-pw" not in json.dumps(card.to_plotly_json(), default=str)


def test_a_writable_store_is_created_at_start_up_and_shown_writable(tmp_path):
    url = f"sqlite:///{tmp_path}/state/dashboard.sqlite3"
    app = app_on(url, f"sqlite:///{tmp_path}/bot.sqlite3")
    assert prepare_store(store_of(app.server)) is True
    english, level = store_card_over_http(app, "en")
    assert level == "ok" and "writable" in english and f"version {LATEST} (this dashboard: {LATEST})" in english


def test_start_up_logs_a_store_it_cannot_use_in_one_line_and_goes_on(tmp_path, caplog):
    url = f"sqlite:///{tmp_path}/dashboard.sqlite3"
    DashboardStore(url, migrations=next_release_steps()).upgrade()
    app = app_on(url, f"sqlite:///{tmp_path}/bot.sqlite3")
    with caplog.at_level(logging.WARNING, logger="coinpilot.dashboard"):
        assert prepare_store(store_of(app.server)) is False
    [record] = [r for r in caplog.records if "dashboard store" in r.getMessage()]
    assert "newer than this dashboard's" in record.getMessage() and "\n" not in record.getMessage()
    assert record.exc_info is None


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def environment(tmp_path, monkeypatch):
    for name in ("DASHBOARD_STORE_URL", "DASHBOARD_STATE_DIR", "ALERT_STATE_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DASHBOARD_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DASHBOARD_LANGUAGE", "en")
    return tmp_path / "state" / "dashboard.sqlite3"


def test_store_upgrade_creates_an_empty_store_then_has_nothing_to_do(environment, capsys):
    assert main(["store", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == f"store {environment}: empty -> schema version {LATEST} (applied step 1)"
    assert main(["store", "upgrade"]) == 0
    assert (
        capsys.readouterr().out.strip() == f"store {environment}: at schema version {LATEST} (current), nothing to do"
    )


def test_store_upgrade_refuses_a_store_newer_than_the_code_in_one_line(environment, capsys):
    newer = DashboardStore(f"sqlite:///{environment}", migrations=next_release_steps())
    newer.upgrade()
    assert main(["store", "upgrade"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: The dashboard's store is at schema version 2")
    assert newer.status().found_version == LATEST + 1  # nothing was changed


def check_output(monkeypatch, capsys, tmp_path) -> str:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/bot.sqlite3")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("N8N_URL", "")
    assert main(["check"]) == 0  # the store, like Redis, does not decide the exit status
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("store"))


def test_check_names_a_store_that_cannot_be_written(environment, monkeypatch, capsys, tmp_path):
    DashboardStore(f"sqlite:///{environment}", migrations=next_release_steps()).upgrade()
    line = check_output(monkeypatch, capsys, tmp_path)
    assert line.startswith(f"store     FAIL  {environment}: The dashboard's store is at schema version 2, newer")


def test_check_looks_at_an_empty_store_without_creating_it(environment, monkeypatch, capsys, tmp_path):
    line = check_output(monkeypatch, capsys, tmp_path)
    assert line.startswith(f"store     --    {environment}: The store's file does not exist yet")
    assert not environment.exists()


def test_check_shows_a_writable_store_with_its_version(environment, monkeypatch, capsys, tmp_path):
    DashboardStore(f"sqlite:///{environment}").prepare()
    line = check_output(monkeypatch, capsys, tmp_path)
    assert line.startswith(f"store     OK    {environment}: SQLite ") and f"schema version {LATEST} (current)" in line
