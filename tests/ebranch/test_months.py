import datetime

import pytest
from django.utils import timezone

from ebranch.lib.months import month_add, month_start, months_between, months_later, this_month

d = datetime.date


def test_month_start():
    assert month_start(d(2026, 12, 31)) == d(2026, 12, 1)
    assert month_start(d(2028, 2, 29)) == d(2028, 2, 1)
    assert month_start(d(2026, 1, 1)) == d(2026, 1, 1)


def test_this_month_is_counted_in_shanghai_time():
    # 31 Dec 2026, 16:30 UTC is already 1 Jan 2027 in Shanghai.
    new_year = datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)
    assert this_month(new_year) == d(2027, 1, 1)
    assert this_month(new_year - datetime.timedelta(hours=1)) == d(2026, 12, 1)


def test_this_month_defaults_to_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2027, 2, 28, 16, tzinfo=datetime.UTC))
    assert this_month() == d(2027, 3, 1)


@pytest.mark.parametrize(
    ("month", "n", "expected"),
    [
        (d(2026, 12, 1), 1, d(2027, 1, 1)),  # Dec → Jan
        (d(2027, 1, 1), -1, d(2026, 12, 1)),  # Jan back to Dec
        (d(2026, 11, 1), 0, d(2026, 11, 1)),
        (d(2026, 11, 1), -10, d(2026, 1, 1)),
        (d(2026, 11, 1), -11, d(2025, 12, 1)),
        (d(2026, 11, 1), -24, d(2024, 11, 1)),
        (d(2026, 11, 1), 14, d(2028, 1, 1)),
        (d(2026, 1, 31), 1, d(2026, 2, 1)),  # any day of the month names it
        (d(2028, 2, 29), 12, d(2029, 2, 1)),
    ],
)
def test_month_add(month, n, expected):
    assert month_add(month, n) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (d(2026, 8, 1), d(2026, 10, 1), 2),
        (d(2026, 12, 1), d(2027, 1, 1), 1),
        (d(2027, 1, 1), d(2026, 12, 1), -1),
        (d(2026, 3, 31), d(2026, 3, 1), 0),
        (d(2024, 2, 29), d(2026, 11, 15), 33),
    ],
)
def test_months_between(first, last, expected):
    assert months_between(first, last) == expected
    assert month_add(first, expected) == month_start(last)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (d(2026, 1, 15), 6, d(2026, 7, 15)),
        (d(2026, 8, 31), 6, d(2027, 2, 28)),
        (d(2027, 8, 31), 6, d(2028, 2, 29)),  # leap year
        (d(2028, 2, 29), 12, d(2029, 2, 28)),
        (d(2026, 12, 31), 2, d(2027, 2, 28)),
        (d(2026, 3, 31), 1, d(2026, 4, 30)),
        (d(2026, 7, 1), 6, d(2027, 1, 1)),
        (d(2026, 5, 28), 0, d(2026, 5, 28)),
        (d(2027, 1, 31), -1, d(2026, 12, 31)),  # Jan back to Dec
        (d(2028, 3, 31), -1, d(2028, 2, 29)),
        (d(2026, 3, 31), -13, d(2025, 2, 28)),
    ],
)
def test_months_later(day, n, expected):
    assert months_later(day, n) == expected
