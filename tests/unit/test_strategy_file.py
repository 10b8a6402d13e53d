"""The bot's strategy file read the way the bot's loader reads it, and the limits it gives with
their sources (the bot's own file, its code defaults, the dashboard's settings)."""

from __future__ import annotations

import os

import pytest

from data.bot_limits import BotLimits
from data.risk import DashboardRiskSettings, LimitSource, resolve_limits
from data.strategy_file import StrategyFileWatch, parse_strategy_text, read_strategy_file
from tests.support.bot_config import UPSTREAM_FILE, write_strategy


def limits_of(text: str):
    return resolve_limits(parse_strategy_text("strategy_v3.yaml", text), DashboardRiskSettings())


def test_the_upstream_file_gives_the_bots_limits_all_from_the_file():
    limits = limits_of(UPSTREAM_FILE)
    values = (
        limits.max_daily_loss.value,
        limits.max_daily_trades.value,
        limits.cooldown_hours.value,
        limits.max_position_size.value,
        limits.max_total_exposure.value,
        limits.max_concurrent_positions.value,
        limits.allow_same_coin_duplicate.value,
    )
    assert values == (0.03, 6, 2.0, 0.20, 1.00, 5, False)
    assert limits.max_daily_loss.source is LimitSource.STRATEGY_FILE
    assert limits.max_concurrent_positions.source is LimitSource.STRATEGY_FILE
    ratios = {r.regime: r.position_size_ratio.value for r in limits.regimes}
    assert ratios == {"BULL": 1.0, "SIDEWAYS": 0.9, "BEAR": 0.7}
    assert {(r.ai_max_calls_per_hour.value, r.ai_max_calls_per_day.value) for r in limits.regimes} == {(20, 120)}
    assert limits.problems == ()


def test_a_key_missing_from_the_file_is_the_bots_code_default():
    text = UPSTREAM_FILE.replace("  max_daily_trades: 6\n", "").replace("  max_position_size: 0.20\n", "")
    limits = limits_of(text)
    assert (limits.max_daily_trades.value, limits.max_daily_trades.source) == (10, LimitSource.BOT_DEFAULT)
    assert (limits.max_position_size.value, limits.max_position_size.source) == (0.05, LimitSource.BOT_DEFAULT)
    assert limits.max_daily_loss.source is LimitSource.STRATEGY_FILE


def test_the_cooldown_starts_after_three_losses_whatever_the_file_says_and_the_page_is_told():
    limits = limits_of(
        UPSTREAM_FILE.replace("cooldown_after_consecutive_losses: 3", "cooldown_after_consecutive_losses: 5")
    )
    losses = limits.max_consecutive_losses
    assert (losses.value, losses.source) == (3, LimitSource.BOT_CODE)
    assert losses.note is not None and losses.note.params == {"configured": 5, "used": 3}
    assert limits_of(UPSTREAM_FILE).max_consecutive_losses.note is None


@pytest.mark.parametrize(
    "text, why",
    [
        ("risk_management: [unclosed\n", "strategy.not_yaml"),
        ("", "strategy.file_empty"),
        ("- a list\n- not a mapping\n", "strategy.not_mapping"),
        # The bot's loader tests keys with `in` and indexes the section: null makes it fail.
        (UPSTREAM_FILE.replace("risk_management:\n", "risk_management: null\nunused:\n"), "strategy.not_mapping"),
    ],
)
def test_a_file_the_bot_cannot_map_means_its_code_defaults_for_everything_said_once(text, why):
    limits = limits_of(text)
    assert limits.max_daily_loss.value == 0.05 and limits.max_daily_trades.value == 10
    assert limits.max_daily_loss.source is LimitSource.BOT_DEFAULT
    # The default regimes too: the bot's code sizes SIDEWAYS at 0.8 and BEAR at 0.5.
    assert {r.regime: r.position_size_ratio.value for r in limits.regimes} == {
        "BULL": 1.0,
        "SIDEWAYS": 0.8,
        "BEAR": 0.5,
    }
    assert len(limits.problems) == 1 and limits.problems[0].params["why"].key == why


def test_a_missing_file_falls_back_and_names_the_path(tmp_path):
    strategy = read_strategy_file(str(tmp_path / "nope.yaml"))
    assert strategy.fallback.key == "strategy.file_missing"
    assert resolve_limits(strategy, DashboardRiskSettings()).max_daily_trades.source is LimitSource.BOT_DEFAULT


def test_a_value_the_bot_cannot_use_is_named_and_shown_at_its_default():
    limits = limits_of(UPSTREAM_FILE.replace("max_daily_loss: 0.03", "max_daily_loss: lots"))
    assert (limits.max_daily_loss.value, limits.max_daily_loss.source) == (0.05, LimitSource.BOT_DEFAULT)
    assert [p.key for p in limits.problems] == ["strategy.bad_value"]
    assert limits.problems[0].params["setting"] == "risk_management.max_daily_loss"


def test_a_regimes_section_replaces_the_defaults_so_a_left_out_regime_or_ratio_sizes_at_zero():
    text = UPSTREAM_FILE.replace("    position_size_ratio: 0.9\n", "")
    limits = limits_of(text)
    assert limits.regime("SIDEWAYS").position_size_ratio.value == 0.0
    assert limits.regime("SIDEWAYS").position_size_ratio.source is LimitSource.BOT_CODE
    assert limits.regime("UNKNOWN").position_size_ratio.value == 0.0
    only_bull = UPSTREAM_FILE.split("  SIDEWAYS:")[0] + "risk_management:\n  max_daily_loss: 0.03\n"
    assert [r.regime for r in limits_of(only_bull).regimes] == ["BULL"]
    assert limits_of(only_bull).regime("BEAR").position_size_ratio.value == 0.0


def test_the_ai_budget_is_per_regime_and_the_lowest_one_is_where_entries_first_stop():
    text = UPSTREAM_FILE.replace(
        "ai_max_calls_per_hour: 20\n      ai_max_calls_per_day: 120\n    position_size_ratio: 0.7",
        "ai_max_calls_per_hour: 8\n      ai_max_calls_per_day: 50\n    position_size_ratio: 0.7",
    )
    limits = limits_of(text)
    assert limits.regime("BEAR").ai_max_calls_per_hour.value == 8
    assert (limits.ai_calls_per_hour(), limits.ai_calls_per_day()) == (8, 50)


def test_without_a_file_the_dashboards_settings_apply_where_set_else_the_bots_defaults():
    limits = resolve_limits(None, DashboardRiskSettings(daily_loss_limit_pct=3.0, max_trades_per_day=6))
    assert (limits.max_daily_loss.value, limits.max_daily_loss.source) == (0.03, LimitSource.DASHBOARD_SETTING)
    assert (limits.max_daily_trades.value, limits.max_daily_trades.source) == (6, LimitSource.DASHBOARD_SETTING)
    assert (limits.cooldown_hours.value, limits.cooldown_hours.source) == (2.0, LimitSource.BOT_DEFAULT)
    # With a file configured, RISK_* settings are not used: the bot does not read them.
    with_file = resolve_limits(
        parse_strategy_text("s.yaml", UPSTREAM_FILE), DashboardRiskSettings(max_trades_per_day=1)
    )
    assert with_file.max_daily_trades.value == 6


def test_the_fee_buffer_is_the_environments_else_the_bots_default():
    assert resolve_limits(None, DashboardRiskSettings()).fee_buffer.value == 0.002
    buffer = resolve_limits(None, DashboardRiskSettings(fee_buffer=0.005)).fee_buffer
    assert (buffer.value, buffer.source) == (0.005, LimitSource.ENVIRONMENT)


def test_a_changed_file_is_read_again_and_an_unchanged_one_is_not(tmp_path):
    path = write_strategy(tmp_path)
    ticks = iter(range(0, 1000, 10))
    watch = StrategyFileWatch(path, clock=lambda: next(ticks), check_every_s=5)
    first = watch.current()
    assert watch.current() is first  # nothing changed: the same reading
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(UPSTREAM_FILE.replace("max_daily_trades: 6", "max_daily_trades: 4"))
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000_000))
    assert watch.current().risk["max_daily_trades"] == 4


def test_bot_limits_resolve_once_per_reading_of_the_file(tmp_path):
    limits = BotLimits(DashboardRiskSettings(), write_strategy(tmp_path))
    assert limits.current() is limits.current()
    assert limits.current().max_daily_trades.value == 6
