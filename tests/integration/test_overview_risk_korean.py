"""The Overview and Risk pages read in Korean on every backend, panels filled from the seeded rows."""

from __future__ import annotations

import re

import pytest

from callbacks import overview as overview_callbacks
from callbacks import risk as risk_callbacks
from i18n import using
from layouts import overview as overview_layout
from layouts import risk as risk_layout
from simulator.paper_bot import DEMO_STRATEGY_FILE
from tests.support.components import english_words, one, text

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _written_by_the_bot(rows: list[dict]) -> frozenset[str]:
    """Words of the audit descriptions the bot wrote: shown as written, not translated."""
    return frozenset(word for row in rows for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", row["description"]))


def test_the_overview_panels_read_in_korean(seeded_services):
    with using(language="ko"):
        shown = [overview_layout.page(), *overview_callbacks.overview_panels(seeded_services)]
        assert english_words(shown) == set()
        assert "실현 손익" in text(shown[1])


def test_the_risk_panels_read_in_korean(seeded_services):
    with using(language="ko"):
        state_card, *panels = risk_callbacks.risk_panels(seeded_services)
        rows, _options, message = risk_callbacks.audit_panel(seeded_services, None)
        shown = [risk_layout.page(), state_card, *panels, message, *risk_callbacks.guardrail_panels(seeded_services)]
        # The strategy file's path is shown as it is (a file name, not words to translate).
        path_words = frozenset(re.findall(r"[A-Za-z][A-Za-z0-9_]*", str(DEMO_STRATEGY_FILE)))
        assert english_words(shown, path_words) == set()
        assert english_words({"props": {"rowData": rows}, "type": "AgGrid"}, _written_by_the_bot(rows)) == set()
        assert text(one(state_card, "data-trading-state")) in {"RUNNING", "LIMIT REACHED", "COOLDOWN", "HALTED"}
        assert "거래 상태" in text(state_card)
