"""The History page's trade log, computed: which optional columns a database records (and so which
filters and sorts it can answer), each sell's realized PnL from the average-cost ledger, one block
of the log, the summary over the whole selection, and the CSV export.

No Dash and no browser values: callbacks/history.py checks what the browser sent at the door
(callbacks.inputs), hands the checked values here, and lays out what comes back.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Connection

from data.database import DataError
from data.exit_analysis import ledger_entry_prices
from data.metrics import pnl_sign, realized_pnl_by_symbol, realized_return_pct
from data.orders import (
    OPTIONAL_TRADE_COLUMNS,
    TRADE_COLUMNS,
    SortKey,
    TradeBreakdown,
    count_trades,
    fetch_trades,
    filled_sell_ids,
    iter_trades,
    trade_breakdown,
)
from data.schema import SchemaFeatures
from data.selection import TradeFilter
from i18n import Message

EXPORT_MAX_ROWS = 1_000_000
# The trade log's columns, realized PnL before the strategy as the grid shows it, then the v3 ones.
CSV_COLUMNS = [
    *TRADE_COLUMNS[:-1],
    "realized_pnl",
    TRADE_COLUMNS[-1],
    *OPTIONAL_TRADE_COLUMNS,
    "entry_avg_price",
    "realized_pnl_pct",
]


class NotRecorded(DataError):
    """A filter or a sort on a column this CoinPilot version does not record: the operator asked
    for something the database cannot answer (shown as an invalid input, not a fault)."""

    kind = "invalid_input"


def recorded_columns(features: SchemaFeatures) -> tuple[str, ...]:
    """The optional trading_history columns (regime, exit_reason) this database has."""
    return tuple(c for c in OPTIONAL_TRADE_COLUMNS if features.has_column("trading_history", c))


def refuse_unrecorded(recorded: tuple[str, ...], *, regime: bool, exit_reason: bool) -> None:
    """A regime or an exit-reason filter on a database that does not record that column."""
    if regime and "regime" not in recorded:
        raise NotRecorded(Message("history.invalid_regime"))
    if exit_reason and "exit_reason" not in recorded:
        raise NotRecorded(Message("history.invalid_exit_reason"))


def refuse_unrecorded_sort(recorded: tuple[str, ...], sort: tuple[SortKey, ...]) -> None:
    for key in sort:
        if key.column in OPTIONAL_TRADE_COLUMNS and key.column not in recorded:
            raise NotRecorded(Message("history.invalid_sort", column=key.column))


@dataclass(frozen=True)
class SellResults:
    """Per SELL id, from the average-cost ledger: realized PnL (KRW) and the ledger's average
    cost before the sell (the entry price when the bot did not record one)."""

    realized: dict[str, float]
    ledger_entry: dict[str, float]

    def realized_pnl_pct(self, order_id: str, recorded_entry: float, quantity: float) -> float | None:
        """Realized PnL % (data.metrics.realized_return_pct), entry from signal_info else the ledger."""
        pnl = self.realized.get(order_id)
        entry = recorded_entry if pd.notna(recorded_entry) else self.ledger_entry.get(order_id)
        if pnl is None or entry is None or pd.isna(entry) or not quantity > 0:
            return None
        return realized_return_pct(pnl, entry, quantity)


def sell_results(ledger: pd.DataFrame) -> SellResults:
    sells = ledger[(ledger["side"] == "SELL") & ledger["realized_pnl"].notna()]
    entries = ledger_entry_prices(ledger).dropna()
    return SellResults(dict(zip(sells["id"], sells["realized_pnl"])), dict(zip(entries.index, entries)))


def with_sell_results(trades: pd.DataFrame, results: SellResults) -> pd.DataFrame:
    """The trades (data.orders' trade log frame) with each sell's realized_pnl, realized_pnl_pct
    and pnl_sign (+1, -1, 0 for break-even or none); None where an order has no realized PnL."""
    realized = [results.realized.get(order_id) for order_id in trades["id"]]
    pct = [
        results.realized_pnl_pct(order_id, entry, quantity)
        for order_id, entry, quantity in zip(trades["id"], trades["entry_avg_price"], trades["quantity"], strict=True)
    ]
    return trades.assign(
        realized_pnl=pd.Series(realized, index=trades.index, dtype=object),
        realized_pnl_pct=pd.Series(pct, index=trades.index, dtype=object),
        pnl_sign=[pnl_sign(pnl) for pnl in realized],
    )


@dataclass(frozen=True)
class TradeLogPage:
    trades: pd.DataFrame  # one block of the log, with_sell_results' columns added
    total: int  # every trade the selection matches


def trade_log_page(
    conn: Connection,
    selection: TradeFilter,
    sort: tuple[SortKey, ...],
    offset: int,
    limit: int,
    recorded: tuple[str, ...],
    ledger: pd.DataFrame,
) -> TradeLogPage:
    """One block of the trade log, sorted and paged in the database, with its sells' results."""
    refuse_unrecorded_sort(recorded, sort)
    trades = fetch_trades(conn, selection, sort, offset=offset, limit=limit, extra_columns=recorded)
    total = count_trades(conn, selection)
    return TradeLogPage(with_sell_results(trades, sell_results(ledger)), total)


@dataclass(frozen=True)
class TradeLogSummary:
    """Over the whole selection (not one page): counts by side and status, the filled value,
    and the realized PnL of its sells per symbol (columns symbol, realized_pnl, sells)."""

    breakdown: TradeBreakdown
    realized_by_symbol: pd.DataFrame

    @property
    def realized_total(self) -> float | None:
        return float(self.realized_by_symbol["realized_pnl"].sum()) if not self.realized_by_symbol.empty else None


def summarize(conn: Connection, selection: TradeFilter, filled: pd.DataFrame, ledger: pd.DataFrame) -> TradeLogSummary:
    """The selection's counts from the database; its realized PnL from the ledger, which values a
    sell at average cost over all history, so a sell keeps its PnL whatever the dates chosen."""
    breakdown = trade_breakdown(conn, selection)
    # regime and exit reason are not in the ledger: the database says which sells match them.
    matching_ids = filled_sell_ids(conn, selection) if selection.needs_v3_columns else None
    sells = ledger.merge(filled[["id", "status", "created_at"]], on="id", how="left")
    sells = sells[selection.without_v3().matches(sells) & (sells["side"] == "SELL")]
    if matching_ids is not None:
        sells = sells[sells["id"].isin(matching_ids)]
    return TradeLogSummary(breakdown, realized_pnl_by_symbol(sells))


@dataclass(frozen=True)
class TradeExport:
    """The CSV file's text, how many trades it holds and how many matched the filters."""

    content: str
    written: int
    matching: int

    @property
    def truncated(self) -> bool:
        return self.written < self.matching


def export_csv(
    conn: Connection,
    selection: TradeFilter,
    recorded: tuple[str, ...],
    ledger: pd.DataFrame,
    tz: ZoneInfo,
    header: list[str],
    truncated_line: Callable[[int, int], str],
    max_rows: int = EXPORT_MAX_ROWS,
) -> TradeExport:
    """The selection as CSV (at most `max_rows` trades, the file saying so when cut, in
    `truncated_line(written, matching)`): UTF-8 with a byte-order mark, so Excel reads Korean
    text right; `header` over CSV_COLUMNS; timestamps in ISO 8601 with the display zone's offset;
    amounts rounded as the screen shows them; every text cell defused."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    matching = count_trades(conn, selection)
    results = sell_results(ledger)
    written = 0
    for chunk in iter_trades(conn, selection, extra_columns=recorded):
        for row in with_sell_results(chunk, results).itertuples(index=False):
            if written >= max_rows:
                break
            writer.writerow(
                [
                    _csv_text(row.id),
                    _csv_time(row.created_at, tz),
                    _csv_time(row.executed_at, tz),
                    _csv_text(row.symbol),
                    _csv_text(row.side),
                    _csv_text(row.order_type),
                    _csv_text(row.status),
                    _csv_price(row.price),
                    _csv_number(row.quantity, 8),
                    _csv_number(row.value, 0),
                    _csv_number(row.fee, 0),
                    _csv_number(row.realized_pnl, 0),
                    _csv_text(row.strategy_name),
                    _csv_text(optional_text(row, "regime")),
                    _csv_text(optional_text(row, "exit_reason")),
                    _csv_price(row.entry_avg_price),
                    _csv_number(row.realized_pnl_pct, 2),
                ]
            )
            written += 1
        if written >= max_rows:
            break
    if written < matching:
        writer.writerow([truncated_line(written, matching)])
    return TradeExport(buffer.getvalue(), written, max(matching, written))


def optional_text(row, column: str) -> str:
    """A text column that may be absent (week-6) or NULL (pandas gives NaN): else ""."""
    value = getattr(row, column, None)
    return value if isinstance(value, str) else ""


# A spreadsheet runs a cell starting with one of these as a formula (tab and CR too: Excel and
# LibreOffice strip them and read on), so such a cell is written as text: a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value) -> str:
    text = value if isinstance(value, str) else "" if value is None or pd.isna(value) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_time(value, tz) -> str:
    """ISO 8601 in the display zone; in UTC for an instant the zone cannot hold (year 9999 east of UTC)."""
    if value is None or pd.isna(value):
        return ""
    instant = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    try:
        return instant.astimezone(tz).isoformat()
    except OverflowError:
        return instant.astimezone(UTC).isoformat()


def _csv_number(value, decimals: int) -> str:
    """A plain number (no grouping, so spreadsheets read it), rounded half away from zero to
    `decimals` as the screen shows it, trailing zeros dropped; "" when missing."""
    if value is None or pd.isna(value) or not math.isfinite(value):
        return ""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _csv_price(value) -> str:
    # As layouts.format.price: whole KRW from 100 up, 4 decimals below (a few-hundred-KRW coin's ticks).
    if value is None or pd.isna(value):
        return ""
    return _csv_number(value, 0 if abs(value) >= 100 else 4)
