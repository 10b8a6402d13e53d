"""Formatting at the edge: KRW without decimals, coins up to 8, percentages with 2, local time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from layouts import format as fmt

SEOUL = ZoneInfo("Asia/Seoul")


def test_krw_has_thousands_separators_and_no_decimals():
    assert fmt.krw(1234567.5) == "1,234,568 KRW"
    assert fmt.krw(-2155.4, signed=True) == "-2,155 KRW"
    assert fmt.krw(10, signed=True) == "+10 KRW"
    assert fmt.krw(0.4) == "0 KRW"
    assert fmt.krw(None) == "–"


def test_coin_quantities_show_up_to_eight_decimals():
    assert fmt.quantity(0.10042932) == "0.10042932"
    assert fmt.quantity(174.0591099312) == "174.05910993"
    assert fmt.quantity(2.5) == "2.5"
    assert fmt.quantity(3.0) == "3"


def test_percentages_have_two_decimals_and_a_sign():
    assert fmt.pct(1.23456) == "+1.23%"
    assert fmt.pct(-0.004) == "-0.00%"
    assert fmt.pct(58.7, signed=False) == "58.70%"


def test_gains_are_green_and_losses_red():
    assert fmt.pnl_class(5) == "text-gain"
    assert fmt.pnl_class(-5) == "text-loss"
    assert fmt.pnl_class(0) == "text-body"


def test_timestamps_are_shown_in_the_display_zone_with_its_name():
    at = datetime(2026, 1, 30, 12, 34, 56, tzinfo=UTC)
    assert fmt.timestamp(at, SEOUL) == "2026-01-30 21:34:56 KST"
    assert fmt.timestamp(pd.Timestamp(at), SEOUL, seconds=False) == "2026-01-30 21:34 KST"
    assert fmt.timestamp(pd.NaT, SEOUL) == "–"
    assert fmt.timezone_label(SEOUL, at) == "Asia/Seoul (KST)"


def test_ages_read_like_a_person_says_them():
    assert fmt.age(23.4) == "23 s ago"
    assert fmt.age(150) == "2 min 30 s ago"
    assert fmt.age(7300) == "2 h 1 min ago"


def test_an_instant_the_display_zone_cannot_hold_is_shown_in_utc():
    # 9999-12-31 23:00 UTC is 10000-01-01 08:00 in Seoul: past datetime's last year.
    assert fmt.timestamp(datetime(9999, 12, 31, 23, 0, tzinfo=UTC), SEOUL) == "9999-12-31 23:00:00 UTC"
    assert fmt.timestamp(pd.Timestamp("9999-12-31 23:00", tz="UTC"), SEOUL) == "9999-12-31 23:00:00 UTC"


def test_how_far_ahead_reads_in_the_largest_unit_that_fits():
    assert fmt.ahead(90) == "1 min 30 s in the future"
    assert fmt.ahead(5 * 86_400) == "5 days in the future"
    assert fmt.ahead(7_973 * 365 * 86_400 + 10) == "7,973 years in the future"


def test_an_absurd_price_is_written_short_not_as_309_digits():
    assert fmt.price(1e308) == "1e+308"
    assert fmt.price(-1e20) == "-1e+20"
    assert fmt.price(float("inf")) == "inf"
    assert fmt.price(123_456_789.4) == "123,456,789"  # a real price keeps its digits
