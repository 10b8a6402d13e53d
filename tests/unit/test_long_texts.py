"""A long text from the bot or the database is clamped on the page, with a way to read it all."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from layouts import market
from layouts.components import LONG_TEXT_SHOWN, long_text
from tests.support.components import text, walk

# The probe's AI reasoning: 87 KB, which made the Market page 39,400 px tall.
REASONING = ("The RSI is oversold and the band is narrow; " * 2_000)[:87_000]


def _shown_before_expanding(tree) -> str:
    """The text outside any closed <details> element: what the page shows before a click."""
    return text([node for node in walk(tree) if node["type"] == "Span" and "long-text-start" in str(node["props"])])


def test_a_long_ai_reasoning_shows_its_start_and_a_toggle_with_its_length():
    frame = pd.DataFrame(
        [
            {
                "decision": "CONFIRM",
                "confidence": 80,
                "created_at": datetime(2026, 1, 30, tzinfo=UTC),
                "reasoning": REASONING,
            }
        ]
    )
    table = market.decisions_table(frame, ZoneInfo("Asia/Seoul"))
    summaries = [node for node in walk(table) if node["type"] == "Summary"]
    assert [text(s) for s in summaries] == ["Show all (87,000 characters)"]
    assert len(_shown_before_expanding(table)) == LONG_TEXT_SHOWN + 1  # and the ellipsis
    details = next(node for node in walk(table) if node["type"] == "Details")
    assert REASONING in text(details)  # the whole text is one click away


def test_a_short_text_is_shown_whole_without_a_toggle():
    tree = long_text("fine", className="small")
    assert text(tree) == "fine" and not [node for node in walk(tree) if node["type"] == "Details"]
