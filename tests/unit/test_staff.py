"""The three years of new permanent staff (DESIGN §4), checked day by day."""

from datetime import date, timedelta

import pytest

from tracker.domain.dates import add_years
from tracker.domain.staff import (
    deadline,
    deadline_year,
    is_counted,
    latest_counted_appointment,
    left_before_deadline,
    third_anniversary,
    within_three_years,
)

DAY = timedelta(days=1)


def days(first: date, last: date):
    """Yield every day from ``first`` to ``last``, both included."""
    day = first
    while day <= last:
        yield day
        day += DAY


def anniversary_by_search(appointed: date) -> date:
    """Return the first day whose (year − 3, month, day) is not before the appointment's.

    Written without add_years, from the definition: the same month and day three years
    on, or the next day there is when that day does not exist.
    """
    day = date(appointed.year + 3, appointed.month, 1)
    while (day.year - 3, day.month, day.day) < (appointed.year, appointed.month, appointed.day):
        day += DAY
    return day


APPOINTMENTS = list(days(date(2019, 1, 1), date(2025, 12, 31)))  # two 29 Februaries


def test_the_third_anniversary_of_every_day():
    for appointed in APPOINTMENTS:
        expected = anniversary_by_search(appointed)
        assert third_anniversary(appointed) == expected, appointed
        assert deadline(appointed) == expected - DAY
        assert deadline_year(appointed) == expected.year == appointed.year + 3


@pytest.mark.parametrize(
    ("appointed", "last_day"),
    [
        (date(2021, 3, 1), date(2024, 2, 29)),  # year three ends on a 29 February
        (date(2024, 2, 29), date(2027, 2, 28)),  # the anniversary is 1 March
        (date(2024, 2, 28), date(2027, 2, 27)),
        (date(2024, 3, 1), date(2027, 2, 28)),
        (date(2023, 1, 1), date(2025, 12, 31)),  # deadline year 2026, deadline in 2025
        (date(2023, 6, 30), date(2026, 6, 29)),
    ],
)
def test_a_stay_ending_on_the_last_day_of_year_three_counts_and_a_day_later_not(
    appointed, last_day
):
    assert deadline(appointed) == last_day
    assert within_three_years(appointed, last_day)
    assert not within_three_years(appointed, last_day + DAY)
    assert within_three_years(appointed, appointed)


def test_within_three_years_is_the_deadline_for_every_day_near_it():
    for appointed in APPOINTMENTS:
        last = deadline(appointed)
        for day in days(last - 3 * DAY, last + 3 * DAY):
            assert within_three_years(appointed, day) == (day <= last), (appointed, day)


def test_counted_from_the_third_anniversary_on():
    assert not is_counted(date(2024, 2, 29), date(2027, 2, 28))
    assert is_counted(date(2024, 2, 29), date(2027, 3, 1))
    assert is_counted(date(2024, 2, 28), date(2027, 2, 28))
    assert not is_counted(date(2023, 7, 1), date(2026, 6, 30))
    assert is_counted(date(2023, 6, 30), date(2026, 6, 30))


def test_latest_counted_appointment_is_the_counting_rule_as_a_comparison():
    """``appointed <= latest_counted_appointment(as_of)`` is ``is_counted``, for every date."""
    for as_of in days(date(2022, 1, 1), date(2029, 12, 31)):
        latest = latest_counted_appointment(as_of)
        assert is_counted(latest, as_of), as_of
        assert not is_counted(latest + DAY, as_of), as_of
        for appointed in days(latest - 3 * DAY, latest + 3 * DAY):
            assert is_counted(appointed, as_of) == (appointed <= latest), (appointed, as_of)


def test_latest_counted_appointment_on_29_february():
    assert latest_counted_appointment(date(2028, 2, 29)) == date(2025, 2, 28)
    assert latest_counted_appointment(date(2027, 3, 1)) == date(2024, 3, 1)
    assert latest_counted_appointment(date(3, 6, 1)) is None


@pytest.mark.parametrize(
    ("left_on", "withdrawn", "expected"),
    [
        (None, False, False),  # still in the position
        (None, True, True),  # withdrawn on a day nobody knows: out
        (date(2025, 1, 9), False, True),  # on the deadline
        (date(2025, 1, 10), False, False),  # the day after: measured
        (date(2025, 1, 10), True, False),
        (date(2023, 5, 1), True, True),
    ],
)
def test_left_before_the_deadline(left_on, withdrawn, expected):
    assert left_before_deadline(date(2022, 1, 10), left_on, withdrawn) == expected


@pytest.mark.parametrize(
    ("value", "years", "expected"),
    [
        (date(2024, 2, 29), 3, date(2027, 3, 1)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), -1, date(2023, 3, 1)),
        (date(2023, 12, 31), 3, date(2026, 12, 31)),
        (date(9998, 6, 1), 3, date.max),  # held instead of overflowing
        (date(2, 6, 1), -3, date.min),
        (date.max, 3, date.max),
    ],
)
def test_add_years(value, years, expected):
    assert add_years(value, years) == expected
