"""What a browser sends is checked before it can reach a query."""

from zoneinfo import ZoneInfo

import pytest

from callbacks import inputs

KNOWN = ["KRW-BTC", "KRW-ETH"]


@pytest.mark.parametrize("value", ["KRW-DOGE", "krw-btc", "KRW-BTC'; --", 12, None, ["KRW-BTC"], "", "A" * 500])
def test_only_known_well_formed_symbols_pass(value):
    with pytest.raises(inputs.InvalidInput):
        inputs.symbol(value, KNOWN)


def test_a_known_symbol_passes():
    assert inputs.symbol("KRW-ETH", KNOWN) == "KRW-ETH"


@pytest.mark.parametrize("value", [True, 1e308, -5, "10; DROP", 10.5, float("nan"), [], {"a": 1}, 10**12])
def test_counts_must_be_whole_numbers_in_range(value):
    with pytest.raises(inputs.InvalidInput):
        inputs.integer(value, "candle count", 50, 1000)


def test_numeric_strings_and_integral_floats_are_counts():
    assert inputs.integer("200", "n", 50, 1000) == 200
    assert inputs.integer(300.0, "n", 50, 1000) == 300


def test_multi_selects_accept_only_allowed_values():
    assert inputs.choices(["BUY"], ("BUY", "SELL"), "side") == ("BUY",)
    assert inputs.choices(None, ("BUY", "SELL"), "side") == ()
    with pytest.raises(inputs.InvalidInput):
        inputs.choices(["BUY", "HOLD"], ("BUY", "SELL"), "side")
    with pytest.raises(inputs.InvalidInput):
        inputs.choices({"BUY": 1}, ("BUY", "SELL"), "side")


def test_date_ranges_are_the_bots_utc_days_whatever_the_display_zone():
    start, end = inputs.date_range_utc("2026-01-30", "2026-01-30")
    # The bot's day 2026-01-30 runs 09:00 KST 30 Jan to 09:00 KST 31 Jan.
    assert start.isoformat() == "2026-01-30T00:00:00+00:00"
    assert (end - start).total_seconds() == 86400
    with pytest.raises(inputs.InvalidInput):
        inputs.date_range_utc("2026-02-01", "2026-01-01")
    with pytest.raises(inputs.InvalidInput):
        inputs.date_range_utc("2026-13-45", None)


def test_grid_requests_are_bounded_and_sorted_only_by_allowed_columns():
    start, end, sort = inputs.rows_request(
        {"startRow": 50, "endRow": 100, "sortModel": [{"colId": "value", "sort": "asc"}]}
    )
    assert (start, end, sort[0].column, sort[0].descending) == (50, 100, "value", False)
    for bad in (
        {"startRow": -1, "endRow": 5},
        {"startRow": 0, "endRow": 10**7},
        {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "price; DROP TABLE x", "sort": "asc"}]},
        "rows",
    ):
        with pytest.raises(inputs.InvalidInput):
            inputs.rows_request(bad)


def test_url_queries_are_parsed_defensively():
    assert inputs.query("?symbol=KRW-BTC&width=15m") == {"symbol": ["KRW-BTC"], "width": ["15m"]}
    assert inputs.query(None) == {}
    assert inputs.query("?" + "&".join(f"k{i}=v" for i in range(100))) == {}


@pytest.mark.parametrize(
    ("start", "end", "named"),
    [(None, "9999-12-31", "end date"), ("0001-01-01", None, "start date"), ("1999-12-31", None, "start date")],
)
def test_dates_outside_the_allowed_range_are_refused_with_the_range(start, end, named):
    with pytest.raises(inputs.InvalidInput, match=f"{named} must be between 2000-01-01 and 2099-12-31"):
        inputs.date_range_utc(start, end)


def test_the_allowed_range_can_be_shown_in_the_zones_furthest_from_utc():
    start, end = inputs.date_range_utc(str(inputs.FIRST_DAY), str(inputs.LAST_DAY))
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11
        assert start.astimezone(ZoneInfo(zone)) < end.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize("value", ["KRW-X\n", "KRW-BTC\n"])
def test_a_symbol_with_a_trailing_newline_is_not_a_market_code(value):
    with pytest.raises(inputs.InvalidInput, match="is not a market code"):
        inputs.symbol(value, KNOWN + [value])


def test_an_exit_reason_with_a_trailing_newline_is_not_an_exit_reason():
    assert inputs.is_exit_reason_format("STOP_LOSS") and not inputs.is_exit_reason_format("STOP_LOSS\n")
