"""Writing synthetic CoinPilot data: the schema, bulk history (COPY on PostgreSQL), live rows.

Only the `seed` command, the demo and the tests write, and only into databases they were
pointed at explicitly; the dashboard itself reads through a read-only session.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.database import Backend
from data.orders import ACCOUNT_ROW_ID
from data.schema import SchemaFeatures, detect_schema
from data.tables import (
    ALL_TABLES,
    STORED_CANDLE_INTERVAL,
    WEEK6_TABLES,
    account_state,
    agent_decisions,
    daily_risk_state,
    llm_credit_snapshots,
    llm_provider_cost_snapshots,
    llm_usage_events,
    market_data,
    metadata,
    positions,
    regime_history,
    risk_audit,
    trading_history,
    v3_columns,
)
from simulator.paper_bot import BotRows, PaperBot
from simulator.synthetic import History

_COPY_CHUNK_ROWS = 50_000
_CANDLE_COPY_SQL = (
    "COPY market_data (symbol, interval, open_price, high_price, low_price, close_price, volume, timestamp) "
    "FROM STDIN WITH (FORMAT csv)"
)

# CoinPilot's production layout on TimescaleDB: chunks older than a week are compressed,
# one segment per (symbol, interval), newest rows first inside a segment.
COMPRESS_AFTER = timedelta(days=7)
_COMPRESSION_SETTINGS_SQL = sa.text(
    "ALTER TABLE market_data SET (timescaledb.compress, "
    "timescaledb.compress_segmentby = 'symbol, interval', timescaledb.compress_orderby = 'timestamp DESC')"
)
_COMPRESSION_POLICY_SQL = sa.text(
    "SELECT add_compression_policy('market_data', compress_after => CAST(:after AS interval), if_not_exists => TRUE)"
)
_OLD_CHUNKS_SQL = sa.text("SELECT c::text FROM show_chunks('market_data', older_than => :before) c")
_COMPRESS_CHUNK_SQL = sa.text("SELECT compress_chunk(CAST(:chunk AS regclass), if_not_compressed => TRUE)")

Progress = Callable[[str, int, int], None]


class DatabaseNotEmpty(Exception):
    pass


SCHEMA_GENERATIONS = ("v3", "week6")


def create_schema(engine: Engine, backend: Backend, generation: str = "v3", *, compression_policy: bool = True) -> None:
    """The bot's tables and index as a bot of that generation creates them, when missing: v3
    (the bot as it runs today) or week6 (without any v3 column or table). On TimescaleDB
    market_data becomes a hypertable on `timestamp` with CoinPilot's production compression
    settings and, unless `compression_policy` is False, its policy (compress chunks older than
    COMPRESS_AFTER)."""
    if generation not in SCHEMA_GENERATIONS:
        raise ValueError(f"schema generation must be one of {', '.join(SCHEMA_GENERATIONS)}")
    existing = set(sa.inspect(engine).get_table_names())
    metadata.create_all(engine, tables=ALL_TABLES if generation == "v3" else WEEK6_TABLES, checkfirst=True)
    if generation == "week6":
        _drop_v3_columns(engine, [t for t in WEEK6_TABLES if t.name not in existing])
    if backend is not Backend.TIMESCALEDB:
        return
    with engine.begin() as conn:
        # The primary key (timestamp, id) and the unique key both include the time column,
        # as TimescaleDB requires; migrate_data covers a table created earlier without it.
        conn.execute(
            sa.text("SELECT create_hypertable('market_data', 'timestamp', if_not_exists => TRUE, migrate_data => TRUE)")
        )
        conn.execute(_COMPRESSION_SETTINGS_SQL)
        if compression_policy:
            conn.execute(_COMPRESSION_POLICY_SQL, {"after": COMPRESS_AFTER})


def compress_chunks_older_than(engine: Engine, before: datetime) -> int:
    """Compress every market_data chunk that ends before `before` (TimescaleDB, compression
    settings in place: create_schema); returns how many chunks that covered. Production's
    policy does this in the background; seed --compress and the tests do it now."""
    with engine.begin() as conn:
        chunks = [row[0] for row in conn.execute(_OLD_CHUNKS_SQL, {"before": before})]
    for chunk in chunks:
        # One transaction per chunk: the compression policy's background job may be compressing
        # the same chunk right now, and TimescaleDB then reports it as already compressed.
        try:
            with engine.begin() as conn:
                conn.execute(_COMPRESS_CHUNK_SQL, {"chunk": chunk})
        except sa.exc.ProgrammingError as exc:
            if "already compressed" not in str(exc.orig):
                raise
    return len(chunks)


def _drop_v3_columns(engine: Engine, tables: list[sa.Table]) -> None:
    """Make freshly created tables look as a week-6 bot made them. Identifiers come from the
    table declarations only, quoted by the dialect."""
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as conn:
        for table in tables:
            for column in v3_columns(table):
                conn.execute(sa.text("ALTER TABLE " + quote(table.name) + " DROP COLUMN " + quote(column)))


def tables_with_rows(engine: Engine) -> list[str]:
    """CoinPilot tables that exist and already hold at least one row."""
    existing = set(sa.inspect(engine).get_table_names())
    found = []
    with engine.connect() as conn:
        for table in ALL_TABLES:
            if table.name in existing and conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                found.append(table.name)
    return found


def empty_tables(engine: Engine) -> None:
    """Delete every row of the CoinPilot tables (seed --force)."""
    existing = set(sa.inspect(engine).get_table_names())
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name in existing:  # a week-6 database has no v3 tables
                conn.execute(table.delete())


@dataclass(frozen=True)
class SeedReport:
    candles: int
    orders: int
    audits: int
    decisions: int
    regimes: int = 0
    llm_events: int = 0


def write_history(engine: Engine, backend: Backend, history: History, progress: Progress | None = None) -> SeedReport:
    """Write a generated history into an empty schema."""
    total_candles = 0
    for symbol, frame in history.candles.items():
        if backend is Backend.SQLITE:
            with engine.begin() as conn:
                total_candles += insert_candles(conn, symbol, frame, first_id=next_candle_id(conn), progress=progress)
        else:
            total_candles += copy_candles(engine, symbol, frame, progress)
    with engine.begin() as conn:
        features = detect_schema(conn)
        written = insert_bot_rows(conn, history.rows, features)
        save_bot_state(conn, history.bot, symbols=None, days=None, features=features)
    return SeedReport(
        total_candles,
        len(history.orders),
        len(history.audits),
        len(history.decisions),
        written.get(regime_history.name, 0),
        written.get(llm_usage_events.name, 0),
    )


def copy_candles(engine: Engine, symbol: str, frame: pd.DataFrame, progress: Progress | None = None) -> int:
    """COPY 1-minute candles into PostgreSQL, in chunks so progress can be shown."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        total = len(frame)
        for begin in range(0, total, _COPY_CHUNK_ROWS):
            chunk = frame.iloc[begin : begin + _COPY_CHUNK_ROWS]
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for ts, o, h, low, c, v in zip(
                chunk["timestamp"], chunk["open"], chunk["high"], chunk["low"], chunk["close"], chunk["volume"]
            ):
                writer.writerow(
                    (symbol, STORED_CANDLE_INTERVAL, repr(o), repr(h), repr(low), repr(c), repr(v), ts.isoformat())
                )
            buffer.seek(0)
            cursor.copy_expert(_CANDLE_COPY_SQL, buffer)
            if progress is not None:
                progress(f"market_data {symbol}", min(begin + _COPY_CHUNK_ROWS, total), total)
        raw.commit()
    finally:
        raw.close()
    return len(frame)


def next_candle_id(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(market_data.c.id), 0))).scalar()) + 1


def insert_candles(
    conn: Connection, symbol: str, frame: pd.DataFrame, *, first_id: int | None = None, progress: Progress | None = None
) -> int:
    """Insert candles with executemany (SQLite, and the demo's live rows)."""
    total = len(frame)
    for begin in range(0, total, _COPY_CHUNK_ROWS):
        chunk = frame.iloc[begin : begin + _COPY_CHUNK_ROWS]
        rows = [
            {
                "symbol": symbol,
                "interval": STORED_CANDLE_INTERVAL,
                "open_price": float(o),
                "high_price": float(h),
                "low_price": float(low),
                "close_price": float(c),
                "volume": float(v),
                "timestamp": ts.to_pydatetime(),
            }
            for ts, o, h, low, c, v in zip(
                chunk["timestamp"], chunk["open"], chunk["high"], chunk["low"], chunk["close"], chunk["volume"]
            )
        ]
        if first_id is not None:
            for offset, row in enumerate(rows):
                row["id"] = first_id + begin + offset
        conn.execute(market_data.insert(), rows)
        if progress is not None:
            progress(f"market_data {symbol}", min(begin + _COPY_CHUNK_ROWS, total), total)
    return total


def insert_rows(
    conn: Connection,
    orders: list[dict],
    audits: list[dict],
    decisions: list[dict],
    features: SchemaFeatures | None = None,
) -> None:
    """Insert orders, risk-audit events and AI decisions; a v3 field goes only into a database
    that has its column (`features`, detected when not given)."""
    if features is None and (_has_v3_field(orders, trading_history) or _has_v3_field(decisions, agent_decisions)):
        features = detect_schema(conn)
    if orders:
        conn.execute(trading_history.insert(), _fitting(orders, trading_history, features))
    if audits:
        conn.execute(risk_audit.insert(), audits)
    if decisions:
        conn.execute(agent_decisions.insert(), _fitting(decisions, agent_decisions, features))


def insert_bot_rows(conn: Connection, rows: BotRows, features: SchemaFeatures) -> dict[str, int]:
    """Everything the bot recorded, into the tables and columns this database has; returns
    the row count written per table."""
    insert_rows(conn, rows.orders, rows.audits, rows.decisions, features)
    written = {}
    for table, table_rows in (
        (regime_history, rows.regimes),
        (llm_usage_events, rows.llm_events),
        (llm_credit_snapshots, rows.credit_snapshots),
        (llm_provider_cost_snapshots, rows.cost_snapshots),
    ):
        if table_rows and features.has_table(table.name):
            conn.execute(table.insert(), table_rows)
            written[table.name] = len(table_rows)
    return written


def _has_v3_field(rows: list[dict], table: sa.Table) -> bool:
    return bool(rows) and any(name in rows[0] for name in v3_columns(table))


def _fitting(rows: list[dict], table: sa.Table, features: SchemaFeatures | None) -> list[dict]:
    """The rows without the v3 fields whose column this database lacks."""
    if features is None or not _has_v3_field(rows, table):
        return rows
    missing = [name for name in v3_columns(table) if not features.has_column(table.name, name)]
    if not missing:
        return rows
    return [{k: v for k, v in row.items() if k not in missing} for row in rows]


def save_bot_state(
    conn: Connection,
    bot: PaperBot,
    symbols: Iterable[str] | None,
    days: Iterable[date] | None,
    features: SchemaFeatures | None = None,
) -> None:
    """Mirror the paper bot's books into positions, account_state and daily_risk_state.

    `symbols`/`days` None means all of them (a fresh seed); otherwise only those that changed.
    A v3 database also gets the positions' regime and high-water mark and the BUY/SELL split.
    """
    if features is None:
        features = detect_schema(conn)
    symbol_list = list(bot.holdings) if symbols is None else list(symbols)
    if symbols is None:
        conn.execute(positions.delete())
    elif symbol_list:
        conn.execute(positions.delete().where(positions.c.symbol.in_(symbol_list)))
    rows = [
        {
            "symbol": s,
            "quantity": bot.holdings[s].quantity,
            "avg_price": bot.holdings[s].avg_price,
            "opened_at": bot.holdings[s].opened_at,
            "updated_at": bot.holdings[s].updated_at,
            **(
                {"regime": bot.holdings[s].regime, "high_water_mark": bot.holdings[s].high_water_mark}
                if bot.config.v3
                else {}
            ),
        }
        for s in symbol_list
        if s in bot.holdings
    ]
    if rows:
        conn.execute(positions.insert(), _fitting(rows, positions, features))
    conn.execute(account_state.delete().where(account_state.c.id == ACCOUNT_ROW_ID))
    conn.execute(account_state.insert(), {"id": ACCOUNT_ROW_ID, "balance": bot.cash, "updated_at": bot.cash_updated_at})
    day_list = sorted(bot.days) if days is None else sorted(days)
    # A v3 database records the BUY/SELL split beside trade_count; a week-6 one does not.
    split = features.has_column("daily_risk_state", "buy_count")
    if day_list:
        conn.execute(daily_risk_state.delete().where(daily_risk_state.c.date.in_(day_list)))
        conn.execute(
            daily_risk_state.insert(),
            [
                {
                    "date": d,
                    "total_pnl": bot.days[d].total_pnl,
                    "trade_count": bot.days[d].trade_count,
                    "consecutive_losses": bot.days[d].consecutive_losses,
                    "cooldown_until": bot.days[d].cooldown_until,
                    "is_trading_halted": bot.days[d].is_trading_halted,
                    "updated_at": bot.days[d].updated_at,
                    **({"buy_count": bot.days[d].buy_count, "sell_count": bot.days[d].sell_count} if split else {}),
                }
                for d in day_list
            ],
        )
