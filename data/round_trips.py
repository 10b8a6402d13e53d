"""Round trips: the fills from the one that opens a position to the one that closes it, paired
into trades, and the statistics an operator judges a strategy by (win rate, profit factor,
expectancy, holding time) with daily, weekly and monthly PnL tables. Pure: works on the
average-cost ledger of data.metrics.

A round trip opens with a BUY while the symbol is flat and closes with the SELL that brings it
back to flat; BUYs in between add to it and SELLs before the last are its legs (partial exits).
Its PnL is the sum of its legs' realized PnL, so fees count as the ledger counts them (the
sells' fees and the buy fees of the quantity sold), and the round trips' PnL adds up to the
realized PnL the rest of the dashboard shows; its PnL % is that realized PnL's return on the
entry cost (data.metrics.realized_return_pct), not the bot's fee-less price move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from data.metrics import BREAK_EVEN_KRW, realized_return_pct
from data.selection import TradeFilter

# A position whose quantity falls to this or below is flat (the ledger's own tolerance).
FLAT_QUANTITY = 1e-12
PERIODS = ("day", "week", "month")

ROUND_TRIP_COLUMNS = [
    "symbol",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "quantity",
    "legs",
    "holding_s",
    "fees",
    "pnl_krw",
    "realized_pnl_pct",
    "exit_reason",
    "is_open",
    "fill_ids",
]


@dataclass
class _OpenTrip:
    symbol: str
    entry_time: pd.Timestamp
    bought: float = 0.0
    cost: float = 0.0
    sold: float = 0.0
    proceeds: float = 0.0
    fees: float = 0.0
    pnl: float = 0.0
    legs: int = 0
    last_exit_time: pd.Timestamp | None = None
    exit_reason: str | None = None
    fill_ids: tuple[str, ...] = ()

    def row(self, is_open: bool) -> dict:
        entry_price = self.cost / self.bought if self.bought > 0 else float("nan")
        exit_price = self.proceeds / self.sold if self.sold > 0 else float("nan")
        quantity = self.bought if not is_open else self.bought - self.sold
        return {
            "symbol": self.symbol,
            "entry_time": self.entry_time,
            "entry_price": entry_price,
            "exit_time": None if is_open else self.last_exit_time,
            "exit_price": exit_price,
            "quantity": quantity,
            "legs": self.legs,
            "holding_s": None if is_open else (self.last_exit_time - self.entry_time).total_seconds(),
            "fees": self.fees,
            "pnl_krw": self.pnl,
            "realized_pnl_pct": (
                realized_return_pct(self.pnl, entry_price, self.bought)
                if entry_price * self.bought > 0 and not is_open
                else float("nan")
            ),
            "exit_reason": None if is_open else self.exit_reason,
            "is_open": is_open,
            "fill_ids": self.fill_ids,
        }


@dataclass(frozen=True)
class RoundTrips:
    """Closed and open round trips (one row each, ROUND_TRIP_COLUMNS) and the sells that could
    not be paired (history that starts while a position was already open)."""

    trips: pd.DataFrame
    unmatched_sells: int

    @property
    def closed(self) -> pd.DataFrame:
        return self.trips[~self.trips["is_open"]]

    @property
    def open(self) -> pd.DataFrame:
        return self.trips[self.trips["is_open"]]


def round_trips(ledger: pd.DataFrame, exit_reasons: dict[str, str] | None = None) -> RoundTrips:
    """Pair the ledger's fills into round trips, in execution order per symbol.

    `exit_reasons`: SELL id -> the bot's exit_reason (v3); a trip's reason is its closing sell's.
    """
    reasons = exit_reasons or {}
    open_trips: dict[str, _OpenTrip] = {}
    rows: list[dict] = []
    unmatched = 0
    for fill in ledger.itertuples(index=False):
        trip = open_trips.get(fill.symbol)
        if fill.side == "BUY":
            if trip is None:
                trip = open_trips[fill.symbol] = _OpenTrip(fill.symbol, fill.executed_at)
            trip.bought += fill.quantity
            trip.cost += fill.price * fill.quantity
            trip.fees += fill.fee
            trip.fill_ids += (fill.id,)
            continue
        if fill.side != "SELL":
            continue
        if trip is None or pd.isna(fill.realized_pnl):
            unmatched += 1
            continue
        # The ledger sells at most what is held; the rest of an oversized sell has no cost.
        sold = min(fill.quantity, trip.bought - trip.sold)
        trip.sold += sold
        trip.proceeds += fill.price * sold
        trip.fees += fill.fee
        trip.pnl += fill.realized_pnl
        trip.legs += 1
        trip.last_exit_time = fill.executed_at
        trip.exit_reason = reasons.get(fill.id)
        trip.fill_ids += (fill.id,)
        if fill.position_after <= FLAT_QUANTITY:
            rows.append(trip.row(is_open=False))
            del open_trips[fill.symbol]
    rows += [trip.row(is_open=True) for trip in open_trips.values()]
    frame = pd.DataFrame(rows, columns=ROUND_TRIP_COLUMNS)
    for column in ("entry_time", "exit_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("entry_price", "exit_price", "quantity", "holding_s", "fees", "pnl_krw", "realized_pnl_pct"):
        frame[column] = frame[column].astype("float64")
    frame["legs"] = frame["legs"].astype("int64")
    frame["is_open"] = frame["is_open"].astype(bool)
    frame = frame.sort_values(["is_open", "exit_time", "entry_time"], kind="mergesort", na_position="last")
    return RoundTrips(frame.reset_index(drop=True), unmatched)


def in_selection(result: RoundTrips, selection: TradeFilter) -> RoundTrips:
    """The round trips of the selection's symbols (in either stored form) that closed within its
    dates; open ones by symbol only. A trip has no single side, status, regime or exit reason to
    filter by: those criteria do not apply."""
    trips = result.trips
    keep = selection.symbols_and_dates().matches(trips, time_column="exit_time", undated=trips["is_open"])
    return RoundTrips(trips[keep].reset_index(drop=True), result.unmatched_sells)


def outcome(pnl_krw: pd.Series) -> pd.Series:
    """'win', 'loss' or 'break_even' per closed round trip's PnL."""
    return pd.Series(
        ["break_even" if abs(p) < BREAK_EVEN_KRW else ("win" if p > 0 else "loss") for p in pnl_krw],
        index=pnl_krw.index,
        dtype="object",
    )


@dataclass(frozen=True)
class RoundTripStats:
    """Statistics over closed round trips. Win rate = wins / closed (break-even trips count in
    the denominator as non-wins and are reported on their own). None where a figure has no
    meaning yet (no closed trip; profit factor with no losing trip)."""

    closed: int
    wins: int
    losses: int
    break_even: int
    open: int
    unmatched_sells: int
    gross_profit: float
    gross_loss: float  # <= 0
    total_pnl: float
    average_win: float | None
    average_loss: float | None
    expectancy: float | None  # mean PnL per closed round trip
    best: float | None
    worst: float | None
    average_holding: timedelta | None

    @property
    def win_rate_pct(self) -> float | None:
        return self.wins / self.closed * 100.0 if self.closed else None

    @property
    def profit_factor(self) -> float | None:
        return self.gross_profit / -self.gross_loss if self.gross_loss < 0 else None


def round_trip_stats(result: RoundTrips) -> RoundTripStats:
    closed = result.closed
    pnl = closed["pnl_krw"]
    kinds = outcome(pnl)
    wins, losses = pnl[kinds == "win"], pnl[kinds == "loss"]
    has_closed = not closed.empty
    return RoundTripStats(
        closed=len(closed),
        wins=len(wins),
        losses=len(losses),
        break_even=int((kinds == "break_even").sum()),
        open=len(result.open),
        unmatched_sells=result.unmatched_sells,
        gross_profit=float(wins.sum()),
        gross_loss=float(losses.sum()),
        total_pnl=float(pnl.sum()),
        average_win=float(wins.mean()) if len(wins) else None,
        average_loss=float(losses.mean()) if len(losses) else None,
        expectancy=float(pnl.mean()) if has_closed else None,
        best=float(pnl.max()) if has_closed else None,
        worst=float(pnl.min()) if has_closed else None,
        average_holding=timedelta(seconds=float(closed["holding_s"].mean())) if has_closed else None,
    )


def period_start(times: pd.Series, period: str) -> pd.Series:
    """The UTC day, ISO week (from Monday) or calendar month a time falls in, as a date."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    days = times.dt.tz_convert("UTC").dt.normalize()
    if period == "week":
        days = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    elif period == "month":
        days = days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return days.dt.date


PERIOD_COLUMNS = ["period", "trips", "wins", "losses", "break_even", "pnl_krw"]


def pnl_by_period(result: RoundTrips, period: str) -> pd.DataFrame:
    """Closed round trips per UTC day / week / month of their exit, newest first:
    period (the first day), trips, wins, losses, break_even, pnl_krw."""
    closed = result.closed
    if closed.empty:
        period_start(closed["exit_time"], period)  # still refuse an unknown period
        return pd.DataFrame({column: [] for column in PERIOD_COLUMNS})
    frame = pd.DataFrame(
        {
            "period": period_start(closed["exit_time"], period),
            "kind": outcome(closed["pnl_krw"]),
            "pnl_krw": closed["pnl_krw"],
        }
    )
    grouped = frame.groupby("period", sort=True)
    table = pd.DataFrame(
        {
            "trips": grouped.size(),
            "wins": grouped["kind"].agg(lambda k: int((k == "win").sum())),
            "losses": grouped["kind"].agg(lambda k: int((k == "loss").sum())),
            "break_even": grouped["kind"].agg(lambda k: int((k == "break_even").sum())),
            "pnl_krw": grouped["pnl_krw"].sum(),
        }
    ).reset_index()
    return table.sort_values("period", ascending=False).reset_index(drop=True)[PERIOD_COLUMNS]
