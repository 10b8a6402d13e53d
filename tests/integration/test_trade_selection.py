"""One trade selection (data.selection): its SQL conditions and its pandas mask choose the same
trades of the seeded history on each backend (plain PostgreSQL, real TimescaleDB, SQLite), with
bounds placed exactly on a trade's time and symbols asked for in the other stored form."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from data.database import Database
from data.selection import TradeFilter
from data.tables import trading_history as th

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(seeded_database):
    database = Database(seeded_database.url)
    yield database
    database.dispose()


@pytest.fixture
def trades(database) -> pd.DataFrame:
    """Every recorded trade with the columns the selection names, as the data layer reads them."""
    columns = ["id", "symbol", "side", "status", "created_at", "regime", "exit_reason"]
    with database.connect() as conn:
        rows = conn.execute(sa.select(*(th.c[c] for c in columns))).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["id"] = frame["id"].astype(str)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def selected_by_sql(database, selection: TradeFilter) -> set[str]:
    with database.connect() as conn:
        return {str(row[0]) for row in conn.execute(sa.select(th.c.id).where(*selection.conditions()))}


def selected_by_mask(trades: pd.DataFrame, selection: TradeFilter) -> set[str]:
    return set(trades.loc[selection.matches(trades), "id"])


def selections(trades: pd.DataFrame) -> dict[str, TradeFilter]:
    """Filters an operator can set, with the date bounds on recorded trade times (so an inclusive
    or exclusive bound decides a row) and one symbol in the form it is not stored under."""
    times = trades["created_at"].sort_values().reset_index(drop=True)
    a_third, two_thirds = times.iloc[len(times) // 3].to_pydatetime(), times.iloc[2 * len(times) // 3].to_pydatetime()
    sell = trades[(trades["side"] == "SELL") & trades["exit_reason"].notna()].iloc[0]
    symbol = trades["symbol"].iloc[0]
    base, _, quote = symbol.partition("-")
    return {
        "symbol in the other form": TradeFilter(symbols=(f"{quote}-{base}",)),
        "symbol as stored, sells": TradeFilter(symbols=(symbol,), sides=("SELL",)),
        "status": TradeFilter(statuses=("CANCELLED", "PENDING")),
        "from a trade's time": TradeFilter(start=a_third),
        "up to a trade's time": TradeFilter(end=two_thirds),
        "between two trades' times": TradeFilter(start=a_third, end=two_thirds, sides=("BUY",)),
        "regime and exit reason": TradeFilter(regimes=(sell["regime"],), exit_reasons=(sell["exit_reason"],)),
        "everything at once": TradeFilter(
            symbols=(f"{quote}-{base}",),
            sides=("SELL",),
            statuses=("FILLED",),
            start=a_third - timedelta(days=1),
            end=two_thirds + timedelta(days=1),
            regimes=(sell["regime"],),
        ),
    }


def test_the_sql_and_the_pandas_renderings_select_the_same_trades(database, trades):
    assert len(trades) > 20
    for name, selection in selections(trades).items():
        by_sql = selected_by_sql(database, selection)
        assert by_sql == selected_by_mask(trades, selection), name
        assert 0 < len(by_sql) < len(trades), f"{name}: a selection that chooses all or nothing proves nothing"


def test_the_end_bound_leaves_out_a_trade_made_at_that_instant_and_the_start_bound_keeps_it(database, trades):
    trade = trades.sort_values("created_at").iloc[len(trades) // 2]
    at = trade["created_at"].to_pydatetime()
    for rendering in (lambda s: selected_by_sql(database, s), lambda s: selected_by_mask(trades, s)):
        assert trade["id"] not in rendering(TradeFilter(end=at))
        assert trade["id"] in rendering(TradeFilter(start=at))
        assert trade["id"] in rendering(TradeFilter(end=at + timedelta(microseconds=1)))
