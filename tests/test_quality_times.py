"""Dates and times of day as DQDL writes them (pure): a date is 00:00 UTC, a time of day is today at that
time in the rule's time zone (UTC by default), "today" being the evaluation's day in that zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dea_etl.quality import times

# 03:00 UTC on 5 January: still the 4th in New York (22:00), already the 5th in Tokyo (12:00)
NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "zone", "expected"), [
    ("2024-01-01", None, datetime(2024, 1, 1, tzinfo=UTC)),
    ("2024-01-01", "America/New_York", datetime(2024, 1, 1, tzinfo=UTC)),  # a date is UTC, whatever the zone
    ("21:45", None, datetime(2026, 1, 5, 21, 45, tzinfo=UTC)),
    ("09:30", None, datetime(2026, 1, 5, 9, 30, tzinfo=UTC)),
    ("9:30 AM", None, datetime(2026, 1, 5, 9, 30, tzinfo=UTC)),
    ("9:30 PM", None, datetime(2026, 1, 5, 21, 30, tzinfo=UTC)),
    ("12:15 AM", None, datetime(2026, 1, 5, 0, 15, tzinfo=UTC)),
    ("12:15 PM", None, datetime(2026, 1, 5, 12, 15, tzinfo=UTC)),
    ("21:45", "America/New_York", datetime(2026, 1, 5, 2, 45, tzinfo=UTC)),  # 21:45 on the 4th in New York
    ("21:45", "Asia/Tokyo", datetime(2026, 1, 5, 12, 45, tzinfo=UTC)),      # 21:45 on the 5th in Tokyo
])
def test_a_date_or_time_of_day_is_an_instant(text, zone, expected):
    assert times.moment(text, NOW, zone) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("25:00", "not a time of day"), ("13:50 PM", "not a time of day"), ("0:30 AM", "not a time of day"),
    ("2024-02-30", "not a date"), ("9:30", r"not a date \(YYYY-MM-DD\) or a time of day"),
    ("tomorrow", r"not a date \(YYYY-MM-DD\) or a time of day"),
])
def test_what_is_no_date_or_time_is_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        times.check_moment(text)


def test_a_time_zone_is_an_iana_name():
    assert times.zone(None).key == "UTC"
    with pytest.raises(ValueError, match="unknown time zone 'America/New_Chicago'"):
        times.zone("America/New_Chicago")
