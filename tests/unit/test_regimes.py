"""Regime detections turned into chart bands, worked out by hand: band boundaries, the band that
began before the window, merged runs, UNKNOWN gaps; the symbol forms; the shapes drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data.regimes import DETECTION_COLUMNS, RegimeBand, base_coin, regime_bands
from layouts import market

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def detections(*rows) -> pd.DataFrame:
    frame = pd.DataFrame([(at(h), regime, diff) for h, regime, diff in rows], columns=DETECTION_COLUMNS)
    frame["detected_at"] = pd.to_datetime(frame["detected_at"], utc=True)
    return frame


def spans(bands):
    return [(b.regime, b.start, b.end) for b in bands]


def test_a_band_runs_from_one_detection_to_the_next_and_the_last_to_the_window_end():
    bands = regime_bands(detections((1, "BULL", 2.0), (3, "BEAR", -1.5)), at(0), at(10))
    assert spans(bands) == [("BULL", at(1), at(3)), ("BEAR", at(3), at(10))]


def test_the_detection_before_the_window_starts_the_first_band_at_the_window_start():
    bands = regime_bands(detections((-5, "SIDEWAYS", 0.1), (2, "BULL", 1.0)), at(0), at(4))
    assert spans(bands) == [("SIDEWAYS", at(0), at(2)), ("BULL", at(2), at(4))]


def test_consecutive_detections_of_one_regime_merge_into_one_band_with_first_and_last_diff():
    bands = regime_bands(
        detections((0, "BULL", 1.0), (1, "BULL", 1.5), (2, "BULL", 2.5), (3, "BEAR", -1)), at(0), at(5)
    )
    assert bands[0] == RegimeBand("BULL", at(0), at(3), 1.0, 2.5, 3)
    assert len(bands) == 2


def test_unknown_draws_no_band_but_ends_the_one_before():
    bands = regime_bands(detections((0, "BULL", 1.0), (2, "UNKNOWN", None), (4, "BEAR", -2.0)), at(0), at(6))
    assert spans(bands) == [("BULL", at(0), at(2)), ("BEAR", at(4), at(6))]


def test_a_band_that_ended_before_the_window_is_left_out():
    bands = regime_bands(detections((-5, "BEAR", -1.0), (-1, "BULL", 1.0)), at(0), at(2))
    assert spans(bands) == [("BULL", at(0), at(2))]


def test_no_detections_no_bands():
    assert regime_bands(detections(), at(0), at(2)) == []


@pytest.mark.parametrize("symbol", ["KRW-BTC", "BTC-KRW", "krw-btc"])
def test_both_symbol_forms_map_to_the_base_coin(symbol):
    assert base_coin(symbol) == "BTC"


def test_bands_are_faint_shapes_below_the_candles_after_the_rsi_guides_and_name_regime_and_diff():
    bands = [RegimeBand("BULL", at(0), at(2), 1.0, 2.5, 3), RegimeBand("BEAR", at(2), at(3), -1.25, -1.25, 1)]
    shapes = market.chart_shapes(bands, ZoneInfo("Asia/Seoul"), visible=True)
    guides, drawn = shapes[: len(market.RSI_LEVELS)], shapes[len(market.RSI_LEVELS) :]
    assert [g["y0"] for g in guides] == [30, 70]
    assert [(s["x0"], s["x1"]) for s in drawn] == [
        ("2026-03-01 09:00:00", "2026-03-01 11:00:00"),
        ("2026-03-01 11:00:00", "2026-03-01 12:00:00"),
    ]
    assert [s["fillcolor"] for s in drawn] == [market.regime_band_colour("BULL"), market.regime_band_colour("BEAR")]
    assert all(s["layer"] == "below" and s["yref"] == "y domain" and s["opacity"] < 0.3 for s in drawn)
    assert [s["label"]["text"] for s in drawn] == [
        "BULL · MA50/MA200 diff +1.00% → +2.50%",
        "BEAR · MA50/MA200 diff -1.25%",
    ]


def test_the_overlay_toggle_sets_every_band_and_only_the_bands():
    figure = {
        "data": [{} for _ in range(11)],
        "layout": {
            "shapes": market.chart_shapes(
                [RegimeBand("BULL", at(0), at(2), 1.0, 1.0, 1), RegimeBand("BEAR", at(2), at(3), -1.0, -1.0, 1)],
                ZoneInfo("UTC"),
                visible=True,
            )
        },
    }
    market.apply_overlay_visibility(figure, ("bb",), band_count=2)
    assert [s.get("visible") for s in figure["layout"]["shapes"]] == [None, None, False, False]
    market.apply_overlay_visibility(figure, ("regimes",), band_count=2)
    assert [s.get("visible") for s in figure["layout"]["shapes"]] == [None, None, True, True]
