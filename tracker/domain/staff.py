"""New permanent academic staff: a stay abroad within three years of the appointment (DESIGN §4).

The third anniversary of an appointment on A is the same month and day three years
later (1 March for A = 29 February, see ``add_years``). Year three ends the day
before it: that day is the **deadline**. Staff are counted from their third
anniversary on, when the window has closed, and a stay counts for them when it ends
on or before the deadline.
"""

from datetime import MINYEAR, date

from tracker.domain.dates import add_days, add_years

STAFF_YEARS = 3


def third_anniversary(appointed: date) -> date:
    """Return the day three years after the appointment, from which the person is counted."""
    return add_years(appointed, STAFF_YEARS)


def deadline(appointed: date) -> date:
    """Return the last day of year three: a stay ending on it counts, a day later not."""
    return add_days(third_anniversary(appointed), -1)


def deadline_year(appointed: date) -> int:
    """Return the year the three years are up (of the third anniversary): appointment year + 3."""
    return appointed.year + STAFF_YEARS


def within_three_years(appointed: date, day: date) -> bool:
    """Return whether ``day`` falls on or before the deadline of an appointment on ``appointed``."""
    return day < third_anniversary(appointed)


def is_counted(appointed: date, as_of: date) -> bool:
    """Return whether three years have passed since the appointment by ``as_of``."""
    return third_anniversary(appointed) <= as_of


def latest_counted_appointment(as_of: date) -> date | None:
    """Return the latest appointment date counted at ``as_of``; None if no date can be.

    ``start_date <= latest_counted_appointment(as_of)`` is :func:`is_counted` as a plain
    comparison of dates, which the database answers without date arithmetic: the same
    month and day three years earlier, 28 February when ``as_of`` is 29 February (an
    appointment on 1 March that year is counted only from 1 March).
    """
    year = as_of.year - STAFF_YEARS
    if year < MINYEAR:
        return None
    try:
        return as_of.replace(year=year)
    except ValueError:  # as_of is 29 February, and three years earlier had none
        return date(year, 2, 28)


def left_before_deadline(appointed: date, left_on: date | None, withdrawn: bool) -> bool:
    """Return whether someone who left the position did so by the deadline (or on a day unknown).

    ``left_on`` is the end date of a completed or withdrawn position; a withdrawal without
    one is treated as having happened before every date, as everywhere in DESIGN §4.
    """
    if left_on is None:
        return withdrawn
    return within_three_years(appointed, left_on)
