"""How the bot's exits turned out, as pure functions over DataFrames: PnL % per sell, the price
drift after each exit (v3 post-exit tracking), and the tuning hints those numbers support.

Nothing here reads the database or knows about the UI: data.exits reads the rows, the Exits
page lays out what these functions return, and every number can be recomputed by a test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from data.metrics import price_move_pct

# The windows the bot tracks after an exit, in the order they mature.
WINDOWS = ("1h", "4h", "12h", "24h")
DRIFT_COLUMNS = tuple(f"drift_{w}" for w in WINDOWS)
# Hints need this many FILLED SELLs in the look-back (all of them, whatever their reason).
MIN_SELLS_FOR_HINTS = 20
# An early exit: a TRAILING_STOP or TAKE_PROFIT exit after which the price stood more than
# EARLY_EXIT_RISE_PCT higher 24 h later. A regime whose early-exit rate exceeds
# EARLY_EXIT_RATE_PCT gets a hint.
EARLY_EXIT_REASONS = ("TRAILING_STOP", "TAKE_PROFIT")
EARLY_EXIT_RISE_PCT = 2.0
EARLY_EXIT_RATE_PCT = 40.0

PNL_RECORDED = "recorded"  # signal_info.entry_avg_price, written by the bot with the sell
PNL_LEDGER = "ledger"  # the dashboard's average-cost ledger (data.metrics.realized_pnl_ledger)

EXIT_FRAME_COLUMNS = [
    "id",
    "symbol",
    "executed_at",
    "price",
    "quantity",
    "regime",
    "exit_reason",
    "entry_avg_price",
    "pnl_source",
    "pnl_pct",
    *DRIFT_COLUMNS,
]


def _finite_number(value) -> float | None:
    """A JSON number (not a bool, not NaN/inf), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def entry_avg_price(signal_info) -> float | None:
    """signal_info.entry_avg_price on a v3 SELL: a positive number (or a numeric string, as
    `->>` would give it), else None."""
    if not isinstance(signal_info, dict):
        return None
    value = signal_info.get("entry_avg_price")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    number = _finite_number(value)
    return number if number is not None and number > 0 else None


@dataclass(frozen=True)
class PostExit:
    """One sell's post_exit_prices, read: change_pct per well-formed window, and what was skipped."""

    drifts: dict[str, float]
    malformed_windows: int = 0
    malformed_value: bool = False  # the whole value is not an object (a string, a list, a number)


def _window_change(window) -> float | None:
    """{"price": p > 0, "change_pct": number, "tracked_at": ISO string} -> change_pct, else None."""
    if not isinstance(window, dict):
        return None
    price, change = _finite_number(window.get("price")), _finite_number(window.get("change_pct"))
    tracked_at = window.get("tracked_at")
    if price is None or price <= 0 or change is None or not isinstance(tracked_at, str):
        return None
    try:
        datetime.fromisoformat(tracked_at)
    except ValueError:
        return None
    return change


def parse_post_exit(value) -> PostExit:
    """post_exit_prices as the bot writes it; a window not there yet is simply not tracked, a
    window that is there but malformed is skipped and counted."""
    if value is None:
        return PostExit({})
    if not isinstance(value, dict):
        return PostExit({}, malformed_value=True)
    drifts, malformed = {}, 0
    for window in WINDOWS:
        if window not in value:
            continue
        change = _window_change(value[window])
        if change is None:
            malformed += 1
        else:
            drifts[window] = change
    return PostExit(drifts, malformed)


def ledger_entry_prices(ledger: pd.DataFrame) -> pd.Series:
    """Per SELL id: the position's average price just before that sell, from the average-cost
    ledger (the avg_price_after of the symbol's previous fill); NaN when the sell could not be
    matched against a position (history that starts mid-position)."""
    if ledger.empty:
        return pd.Series(dtype="float64")
    before = ledger.groupby("symbol", sort=False)["avg_price_after"].shift(1)
    held_before = ledger.groupby("symbol", sort=False)["position_after"].shift(1)
    usable = (ledger["side"] == "SELL") & ledger["matched"].astype(bool) & (held_before > 0) & (before > 0)
    sells = ledger["side"] == "SELL"
    return pd.Series(np.where(usable[sells], before[sells], np.nan), index=ledger.loc[sells, "id"].astype(str))


@dataclass(frozen=True)
class PostExitNotes:
    malformed_windows: int
    malformed_values: int
    sells_affected: int


def exit_frame(sells: pd.DataFrame, ledger_entries: pd.Series | None = None) -> tuple[pd.DataFrame, PostExitNotes]:
    """The sells (id, symbol, executed_at, price, quantity, signal_info, and the optional regime,
    exit_reason, post_exit_prices) -> one row per sell with its PnL % and drifts.

    PnL % is the bot's (data.metrics.price_move_pct): (sell price - entry average price) / entry
    average price x 100, fees not included; the entry average price is signal_info.entry_avg_price where the bot recorded it, else the
    ledger's (ledger_entries, by id)."""
    frame = pd.DataFrame({c: sells[c] for c in ("id", "symbol", "executed_at", "price", "quantity")})
    frame["id"] = frame["id"].astype(str)
    frame["price"] = frame["price"].astype("float64")
    frame["quantity"] = frame["quantity"].astype("float64")
    for column in ("regime", "exit_reason"):
        frame[column] = sells[column].where(sells[column].notna(), None) if column in sells else None
    recorded = sells["signal_info"].map(entry_avg_price).astype("float64")
    from_ledger = (
        frame["id"].map(ledger_entries).astype("float64")
        if ledger_entries is not None
        else pd.Series(np.nan, index=frame.index)
    )
    frame["entry_avg_price"] = recorded.where(recorded.notna(), from_ledger)
    source = pd.Series(None, index=frame.index, dtype=object)
    source[from_ledger.notna()] = PNL_LEDGER
    source[recorded.notna()] = PNL_RECORDED
    frame["pnl_source"] = source
    frame["pnl_pct"] = price_move_pct(frame["price"], frame["entry_avg_price"])
    parsed = (
        sells["post_exit_prices"].map(parse_post_exit)
        if "post_exit_prices" in sells
        else pd.Series([PostExit({})] * len(sells), index=sells.index, dtype=object)
    )
    for window, column in zip(WINDOWS, DRIFT_COLUMNS, strict=True):
        frame[column] = parsed.map(lambda p, w=window: p.drifts.get(w, np.nan)).astype("float64")
    notes = PostExitNotes(
        malformed_windows=int(sum(p.malformed_windows for p in parsed)),
        malformed_values=int(sum(p.malformed_value for p in parsed)),
        sells_affected=int(sum(bool(p.malformed_windows or p.malformed_value) for p in parsed)),
    )
    return frame[EXIT_FRAME_COLUMNS].reset_index(drop=True), notes


@dataclass(frozen=True)
class ExitSummary:
    sells: int
    pnl_computable: int
    pnl_recorded: int  # of which from signal_info.entry_avg_price
    pnl_ledger: int  # of which from the average-cost ledger
    tracked_24h: int
    avg_pnl_pct: float | None  # mean PnL % over the sells whose PnL is computable


def summarize(frame: pd.DataFrame) -> ExitSummary:
    computable = frame["pnl_pct"].notna()
    return ExitSummary(
        sells=len(frame),
        pnl_computable=int(computable.sum()),
        pnl_recorded=int((frame["pnl_source"] == PNL_RECORDED).sum()),
        pnl_ledger=int((frame["pnl_source"] == PNL_LEDGER).sum()),
        tracked_24h=int(frame["drift_24h"].notna().sum()),
        avg_pnl_pct=float(frame.loc[computable, "pnl_pct"].mean()) if computable.any() else None,
    )


def pnl_by_reason(frame: pd.DataFrame) -> dict[str, list[float]]:
    """Exit reason -> the PnL % of its sells with a computable PnL (reasons by frequency)."""
    known = frame[frame["exit_reason"].notna() & frame["pnl_pct"].notna()]
    order = known["exit_reason"].value_counts().index
    return {str(reason): known.loc[known["exit_reason"] == reason, "pnl_pct"].tolist() for reason in order}


def drift_by_reason(frame: pd.DataFrame) -> pd.DataFrame:
    """Per exit reason and window: the mean change % after the exit over that reason's sells
    tracked at that window (mean_1h ...) and how many there were (n_1h ...)."""
    known = frame[frame["exit_reason"].notna()]
    grouped = known.groupby("exit_reason", sort=True)
    result = pd.DataFrame(index=pd.Index(sorted(known["exit_reason"].unique()), name="exit_reason"))
    for window, column in zip(WINDOWS, DRIFT_COLUMNS, strict=True):
        result[f"mean_{window}"] = grouped[column].mean()
        result[f"n_{window}"] = grouped[column].count()
    return result


def regime_reason_matrix(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(count of exits, mean PnL %) per regime (rows) x exit reason (columns); a sell without a
    recorded regime or reason is left out."""
    known = frame[frame["regime"].notna() & frame["exit_reason"].notna()]
    counts = pd.crosstab(known["regime"], known["exit_reason"])
    means = known.pivot_table(index="regime", columns="exit_reason", values="pnl_pct", aggfunc="mean")
    return counts, means.reindex(index=counts.index, columns=counts.columns)


# -- tuning hints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRule:
    """A hint on one exit reason: the mean change at `window` over its tracked sells, compared
    with `threshold` (">=" at or above, "<=" at or below)."""

    key: str
    exit_reason: str
    window: str
    threshold: float
    comparison: str

    def holds(self, value: float) -> bool:
        return value >= self.threshold if self.comparison == ">=" else value <= self.threshold


REASON_RULES = (
    ReasonRule("trailing_stop_loosen", "TRAILING_STOP", "24h", 3.0, ">="),
    ReasonRule("stop_loss_tight", "STOP_LOSS", "4h", 1.0, ">="),
    ReasonRule("take_profit_low", "TAKE_PROFIT", "4h", 2.0, ">="),
    ReasonRule("time_limit_working", "TIME_LIMIT", "24h", -2.0, "<="),
)
REGIME_RULE_KEY = "regime_early_exits"


@dataclass(frozen=True)
class Hint:
    """One rule, checked: the number behind it (a mean change % or an early-exit rate %), over
    how many sells, and whether it fired. `subject` is the exit reason or the regime."""

    key: str
    subject: str
    window: str
    value: float
    threshold: float
    sample: int
    fired: bool
    early: int | None = None  # regime rule: early exits among `sample`


@dataclass(frozen=True)
class HintReport:
    sells: int
    enough: bool
    more_needed: int
    hints: tuple[Hint, ...]  # every rule that had data, fired or not

    @property
    def fired(self) -> tuple[Hint, ...]:
        return tuple(h for h in self.hints if h.fired)


def tuning_hints(frame: pd.DataFrame) -> HintReport:
    sells = len(frame)
    if sells < MIN_SELLS_FOR_HINTS:
        return HintReport(sells, False, MIN_SELLS_FOR_HINTS - sells, ())
    hints = [hint for rule in REASON_RULES if (hint := _reason_hint(frame, rule)) is not None]
    hints += _regime_hints(frame)
    return HintReport(sells, True, 0, tuple(hints))


def _reason_hint(frame: pd.DataFrame, rule: ReasonRule) -> Hint | None:
    tracked = frame.loc[frame["exit_reason"] == rule.exit_reason, f"drift_{rule.window}"].dropna()
    if tracked.empty:
        return None
    mean = float(tracked.mean())
    return Hint(rule.key, rule.exit_reason, rule.window, mean, rule.threshold, len(tracked), rule.holds(mean))


def _regime_hints(frame: pd.DataFrame) -> list[Hint]:
    """Per regime: early exits / its TRAILING_STOP and TAKE_PROFIT exits tracked at 24 h."""
    candidates = frame[
        frame["exit_reason"].isin(EARLY_EXIT_REASONS) & frame["regime"].notna() & frame["drift_24h"].notna()
    ]
    hints = []
    for regime, group in candidates.groupby("regime", sort=True):
        early = int((group["drift_24h"] > EARLY_EXIT_RISE_PCT).sum())
        rate = early * 100.0 / len(group)
        hints.append(
            Hint(
                REGIME_RULE_KEY,
                str(regime),
                "24h",
                rate,
                EARLY_EXIT_RATE_PCT,
                len(group),
                rate > EARLY_EXIT_RATE_PCT,
                early,
            )
        )
    return hints
