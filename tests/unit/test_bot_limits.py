"""The v3 bot's limits measured as the bot measures them: the reference equity in its order, the
daily loss limit as a fraction of it, "limit reached" before "halted", and what a BUY signal meets
now (the sizing that writes no status, the risk check that writes SKIP). Expected figures are worked
out by hand from the upstream strategy file's values (tests/support/bot_config)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data.risk import (
    DashboardRiskSettings,
    EntryOutcome,
    LimitSource,
    TradingState,
    assess_risk,
    entry_rules,
    parse_reference_equity,
    position_exposure,
    reference_equity,
    resolve_limits,
)
from data.strategy_file import parse_strategy_text
from tests.support.bot_config import UPSTREAM_FILE
from tests.support.helpers import reference, risk_day

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
TODAY = NOW.date()
LIMITS = resolve_limits(parse_strategy_text("strategy_v3.yaml", UPSTREAM_FILE), DashboardRiskSettings())


def day(**values):
    return risk_day(NOW, **values)


def test_the_reference_equity_is_the_environments_then_the_days_redis_key_then_a_forecast():
    env = reference_equity(environment=2_000_000, redis_value=1_000_000, cash=700_000, exposure=100_000)
    assert (env.value, env.source) == (2_000_000, LimitSource.ENVIRONMENT)
    redis = reference_equity(environment=None, redis_value=1_000_000, cash=700_000, exposure=100_000)
    assert (redis.value, redis.source) == (1_000_000, LimitSource.REDIS)
    forecast = reference_equity(environment=None, redis_value=None, cash=700_000, exposure=100_000)
    assert (forecast.value, forecast.source, forecast.is_forecast) == (800_000, LimitSource.FORECAST, True)
    # No positive total equity: the bot falls back to the balance.
    assert reference_equity(environment=None, redis_value=None, cash=500.0, exposure=-900.0).value == 500.0
    # A week-6 bot measured against the balance alone.
    assert (
        reference_equity(environment=5.0, redis_value=9.0, cash=700_000, exposure=0, balance_rule=True).value == 700_000
    )


@pytest.mark.parametrize("raw", [b"abc", b"0", b"-5", b"NaN", b""])
def test_a_reference_key_the_bot_would_not_read_back_is_ignored_and_named(raw):
    value, problem = parse_reference_equity(raw)
    assert value is None and (problem is not None or raw == b"")


def test_the_days_reference_key_is_read_as_the_decimal_string_the_bot_writes():
    assert parse_reference_equity(b"1000000.00000000") == (1_000_000.0, None)
    assert parse_reference_equity(None) == (None, None)


def test_a_position_is_valued_at_the_bots_price_key_then_the_newest_close_then_its_cost():
    assert position_exposure(2.0, 100.0, b"130", 120.0) == 260.0
    assert position_exposure(2.0, 100.0, None, 120.0) == 240.0
    assert position_exposure(2.0, 100.0, b"junk", None) == 200.0  # an unreadable key: the candle, else cost
    assert position_exposure(2.0, 100.0, None, 0.0) == 200.0  # a price of 0: the average cost


def test_with_cash_700000_and_a_reference_of_1000000_the_bot_halts_at_minus_30000_and_allows_6_buys():
    # The measured case: 5 % of the cash said -35,000 and 2 / 10.
    base = reference(1_000_000)
    at_limit = assess_risk(day(total_pnl=-30_000, buy_count=2, sell_count=1, trade_count=3), TODAY, base, LIMITS, NOW)
    assert at_limit.daily_loss_limit_krw == pytest.approx(30_000)
    assert at_limit.loss_limit_reached and at_limit.pnl_pct_of_reference == pytest.approx(-3.0)
    assert (at_limit.trades_counted, LIMITS.max_daily_trades.value) == (2, 6)
    short = assess_risk(day(total_pnl=-29_999, buy_count=2, sell_count=1, trade_count=3), TODAY, base, LIMITS, NOW)
    assert not short.loss_limit_reached and short.state is TradingState.RUNNING
    # The limit does not move with cash during the day: only the reference does.
    assert assess_risk(day(total_pnl=-30_000), TODAY, reference(1_000_000), LIMITS, NOW).daily_loss_limit_krw == 30_000


def test_the_loss_limit_reached_is_limit_reached_until_the_bot_sets_halted():
    base = reference(1_000_000)
    reached = assess_risk(day(total_pnl=-31_000, buy_count=1, sell_count=1, trade_count=2), TODAY, base, LIMITS, NOW)
    assert reached.state is TradingState.LIMIT_REACHED
    assert [m.key for m in reached.warnings] == ["risk.warning.loss_limit"]
    halted = assess_risk(
        day(total_pnl=-31_000, is_trading_halted=True, buy_count=1, sell_count=1, trade_count=2),
        TODAY,
        base,
        LIMITS,
        NOW,
    )
    assert halted.state is TradingState.HALTED
    assert [m.key for m in halted.warnings] == ["risk.warning.loss_limit_halted"]


def rules(cash, exposure, held=(), high_volatility=False, **risk):
    base = reference(1_000_000)
    assessment = assess_risk(day(**risk), TODAY, base, LIMITS, NOW)
    return entry_rules(
        LIMITS, assessment, cash=cash, exposure=exposure, held_symbols=tuple(held), high_volatility=high_volatility
    )


def test_a_buy_is_the_least_of_the_regimes_target_the_usable_cash_and_the_exposure_room():
    # Reference 1,000,000 x 20 % x ratio: BULL 200,000, SIDEWAYS 180,000, BEAR 140,000.
    plenty = rules(cash=900_000, exposure=100_000, held=["KRW-ETH"])
    assert {s.regime: (s.outcome, s.order_krw) for s in plenty.by_regime} == {
        "BULL": (EntryOutcome.WOULD_BUY, pytest.approx(200_000)),
        "SIDEWAYS": (EntryOutcome.WOULD_BUY, pytest.approx(180_000)),
        "BEAR": (EntryOutcome.WOULD_BUY, pytest.approx(140_000)),
    }
    # 150,000 of cash: 150,000 x (1 - 0.002) = 149,700 usable.
    short_of_cash = rules(cash=150_000, exposure=100_000).for_regime("BULL")
    assert short_of_cash.order_krw == pytest.approx(149_700) and short_of_cash.outcome is EntryOutcome.WOULD_BUY
    # 950,000 exposed of 1,000,000 (100 %): 50,000 of room.
    assert rules(cash=900_000, exposure=950_000).for_regime("BULL").order_krw == pytest.approx(50_000)


@pytest.mark.parametrize(
    "cash, exposure, why",
    [
        (500_000, 1_000_000, "risk.entry.silent_exposure"),
        (0, 200_000, "risk.entry.silent_cash"),
    ],
)
def test_a_buy_sized_at_zero_is_skipped_without_a_status(cash, exposure, why):
    sizing = rules(cash=cash, exposure=exposure).for_regime("BULL")
    assert sizing.outcome is EntryOutcome.SKIPPED_SILENTLY and sizing.reason.key == why


def test_the_risk_check_refuses_in_the_bots_order():
    assert rules(900_000, 0, buy_count=6).for_regime("BULL").reason.key == "risk.entry.gate_trades"
    halted_and_full = rules(900_000, 0, buy_count=6, is_trading_halted=True).for_regime("BULL")
    assert halted_and_full.reason.key == "risk.entry.gate_halted"  # halted is checked first
    five = ["KRW-A", "KRW-B", "KRW-C", "KRW-D", "KRW-E"]
    assert rules(900_000, 100_000, held=five).for_regime("BULL").reason.key == "risk.entry.reject_positions"


def test_in_high_volatility_the_halved_cap_refuses_every_regime_whose_target_is_above_it():
    # Cap 1,000,000 x 20 % x 0.5 = 100,000: BULL 200,000, SIDEWAYS 180,000 and BEAR 140,000 all exceed it.
    volatile = rules(cash=900_000, exposure=0, high_volatility=True)
    assert volatile.per_order_cap_krw == pytest.approx(100_000)
    assert {s.regime: s.outcome for s in volatile.by_regime} == dict.fromkeys(
        ("BULL", "SIDEWAYS", "BEAR"), EntryOutcome.REJECTED
    )
    assert volatile.for_regime("BEAR").reason.key == "risk.entry.reject_per_order_volatile"


def test_the_bot_never_enters_in_the_unknown_regime():
    assert rules(900_000, 0).for_regime("UNKNOWN").outcome is EntryOutcome.NEVER
