"""Trading metrics as pure functions over DataFrames: PnL, assets, drawdown (round trips and
their win rate: data.round_trips; the equity curve: data.equity).

Accounting follows the bot's (SCHEMA.md): a position keeps an average price (fees not in
it); a sell realizes (sell price - average price) x quantity minus fees. "Fees" are the
sell's own fee plus the share of the position's buy fees that the sold quantity carries,
so that realized PnL + unrealized PnL adds up to the change in total assets.

PnL has two definitions here, each named for what it is and defined once (the manuals say
which page shows which):

- **price PnL**, the bot's own: the price move on the average cost, fees left out. The bot's
  status `pnl_pct`, its exit performance and its `daily_risk_state.total_pnl` count it so. In
  KRW `price_pnl_krw`, the ledger's `price_pnl` column (Reconciliation compares it with the
  bot's day); in % `price_move_pct` (the Exits page, the Bot Brain's position PnL).
- **realized PnL**, the ledger's, fees included: the ledger's `realized_pnl` (Overview,
  History's trade log and chart, the round trips, per UTC day); in % `realized_return_pct`,
  over the entry price x the quantity sold (History's Realized PnL %, the round trips' PnL %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LEDGER_COLUMNS = [
    "id",
    "symbol",
    "side",
    "executed_at",
    "price",
    "quantity",
    "fee",
    "realized_pnl",
    "price_pnl",
    "matched",
    "position_after",
    "avg_price_after",
]
_EPSILON_QTY = 1e-12
# |PnL| below this is break-even (it shows as 0 KRW): neither a win nor a loss, neither colour.
BREAK_EVEN_KRW = 0.5


def price_pnl_krw(price, average_cost, quantity):
    """The bot's PnL of a sell in KRW, as it adds it to daily_risk_state.total_pnl: the price move
    on the average cost, (price - average cost) x quantity, fees left out."""
    return (price - average_cost) * quantity


def price_move_pct(price, entry_avg_price):
    """The bot's PnL %: (price - entry average price) / entry average price x 100, fees left out
    (its status pnl_pct, its exit performance). Numbers or Series alike."""
    return (price - entry_avg_price) / entry_avg_price * 100.0


def realized_return_pct(realized_pnl, entry_price, quantity):
    """Realized PnL %: the fee-inclusive realized PnL over what the quantity sold cost at the
    entry price, realized PnL / (entry price x quantity) x 100. Numbers or Series alike."""
    return realized_pnl / (entry_price * quantity) * 100.0


def pnl_sign(pnl_krw: float | None) -> int:
    """+1 a gain, -1 a loss, 0 break-even (|PnL| < BREAK_EVEN_KRW) or no PnL: a cell's colour."""
    if pnl_krw is None or abs(pnl_krw) < BREAK_EVEN_KRW:
        return 0
    return 1 if pnl_krw > 0 else -1


def realized_pnl_ledger(trades: pd.DataFrame) -> pd.DataFrame:
    """Walk FILLED orders in execution order per symbol, at average cost.

    `trades` needs id, symbol, side, price, quantity, fee, status, executed_at (created_at
    is used when executed_at is missing). A sell with nothing held (history that starts
    mid-position) cannot be priced: its realized_pnl is NaN and matched is False.
    """
    if trades.empty:
        return _empty_ledger()
    filled = trades[trades["status"] == "FILLED"].copy()
    if filled.empty:
        return _empty_ledger()
    when = filled["executed_at"].where(filled["executed_at"].notna(), filled["created_at"])
    filled["executed_at"] = pd.to_datetime(when, utc=True)
    filled = filled.sort_values(["executed_at", "id"], kind="mergesort")

    realized = np.full(len(filled), np.nan)
    # The bot's own PnL of a sell (price_pnl_krw), which daily_risk_state.total_pnl adds up.
    price_pnl = np.full(len(filled), np.nan)
    matched = np.ones(len(filled), dtype=bool)
    position_after = np.zeros(len(filled))
    avg_after = np.zeros(len(filled))
    books: dict[str, list[float]] = {}  # symbol -> [quantity, avg_price, unallocated buy fees]
    sides = filled["side"].to_numpy()
    symbols = filled["symbol"].to_numpy()
    prices = filled["price"].to_numpy(dtype="float64")
    quantities = filled["quantity"].to_numpy(dtype="float64")
    fees = filled["fee"].fillna(0.0).to_numpy(dtype="float64")
    for i in range(len(filled)):
        book = books.setdefault(symbols[i], [0.0, 0.0, 0.0])
        held, avg, buy_fees = book
        price, qty, fee = prices[i], quantities[i], fees[i]
        if sides[i] == "BUY":
            new_held = held + qty
            book[1] = (held * avg + qty * price) / new_held if new_held > 0 else 0.0
            book[0] = new_held
            book[2] = buy_fees + fee
        elif sides[i] == "SELL":
            if held <= _EPSILON_QTY:
                matched[i] = False
            else:
                sold = min(qty, held)
                matched[i] = qty <= held + _EPSILON_QTY
                fee_share = buy_fees * sold / held
                price_pnl[i] = price_pnl_krw(price, avg, sold)
                realized[i] = price_pnl[i] - fee - fee_share
                remaining = held - sold
                if remaining <= _EPSILON_QTY:
                    book[:] = [0.0, 0.0, 0.0]
                else:
                    book[0], book[2] = remaining, buy_fees - fee_share
        position_after[i], avg_after[i] = book[0], book[1]

    ledger = pd.DataFrame(
        {
            "id": filled["id"].to_numpy(),
            "symbol": symbols,
            "side": sides,
            "executed_at": filled["executed_at"].to_numpy(),
            "price": prices,
            "quantity": quantities,
            "fee": fees,
            "realized_pnl": realized,
            "price_pnl": price_pnl,
            "matched": matched,
            "position_after": position_after,
            "avg_price_after": avg_after,
        }
    )
    ledger["executed_at"] = pd.to_datetime(ledger["executed_at"], utc=True)
    return ledger


def _empty_ledger() -> pd.DataFrame:
    frame = pd.DataFrame({column: [] for column in LEDGER_COLUMNS})
    for column in ("id", "symbol", "side"):
        frame[column] = frame[column].astype(str)
    frame["executed_at"] = pd.to_datetime(frame["executed_at"], utc=True)
    for column in ("price", "quantity", "fee", "realized_pnl", "price_pnl", "position_after", "avg_price_after"):
        frame[column] = frame[column].astype("float64")
    frame["matched"] = frame["matched"].astype(bool)
    return frame


def sells(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger[ledger["side"] == "SELL"]


def total_realized_pnl(ledger: pd.DataFrame) -> float:
    return float(sells(ledger)["realized_pnl"].sum(skipna=True))


def realized_pnl_by_symbol(ledger: pd.DataFrame) -> pd.DataFrame:
    closed = sells(ledger)
    closed = closed[closed["realized_pnl"].notna()]
    grouped = closed.groupby("symbol", sort=True)["realized_pnl"].agg(["sum", "count"])
    return grouped.rename(columns={"sum": "realized_pnl", "count": "sells"}).reset_index()


def daily_realized_pnl(ledger: pd.DataFrame) -> pd.DataFrame:
    """Realized PnL per UTC date (the bot's day boundary): columns date, realized_pnl."""
    closed = sells(ledger)
    closed = closed[closed["realized_pnl"].notna()]
    if closed.empty:
        return pd.DataFrame({"date": [], "realized_pnl": []})
    days = closed["executed_at"].dt.tz_convert("UTC").dt.date
    grouped = closed.groupby(days)["realized_pnl"].sum()
    return pd.DataFrame({"date": list(grouped.index), "realized_pnl": grouped.to_numpy()})


def net_cash_flow(trades: pd.DataFrame) -> float:
    """Cash the filled orders moved: sells bring price x qty - fee, buys cost price x qty + fee."""
    filled = trades[trades["status"] == "FILLED"]
    notional = filled["price"].astype("float64") * filled["quantity"].astype("float64")
    fee = filled["fee"].fillna(0.0).astype("float64")
    signed = np.where(filled["side"] == "SELL", notional - fee, -(notional + fee))
    return float(signed.sum())


def position_table(positions: pd.DataFrame, latest_prices: dict[str, float]) -> pd.DataFrame:
    """Open positions valued at the latest candle close.

    Columns: symbol, quantity, avg_price, current_price, value, unrealized_krw,
    unrealized_pct, opened_at, priced (False when the symbol has no candle: then the
    position is valued at its average price and the page says so).
    """
    frame = positions[positions["quantity"] > 0].copy()
    frame["priced"] = frame["symbol"].map(lambda s: s in latest_prices).astype(bool)
    frame["current_price"] = [
        latest_prices.get(symbol, avg) for symbol, avg in zip(frame["symbol"], frame["avg_price"])
    ]
    frame["current_price"] = frame["current_price"].astype("float64")
    frame["value"] = frame["quantity"] * frame["current_price"]
    frame["unrealized_krw"] = (frame["current_price"] - frame["avg_price"]) * frame["quantity"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["unrealized_pct"] = np.where(
            frame["avg_price"] > 0, (frame["current_price"] / frame["avg_price"] - 1.0) * 100.0, np.nan
        )
    columns = [
        "symbol",
        "quantity",
        "avg_price",
        "current_price",
        "value",
        "unrealized_krw",
        "unrealized_pct",
        "opened_at",
        "priced",
    ]
    return frame[columns].sort_values("value", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class AssetSummary:
    cash: float
    positions_value: float
    unrealized_pnl: float
    unpriced_symbols: tuple[str, ...]

    @property
    def total_assets(self) -> float:
        return self.cash + self.positions_value


def asset_summary(cash: float, valued_positions: pd.DataFrame) -> AssetSummary:
    """Total assets = cash + sum(quantity x latest price)."""
    return AssetSummary(
        cash=float(cash),
        positions_value=float(valued_positions["value"].sum()),
        unrealized_pnl=float(valued_positions["unrealized_krw"].sum()),
        unpriced_symbols=tuple(valued_positions.loc[~valued_positions["priced"], "symbol"]),
    )


@dataclass(frozen=True)
class Drawdown:
    series: pd.Series  # drawdown in % from the running peak (<= 0), aligned with the equity
    max_drawdown_pct: float
    max_drawdown_krw: float


def drawdown(equity: pd.Series) -> Drawdown:
    """Running drawdown from the peak and its maximum (as a positive KRW amount and a % <= 0)."""
    values = equity.astype("float64")
    if values.empty:
        return Drawdown(pd.Series(dtype="float64"), 0.0, 0.0)
    peak = values.cummax()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(peak > 0, (values / peak - 1.0) * 100.0, 0.0)
    series = pd.Series(pct, index=values.index)
    krw = float((peak - values).max())
    return Drawdown(series, float(series.min()), krw)
