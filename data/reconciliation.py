"""Reconciliation: the dashboard's own accounting checked against what the bot recorded. Pure.

- Per UTC day (the bot's day), the sells' PnL from the average-cost ledger against
  daily_risk_state.total_pnl, in the bot's definition: the bot adds (sell price - average price) x
  quantity for each sell, fees left out (its loop computes it so; SCHEMA.md's "minus fees" was
  never what it wrote), so the ledger's `price_pnl` is compared, not its fee-inclusive realized PnL.
- Per symbol, the position the fills build (quantity and average cost) against the positions
  table.

A difference beyond max(1 KRW, 0.01 % of the day's turnover) is a discrepancy, returned with
the rows behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from data.risk import DailyRiskState

TOLERANCE_KRW = 1.0
TOLERANCE_TURNOVER_FRACTION = 0.0001  # 0.01 % of the day's turnover
# Quantities are numeric(20,8): a difference below one unit in the 8th decimal is rounding.
QUANTITY_TOLERANCE = 1e-8
DAY_FILL_COLUMNS = ["id", "executed_at", "symbol", "side", "price", "quantity", "fee", "price_pnl"]


def tolerance_krw(turnover: float) -> float:
    return max(TOLERANCE_KRW, TOLERANCE_TURNOVER_FRACTION * turnover)


@dataclass(frozen=True)
class DayCheck:
    """One UTC day. bot_pnl is None when the bot wrote no daily_risk_state row for it;
    unmatched_sells are sells the ledger could not price (they make dashboard_pnl incomplete)."""

    day: date
    dashboard_pnl: float
    bot_pnl: float | None
    turnover: float
    unmatched_sells: int
    fills: pd.DataFrame  # the day's fills, DAY_FILL_COLUMNS: the rows behind the figure

    @property
    def tolerance(self) -> float:
        return tolerance_krw(self.turnover)

    @property
    def difference(self) -> float | None:
        """dashboard - bot (KRW); None without a bot row."""
        return None if self.bot_pnl is None else self.dashboard_pnl - self.bot_pnl

    @property
    def is_discrepancy(self) -> bool:
        return self.bot_pnl is None or abs(self.dashboard_pnl - self.bot_pnl) > self.tolerance


def daily_checks(ledger: pd.DataFrame, risk_days: Iterable[DailyRiskState], since: date, until: date) -> list[DayCheck]:
    """Every UTC day in [since, until] that has fills or a bot row, newest first. A day with
    fills but no bot row, or a bot PnL the fills do not explain, is a discrepancy; a bot row
    with zero PnL and no fills is not checked (nothing to explain)."""
    bot = {d.date: d.total_pnl for d in risk_days if since <= d.date <= until}
    days = ledger["executed_at"].dt.tz_convert("UTC").dt.date if not ledger.empty else pd.Series(dtype="object")
    in_window = (days >= since) & (days <= until) if not ledger.empty else pd.Series(dtype=bool)
    fills = ledger[in_window].assign(day=days[in_window])
    checks = []
    for day in sorted(set(fills["day"]) | {d for d, pnl in bot.items() if pnl != 0}, reverse=True):
        of_day = fills[fills["day"] == day]
        sells = of_day[of_day["side"] == "SELL"]
        checks.append(
            DayCheck(
                day=day,
                dashboard_pnl=float(sells["price_pnl"].sum(skipna=True)),
                bot_pnl=bot.get(day),
                turnover=float((of_day["price"] * of_day["quantity"]).sum()),
                unmatched_sells=int(sells["price_pnl"].isna().sum()),
                fills=of_day[DAY_FILL_COLUMNS].reset_index(drop=True),
            )
        )
    return checks


@dataclass(frozen=True)
class PositionCheck:
    """One symbol: what the fills since it was last flat build, against the positions row."""

    symbol: str
    fills_quantity: float
    fills_avg_price: float
    bot_quantity: float
    bot_avg_price: float
    fills: pd.DataFrame  # the fills since the symbol was last flat (DAY_FILL_COLUMNS)

    @property
    def quantity_difference(self) -> float:
        return self.fills_quantity - self.bot_quantity

    @property
    def value_difference_krw(self) -> float:
        """The cost basis the two disagree by: quantity x average price, fills minus bot."""
        return self.fills_quantity * self.fills_avg_price - self.bot_quantity * self.bot_avg_price

    @property
    def is_discrepancy(self) -> bool:
        return abs(self.quantity_difference) > QUANTITY_TOLERANCE or abs(self.value_difference_krw) > TOLERANCE_KRW


def position_checks(ledger: pd.DataFrame, positions: pd.DataFrame) -> list[PositionCheck]:
    """Every symbol held by either side, by symbol."""
    held = positions[positions["quantity"] > 0].set_index("symbol")
    checks = []
    last = ledger.groupby("symbol", sort=True).tail(1).set_index("symbol") if not ledger.empty else None
    symbols = set(held.index)
    if last is not None:
        symbols |= set(last.index[last["position_after"] > QUANTITY_TOLERANCE])
    for symbol in sorted(symbols):
        of_symbol = ledger[ledger["symbol"] == symbol]
        flat = of_symbol.index[of_symbol["position_after"] <= QUANTITY_TOLERANCE]
        since_flat = of_symbol.loc[of_symbol.index > flat.max()] if len(flat) else of_symbol
        fills_qty = float(of_symbol["position_after"].iloc[-1]) if not of_symbol.empty else 0.0
        fills_avg = float(of_symbol["avg_price_after"].iloc[-1]) if not of_symbol.empty else 0.0
        checks.append(
            PositionCheck(
                symbol=symbol,
                fills_quantity=fills_qty,
                fills_avg_price=fills_avg if fills_qty > 0 else 0.0,
                bot_quantity=float(held.at[symbol, "quantity"]) if symbol in held.index else 0.0,
                bot_avg_price=float(held.at[symbol, "avg_price"]) if symbol in held.index else 0.0,
                fills=since_flat[DAY_FILL_COLUMNS].reset_index(drop=True),
            )
        )
    return checks
