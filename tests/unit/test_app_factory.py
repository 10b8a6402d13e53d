"""create_app: what every fresh process must be able to serve from its first request."""

import dash._callback as dash_callbacks
import pytest

from callbacks.system import access_card
from dashboard import auth
from dashboard.app import create_app
from dashboard.extensions import services_of
from dashboard.settings import AuthSettings, Settings
from data.database import Database
from i18n import using
from layouts import system as system_layout
from tests.support.components import by_attribute, english_words, text


def test_a_fresh_process_serves_a_component_bundle_before_any_page(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/none.sqlite3", n8n_url=None, url_prefix="/cp/"))
    client = app.server.test_client()
    bundle = next(path for path in app.registered_paths["dash_ag_grid"] if path.endswith(".min.js"))
    assert client.get(f"/cp/_dash-component-suites/dash_ag_grid/{bundle}").status_code == 200


def test_two_apps_in_one_process_keep_their_own_callbacks(tmp_path):
    first = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.sqlite3", n8n_url=None))
    second = create_app(Settings(database_url=f"sqlite:///{tmp_path}/b.sqlite3", n8n_url=None, url_prefix="/x/"))
    assert first.callback_map.keys() == second.callback_map.keys()
    assert services_of(first.server) is not services_of(second.server)
    # Registered on each app, never through Dash's global list (which binds to the first app).
    assert not dash_callbacks.GLOBAL_CALLBACK_LIST and not dash_callbacks.GLOBAL_CALLBACK_MAP


def test_services_are_attached_as_a_flask_extension_that_readyz_uses(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.sqlite3", n8n_url=None))
    services = app.server.extensions["coinpilot"]
    assert services_of(app.server) is services
    assert not hasattr(app, "coinpilot_services")  # attached, not bolted onto the Dash object
    # /readyz reads through the attached services: swap their database and it follows.
    services.database = Database(f"sqlite:///{tmp_path}/missing-dir/x.sqlite3")
    assert app.server.test_client().get("/readyz").status_code == 503


def test_open_access_is_said_in_the_log_and_on_the_system_page(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="coinpilot.dashboard"):
        app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/a.sqlite3", n8n_url=None))
    assert "open access" in caplog.text
    card = access_card(services_of(app.server))
    assert "open access" in text(card) and by_attribute(card, "data-level", "warn")


def test_with_credentials_the_system_page_says_how_they_are_checked(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="coinpilot.dashboard"):
        app = create_app(
            Settings(
                database_url=f"sqlite:///{tmp_path}/a.sqlite3",
                n8n_url=None,
                auth=AuthSettings(username="ops", password="pw"),
            )
        )
    assert "open access" not in caplog.text
    assert "HTTP basic auth (user 'ops'" in text(access_card(services_of(app.server)))


@pytest.mark.parametrize(
    "credentials, sentence, level",
    [
        (AuthSettings(), "open access (no credentials configured)", "warn"),
        (
            AuthSettings(username="ops", password="pw"),
            "HTTP basic auth (user 'ops', password from the environment)",
            "ok",
        ),
        (
            AuthSettings(username="ops", password_hash="scrypt:1$s$ab"),
            "HTTP basic auth (user 'ops', password hash from the environment)",
            "ok",
        ),
        (AuthSettings(trusted_user_header="X-User"), "authenticated by the proxy (X-User header)", "ok"),
        (
            AuthSettings(username="ops", password="pw", trusted_user_header="X-User"),
            "HTTP basic auth, or the X-User header set by the proxy",
            "ok",
        ),
    ],
)
def test_the_access_mode_is_a_value_the_system_card_puts_into_words(credentials, sentence, level):
    card = system_layout.access_card(auth.access_mode(credentials))
    assert text(by_attribute(card, "data-fact", "access:mode")[0]) == sentence
    assert by_attribute(card, "data-level", level)


def test_on_a_korean_page_the_access_mode_is_said_in_korean():
    with using(language="ko"):
        card = system_layout.access_card(auth.access_mode(AuthSettings(username="ops", password="pw")))
        assert (
            text(by_attribute(card, "data-fact", "access:mode")[0])
            == "HTTP 기본 인증 (사용자 'ops', 환경 변수의 비밀번호)"
        )
        assert english_words(card, frozenset({"ops"})) == set()
