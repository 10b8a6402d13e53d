"""Each request is drawn in its browser's language, theme and colours (dashboard/web.py and the
index page), with Korean the default. No server: Flask's test client on an empty SQLite file."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.extensions import services_of
from dashboard.settings import Settings
from data.database import Backend
from simulator.seeding import create_schema
from simulator.writer import WritableDatabase


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('prefs') / 'empty.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    writer.dispose()
    built = create_app(Settings.from_env({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0", "N8N_URL": ""}))
    yield built
    services_of(built.server).database.dispose()


def layout_text(client) -> str:
    return client.get("/_dash-layout").get_data(as_text=True)


def test_the_default_is_korean_dark_and_korean_colours(app):
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ko" data-bs-theme="dark" data-colours="korean">' in page
    assert "시장" in layout_text(client)


def test_a_cookie_chooses_english_and_the_light_theme(app):
    client = app.server.test_client()
    client.set_cookie("cp_lang", "en")
    client.set_cookie("cp_theme", "light")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" data-bs-theme="light" data-colours="korean">' in page
    assert '<body data-ag-theme-mode="light">' in page
    layout = layout_text(client)
    assert "Market" in layout and "시장" not in layout


def test_a_link_wins_over_the_cookie_and_is_remembered(app):
    client = app.server.test_client()
    client.set_cookie("cp_lang", "en")
    response = client.get("/market?lang=ko&colours=western")
    assert '<html lang="ko" data-bs-theme="dark" data-colours="western">' in response.get_data(as_text=True)
    assert any(h.startswith("cp_lang=ko;") for h in response.headers.getlist("Set-Cookie"))
    # The page's later requests (the layout, its callbacks) carry the remembered choice.
    assert "시장" in layout_text(client)


def test_a_forged_preference_is_ignored(app):
    client = app.server.test_client()
    client.set_cookie("cp_lang", '"><script>')
    response = client.get("/?theme=<b>")
    page = response.get_data(as_text=True)
    assert '<html lang="ko" data-bs-theme="dark"' in page
    assert not response.headers.getlist("Set-Cookie")
