"""Today's risk row against the limits, as the bot evaluates it."""

from datetime import UTC, datetime, timedelta

from data.risk import RiskLimits, TradingState, assess_risk
from tests.support.helpers import balance, risk_day

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
LIMITS = RiskLimits.bot_defaults()


def day(**values):
    return risk_day(NOW, **values)


def test_no_row_today_means_no_trades_yet_and_running():
    result = assess_risk(None, TODAY, balance(10_000_000), LIMITS, NOW)
    assert result.state is TradingState.RUNNING and not result.has_row and result.day.trade_count == 0


def test_the_daily_loss_limit_is_five_percent_of_balance():
    result = assess_risk(day(total_pnl=-500_000), TODAY, balance(10_000_000), LIMITS, NOW)
    assert result.loss_limit_reached and result.pnl_pct_of_reference == -5.0
    assert not assess_risk(day(total_pnl=-499_999), TODAY, balance(10_000_000), LIMITS, NOW).loss_limit_reached


def test_a_future_cooldown_is_cooldown_with_its_remaining_time():
    result = assess_risk(day(cooldown_until=NOW + timedelta(minutes=90)), TODAY, balance(1), LIMITS, NOW)
    assert result.state is TradingState.COOLDOWN and result.cooldown_remaining_s == 5400


def test_a_past_cooldown_is_over():
    assert (
        assess_risk(day(cooldown_until=NOW - timedelta(seconds=1)), TODAY, balance(1), LIMITS, NOW).state
        is TradingState.RUNNING
    )


def test_a_halt_wins_over_a_cooldown_and_warns():
    result = assess_risk(
        day(is_trading_halted=True, cooldown_until=NOW + timedelta(hours=1)), TODAY, balance(1), LIMITS, NOW
    )
    assert result.state is TradingState.HALTED and result.warnings


def test_trade_and_loss_counters_reach_their_limits():
    result = assess_risk(day(trade_count=10, consecutive_losses=3), TODAY, balance(1), LIMITS, NOW)
    assert result.trade_limit_reached and result.consecutive_loss_limit_reached and len(result.warnings) == 2


def test_reaching_the_daily_trade_limit_is_its_own_state_not_running():
    result = assess_risk(day(trade_count=10), TODAY, balance(10_000_000), LIMITS, NOW)
    assert result.state is TradingState.LIMIT_REACHED
    assert "exits still run" in " ".join(map(str, result.warnings))
    assert assess_risk(day(trade_count=9), TODAY, balance(10_000_000), LIMITS, NOW).state is TradingState.RUNNING


def test_a_halt_and_a_cooldown_both_outrank_the_trade_limit():
    halted = assess_risk(day(trade_count=10, is_trading_halted=True), TODAY, balance(1), LIMITS, NOW)
    cooling = assess_risk(
        day(trade_count=10, cooldown_until=NOW + timedelta(minutes=5)), TODAY, balance(1), LIMITS, NOW
    )
    assert (halted.state, cooling.state) == (TradingState.HALTED, TradingState.COOLDOWN)


def test_where_the_bot_splits_its_counts_the_limit_counts_buys_only():
    # v3.2.1: 12 trades today, but only 6 entries: under the limit of 10.
    result = assess_risk(day(trade_count=12, buy_count=6, sell_count=6), TODAY, balance(10_000_000), LIMITS, NOW)
    assert result.counts_buys and result.trades_counted == 6
    assert result.state is TradingState.RUNNING and not result.trade_limit_reached
    at_limit = assess_risk(day(trade_count=13, buy_count=10, sell_count=3), TODAY, balance(10_000_000), LIMITS, NOW)
    assert at_limit.state is TradingState.LIMIT_REACHED and "10 of 10 BUYs" in " ".join(map(str, at_limit.warnings))


def test_a_week6_row_counts_every_trade():
    result = assess_risk(day(trade_count=7), TODAY, balance(10_000_000), LIMITS, NOW)
    assert not result.counts_buys and result.trades_counted == 7


def test_a_split_that_does_not_add_up_is_shown_as_a_bookkeeping_mismatch():
    result = assess_risk(day(trade_count=7, buy_count=4, sell_count=2), TODAY, balance(10_000_000), LIMITS, NOW)
    assert result.count_mismatch
    assert "trade_count 7 != buy_count 4 + sell_count 2" in " ".join(map(str, result.warnings))
    assert not assess_risk(day(trade_count=6, buy_count=4, sell_count=2), TODAY, balance(1), LIMITS, NOW).count_mismatch
