"""The regime history as bands behind the Market chart, in the browser: drawn below the candles
for the rows the test wrote, and hidden by the Regimes switch."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from data.tables import regime_history

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

BANDS_JS = """() => { const g = document.querySelector('#market-chart .js-plotly-plot');
    if (!g || !g.layout || !g.layout.shapes) return null;
    return g.layout.shapes.filter(s => s.type === 'rect' && s.layer === 'below')
        .map(s => ({name: s.name, visible: s.visible !== false})); }"""


def test_regime_bands_sit_behind_the_candles_and_the_switch_hides_them(private_dashboard, watched):
    last = pd.Timestamp(private_dashboard.history.candles["KRW-BTC"]["timestamp"].iloc[-1]).to_pydatetime()
    with private_dashboard.writer.engine.begin() as conn:
        conn.execute(sa.delete(regime_history))  # the simulator's own detections: only these two count
        conn.execute(
            sa.insert(regime_history),
            [
                {"detected_at": last - timedelta(hours=30), "regime": "BEAR", "diff_pct": -1.5, "coin_symbol": "BTC"},
                {"detected_at": last - timedelta(hours=10), "regime": "BULL", "diff_pct": 1.2, "coin_symbol": "BTC"},
                {"detected_at": last - timedelta(hours=5), "regime": "SIDEWAYS", "diff_pct": 0.1, "coin_symbol": "ETH"},
            ],
        )
    page = watched("regime-bands")
    page.page.goto(private_dashboard.url + "/market?symbol=KRW-BTC&width=1h&count=60&overlay=regimes")
    page.page.wait_for_function(f"() => {{ const b = ({BANDS_JS})(); return b && b.length === 2; }}", timeout=20_000)
    bands = page.page.evaluate(BANDS_JS)
    assert [band["name"].split(" ")[0] for band in bands] == ["BEAR", "BULL"]  # ETH's detection is not BTC's
    assert all(band["visible"] for band in bands)
    page.screenshot("regime-bands")
    page.page.get_by_label("Regimes").uncheck()
    page.page.wait_for_function(f"() => ({BANDS_JS})().every(b => !b.visible)", timeout=15_000)
