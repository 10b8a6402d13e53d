"""Market data reads: candles aggregated in the database, latest prices, symbols, freshness.

Candles are built from the collector's 1-minute rows by the database itself:
- TimescaleDB: time_bucket() with first()/last();
- plain PostgreSQL: date_bin() with origin 2000-01-03 (time_bucket's default origin, so the
  buckets are the same for widths under a month) and array_agg(... ORDER BY)[1];
- SQLite (the demo): epoch arithmetic from the same origin, with first()/last() aggregates
  registered on each connection (data.database.register_sqlite_functions).
On TimescaleDB with the candle rollups of data/rollups.py, a width is read from the coarsest
rollup whose width divides it (15m from 5m, 4h from 1h, 1w from 1d), re-bucketed with the same
time_bucket origin; without usable rollups (or when one vanishes) the 1-minute rows are used.
Every query is bounded by a time window on (symbol, interval, timestamp) so it is served by
the (symbol, interval, timestamp DESC) index; no query aggregates a symbol's whole history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from data.database import Backend
from data.rollups import Rollup, RollupCatalog, rollup_table
from data.symbols import alternate_symbol
from data.tables import STORED_CANDLE_INTERVAL
from data.tables import market_data as md

# The allow-list of candle widths; anything else never reaches SQL.
CANDLE_WIDTHS: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
    "1w": timedelta(weeks=1),
}
BUCKET_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday, as in time_bucket
_ORIGIN_EPOCH = int(BUCKET_ORIGIN.timestamp())
MAX_CANDLES = 5000
CANDLE_COLUMNS = ["bucket", "open", "high", "low", "close", "volume"]
# A rollup read that fails with these means the rollup vanished or became unreadable
# (undefined table, invalid schema, permission denied): aggregate the raw rows instead.
_ROLLUP_GONE_CODES = frozenset({"42P01", "3F000", "42501"})
log = logging.getLogger("coinpilot.dashboard")


class UnknownWidth(ValueError):
    pass


def width_delta(width: str) -> timedelta:
    try:
        return CANDLE_WIDTHS[width]
    except (KeyError, TypeError):
        raise UnknownWidth(f"unknown candle width {width!r}") from None


def bucket_floor(at: datetime, width: str) -> datetime:
    """The start of the bucket holding `at`, with the same origin as the SQL."""
    return _floor(at, width_delta(width))


def _floor(at: datetime, step: timedelta) -> datetime:
    return BUCKET_ORIGIN + ((at - BUCKET_ORIGIN) // step) * step


def _ceil(at: datetime, step: timedelta) -> datetime:
    floor = _floor(at, step)
    return floor if floor == at else floor + step


def bucket_floor_series(times: pd.Series, width: str) -> pd.Series:
    """bucket_floor for a Series of UTC timestamps."""
    step = pd.Timedelta(width_delta(width))
    origin = pd.Timestamp(BUCKET_ORIGIN)
    return origin + ((times - origin) // step) * step


def _interval_literal(width: str) -> str:
    # A PostgreSQL interval spelled from the allow-list, bound as a parameter.
    return f"{int(width_delta(width).total_seconds())} seconds"


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime passed to the data layer; use UTC-aware datetimes")
    return at.astimezone(UTC)


def candle_select(backend: Backend, symbol: str, width: str, start: datetime, end: datetime):
    """The aggregation query for one symbol, one width and one [start, end) window."""
    width_delta(width)  # validates against the allow-list before anything is built
    ts = md.c.timestamp
    window = sa.and_(
        md.c.symbol == sa.bindparam("symbol", symbol),
        md.c.interval == sa.bindparam("stored_interval", STORED_CANDLE_INTERVAL),
        ts >= sa.bindparam("start", _utc(start), type_=sa.DateTime(timezone=True)),
        ts < sa.bindparam("end", _utc(end), type_=sa.DateTime(timezone=True)),
    )
    if backend is Backend.SQLITE:
        seconds = sa.bindparam("width_seconds", int(width_delta(width).total_seconds()))
        origin = sa.bindparam("origin_epoch", _ORIGIN_EPOCH)
        epoch = sa.cast(sa.func.strftime("%s", ts), sa.Integer)
        bucket = ((epoch - origin) // seconds) * seconds + origin
        open_, close = sa.func.first(md.c.open_price, ts), sa.func.last(md.c.close_price, ts)
    else:
        stride = sa.cast(sa.bindparam("width", _interval_literal(width)), postgresql.INTERVAL)
        if backend is Backend.TIMESCALEDB:
            bucket = sa.func.time_bucket(stride, ts)
            open_ = sa.func.first(md.c.open_price, ts)
            close = sa.func.last(md.c.close_price, ts)
        else:
            origin = sa.bindparam("origin", BUCKET_ORIGIN, type_=sa.DateTime(timezone=True))
            bucket = sa.func.date_bin(stride, ts, origin)
            open_ = postgresql.array_agg(postgresql.aggregate_order_by(md.c.open_price, ts.asc()))[1]
            close = postgresql.array_agg(postgresql.aggregate_order_by(md.c.close_price, ts.desc()))[1]
    bucket = bucket.label("bucket")
    return (
        sa.select(
            bucket,
            _as_float(open_, backend).label("open"),
            _as_float(sa.func.max(md.c.high_price), backend).label("high"),
            _as_float(sa.func.min(md.c.low_price), backend).label("low"),
            _as_float(close, backend).label("close"),
            _as_float(sa.func.sum(md.c.volume), backend).label("volume"),
        )
        .where(window)
        .group_by(sa.literal_column("bucket"))
        .order_by(sa.literal_column("bucket"))
    )


def _as_float(value, backend: Backend):
    # The aggregates are exact numerics; the frame holds float64 anyway, and the database
    # converts them far faster than building a Python Decimal per value (1,200 candles: ~10 ms).
    return value if backend is Backend.SQLITE else sa.cast(value, postgresql.DOUBLE_PRECISION)


def _candles_frame(rows, backend: Backend) -> pd.DataFrame:
    # Column by column: pandas probes every Row object when handed a list of them.
    columns = list(zip(*rows)) if rows else [()] * len(CANDLE_COLUMNS)
    frame = pd.DataFrame(dict(zip(CANDLE_COLUMNS, columns, strict=True)))
    if backend is Backend.SQLITE:
        frame["bucket"] = pd.to_datetime(frame["bucket"].astype("int64"), unit="s", utc=True)
    else:
        frame["bucket"] = pd.to_datetime(frame["bucket"], utc=True)
    for column in CANDLE_COLUMNS[1:]:
        frame[column] = frame[column].astype("float64")
    return frame


def rollup_candle_select(rollup: Rollup, symbol: str, width: str, start: datetime, end: datetime):
    """Candles of `width` for the 1-minute rows in [start, end), from a rollup whose width
    divides it: the rollup's buckets lying wholly inside the window, plus the 1-minute rows of
    the window's ragged edges (less than one rollup bucket each), re-bucketed together with
    time_bucket (same origin as raw aggregation) and first()/last() by time. None when the
    window holds no whole rollup bucket (then the raw rows are cheaper)."""
    step = width_delta(width)
    if step < rollup.step or step % rollup.step:
        raise ValueError(f"the {rollup.width} rollup cannot make {width} candles")
    start, end = _utc(start), _utc(end)
    inner_start, inner_end = _ceil(start, rollup.step), _floor(end, rollup.step)
    if inner_start >= inner_end:
        return None
    when = sa.DateTime(timezone=True)
    r = rollup_table(rollup)
    pieces = [
        sa.select(r.c.bucket.label("at"), r.c.open, r.c.high, r.c.low, r.c.close, r.c.volume).where(
            r.c.symbol == sa.bindparam("symbol", symbol),
            r.c.bucket >= sa.bindparam("inner_start", inner_start, type_=when),
            r.c.bucket < sa.bindparam("inner_end", inner_end, type_=when),
        )
    ]
    edges = (("head_start", "head_end", start, inner_start), ("tail_start", "tail_end", inner_end, end))
    for start_name, end_name, edge_start, edge_end in edges:
        if edge_start < edge_end:  # each edge is its own index range, never one range with a hole
            pieces.append(
                sa.select(
                    md.c.timestamp.label("at"),
                    md.c.open_price.label("open"),
                    md.c.high_price.label("high"),
                    md.c.low_price.label("low"),
                    md.c.close_price.label("close"),
                    md.c.volume,
                ).where(
                    md.c.symbol == sa.bindparam("symbol", symbol),
                    md.c.interval == sa.bindparam("stored_interval", STORED_CANDLE_INTERVAL),
                    md.c.timestamp >= sa.bindparam(start_name, edge_start, type_=when),
                    md.c.timestamp < sa.bindparam(end_name, edge_end, type_=when),
                )
            )
    p = sa.union_all(*pieces).subquery("pieces")
    stride = sa.cast(sa.bindparam("width", _interval_literal(width)), postgresql.INTERVAL)
    return (
        sa.select(
            sa.func.time_bucket(stride, p.c.at).label("bucket"),
            _as_float(sa.func.first(p.c.open, p.c.at), Backend.TIMESCALEDB).label("open"),
            _as_float(sa.func.max(p.c.high), Backend.TIMESCALEDB).label("high"),
            _as_float(sa.func.min(p.c.low), Backend.TIMESCALEDB).label("low"),
            _as_float(sa.func.last(p.c.close, p.c.at), Backend.TIMESCALEDB).label("close"),
            _as_float(sa.func.sum(p.c.volume), Backend.TIMESCALEDB).label("volume"),
        )
        .group_by(sa.literal_column("bucket"))
        .order_by(sa.literal_column("bucket"))
    )


def fetch_candles_between(
    conn: Connection,
    backend: Backend,
    symbol: str,
    width: str,
    start: datetime,
    end: datetime,
    rollups: RollupCatalog | None = None,
) -> pd.DataFrame:
    """Candles whose 1-minute rows lie in [start, end), from a rollup when `rollups` has one
    for this width (the same candles, read from less data)."""
    if rollups is not None and backend is Backend.TIMESCALEDB:
        rollup = rollups.source_for(conn, backend, width_delta(width))
        statement = rollup_candle_select(rollup, symbol, width, start, end) if rollup is not None else None
        if statement is not None:
            try:
                with conn.begin_nested():  # a failed read must not abort the transaction
                    rows = conn.execute(statement).all()
                return _candles_frame(rows, backend)
            except sa.exc.DBAPIError as exc:
                if getattr(exc.orig, "pgcode", None) not in _ROLLUP_GONE_CODES:
                    raise
                log.warning("candle rollup %s unreadable (%s); re-detecting", rollup.view, exc.orig)
                rollups.detect(conn, backend)
    rows = conn.execute(candle_select(backend, symbol, width, start, end)).all()
    return _candles_frame(rows, backend)


def latest_candle_time(conn: Connection, symbol: str, *, now: datetime | None = None) -> datetime | None:
    """The newest 1-minute candle's time for a symbol (see fetch_latest_candles)."""
    candle = fetch_latest_candles(conn, [symbol], now=now).get(symbol)
    return candle.timestamp if candle is not None else None


def fetch_recent_candles(
    conn: Connection,
    backend: Backend,
    symbol: str,
    width: str,
    count: int,
    rollups: RollupCatalog | None = None,
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The last `count` candles of a width, ending at the newest 1-minute row (not future-dated
    after `now`, when given: see fetch_latest_candles).

    The window is anchored at the newest row rather than at "now", so a stalled collector
    still shows its last candles (the staleness is reported separately).
    """
    if not 1 <= count <= MAX_CANDLES:
        raise ValueError(f"candle count must be 1..{MAX_CANDLES}")
    newest = latest_candle_time(conn, symbol, now=now)
    if newest is None:
        return _candles_frame([], backend)
    last_bucket = bucket_floor(newest, width)
    start = last_bucket - (count - 1) * width_delta(width)
    return fetch_candles_between(conn, backend, symbol, width, start, newest + timedelta(minutes=1), rollups)


def fetch_recent_closes(conn: Connection, symbol: str, count: int) -> list[float]:
    """The last `count` 1-minute closes of a symbol, oldest first (one index range scan)."""
    rows = conn.execute(
        sa.select(md.c.close_price)
        .where(md.c.symbol == symbol, md.c.interval == STORED_CANDLE_INTERVAL)
        .order_by(md.c.timestamp.desc())
        .limit(count)
    ).all()
    return [float(row[0]) for row in reversed(rows)]


@dataclass(frozen=True)
class LatestCandle:
    symbol: str
    close: float
    timestamp: datetime


# "Newest candle" lookups first look back this far from now, then wider, then over the whole
# history, each step only for the symbols not found yet: a stalled collector is never read as
# "no candles". The bounds are computed in Python and bound as parameters, which psycopg2 sends
# as literals, so TimescaleDB excludes every chunk outside the window while planning (on a
# compressed year, planning over all chunks costs ~25-40 ms; the lookups themselves ~1 ms).
LATEST_CANDLE_LOOKBACKS = (timedelta(days=1), timedelta(days=30))
# A candle dated more than this after "now" is future-dated (a wrong clock or a bad row): it is
# left out of "newest candle" lookups, which would otherwise read it as fresh and anchor the
# chart on it, and reported by fetch_future_candles instead. The margin absorbs clock skew.
FUTURE_TOLERANCE = timedelta(minutes=2)
# The symbol list is the symbols with candles this recently (the whole history when none has).
SYMBOL_LIST_WINDOW = timedelta(days=30)


def _since(now: datetime | None, lookback: timedelta):
    since = (datetime.now(UTC) if now is None else _utc(now)) - lookback
    return sa.bindparam("since", since, type_=sa.DateTime(timezone=True))


def _until(now: datetime):
    return sa.bindparam("until", _utc(now) + FUTURE_TOLERANCE, type_=sa.DateTime(timezone=True))


def _latest_per_symbol(conn: Connection, symbols: list[str], since, until) -> dict[str, LatestCandle]:
    # One index probe per symbol ((symbol, interval, timestamp DESC), LIMIT 1), in one round trip.
    per_symbol = []
    for index, symbol in enumerate(symbols):
        condition = sa.and_(
            md.c.symbol == sa.bindparam(f"symbol_{index}", symbol),
            md.c.interval == sa.bindparam("stored_interval", STORED_CANDLE_INTERVAL),
        )
        if until is not None:
            condition = sa.and_(condition, md.c.timestamp <= until)
        if since is not None:
            condition = sa.and_(condition, md.c.timestamp >= since)
        per_symbol.append(
            sa.select(md.c.symbol, md.c.close_price, md.c.timestamp)
            .where(condition)
            .order_by(md.c.timestamp.desc())
            .limit(1)
            .subquery()
        )
    selects = [sa.select(sub) for sub in per_symbol]
    query = sa.union_all(*selects) if len(selects) > 1 else selects[0]
    return {
        row.symbol: LatestCandle(row.symbol, float(row.close_price), as_utc(row.timestamp))
        for row in conn.execute(query)
    }


def fetch_latest_candles(
    conn: Connection, symbols: list[str], *, now: datetime | None = None
) -> dict[str, LatestCandle]:
    """The newest 1-minute candle of each symbol that has one, future-dated ones left out.

    Looked up within LATEST_CANDLE_LOOKBACKS of `now` (default: the wall clock) first, then
    wider only for the symbols not found. (The original dashboard's DISTINCT ON (symbol) read
    the whole table: seconds on a year.) Given the dashboard's `now`, candles more than
    FUTURE_TOLERANCE after it are not "newest" (see fetch_future_candles); without one (the
    simulator resuming its own writes) every candle counts.
    """
    wanted = list(dict.fromkeys(symbols))
    found = fetch_latest_candles_as_stored(conn, wanted, now=now)
    # A symbol asked for in the form its candles are not stored under (a position recorded as
    # BTC-KRW, candles as KRW-BTC): only those are looked up again in the other form.
    unfound = [symbol for symbol in wanted if symbol not in found]
    if unfound:
        other = fetch_latest_candles_as_stored(conn, [alternate_symbol(s) for s in unfound], now=now)
        for symbol in unfound:
            candle = other.get(alternate_symbol(symbol))
            if candle is not None:
                found[symbol] = LatestCandle(symbol, candle.close, candle.timestamp)
    return {symbol: found[symbol] for symbol in wanted if symbol in found}


def fetch_latest_candles_as_stored(conn: Connection, symbols: list[str], *, now: datetime | None = None):
    """fetch_latest_candles for symbols exactly as stored (no second form tried)."""
    found: dict[str, LatestCandle] = {}
    until = None if now is None else _until(now)
    for lookback in (*LATEST_CANDLE_LOOKBACKS, None):
        missing = [symbol for symbol in symbols if symbol not in found]
        if not missing:
            break
        found.update(_latest_per_symbol(conn, missing, None if lookback is None else _since(now, lookback), until))
    return found


def fetch_future_candles(conn: Connection, symbols: list[str], *, now: datetime) -> dict[str, datetime]:
    """Per symbol with future-dated 1-minute candles (more than FUTURE_TOLERANCE after `now`),
    the furthest one's time: one index probe per symbol, in one round trip."""
    wanted = list(dict.fromkeys(symbols))
    if not wanted:
        return {}
    until = _until(now)
    selects = [
        sa.select(
            sa.select(md.c.symbol, md.c.timestamp)
            .where(
                md.c.symbol == sa.bindparam(f"symbol_{index}", symbol),
                md.c.interval == sa.bindparam("stored_interval", STORED_CANDLE_INTERVAL),
                md.c.timestamp > until,
            )
            .order_by(md.c.timestamp.desc())
            .limit(1)
            .subquery()
        )
        for index, symbol in enumerate(wanted)
    ]
    query = sa.union_all(*selects) if len(selects) > 1 else selects[0]
    return {row.symbol: as_utc(row.timestamp) for row in conn.execute(query)}


# A loose index scan: one index probe per distinct symbol instead of reading every row. Each
# probe follows the (symbol, interval, timestamp DESC) index, whose first entry of a symbol is
# its newest candle, so a symbol with candles since :since is found at its first entry.
_RECENT_SYMBOLS_SQL = sa.text(
    """
    WITH RECURSIVE symbols(symbol) AS (
        SELECT (SELECT m.symbol FROM market_data m WHERE m.timestamp >= :since
                ORDER BY m.symbol, m.interval, m.timestamp DESC LIMIT 1)
        UNION ALL
        SELECT (SELECT m.symbol FROM market_data m WHERE m.symbol > s.symbol AND m.timestamp >= :since
                ORDER BY m.symbol, m.interval, m.timestamp DESC LIMIT 1)
        FROM symbols s WHERE s.symbol IS NOT NULL
    )
    SELECT symbol FROM symbols WHERE symbol IS NOT NULL
    """
).bindparams(sa.bindparam("since", type_=sa.DateTime(timezone=True)))
_ALL_SYMBOLS_SQL = sa.text(
    """
    WITH RECURSIVE symbols(symbol) AS (
        SELECT min(symbol) FROM market_data
        UNION ALL
        SELECT (SELECT min(m.symbol) FROM market_data m WHERE m.symbol > s.symbol)
        FROM symbols s WHERE s.symbol IS NOT NULL
    )
    SELECT symbol FROM symbols WHERE symbol IS NOT NULL
    """
)


def fetch_symbols(conn: Connection, *, now: datetime | None = None) -> list[str]:
    """Symbols with candles in the last SYMBOL_LIST_WINDOW before `now` (default: the wall
    clock), sorted; when none has, every symbol with candles, so a collector stopped for longer
    never reads as "no candles"."""
    since = (datetime.now(UTC) if now is None else _utc(now)) - SYMBOL_LIST_WINDOW
    recent = [row[0] for row in conn.execute(_RECENT_SYMBOLS_SQL, {"since": since})]
    return recent or [row[0] for row in conn.execute(_ALL_SYMBOLS_SQL)]


def as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
