"""What DESIGN §4 says about one stay at one as-of date, as SQL expressions.

The statistics document, its funding and destinations sections and the lists all
read these, so a stay counts the same way everywhere. The rules in Python are
``tracker.domain.stays`` (``is_qualifying_at``, ``is_ahead``); the parity tests
compare the two.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select

from tracker.domain.stays import CountingRules
from tracker.domain.vocabulary import Funding, StayStatus
from tracker.models import Enrolment, Stay
from tracker.queries.sql import days_between


class StayRules:
    """SQL conditions on ``stay`` rows at one as-of date with one set of counting rules."""

    def __init__(self, as_of: date, rules: CountingRules) -> None:
        home = rules.home_country.upper()
        min_days = rules.min_stay_days
        self.done = and_(Stay.status == StayStatus.COMPLETED, Stay.end_date <= as_of)
        # What was done is read from the stay as it is: confirmed country and actual dates.
        self.qualifying = and_(
            self.done,
            func.upper(Stay.country) != home,
            days_between(Stay.start_date, Stay.end_date) + 1 >= min_days,
        )
        # What is ahead is read from the approved version in force: a revision edits the
        # live columns, and those edits must not count before the supervisor approves them.
        self.ahead = and_(
            Stay.approved_country.is_not(None),
            or_(
                Stay.status == StayStatus.PLANNED,
                # Completed since: on the as-of date it was still a planned stay.
                and_(Stay.status == StayStatus.COMPLETED, Stay.end_date > as_of),
            ),
            func.upper(Stay.approved_country) != home,
            days_between(Stay.approved_start_date, Stay.approved_end_date) + 1 >= min_days,
        )
        # No funding source yet (tracker.domain.abroad.is_unfunded): read as the stay has it.
        self.unfunded = or_(Stay.funding.is_(None), Stay.funding == Funding.NONE)


def stays_of(enrolment_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return a WHERE clause on stays keeping those of the enrolments the condition keeps."""
    return Stay.enrolment_id.in_(select(Enrolment.id).where(enrolment_condition))
