"""Dates and times of day as DQDL writes them: ``"2024-01-01"``, ``"21:45"``, ``"9:30 AM"`` (pure functions).

As the DQDL reference and AWS's DQDL parser read them: a date is that day at 00:00 UTC; a time of day is
today at that time in the rule's ``timeZone`` tag (UTC when it has none), ``"HH:MM"`` on the 24-hour clock
(two-digit hour) or ``"H:MM AM"`` / ``"H:MM PM"``; "today" is the evaluation's day in that time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK24 = re.compile(r"(\d{2}):(\d{2})")
_CLOCK12 = re.compile(r"(\d{1,2}):(\d{2}) (AM|PM)")
DEFAULT_ZONE = "UTC"


def zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (``America/New_York``); ValueError naming it when there is none such."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as America/New_York)") from None


def clock(text: str) -> time | None:
    """``"21:45"`` or ``"9:30 PM"`` as a time of day; None when ``text`` is no such time; ValueError when it
    is written like one but is not a time (``"25:00"``, ``"13:50 PM"``)."""
    m24, m12 = _CLOCK24.fullmatch(text), _CLOCK12.fullmatch(text)
    if m24:
        hour, minute = int(m24.group(1)), int(m24.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
        return time(hour, minute)
    if m12:
        hour, minute = int(m12.group(1)), int(m12.group(2))
        if not 1 <= hour <= 12 or minute > 59:
            raise ValueError(f"{text!r} is not a time of day (1:00 AM to 12:59 PM)")
        return time(hour % 12 + (12 if m12.group(3) == "PM" else 0), minute)
    return None


def day(text: str) -> date | None:
    """``"2024-01-31"`` as a date; None when ``text`` is no such date; ValueError for ``"2024-02-31"``."""
    m = _DATE.fullmatch(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"{text!r} is not a date") from None


def is_moment(text: str) -> bool:
    """Whether ``text`` is written as a DQDL date or time of day (valid or not)."""
    return bool(_DATE.fullmatch(text) or _CLOCK24.fullmatch(text) or _CLOCK12.fullmatch(text))


def check_moment(text: str) -> None:
    """ValueError unless ``text`` is a valid DQDL date or time of day."""
    if day(text) is None and clock(text) is None:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or a time of day (21:45, 9:30 AM)")


def moment(text: str, now: datetime, zone_name: str | None = None) -> datetime:
    """The instant (aware, UTC) a DQDL date or time of day stands for when evaluated at ``now``."""
    found_day = day(text)
    if found_day is not None:
        return datetime.combine(found_day, time(0), UTC)
    found_clock = clock(text)
    if found_clock is None:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or a time of day (21:45, 9:30 AM)")
    where = zone(zone_name)
    today = now.astimezone(where).date()
    return datetime.combine(today, found_clock, where).astimezone(UTC)
