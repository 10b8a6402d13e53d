"""The System page reads in Korean on every backend: its cards, freshness table and rollups."""

from __future__ import annotations

import re

from callbacks import system as system_callbacks
from i18n import using
from layouts import ids
from layouts import system as system_layout
from tests.support.components import english_words, text
from tests.unit.test_rollups_panel import services_with, statuses

# The dashboard's own command line, quoted as the operator types it.
COMMAND_WORDS = frozenset({"coinpilot", "dashboard", "rollups", "status", "create", "database", "url"})


def _recorded_words(*values: str) -> frozenset[str]:
    """Words of what the page shows as configured or reported: URLs, server versions, the access mode."""
    return frozenset(word for value in values for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", value or ""))


def test_the_cards_and_the_freshness_table_read_in_korean(seeded_services, redis_client):
    services = seeded_services
    with using(language="ko"):
        page = system_layout.page()
        # The audit grid is the Risk page's (layouts.risk), translated there.
        for component in page._traverse():
            if getattr(component, "id", None) == ids.SYSTEM_AUDIT:
                component.columnDefs, component.dashGridOptions = [], {}
        shown = [
            page,
            system_callbacks.database_card(services),
            system_callbacks.redis_card(services),
            system_callbacks.n8n_card(services),
            system_callbacks.access_card(services),
            system_callbacks.freshness_panel(services),
            system_callbacks.rollups_panel(services),
        ]
        info = services.database.info()
        recorded = COMMAND_WORDS | _recorded_words(
            services.database.display_url,
            info.server_version,
            services.bot_status.description,
        )
        assert english_words(shown, recorded) == set()
        assert "데이터베이스" in text(shown[1]) and "연결됨" in text(shown[1])
        assert "상태 없음 (5분)" in text(shown[5])


def test_a_failing_refresh_policy_reads_in_korean():
    with using(language="ko"):
        panel = system_callbacks.rollups_panel(services_with(statuses(errors_visible=False)))
        assert english_words(panel, COMMAND_WORDS) == set()
        assert "갱신 정책 실패" in text(panel)
