"""Reads against the seeded history on each backend (plain PostgreSQL, real TimescaleDB with
compressed older chunks, SQLite): results match the rows written, plans use the index, and the
session cannot write."""

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from data.database import Database, QueryTimeout, SchemaMissing, WriteRefused
from data.market import (
    fetch_candles_between,
    fetch_latest_candles,
    fetch_recent_candles,
    fetch_recent_closes,
    fetch_symbols,
    latest_candle_time,
)
from data.orders import (
    SortKey,
    count_trades,
    fetch_cash_balance,
    fetch_positions,
    fetch_trades,
    trade_breakdown,
)
from data.risk_records import fetch_daily_risk_state
from data.selection import TradeFilter
from tests.support.helpers import SEED_END, SEED_SYMBOLS

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(seeded_database):
    database = Database(seeded_database.url)
    yield database
    database.dispose()


def test_symbols_are_found_by_a_loose_index_scan(database):
    with database.connect() as conn:
        assert fetch_symbols(conn) == sorted(SEED_SYMBOLS)


def test_latest_prices_are_the_last_close_of_each_symbol(database, seeded_history):
    with database.connect() as conn:
        latest = fetch_latest_candles(conn, SEED_SYMBOLS + ["KRW-NONE"])
    assert set(latest) == set(SEED_SYMBOLS)
    for symbol in SEED_SYMBOLS:
        expected = seeded_history.candles[symbol].iloc[-1]
        assert latest[symbol].close == pytest.approx(expected["close"])
        assert latest[symbol].timestamp == expected["timestamp"].to_pydatetime()


def test_recent_candles_end_at_the_newest_row(database, seeded_history):
    with database.connect() as conn:
        candles = fetch_recent_candles(conn, database.backend, "KRW-ETH", "1h", 10)
    assert len(candles) == 10
    newest = seeded_history.candles["KRW-ETH"]["timestamp"].iloc[-1]
    assert candles["bucket"].iloc[-1] == newest.floor("1h")
    assert candles["close"].iloc[-1] == pytest.approx(seeded_history.candles["KRW-ETH"]["close"].iloc[-1])


# Both are on (symbol, interval, timestamp); a backward scan of one is the other.
# The (symbol, interval, timestamp) indexes; and the (timestamp, id) key, which the planner may
# take for a step bounded by time alone (the symbol list's window): rows_read below still holds
# every scan to a small part of the history.
MARKET_INDEXES = ("ix_market_data_symbol_interval_ts_desc", "uq_market_data_symbol_interval_ts", "market_data_pkey")
# Every market read the dashboard makes, called as the pages call them.
MARKET_READS = {
    "symbols": lambda conn, backend: fetch_symbols(conn),
    "latest prices": lambda conn, backend: fetch_latest_candles(conn, SEED_SYMBOLS),
    "latest candle time": lambda conn, backend: latest_candle_time(conn, "KRW-BTC"),
    "recent candles": lambda conn, backend: fetch_recent_candles(conn, backend, "KRW-BTC", "15m", 48),
    "candles between": lambda conn, backend: fetch_candles_between(
        conn, backend, "KRW-ETH", "1h", SEED_END - timedelta(hours=12), SEED_END
    ),
    "recent closes": lambda conn, backend: fetch_recent_closes(conn, "KRW-XRP", 200),
}


def executed_statements(database, read) -> list[tuple[str, dict]]:
    """The SQL (and its parameters) the data layer really sent while running `read`."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "market_data" in statement:
            captured.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.connect() as conn:
            read(conn, database.backend)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    return captured


@pytest.fixture(scope="module")
def analyzed_pg_url(seeded_pg_url):
    # Fresh statistics, so the planner chooses as it would on a database autovacuum has seen.
    engine = sa.create_engine(seeded_pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE market_data"))
    engine.dispose()
    return seeded_pg_url


def market_data_scans(plan: dict) -> list[dict]:
    """Every node of an EXPLAIN (FORMAT JSON) plan that reads market_data."""
    found = [plan] if plan.get("Relation Name") == "market_data" else []
    for child in plan.get("Plans", []):
        found += market_data_scans(child)
    return found


def indexes_used(scan: dict) -> set[str]:
    """The index an (Index|Index Only|Bitmap Heap) scan reads, a bitmap's from its child nodes."""
    names = {scan["Index Name"]} if "Index Name" in scan else set()
    for child in scan.get("Plans", []):
        names |= indexes_used(child)
    return names


def rows_read(scan: dict) -> float:
    # Rows a filter threw away were read too: a bound applied as a filter saves nothing.
    return (scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0)) * scan["Actual Loops"]


@pytest.mark.parametrize("read", list(MARKET_READS))
def test_market_queries_are_served_by_the_symbol_interval_timestamp_index(analyzed_pg_url, seeded_history, read):
    # EXPLAIN is PostgreSQL's: the statements are captured from the data layer on PostgreSQL.
    database = Database(analyzed_pg_url)
    try:
        statements = executed_statements(database, MARKET_READS[read])
    finally:
        database.dispose()
    assert statements, f"{read}: no query on market_data was captured"
    # A read bounded by a time window touches a fraction of one symbol's three days of rows.
    one_symbols_history = min(len(candles) for candles in seeded_history.candles.values())
    engine = sa.create_engine(analyzed_pg_url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for statement, parameters in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0][0]["Plan"]
                scans = market_data_scans(plan)
                assert scans, f"{read}: market_data is not read in\n{plan}"
                for scan in scans:
                    assert scan["Node Type"] != "Seq Scan", f"{read}: {scan}"
                    assert indexes_used(scan) and indexes_used(scan) <= set(MARKET_INDEXES), f"{read}: {scan}"
                assert sum(rows_read(scan) for scan in scans) < one_symbols_history / 4, f"{read}: {scans}"
    finally:
        raw.close()
        engine.dispose()


def orders_frame(history):
    frame = pd.DataFrame(history.orders)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def test_trade_filters_count_and_page_in_the_database(database, seeded_history):
    orders = orders_frame(seeded_history)
    trade_filter = TradeFilter(symbols=("KRW-BTC",), sides=("SELL",))
    expected = orders[(orders["symbol"] == "KRW-BTC") & (orders["side"] == "SELL")]
    with database.connect() as conn:
        assert count_trades(conn, trade_filter) == len(expected)
        page = fetch_trades(conn, trade_filter, (SortKey("price", False),), offset=0, limit=5)
    assert list(page["price"]) == sorted(expected["price"])[:5]


def test_pages_of_a_sort_never_overlap(database, seeded_history):
    sort = (SortKey("symbol", False),)  # many equal keys: the id tie-break must make pages disjoint
    with database.connect() as conn:
        total = count_trades(conn, TradeFilter())
        ids = []
        for offset in range(0, total, 7):
            ids += list(fetch_trades(conn, TradeFilter(), sort, offset=offset, limit=7)["id"])
    assert len(ids) == len(set(ids)) == len(seeded_history.orders)


def test_date_filters_are_half_open_utc_ranges(database, seeded_history):
    orders = orders_frame(seeded_history)
    start, end = SEED_END - timedelta(days=1), SEED_END - timedelta(hours=6)
    expected = orders[(orders["created_at"] >= start) & (orders["created_at"] < end)]
    with database.connect() as conn:
        assert count_trades(conn, TradeFilter(start=start, end=end)) == len(expected)


def test_breakdown_counts_the_whole_filtered_set(database, seeded_history):
    orders = orders_frame(seeded_history)
    with database.connect() as conn:
        breakdown = trade_breakdown(conn, TradeFilter(statuses=("FILLED",)))
    filled = orders[orders["status"] == "FILLED"]
    assert breakdown.total == len(filled)
    assert breakdown.by_side == filled["side"].value_counts().to_dict()
    assert breakdown.filled_value == pytest.approx((filled["price"] * filled["quantity"]).sum())


def test_positions_cash_and_todays_risk_row_are_what_the_bot_wrote(database, seeded_history):
    bot = seeded_history.bot
    with database.connect() as conn:
        positions = fetch_positions(conn).set_index("symbol")
        cash = fetch_cash_balance(conn)
        today = fetch_daily_risk_state(conn, SEED_END.date())
    assert set(positions.index) == set(bot.holdings)
    for symbol, holding in bot.holdings.items():
        assert positions.loc[symbol, "quantity"] == pytest.approx(holding.quantity)
    assert cash.balance == pytest.approx(bot.cash)
    assert today.trade_count == bot.days[SEED_END.date()].trade_count


def test_the_dashboards_session_refuses_writes(database):
    with pytest.raises(WriteRefused), database.connect() as conn:
        conn.execute(sa.text("DELETE FROM positions"))
    with pytest.raises(WriteRefused), database.connect() as conn:
        conn.execute(sa.text("UPDATE account_state SET balance = 0"))


def test_a_slow_query_is_cancelled_at_the_statement_timeout(seeded_pg_url):
    database = Database(seeded_pg_url, statement_timeout_ms=300)
    with pytest.raises(QueryTimeout), database.connect() as conn:
        conn.execute(sa.text("SELECT pg_sleep(5)"))
    with database.connect() as conn:  # the pool is usable again
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    database.dispose()


def test_a_missing_table_is_named(postgres):
    database = Database(postgres.create("cp_bare"))
    with pytest.raises(SchemaMissing, match="market_data"), database.connect() as conn:
        fetch_symbols(conn)
    database.dispose()
