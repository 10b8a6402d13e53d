"""Strategy files shaped as the bot's own config/strategy_v3.yaml, for the tests.

UPSTREAM_FILE has the sections and keys the bot's loader maps, with the values the upstream file
holds today (risk_management 0.20 / 1.00 / 5 / false / 0.03 / 6 / 3 / 2; regimes BULL 1.0,
SIDEWAYS 0.9, BEAR 0.7, AI 20 / 120 an hour / a day). The expected numbers in the tests are worked
out from these literals, not through the code under test.
"""

from __future__ import annotations

from pathlib import Path

UPSTREAM_FILE = """\
regime_detection:
  ma_fast_period: 50
  ma_slow_period: 200
  bull_threshold_pct: 2.0
  bear_threshold_pct: -2.0
data:
  min_hourly_candles_for_regime: 200
regimes:
  BULL:
    entry:
      rsi_14_max: 50
      ai_max_calls_per_hour: 20
      ai_max_calls_per_day: 120
    exit:
      take_profit_pct: 0.05
    position_size_ratio: 1.0
  SIDEWAYS:
    entry:
      ai_max_calls_per_hour: 20
      ai_max_calls_per_day: 120
    position_size_ratio: 0.9
  BEAR:
    entry:
      ai_max_calls_per_hour: 20
      ai_max_calls_per_day: 120
    position_size_ratio: 0.7
risk_management:
  max_position_size: 0.20
  max_total_exposure: 1.00
  max_concurrent_positions: 5
  allow_same_coin_duplicate: false
  max_daily_loss: 0.03
  max_daily_trades: 6
  cooldown_after_consecutive_losses: 3
  cooldown_hours: 2
"""


def write_strategy(directory: Path, text: str = UPSTREAM_FILE, name: str = "strategy_v3.yaml") -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)
