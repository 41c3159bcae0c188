"""Dates read from pages and feeds: a date far ahead of today is a mistake or a trick, and
would head every listing (newest first) until that day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from scraper.dates import BEIJING, parse_any, plausible

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("value", "kept"), [
    (date(2026, 11, 29), True),
    (date(2026, 12, 1), True),  # Beijing's tomorrow, and a day for clocks
    (datetime(2026, 12, 1, 23, 59, tzinfo=BEIJING), True),
    (date(2026, 12, 2), False),
    (date(2027, 1, 1), False),  # "next year" was accepted before
    (date(9998, 12, 31), False),
    (date(1989, 12, 31), False),
    (date(1990, 1, 1), True),
])
def test_a_date_more_than_two_days_ahead_is_not_plausible(value: date, kept: bool) -> None:
    assert plausible(value, today=TODAY) is kept


def test_parsed_dates_from_pages_are_checked_against_today() -> None:
    soon = date.today() + timedelta(days=1)
    late = date.today() + timedelta(days=40)
    assert parse_any(f"{soon:%Y-%m-%d} 08:30") is not None
    assert parse_any(f"{late:%Y-%m-%d} 08:30") is None
    assert parse_any(late.strftime("%b %d, %Y")) is None
