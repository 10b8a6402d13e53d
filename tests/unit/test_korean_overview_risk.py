"""The Overview and Risk pages in Korean: no English left in their cards, tables, figures, warnings
and the cooldown countdown, with the trading-state codes kept as codes beside their Korean names."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from callbacks import risk as risk_callbacks
from data.risk import RiskLimits, TradingState, assess_risk
from data.round_trips import RoundTripStats
from i18n import using
from layouts import overview, risk
from tests.support.components import english_words, one, text
from tests.support.helpers import balance, risk_day

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
LIMITS = RiskLimits.bot_defaults()


@pytest.fixture(autouse=True)
def korean():
    with using(language="ko"):
        yield


def stats(closed=4, wins=2, losses=1, unmatched_sells=1) -> RoundTripStats:
    return RoundTripStats(
        closed=closed,
        wins=wins,
        losses=losses,
        break_even=closed - wins - losses,
        open=1,
        unmatched_sells=unmatched_sells,
        gross_profit=30_000.0,
        gross_loss=-10_000.0,
        total_pnl=20_000.0,
        average_win=15_000.0,
        average_loss=-10_000.0,
        expectancy=5_000.0,
        best=20_000.0,
        worst=-10_000.0,
        average_holding=timedelta(hours=3),
    )


def positions() -> pd.DataFrame:
    """One position priced at the latest close and one without a candle (valued at cost)."""
    return pd.DataFrame(
        {
            "symbol": ["KRW-BTC", "KRW-DOGE"],
            "quantity": [0.01, 1000.0],
            "avg_price": [95_000_000.0, 210.0],
            "current_price": [96_000_000.0, 210.0],
            "value": [960_000.0, 210_000.0],
            "unrealized_krw": [10_000.0, 0.0],
            "unrealized_pct": [1.05, 0.0],
            "opened_at": [NOW - timedelta(hours=5), NOW - timedelta(hours=1)],
            "priced": [True, False],
        }
    )


def equity_figure() -> dict:
    equity = pd.DataFrame(
        {"time": pd.date_range("2026-01-30 00:00", periods=3, freq="h", tz="UTC"), "equity": [1e7, 1.01e7, 9.9e6]}
    )
    return overview.equity_figure(equity, pd.Series([0.0, 0.0, -1.98]), SEOUL, -1.98, 200_000.0)


def overview_shown(round_trips: RoundTripStats) -> list:
    return [
        overview.page(),
        overview.kpi_row(10_500_000, 9_000_000, 120_000, 10_000, round_trips, 2, 37, 10_000_000),
        overview.positions_table(positions(), SEOUL),
        overview.positions_table(positions().iloc[0:0], SEOUL),
        equity_figure(),
        overview.equity_basis(("KRW-DOGE",)),
    ]


def test_the_overview_reads_in_korean():
    shown = overview_shown(stats())
    assert english_words(shown) == set()
    assert "총 자산" in text(shown[1]) and "평균 단가" in text(shown[2])


def test_the_overview_before_any_closed_round_trip_reads_in_korean():
    kpis = overview.kpi_row(10_000_000, 10_000_000, 0, 0, stats(closed=0, wins=0, losses=0), 0, 0, None)
    assert english_words(kpis) == set()
    assert text(one(kpis, "data-kpi", "win-rate")) == "없음"


def test_the_equity_figure_names_its_axes_and_traces_in_korean():
    figure = equity_figure()
    assert [trace["name"] for trace in figure["data"]] == ["평가 자산", "낙폭"]
    assert figure["layout"]["title"]["text"].startswith("최대 낙폭(MDD)")


def day(**values):
    return risk_day(NOW, **values)


def every_warning():
    """A day on which every limit is reached and the bot's counts disagree."""
    row = day(
        total_pnl=-600_000.0,
        trade_count=13,
        buy_count=10,
        sell_count=2,
        consecutive_losses=3,
        is_trading_halted=True,
    )
    return assess_risk(row, NOW.date(), balance(10_000_000), LIMITS, NOW)


def test_every_risk_warning_reads_in_korean():
    assessment = every_warning()
    assert len(assessment.warnings) == 4
    shown = risk.warnings(assessment.warnings)
    assert english_words(shown) == set()
    assert "일일 손실 한도 도달" in text(shown)


def test_the_risk_page_and_its_figures_read_in_korean():
    shown = [
        risk.page(),
        risk.warnings(()),
        risk.loss_gauge(-6.0, 5.0, -600_000.0, 500_000.0),
        # A limit far below every bar is named on the axis instead of drawn.
        risk.daily_pnl_figure(
            [SimpleNamespace(date=NOW.date() - timedelta(days=i), total_pnl=1_000.0 * i) for i in range(3)],
            500_000.0,
            "UTC 날짜",
        ),
        risk.daily_pnl_figure([SimpleNamespace(date=NOW.date(), total_pnl=-400_000.0)], 500_000.0, "UTC 날짜"),
        risk.limit_progress("losses", "연속 손실", 2, 3, "연속 3회 손실이면 2시간 쿨다운이 시작됩니다."),
    ]
    assert english_words(shown) == set()
    assert "리스크 감사 로그 (최신순)" in text(shown[0])


@pytest.mark.parametrize("state", [state.value for state in TradingState])
def test_the_trading_state_keeps_its_code_beside_a_korean_name(state):
    card = risk.state_card(state, has_row=False, today_label="2026-01-30 (UTC)")
    assert english_words(card) == set()
    assert text(one(card, "data-trading-state")) == state
    assert text(one(card, "data-state-name")) != state


def test_the_cooldown_countdown_sentences_come_in_korean():
    assessment = assess_risk(day(cooldown_until=NOW + timedelta(minutes=90)), NOW.date(), balance(1), LIMITS, NOW)
    services = SimpleNamespace(display_timezone=SEOUL, clock_rate=1.0)
    countdown = risk_callbacks.cooldown_countdown(services, assessment, NOW)
    texts = countdown["texts"]
    # {left}, {h}, {m} and {s} are filled in by the browser.
    assert english_words([re.sub(r"\{\w+\}", " ", sentence) for sentence in texts.values()]) == set()
    assert texts["left"] == "쿨다운 종료 2026-01-30 22:30:00 KST: {left} 남음."
    assert texts["hms"] == "{h}시간 {m}분 {s}초"


def test_no_cooldown_sends_only_its_korean_sentence():
    assessment = assess_risk(day(), NOW.date(), balance(1), LIMITS, NOW)
    services = SimpleNamespace(display_timezone=SEOUL, clock_rate=1.0)
    assert risk_callbacks.cooldown_countdown(services, assessment, NOW) == {
        "texts": {"none": "진행 중인 쿨다운이 없습니다."}
    }
