"""Outcome scoring of the AI reviewer's decisions, with hand-computed numbers."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data.ai_outcomes import (
    NO_CANDLE,
    NO_PRICE,
    NOT_SCORED,
    PENDING,
    RIGHT,
    WRONG,
    confidence_distribution,
    decision_outcomes,
    decisions_per_day,
    judge,
    outcome_summary,
    target_minute,
)

AT = datetime(2026, 1, 29, 6, 0, 20, tzinfo=UTC)
MINUTE_4H = datetime(2026, 1, 29, 10, 0, tzinfo=UTC)


def decisions(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "symbol": "KRW-BTC",
                "created_at": AT,
                "decision": d,
                "price_at_decision": p,
                "regime": r,
                "model_used": "m",
                "confidence": 70,
            }
            for d, p, r in rows
        ]
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def test_the_later_price_is_the_close_of_the_candle_opening_at_the_minute_of_decision_plus_window():
    assert target_minute(AT, timedelta(hours=4)) == MINUTE_4H
    assert target_minute(datetime(2026, 1, 29, 6, 0, 59, 999999, tzinfo=UTC), timedelta(hours=1)) == datetime(
        2026, 1, 29, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "decision, later, expected",
    [
        ("REJECT", 99.99, RIGHT),
        ("REJECT", 100.0, WRONG),  # unchanged: the vetoed entry would not have lost
        ("REJECT", 100.01, WRONG),
        ("CONFIRM", 100.01, RIGHT),
        ("CONFIRM", 100.0, WRONG),  # unchanged: the confirmed entry did not gain
        ("CONFIRM", 99.99, WRONG),
        ("SAFE", 90.0, None),
        ("WARNING", 110.0, None),
    ],
)
def test_a_reject_is_right_when_the_price_fell_and_a_confirm_when_it_rose(decision, later, expected):
    assert judge(decision, 100.0, later) == expected


def test_outcomes_per_window_are_right_pending_or_unknown_with_the_move_in_percent():
    frame = decisions(("REJECT", 100.0, "BEAR"), ("CONFIRM", None, "BULL"), ("SAFE", 100.0, "SIDEWAYS"))
    closes = {"KRW-BTC": {datetime(2026, 1, 29, 7, 0, tzinfo=UTC): 98.0, MINUTE_4H: 95.0}}
    now = AT + timedelta(hours=5)
    out = decision_outcomes(frame, closes, now)
    reject, confirm, safe = out.to_dict("records")
    assert reject["move_1h_pct"] == pytest.approx(-2.0)
    assert reject["move_4h_pct"] == pytest.approx(-5.0)
    assert (reject["outcome_1h"], reject["outcome_4h"], reject["outcome_24h"]) == (RIGHT, RIGHT, PENDING)
    assert confirm["outcome_4h"] == NO_PRICE and pd.isna(confirm["move_4h_pct"])
    assert safe["outcome_4h"] == NOT_SCORED and safe["move_4h_pct"] == pytest.approx(-5.0)


def test_a_decision_is_pending_until_its_window_has_passed_then_needs_its_candle():
    frame = decisions(("REJECT", 100.0, "BEAR"))
    just_before = decision_outcomes(frame, {}, AT + timedelta(hours=4) - timedelta(microseconds=1))
    at_window = decision_outcomes(frame, {}, AT + timedelta(hours=4))
    assert just_before["outcome_4h"].iloc[0] == PENDING
    assert at_window["outcome_4h"].iloc[0] == NO_CANDLE


def test_the_summary_scores_only_confirm_and_reject_and_counts_pending_apart():
    frame = decisions(("REJECT", 100.0, "BEAR"), ("REJECT", 100.0, "BEAR"), ("REJECT", 100.0, "BULL"))
    frame.loc[1, "created_at"] = frame.loc[1, "created_at"] + pd.Timedelta(hours=3)  # 4 h not passed yet
    frame.loc[2, "symbol"] = "KRW-ETH"  # rose: wrong
    closes = {"KRW-BTC": {MINUTE_4H: 95.0}, "KRW-ETH": {MINUTE_4H: 101.0}}
    out = decision_outcomes(frame, closes, AT + timedelta(hours=5))
    overall = outcome_summary(out, None).iloc[0].to_dict()
    assert (overall["decisions"], overall["pending"], overall["scored"], overall["right"]) == (3, 1, 2, 1)
    assert overall["hit_rate_pct"] == pytest.approx(50.0)
    assert overall["avg_move_4h_pct"] == pytest.approx((-5.0 + 1.0) / 2)
    by_regime = outcome_summary(out, "regime").set_index("group")
    assert by_regime.loc["BEAR", "hit_rate_pct"] == pytest.approx(100.0)
    assert by_regime.loc["BULL", "hit_rate_pct"] == pytest.approx(0.0)


def test_decisions_are_counted_per_display_time_zone_day():
    frame = decisions(("REJECT", 1.0, "BEAR"), ("CONFIRM", 1.0, "BULL"))
    frame.loc[1, "created_at"] = pd.Timestamp("2026-01-29 15:30", tz="UTC")  # 00:30 on the 30th in Seoul
    per_day = decisions_per_day(frame, ZoneInfo("Asia/Seoul"))
    assert per_day.to_dict("index") == {
        "2026-01-29": {"CONFIRM": 0, "REJECT": 1},
        "2026-01-30": {"CONFIRM": 1, "REJECT": 0},
    }


def test_confidence_bands_are_tens_with_100_in_the_top_band_and_out_of_range_dropped():
    frame = decisions(*[("REJECT", 1.0, "BEAR")] * 5)
    frame["confidence"] = [9, 10, 95, 100, 101]
    bands = confidence_distribution(frame)["REJECT"]
    assert (bands[0], bands[10], bands[90], int(bands.sum())) == (1, 1, 2, 4)
