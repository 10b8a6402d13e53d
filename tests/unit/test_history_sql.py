"""The History page's v3 filter and sort SQL, compiled per dialect, and its door checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from callbacks import history as history_callbacks
from callbacks import inputs
from data.orders import TRADE_SORT_KEYS, entry_avg_price_sql
from data.selection import TradeFilter


def compiled(expression, dialect) -> str:
    return str(expression.compile(dialect=dialect))


def test_entry_avg_price_on_postgresql_is_the_jsonb_text_cast_to_numeric_for_numbers_only():
    sql = compiled(entry_avg_price_sql("postgresql"), postgresql.dialect())
    assert "signal_info ->> %(param_" in sql and "jsonb_typeof(trading_history.signal_info -> %(param_" in sql
    assert "CAST(trading_history.signal_info ->> %(param_" in sql and "AS NUMERIC)" in sql
    assert "entry_avg_price" not in sql  # the key is a bound parameter, not spliced into the SQL


def test_entry_avg_price_on_sqlite_reads_valid_json_only():
    sql = compiled(entry_avg_price_sql("sqlite"), sqlite.dialect())
    assert "json_valid(CAST(trading_history.signal_info AS TEXT))" in sql
    assert "json_type(CAST(trading_history.signal_info AS TEXT), ?) IN (__[POSTCOMPILE_" in sql
    assert "json_extract(CAST(trading_history.signal_info AS TEXT), ?)" in sql


def test_sqlite_entry_avg_price_is_null_for_malformed_json_text_and_non_numbers():
    engine = sa.create_engine("sqlite://")
    cases = [
        '{"entry_avg_price": 990.5}',
        '{"entry_avg_price": "abc"}',
        "{not json",
        "[1, 2]",
        '{"entry_avg_price": -5}',
    ]
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE trading_history (n INTEGER, signal_info TEXT)")
        for n, value in enumerate(cases):
            conn.exec_driver_sql("INSERT INTO trading_history VALUES (?, ?)", (n, value))
        # a stand-in trading_history with only signal_info (and n, for the order)
        query = sa.select(entry_avg_price_sql("sqlite")).order_by(sa.text("n"))
        assert [row[0] for row in conn.execute(query)] == [990.5, None, None, None, None]


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()])
def test_regime_and_exit_reason_filters_are_bound_in_lists(dialect):
    conditions = TradeFilter(regimes=("BULL",), exit_reasons=("STOP_LOSS", "TIME_LIMIT")).conditions()
    sql = " AND ".join(compiled(c, dialect) for c in conditions)
    assert "trading_history.regime IN (__[POSTCOMPILE_regime_1])" in sql
    assert "trading_history.exit_reason IN (__[POSTCOMPILE_exit_reason_1])" in sql
    assert "BULL" not in sql and "STOP_LOSS" not in sql


def test_the_new_columns_are_sort_keys_but_realized_pnl_pct_is_not():
    assert {"regime", "exit_reason", "entry_avg_price"} <= TRADE_SORT_KEYS
    assert "realized_pnl_pct" not in TRADE_SORT_KEYS
    _start, _end, sort = inputs.rows_request(
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "regime", "sort": "asc"}]}
    )
    assert sort[0].column == "regime" and not sort[0].descending
    with pytest.raises(inputs.InvalidInput):
        inputs.rows_request({"startRow": 0, "endRow": 50, "sortModel": [{"colId": "realized_pnl_pct", "sort": "asc"}]})


@pytest.mark.parametrize("forged", ["bull", "BULL; DROP TABLE x", 7, ["BULL", ["BEAR"]]])
def test_a_forged_regime_is_refused(forged):
    with pytest.raises(inputs.InvalidInput):
        inputs.choices(
            forged if isinstance(forged, list) else [forged], ("BULL", "SIDEWAYS", "BEAR", "UNKNOWN"), "regime"
        )


def test_the_shareable_url_carries_regime_and_exit_reason_and_drops_junk():
    query = history_callbacks.history_query(None, ["SELL"], None, None, None, ["BEAR", "junk"], ["STOP_LOSS", "x'--"])
    assert query == "?side=SELL&regime=BEAR&exit_reason=STOP_LOSS"
