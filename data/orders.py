"""Orders and fills, and what they leave the bot holding: the trade log (selected by
data.selection, sorted and paged in the database), filled trades, fills in a time window, positions, cash.

Every function takes an open Connection and returns a DataFrame with known columns or a
small dataclass; timestamps come back as UTC-aware values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.market import as_utc
from data.selection import TradeFilter
from data.tables import account_state, positions
from data.tables import trading_history as th

SIDES = ("BUY", "SELL")
STATUSES = ("FILLED", "CANCELLED", "PENDING")
TRADE_COLUMNS = [
    "id",
    "created_at",
    "executed_at",
    "symbol",
    "side",
    "order_type",
    "status",
    "price",
    "quantity",
    "value",
    "fee",
    "strategy_name",
]
# Optional columns of later bot versions, shown when the table has them.
OPTIONAL_TRADE_COLUMNS = ("regime", "exit_reason")
REGIMES = ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN")
# The exit reasons SCHEMA.md lists; a bot may write others, which exit_reasons() also finds.
KNOWN_EXIT_REASONS = ("STOP_LOSS", "TRAILING_STOP", "TAKE_PROFIT", "RSI_OVERBOUGHT", "TIME_LIMIT")
MAX_EXIT_REASONS = 50
ENTRY_AVG_PRICE_KEY = "entry_avg_price"
# What the trade log may be sorted by: column name -> SQL expression. Nothing else is accepted.
# regime and exit_reason need the v3 columns; entry_avg_price is read from signal_info per
# dialect (entry_avg_price_sql).
_OPTIONAL_SORT_KEYS = ("regime", "exit_reason", "entry_avg_price")
_TRADE_SORT_KEYS = {
    "created_at": th.c.created_at,
    "executed_at": th.c.executed_at,
    "symbol": th.c.symbol,
    "side": th.c.side,
    "order_type": th.c.order_type,
    "status": th.c.status,
    "price": th.c.price,
    "quantity": th.c.quantity,
    "value": th.c.price * th.c.quantity,
    "fee": th.c.fee,
    "strategy_name": th.c.strategy_name,
}
TRADE_SORT_KEYS = frozenset(_TRADE_SORT_KEYS) | frozenset(_OPTIONAL_SORT_KEYS)
MAX_PAGE_ROWS = 1000


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = True

    def __post_init__(self):
        if self.column not in TRADE_SORT_KEYS:
            raise ValueError(f"cannot sort trades by {self.column!r}")


DEFAULT_TRADE_SORT = (SortKey("created_at", True),)


def entry_avg_price_sql(dialect: str):
    """signal_info.entry_avg_price as a number, NULL unless it is a positive JSON number: the
    same on PostgreSQL (jsonb ->>, cast to numeric) and SQLite (json_extract on valid JSON
    only, so a malformed value is NULL rather than an error)."""
    key = sa.literal(ENTRY_AVG_PRICE_KEY, sa.String)
    if dialect == "postgresql":
        number = sa.cast(th.c.signal_info.op("->>")(key), sa.Numeric)
        is_number = sa.func.jsonb_typeof(th.c.signal_info.op("->")(key)) == "number"
    else:
        path = sa.literal("$." + ENTRY_AVG_PRICE_KEY, sa.String)
        text = sa.cast(th.c.signal_info, sa.Text)
        number = sa.func.json_extract(text, path)
        is_number = sa.and_(sa.func.json_valid(text) == 1, sa.func.json_type(text, path).in_(("integer", "real")))
    # Nested so the cast only runs on numbers (a CASE condition's AND is not short-circuited).
    return sa.case((is_number, sa.case((number > 0, number), else_=sa.null())), else_=sa.null())


def _sort_expression(column: str, dialect: str):
    if column == "entry_avg_price":
        return entry_avg_price_sql(dialect)
    if column in OPTIONAL_TRADE_COLUMNS:
        return th.c[column]
    return _TRADE_SORT_KEYS[column]


def _trade_select(dialect: str, extra_columns: tuple[str, ...] = ()):
    columns = [
        th.c.id,
        th.c.created_at,
        th.c.executed_at,
        th.c.symbol,
        th.c.side,
        th.c.order_type,
        th.c.status,
        th.c.price,
        th.c.quantity,
        (th.c.price * th.c.quantity).label("value"),
        th.c.fee,
        th.c.strategy_name,
    ]
    columns += [th.c[name] for name in extra_columns]
    columns.append(entry_avg_price_sql(dialect).label("entry_avg_price"))
    return sa.select(*columns).select_from(th)


def fetch_trades(
    conn: Connection,
    trade_filter: TradeFilter,
    sort: tuple[SortKey, ...] = DEFAULT_TRADE_SORT,
    offset: int = 0,
    limit: int = 100,
    extra_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One page of the trade log, sorted and paged in the database. `extra_columns` are the
    optional (v3) columns the table has; sorting by one it lacks is refused."""
    if not offset >= 0 or not 1 <= limit <= MAX_PAGE_ROWS:
        raise ValueError("offset must be >= 0 and limit 1..1000")
    extra = tuple(c for c in extra_columns if c in OPTIONAL_TRADE_COLUMNS)
    dialect = conn.dialect.name
    order = []
    for key in sort or DEFAULT_TRADE_SORT:
        if key.column in OPTIONAL_TRADE_COLUMNS and key.column not in extra:
            raise ValueError(f"cannot sort trades by {key.column}: not recorded by this CoinPilot version")
        expression = _sort_expression(key.column, dialect)
        order.append(expression.desc().nulls_last() if key.descending else expression.asc().nulls_last())
    order.append(th.c.id.asc())  # a total order, so pages never overlap or skip rows
    query = _trade_select(dialect, extra).where(*trade_filter.conditions()).order_by(*order).offset(offset).limit(limit)
    return _trades_frame(conn.execute(query).all(), extra)


def iter_trades(conn: Connection, trade_filter: TradeFilter, extra_columns: tuple[str, ...] = (), chunk: int = 5000):
    """Every trade matching the filter (newest first), streamed in DataFrame chunks (CSV export)."""
    extra = tuple(c for c in extra_columns if c in OPTIONAL_TRADE_COLUMNS)
    query = (
        _trade_select(conn.dialect.name, extra)
        .where(*trade_filter.conditions())
        .order_by(th.c.created_at.desc(), th.c.id.asc())
        .execution_options(yield_per=chunk)
    )
    result = conn.execute(query)
    for rows in result.partitions(chunk):
        yield _trades_frame(rows, extra)


def _trades_frame(rows, extra: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=TRADE_COLUMNS + list(extra) + ["entry_avg_price"])
    frame["id"] = frame["id"].astype(str)
    for column in ("created_at", "executed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("price", "quantity", "value", "fee", "entry_avg_price"):
        frame[column] = frame[column].astype("float64")
    return frame


def exit_reasons(conn: Connection) -> tuple[str, ...]:
    """The documented exit reasons and any other the bot wrote (at most MAX_EXIT_REASONS):
    the choices of the History exit-reason filter. Needs the v3 exit_reason column."""
    query = (
        sa.select(th.c.exit_reason)
        .where(th.c.exit_reason.is_not(None))
        .group_by(th.c.exit_reason)
        .order_by(th.c.exit_reason)
        .limit(MAX_EXIT_REASONS)
    )
    found = [row[0] for row in conn.execute(query)]
    return tuple(dict.fromkeys([*KNOWN_EXIT_REASONS, *sorted(found)]))


def filled_sell_ids(conn: Connection, trade_filter: TradeFilter) -> set[str]:
    """The ids of FILLED sells matching the filter (for realized PnL over a regime or exit-reason
    filter, which the ledger cannot apply itself)."""
    query = sa.select(th.c.id).where(*trade_filter.conditions(), th.c.side == "SELL", th.c.status == "FILLED")
    return {str(row[0]) for row in conn.execute(query)}


def fetch_sell_exit_reasons(conn: Connection) -> dict[str, str]:
    """FILLED sell id -> the exit_reason the bot recorded (v3 column; callers check it exists):
    the reason a round trip closed."""
    query = sa.select(th.c.id, th.c.exit_reason).where(
        th.c.side == "SELL", th.c.status == "FILLED", th.c.exit_reason.is_not(None)
    )
    return {str(row[0]): row[1] for row in conn.execute(query)}


def count_trades(conn: Connection, trade_filter: TradeFilter) -> int:
    query = sa.select(sa.func.count()).select_from(th).where(*trade_filter.conditions())
    return int(conn.execute(query).scalar() or 0)


@dataclass(frozen=True)
class TradeBreakdown:
    """Counts over the whole filtered set (not one page), for the History summary charts."""

    total: int
    by_side: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    filled_value: float = 0.0


def trade_breakdown(conn: Connection, trade_filter: TradeFilter) -> TradeBreakdown:
    query = (
        sa.select(
            th.c.side,
            th.c.status,
            sa.func.count().label("n"),
            sa.func.sum(th.c.price * th.c.quantity).label("value"),
        )
        .where(*trade_filter.conditions())
        .group_by(th.c.side, th.c.status)
    )
    by_side: dict[str, int] = {}
    by_status: dict[str, int] = {}
    total, filled_value = 0, 0.0
    for row in conn.execute(query):
        by_side[row.side] = by_side.get(row.side, 0) + row.n
        by_status[row.status] = by_status.get(row.status, 0) + row.n
        total += row.n
        if row.status == "FILLED":
            filled_value += float(row.value or 0.0)
    return TradeBreakdown(total, by_side, by_status, filled_value)


def fetch_filled_trades(conn: Connection) -> pd.DataFrame:
    """Every FILLED order, for the average-cost PnL walk (see data.metrics)."""
    query = (
        sa.select(
            th.c.id,
            th.c.symbol,
            th.c.side,
            th.c.price,
            th.c.quantity,
            th.c.fee,
            th.c.status,
            th.c.created_at,
            th.c.executed_at,
        )
        .where(th.c.status == "FILLED")
        .order_by(th.c.executed_at, th.c.id)
    )
    frame = pd.DataFrame(
        conn.execute(query).all(),
        columns=["id", "symbol", "side", "price", "quantity", "fee", "status", "created_at", "executed_at"],
    )
    frame["id"] = frame["id"].astype(str)
    for column in ("price", "quantity", "fee"):
        frame[column] = frame[column].astype("float64")
    for column in ("created_at", "executed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def fetch_fills_between(conn: Connection, symbols: tuple[str, ...], start: datetime, end: datetime) -> pd.DataFrame:
    """FILLED orders of a symbol executed in [start, end): the chart's BUY/SELL markers."""
    query = (
        sa.select(th.c.id, th.c.side, th.c.price, th.c.quantity, th.c.executed_at, th.c.strategy_name)
        .where(
            th.c.symbol.in_(symbols),
            th.c.status == "FILLED",
            th.c.executed_at >= start.astimezone(UTC),
            th.c.executed_at < end.astimezone(UTC),
        )
        .order_by(th.c.executed_at)
    )
    frame = pd.DataFrame(
        conn.execute(query).all(), columns=["id", "side", "price", "quantity", "executed_at", "strategy_name"]
    )
    frame["id"] = frame["id"].astype(str)
    frame["executed_at"] = pd.to_datetime(frame["executed_at"], utc=True)
    for column in ("price", "quantity"):
        frame[column] = frame[column].astype("float64")
    return frame


def fetch_positions(conn: Connection) -> pd.DataFrame:
    query = sa.select(
        positions.c.symbol,
        positions.c.quantity,
        positions.c.avg_price,
        positions.c.opened_at,
        positions.c.updated_at,
    ).order_by(positions.c.symbol)
    frame = pd.DataFrame(
        conn.execute(query).all(), columns=["symbol", "quantity", "avg_price", "opened_at", "updated_at"]
    )
    for column in ("quantity", "avg_price"):
        frame[column] = frame[column].astype("float64")
    for column in ("opened_at", "updated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@dataclass(frozen=True)
class CashBalance:
    balance: float
    updated_at: datetime | None


ACCOUNT_ROW_ID = 1  # the bot keeps its paper account in row 1


def fetch_cash_balance(conn: Connection) -> CashBalance | None:
    row = conn.execute(
        sa.select(account_state.c.balance, account_state.c.updated_at).where(account_state.c.id == ACCOUNT_ROW_ID)
    ).first()
    if row is None:
        return None
    return CashBalance(float(row.balance), as_utc(row.updated_at))
