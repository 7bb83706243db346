"""The dates the tracker accepts, and date arithmetic that never overflows.

Every date a person types, uploads or passes on the command line must fall in
``EARLIEST`` … ``LATEST``: anything else is a typing mistake, and dates near the
year 9999 make ordinary arithmetic (a due date, a cut-off) raise. Rows written
before the range existed, or by hand, may still hold such dates, so the
arithmetic on stored dates goes through ``add_days``, which saturates instead.
"""

import calendar
from datetime import MAXYEAR, MINYEAR, date, timedelta

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)


class DateOutOfRange(ValueError):
    """A date before EARLIEST or after LATEST."""

    def __init__(self, value: date) -> None:
        super().__init__(
            f"{value.isoformat()} is outside {EARLIEST.isoformat()} … {LATEST.isoformat()}"
        )
        self.value = value


def in_range(value: date) -> bool:
    """Return whether ``value`` is a date the tracker accepts."""
    return EARLIEST <= value <= LATEST


def check_date(value: date) -> date:
    """Return ``value`` if the tracker accepts it, else raise DateOutOfRange."""
    if not in_range(value):
        raise DateOutOfRange(value)
    return value


def add_days(value: date, days: int) -> date:
    """Return ``value`` plus ``days`` days, held at date.min / date.max instead of overflowing."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def add_years(value: date, years: int) -> date:
    """Return the same month and day ``years`` later (earlier when negative).

    29 February becomes 1 March in a year without one, so a period of whole years
    from 29 February ends on the last day of February. A year beyond what ``date``
    holds gives date.max / date.min instead of an overflow.
    """
    year = value.year + years
    if year > MAXYEAR:
        return date.max
    if year < MINYEAR:
        return date.min
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
