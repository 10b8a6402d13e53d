"""The Overview and Risk pages as a Korean operator sees them (`?lang=ko`): Korean cards and a
cooldown that counts down in Korean in the browser, the state code kept beside its name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.helpers import start_cooldown

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_the_overview_reads_in_korean(live_dashboard, watched):
    page = watched("overview-korean")
    page.page.goto(live_dashboard.url + "/?lang=ko")
    assert page.wait_for_text(".page-title", lambda t: t == "개요") == "개요"
    assert page.wait_for_text("[data-kpi='total-assets']", lambda t: t.endswith("원")).endswith("원")
    assert "평균 단가" in page.wait_for_text(".positions-table thead", lambda t: t != "")
    page.screenshot("overview")


def test_an_active_cooldown_counts_down_in_korean(private_dashboard, watched):
    start_cooldown(private_dashboard.writer.engine, timedelta(hours=1, minutes=30))
    page = watched("risk-korean")
    page.page.goto(private_dashboard.url + "/risk?lang=ko")
    assert page.wait_for_text("[data-trading-state]", lambda t: t == "COOLDOWN") == "COOLDOWN"
    assert page.wait_for_text("[data-state-name]", lambda t: t != "") == "쿨다운 중"
    first = page.wait_for_text("#risk-cooldown", lambda t: "남음" in t)
    second = page.wait_for_text("#risk-cooldown", lambda t: t != first, timeout=5)  # it ticks on its own
    assert "1시간 2" in second  # about 1 h 29 min left, counting down
    page.screenshot("risk")
