"""A Market link names a symbol: the page opens on it when the database has it (in either
symbol form), else on the first known symbol with one notice saying so."""

import pytest

from callbacks.shell import market_symbol_from_link
from layouts import market
from tests.support.components import by_attribute, text

KNOWN = ["KRW-BTC", "KRW-ETH"]


@pytest.mark.parametrize(
    ("requested", "opened"),
    [("KRW-ETH", "KRW-ETH"), ("ETH-KRW", "KRW-ETH"), (None, "KRW-BTC")],
)
def test_a_known_symbol_opens_without_a_notice(requested, opened):
    assert market_symbol_from_link(requested, KNOWN) == (opened, None)


@pytest.mark.parametrize("requested", ["KRW-FAKE", "KRW-X\n", "<script>"])
def test_an_unknown_symbol_opens_the_first_known_one_and_says_so_once(requested):
    symbol, notice = market_symbol_from_link(requested, KNOWN)
    assert symbol == "KRW-BTC"
    page = market.page(KNOWN, symbol, "15m", 200, market.DEFAULT_OVERLAYS, notice)
    (shown,) = by_attribute(page, "data-link-notice", "symbol")
    assert "KRW-BTC" in text(shown) and "no candles" in text(shown)
    (selector,) = by_attribute(page, "id", "market-symbol")
    assert selector["props"]["value"] == "KRW-BTC"
