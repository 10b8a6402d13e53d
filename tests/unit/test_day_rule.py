"""The one day rule: a day is the bot's UTC day, spelled out with its span in the display zone;
clock times the bot writes in UTC are shown in the display zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from data.days import utc_day, utc_days_between
from layouts import format as fmt

SEOUL = ZoneInfo("Asia/Seoul")


def test_an_instant_before_09_00_kst_belongs_to_the_previous_utc_day():
    assert utc_day(datetime(2026, 11, 27, 8, 59, tzinfo=SEOUL)) == date(2026, 11, 26)
    assert utc_day(datetime(2026, 11, 27, 9, 0, tzinfo=SEOUL)) == date(2026, 11, 27)


def test_a_utc_day_is_shown_with_its_span_in_the_display_zone():
    assert fmt.utc_day_span(date(2026, 11, 26), SEOUL) == "UTC day 2026-11-26 = 09:00 KST 26 Nov to 09:00 KST 27 Nov"


def test_a_range_of_utc_days_includes_its_last_day():
    start, end = utc_days_between(date(2026, 11, 20), date(2026, 11, 26))
    assert start == datetime(2026, 11, 20, tzinfo=UTC) and end == datetime(2026, 11, 27, tzinfo=UTC)
    assert fmt.utc_day_span(date(2026, 11, 20), SEOUL, date(2026, 11, 26)).endswith("to 09:00 KST 27 Nov")


def test_a_utc_clock_time_in_an_audit_text_is_shown_in_the_display_zone():
    written = datetime(2026, 11, 26, 8, 23, tzinfo=UTC)
    text = fmt.utc_times_in_text("Buy signal skipped: cooldown until 10:23 UTC after losses", written, SEOUL)
    assert text == "Buy signal skipped: cooldown until 19:23 KST after losses"


def test_a_utc_clock_time_past_midnight_is_read_as_the_next_day():
    # Written at 23:30 UTC; "until 01:30 UTC" is two hours later, on the next UTC day: 10:30 KST.
    written = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert fmt.utc_times_in_text("until 01:30 UTC", written, SEOUL) == "until 10:30 KST"


def test_texts_are_left_alone_when_the_display_zone_is_utc():
    written = datetime(2026, 11, 26, 8, 23, tzinfo=UTC)
    assert fmt.utc_times_in_text("until 10:23 UTC", written, ZoneInfo("UTC")) == "until 10:23 UTC"
