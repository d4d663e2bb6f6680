"""Calendar months, each named by its first day; "now" is in the portal's time zone (Asia/Shanghai)."""

import calendar
import datetime

from django.utils import timezone


def month_start(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def this_month(now: datetime.datetime | None = None) -> datetime.date:
    """The first day of the current month where the portal is (of `now`'s month when given)."""
    return month_start(timezone.localdate(now))


def _index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def month_add(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month `n` months after `month`'s (before it when `n` is negative)."""
    year, month_index = divmod(_index(month) + n, 12)
    return datetime.date(year, month_index + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months `last`'s month is after `first`'s (negative when before); days do not count."""
    return _index(last) - _index(first)


def months_later(day: datetime.date, n: int) -> datetime.date:
    """The same day `n` months later, or that month's last day when it has no such day (31 Jan: 28/29 Feb)."""
    month = month_add(day, n)
    return month.replace(day=min(day.day, calendar.monthrange(month.year, month.month)[1]))
