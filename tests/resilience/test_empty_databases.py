"""A fresh CoinPilot database (tables, no rows) and one whose tables do not exist yet: every
panel explains what is missing; nothing fails."""

from __future__ import annotations

import pytest

from callbacks import history as history_callbacks
from callbacks import market as market_callbacks
from callbacks import overview as overview_callbacks
from callbacks import risk as risk_callbacks
from callbacks import shell as shell_callbacks
from callbacks import system as system_callbacks
from dashboard.app import build_services, create_app
from dashboard.extensions import services_of
from layouts import ids
from tests.support.components import by_attribute, text
from tests.support.helpers import make_settings
from tests.support.live import LiveServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def every_panel(services) -> dict:
    return {
        "overview": overview_callbacks.overview_panels(services),
        "risk": risk_callbacks.risk_panels(services),
        "audit": risk_callbacks.audit_panel(services, None),
        "chart": market_callbacks.market_chart(services, "KRW-BTC", "15m", 200, [], None, ids.MARKET_SYMBOL),
        "brain": market_callbacks.bot_brain_panel(services, "KRW-BTC"),
        "statuses": market_callbacks.status_overview(services, "KRW-BTC"),
        "history": history_callbacks.history_summary(services, None, None, None, None, None),
        "rows": history_callbacks.history_rows(services, {"startRow": 0, "endRow": 50}, None, None, None, None, None),
        "strip": shell_callbacks.status_strip(services),
        "freshness": system_callbacks.freshness_panel(services),
        "database": system_callbacks.database_card(services),
    }


def test_a_database_with_tables_but_no_rows_explains_each_empty_panel(empty_pg_url, redis_db):
    services = build_services(make_settings(empty_pg_url, redis_db))
    panels = every_panel(services)
    assert "account_state has no row 1" in text(panels["overview"][3])
    assert "No filled trades yet" in panels["overview"][2].layout.annotations[0].text
    assert "the bot holds only cash" in text(panels["overview"][1])
    assert "No candles yet" in text(panels["chart"][2])
    assert "No trades recorded yet" in text(panels["history"][4])
    assert panels["rows"] == {"rowData": [], "rowCount": 0}
    assert "RUNNING" in text(panels["risk"][0]) and "has not run since midnight UTC" in text(panels["risk"][0])
    assert "No symbols have candles yet" in text(panels["freshness"])
    services.database.dispose()


def test_a_database_without_the_coinpilot_tables_names_what_is_missing(postgres, redis_db):
    services = build_services(make_settings(postgres.create("cp_bare"), redis_db))
    panels = every_panel(services)
    for name in ("overview", "risk", "history"):
        found = by_attribute(panels[name], "data-problem", "schema_missing")
        assert found, f"{name} does not say the schema is missing"
    assert "does not exist yet" in text(panels["chart"][2])
    assert "market_data" in text(panels["freshness"])
    assert by_attribute(panels["database"], "data-level", "ok")  # reachable, just empty
    services.database.dispose()


@pytest.mark.browser
def test_every_page_of_a_bare_database_loads_without_errors(postgres, redis_db, watched):
    app = create_app(make_settings(postgres.create("cp_bare"), redis_db))
    with LiveServer(app.server) as server:
        page = watched("bare-database")
        for path in ("/", "/market", "/risk", "/history", "/system"):
            page.page.goto(server.url + path)
            page.page.wait_for_selector("h1.page-title")
            page.page.wait_for_load_state("networkidle")
        page.page.goto(server.url + "/")
        assert "does not exist yet" in page.wait_for_text("#overview-message", lambda t: "exist" in t)
        page.screenshot("overview")
    services_of(app.server).database.dispose()
