"""The trade selection: which trades the History filters choose (symbols in either stored form,
sides, statuses, UTC dates, the v3 regime and exit reason), defined once and rendered twice: as
the SQL conditions on trading_history (the trade log, its counts, the CSV export) and as a
pandas mask (the realized PnL by symbol over the ledger, the round trips). Both renderings
read the same list of criteria, so they cannot disagree on a bound or a symbol form
(tests/integration/test_trade_selection.py checks them against each other on every backend).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from data.symbols import forms_of_all
from data.tables import trading_history as th


class Comparison(enum.Enum):
    ONE_OF = "one of"
    AT_OR_AFTER = "at or after"  # the start bound: included
    BEFORE = "before"  # the end bound: excluded (the next UTC day's midnight)


@dataclass(frozen=True)
class Criterion:
    """One condition on one column: a value among `value`, or a time bound."""

    column: str
    test: Comparison
    value: object

    @property
    def on_time(self) -> bool:
        return self.test is not Comparison.ONE_OF

    def sql(self, column):
        if self.test is Comparison.ONE_OF:
            return column.in_(self.value)
        if self.test is Comparison.AT_OR_AFTER:
            return column >= self.value
        return column < self.value

    def mask(self, values: pd.Series) -> pd.Series:
        if self.test is Comparison.ONE_OF:
            return values.isin(self.value)
        if self.test is Comparison.AT_OR_AFTER:
            return values >= pd.Timestamp(self.value)
        return values < pd.Timestamp(self.value)


@dataclass(frozen=True)
class TradeFilter:
    """The History page's filters. Empty tuples mean "all"; `start` is an included and `end` an
    excluded UTC bound (a picked end day is included: `end` is the next day's midnight)."""

    symbols: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    regimes: tuple[str, ...] = ()  # v3 columns: only set when the table has them
    exit_reasons: tuple[str, ...] = ()

    @property
    def needs_v3_columns(self) -> tuple[str, ...]:
        return tuple(c for c, v in (("regime", self.regimes), ("exit_reason", self.exit_reasons)) if v)

    def criteria(self, time_column: str = "created_at") -> tuple[Criterion, ...]:
        """The selection's conditions, each once: both renderings below are built from these."""
        found = []
        if self.symbols:
            # Orders may be recorded as KRW-BTC or BTC-KRW: the filter matches both.
            found.append(Criterion("symbol", Comparison.ONE_OF, forms_of_all(self.symbols)))
        for column, values in (
            ("regime", self.regimes),
            ("exit_reason", self.exit_reasons),
            ("side", self.sides),
            ("status", self.statuses),
        ):
            if values:
                found.append(Criterion(column, Comparison.ONE_OF, tuple(values)))
        if self.start is not None:
            found.append(Criterion(time_column, Comparison.AT_OR_AFTER, self.start.astimezone(UTC)))
        if self.end is not None:
            found.append(Criterion(time_column, Comparison.BEFORE, self.end.astimezone(UTC)))
        return tuple(found)

    def conditions(self) -> list:
        """The selection as SQL conditions on trading_history (dates on created_at)."""
        return [criterion.sql(th.c[criterion.column]) for criterion in self.criteria()]

    def matches(
        self, frame: pd.DataFrame, time_column: str = "created_at", undated: pd.Series | None = None
    ) -> pd.Series:
        """The selection as a mask over a DataFrame with the columns it names (dates on
        `time_column`). Rows flagged in `undated` are judged without the date bounds (an open
        round trip has no exit time yet)."""
        mask = pd.Series(True, index=frame.index)
        for criterion in self.criteria(time_column):
            kept = criterion.mask(frame[criterion.column])
            if criterion.on_time and undated is not None:
                kept |= undated
            mask &= kept
        return mask

    def symbols_and_dates(self) -> TradeFilter:
        """The part of the selection a round trip can answer (it has a symbol and an exit time,
        not one side, status, regime or exit reason)."""
        return TradeFilter(symbols=self.symbols, start=self.start, end=self.end)

    def without_v3(self) -> TradeFilter:
        """The selection without the v3 criteria, for a frame without those columns (the
        average-cost ledger): the regime and exit reason are then asked of the database."""
        return replace(self, regimes=(), exit_reasons=())
