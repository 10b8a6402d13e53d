"""Today's risk row against the limits, as the bot evaluates it."""

from datetime import UTC, datetime, timedelta

from data.risk import DailyRiskState, RiskLimits, TradingState, assess_risk

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
LIMITS = RiskLimits()


def day(**values):
    base = {
        "date": TODAY,
        "total_pnl": 0.0,
        "trade_count": 0,
        "consecutive_losses": 0,
        "cooldown_until": None,
        "is_trading_halted": False,
        "updated_at": NOW,
    }
    base.update(values)
    return DailyRiskState(**base)


def test_no_row_today_means_no_trades_yet_and_running():
    result = assess_risk(None, TODAY, 10_000_000, LIMITS, NOW)
    assert result.state is TradingState.RUNNING and not result.has_row and result.day.trade_count == 0


def test_the_daily_loss_limit_is_five_percent_of_balance():
    result = assess_risk(day(total_pnl=-500_000), TODAY, 10_000_000, LIMITS, NOW)
    assert result.loss_limit_reached and result.pnl_pct_of_balance == -5.0
    assert not assess_risk(day(total_pnl=-499_999), TODAY, 10_000_000, LIMITS, NOW).loss_limit_reached


def test_a_future_cooldown_is_cooldown_with_its_remaining_time():
    result = assess_risk(day(cooldown_until=NOW + timedelta(minutes=90)), TODAY, 1, LIMITS, NOW)
    assert result.state is TradingState.COOLDOWN and result.cooldown_remaining_s == 5400


def test_a_past_cooldown_is_over():
    assert (
        assess_risk(day(cooldown_until=NOW - timedelta(seconds=1)), TODAY, 1, LIMITS, NOW).state is TradingState.RUNNING
    )


def test_a_halt_wins_over_a_cooldown_and_warns():
    result = assess_risk(day(is_trading_halted=True, cooldown_until=NOW + timedelta(hours=1)), TODAY, 1, LIMITS, NOW)
    assert result.state is TradingState.HALTED and result.warnings


def test_trade_and_loss_counters_reach_their_limits():
    result = assess_risk(day(trade_count=10, consecutive_losses=3), TODAY, 1, LIMITS, NOW)
    assert result.trade_limit_reached and result.consecutive_loss_limit_reached and len(result.warnings) == 2
