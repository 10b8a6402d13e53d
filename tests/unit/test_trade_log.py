"""The trade log's rules in data.trade_log, without a database: which filters and sorts a
database that lacks the v3 columns refuses, and how a sell's results join its row."""

import pandas as pd
import pytest

from callbacks.failures import describe
from data import trade_log
from data.orders import SortKey
from data.trade_log import NotRecorded, SellResults


def test_a_regime_filter_on_a_week6_database_is_refused_as_an_invalid_input():
    with pytest.raises(NotRecorded) as refused:
        trade_log.refuse_unrecorded(("exit_reason",), regime=True, exit_reason=True)
    assert describe(refused.value) == (
        "invalid_input",
        "regime is not recorded by this CoinPilot version: clear the regime filter",
    )


def test_an_exit_reason_filter_or_sort_needs_the_exit_reason_column():
    trade_log.refuse_unrecorded(("regime", "exit_reason"), regime=True, exit_reason=True)
    with pytest.raises(NotRecorded, match="exit reason is not recorded"):
        trade_log.refuse_unrecorded(("regime",), regime=True, exit_reason=True)
    with pytest.raises(NotRecorded, match="cannot sort by exit_reason"):
        trade_log.refuse_unrecorded_sort(("regime",), (SortKey("price"), SortKey("exit_reason")))


def test_only_sells_with_a_realized_pnl_get_one_and_a_colour():
    trades = pd.DataFrame(
        {"id": ["b", "s", "even"], "entry_avg_price": [float("nan"), 100.0, float("nan")], "quantity": [1.0, 2.0, 1.0]}
    )
    results = SellResults(realized={"s": 10.0, "even": 0.4}, ledger_entry={"even": 50.0})
    rows = trade_log.with_sell_results(trades, results)
    assert list(rows["realized_pnl"]) == [None, 10.0, 0.4]
    assert list(rows["realized_pnl_pct"]) == [None, pytest.approx(5.0), pytest.approx(0.8)]
    assert list(rows["pnl_sign"]) == [0, 1, 0]
