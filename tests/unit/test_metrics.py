"""PnL at average cost, win rate, assets, equity and drawdown, checked against hand-computed values."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from data import exit_analysis, metrics
from data.round_trips import outcome, round_trips

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def trades(*rows):
    """rows: (symbol, side, price, quantity, fee, minutes after T0[, status])."""
    records = []
    for i, row in enumerate(rows):
        symbol, side, price, qty, fee, minutes = row[:6]
        status = row[6] if len(row) > 6 else "FILLED"
        at = T0 + timedelta(minutes=minutes)
        records.append(
            {
                "id": f"o{i:03d}",
                "symbol": symbol,
                "side": side,
                "price": float(price),
                "quantity": float(qty),
                "fee": float(fee),
                "status": status,
                "created_at": at,
                "executed_at": at if status == "FILLED" else None,
            }
        )
    frame = pd.DataFrame(records)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["executed_at"] = pd.to_datetime(frame["executed_at"], utc=True)
    return frame


def test_a_sell_realizes_against_the_average_cost_minus_its_fee_and_the_buy_fees_it_carries():
    ledger = metrics.realized_pnl_ledger(
        trades(
            ("KRW-BTC", "BUY", 100, 2, 1.0, 0),
            ("KRW-BTC", "BUY", 130, 1, 0.5, 1),  # avg = (200 + 130) / 3 = 110, buy fees 1.5
            ("KRW-BTC", "SELL", 120, 3, 2.0, 2),  # (120 - 110) * 3 - 2 - 1.5 = 26.5
        )
    )
    sell = ledger[ledger["side"] == "SELL"].iloc[0]
    assert sell["realized_pnl"] == pytest.approx(26.5)
    assert ledger["avg_price_after"].iloc[1] == pytest.approx(110.0)
    assert sell["position_after"] == 0


def test_the_bots_price_pnl_leaves_the_fees_out_and_the_realized_pnl_counts_them():
    """The manuals' example (section 2, "Two PnLs"): bought at 100, sold at 110, a fee of 1 on each
    side. Exits shows the bot's +10 %, History the realized +8 %."""
    ledger = metrics.realized_pnl_ledger(trades(("KRW-BTC", "BUY", 100, 1, 1, 0), ("KRW-BTC", "SELL", 110, 1, 1, 5)))
    sell = ledger.iloc[1]
    assert (sell["price_pnl"], sell["realized_pnl"]) == (10.0, 8.0)
    entry = exit_analysis.ledger_entry_prices(ledger)[sell["id"]]
    sells = pd.DataFrame({"id": [sell["id"]], "symbol": ["KRW-BTC"], "executed_at": [sell["executed_at"]]})
    sells = sells.assign(price=110.0, quantity=1.0, signal_info=[None])
    frame, _notes = exit_analysis.exit_frame(sells, exit_analysis.ledger_entry_prices(ledger))
    assert frame["pnl_pct"].iloc[0] == pytest.approx(10.0) == metrics.price_move_pct(110.0, entry)
    assert metrics.realized_return_pct(sell["realized_pnl"], entry, 1.0) == pytest.approx(8.0)
    trip = round_trips(ledger).closed.iloc[0]
    assert trip["realized_pnl_pct"] == pytest.approx(8.0)


def test_a_pnl_under_half_a_won_is_break_even_for_the_colour_and_for_the_outcome():
    assert [metrics.pnl_sign(p) for p in (None, 0.49, -0.49, 0.5, -0.5)] == [0, 0, 0, 1, -1]
    assert list(outcome(pd.Series([0.49, -0.49, 0.5, -0.5]))) == ["break_even", "break_even", "win", "loss"]


def test_a_partial_sell_carries_its_share_of_the_buy_fees():
    ledger = metrics.realized_pnl_ledger(
        trades(
            ("KRW-ETH", "BUY", 10, 4, 4.0, 0),
            ("KRW-ETH", "SELL", 12, 1, 0.1, 1),  # (12-10)*1 - 0.1 - 4*(1/4) = 0.9
            ("KRW-ETH", "SELL", 9, 3, 0.3, 2),  # (9-10)*3 - 0.3 - 3 = -6.3
        )
    )
    assert list(ledger.loc[ledger["side"] == "SELL", "realized_pnl"]) == pytest.approx([0.9, -6.3])


def test_cancelled_and_pending_orders_do_not_move_the_books():
    ledger = metrics.realized_pnl_ledger(
        trades(
            ("KRW-XRP", "BUY", 1000, 1, 0, 0),
            ("KRW-XRP", "BUY", 1, 1000, 0, 1, "CANCELLED"),
            ("KRW-XRP", "SELL", 1100, 1, 0, 2),
            ("KRW-XRP", "SELL", 5000, 1, 0, 3, "PENDING"),
        )
    )
    assert len(ledger) == 2
    assert metrics.total_realized_pnl(ledger) == pytest.approx(100.0)


def test_a_sell_without_a_prior_buy_is_unmatched_and_not_counted():
    ledger = metrics.realized_pnl_ledger(trades(("KRW-SOL", "SELL", 50, 1, 0, 0)))
    assert not ledger["matched"].iloc[0]
    assert pd.isna(ledger["realized_pnl"].iloc[0])


def test_total_assets_are_cash_plus_positions_at_latest_price():
    positions = pd.DataFrame(
        {
            "symbol": ["KRW-BTC", "KRW-ETH"],
            "quantity": [0.5, 2.0],
            "avg_price": [100.0, 10.0],
            "opened_at": [T0, T0],
            "updated_at": [T0, T0],
        }
    )
    valued = metrics.position_table(positions, {"KRW-BTC": 120.0, "KRW-ETH": 9.0})
    summary = metrics.asset_summary(1000.0, valued)
    assert summary.total_assets == pytest.approx(1000 + 0.5 * 120 + 2 * 9)
    assert summary.unrealized_pnl == pytest.approx(0.5 * 20 - 2 * 1)
    btc = valued.set_index("symbol").loc["KRW-BTC"]
    assert btc["unrealized_pct"] == pytest.approx(20.0)


def test_a_position_without_candles_is_valued_at_its_average_price_and_flagged():
    positions = pd.DataFrame(
        {"symbol": ["KRW-NEW"], "quantity": [3.0], "avg_price": [7.0], "opened_at": [T0], "updated_at": [T0]}
    )
    summary = metrics.asset_summary(0.0, metrics.position_table(positions, {}))
    assert summary.positions_value == pytest.approx(21.0)
    assert summary.unpriced_symbols == ("KRW-NEW",)


def test_starting_capital_is_recovered_from_cash_and_fills():
    frame = trades(("A-B", "BUY", 100, 2, 1, 0), ("A-B", "SELL", 110, 1, 1, 1))
    cash_now = 10_000 - 201 + 109
    assert cash_now - metrics.net_cash_flow(frame) == pytest.approx(10_000)


def test_drawdown_is_measured_from_the_running_peak():
    result = metrics.drawdown(pd.Series([100.0, 120.0, 90.0, 130.0, 117.0]))
    assert list(result.series) == pytest.approx([0.0, 0.0, -25.0, 0.0, -10.0])
    assert result.max_drawdown_pct == pytest.approx(-25.0)
    assert result.max_drawdown_krw == pytest.approx(30.0)


def test_daily_realized_pnl_groups_sells_by_utc_date():
    ledger = metrics.realized_pnl_ledger(
        trades(
            ("A-B", "BUY", 100, 1, 0, 0),
            ("A-B", "SELL", 110, 1, 0, 60),
            ("A-B", "BUY", 100, 1, 0, 60 * 24),
            ("A-B", "SELL", 95, 1, 0, 60 * 25),
        )
    )
    daily = metrics.daily_realized_pnl(ledger)
    assert list(daily["realized_pnl"]) == pytest.approx([10.0, -5.0])
    assert [d.isoformat() for d in daily["date"]] == ["2026-01-01", "2026-01-02"]
