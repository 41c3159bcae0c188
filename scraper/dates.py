"""Dates as news pages print them, read into date or timezone-aware datetime values."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
EARLIEST_YEAR = 1990  # no page we publish is older; earlier years are parse mistakes
# How far past today a page or feed may date itself: Beijing's date runs up to a day ahead of
# a runner's UTC, and a clock may be off. A later date is a mistake or a trick, and a story
# dated next year would head every listing, newest first, for a year.
FUTURE_SLACK = timedelta(days=2)

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
# "Dec. 21, 2022", "May 9, 2024", "Sept. 5, 2023", "December 21, 2022"
ENGLISH_DATE = re.compile(
    r"(?P<mon>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*)\.?\s+"
    r"(?P<day>\d{1,2}),?\s+(?P<year>\d{4})")
# "2016-11-03 14:25", "2024/06/18 19:41:05", "2019年7月12日 08:30"
NUMERIC_DATE = re.compile(
    r"(?P<year>\d{4})\s*[-/.年]\s*(?P<mon>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})日?"
    r"(?:[\sT]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?")


def plausible(d: date | datetime, today: date | None = None) -> bool:
    """Not before 1990 (the epoch and other defaults), and not more than FUTURE_SLACK
    after `today` (the machine's date unless given)."""
    day = d.date() if isinstance(d, datetime) else d
    return d.year >= EARLIEST_YEAR and day <= (today or date.today()) + FUTURE_SLACK


def _checked(d: date | datetime) -> date | datetime | None:
    return d if plausible(d) else None


def parse_english_date(text: str) -> date | None:
    m = ENGLISH_DATE.search(text)
    if not m:
        return None
    month = _MONTHS.get(m.group("mon")[:3].lower())
    try:
        found = date(int(m.group("year")), month or 0, int(m.group("day")))
    except ValueError:
        return None
    checked = _checked(found)
    return checked if isinstance(checked, date) else None


def parse_numeric_date(text: str, tz: timezone = BEIJING) -> date | datetime | None:
    """A numeric date with an optional time; a time is read in the site's zone `tz`."""
    m = NUMERIC_DATE.search(text)
    if not m:
        return None
    try:
        day = date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))
        if m.group("h") is None:
            return _checked(day)
        return _checked(datetime(day.year, day.month, day.day, int(m.group("h")),
                                 int(m.group("mi")), int(m.group("s") or 0), tzinfo=tz))
    except ValueError:
        return None


def parse_iso(text: str, tz: timezone = BEIJING) -> date | datetime | None:
    """ISO 8601 from <time datetime> or meta tags; a naive time is taken as `tz`."""
    value = text.strip().replace("Z", "+00:00")
    try:
        if len(value) == 10:
            return _checked(date.fromisoformat(value))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return parse_numeric_date(value, tz)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return _checked(parsed)


def parse_any(text: str | None, tz: timezone = BEIJING) -> date | datetime | None:
    if not text:
        return None
    return parse_iso(text, tz) or parse_english_date(text) or parse_numeric_date(text, tz)


def as_datetime(value: date | datetime, tz: timezone = BEIJING) -> datetime:
    """A date alone becomes midnight in the site's zone, for sorting and front matter."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=tz)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
