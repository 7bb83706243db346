"""What DESIGN §4 says about one stay at one as-of date, as SQL expressions.

The statistics document, its funding and destinations sections and the lists all
read these, so a stay counts the same way everywhere. The rules in Python are
``tracker.domain.stays`` (``is_qualifying_at``, ``is_ahead``); the parity tests
compare the two.
"""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from tracker.domain.plan_history import end_of_day
from tracker.domain.stays import CountingRules
from tracker.domain.vocabulary import Funding, StayStatus
from tracker.models import Enrolment, Stay, StayApproval
from tracker.queries.sql import days_between, differs_from


class StayRules:
    """SQL conditions on ``stay`` rows at one as-of date with one set of counting rules.

    ``replay`` (tracker.queries.recorded) says whether a stay ahead is read from its
    approval in force at the end of the as-of day (``StayApproval``) or, when nothing
    was approved since, from the approved columns of the stay as it stands: the same.
    """

    def __init__(self, as_of: date, rules: CountingRules, *, replay: bool = True) -> None:
        home = rules.home_country.upper()
        min_days = rules.min_stay_days
        self.replay = replay
        self.done = and_(Stay.status == StayStatus.COMPLETED, Stay.end_date <= as_of)
        # What was done is read from the stay as it is: confirmed country and actual dates.
        self.qualifying = and_(
            self.done,
            differs_from(Stay.country, home),
            days_between(Stay.start_date, Stay.end_date) + 1 >= min_days,
        )
        # What is ahead is read from the approved version in force on the as-of date (the
        # StayApproval valid at the end of that day): a revision edits the live columns, and
        # those edits must not count before the supervisor approves them, nor before the day
        # they did. Needs :meth:`join_approval` on a query with ``stay`` in it.
        cutoff = end_of_day(as_of)
        self.in_force = and_(
            StayApproval.stay_id == Stay.id,
            StayApproval.valid_from < cutoff,
            or_(StayApproval.valid_until.is_(None), StayApproval.valid_until >= cutoff),
        )
        # The stay as the approved version in force had it (the lists show these).
        if replay:
            approved = StayApproval.stay_id.is_not(None)
            country, start, end = (
                StayApproval.country,
                StayApproval.start_date,
                StayApproval.end_date,
            )
        else:
            approved = Stay.approved_country.is_not(None)
            country, start, end = (
                Stay.approved_country,
                Stay.approved_start_date,
                Stay.approved_end_date,
            )
        self.approved_country, self.approved_start, self.approved_end = country, start, end
        self.ahead = and_(
            approved,
            or_(
                Stay.status == StayStatus.PLANNED,
                # Completed since: on the as-of date it was still a planned stay.
                and_(Stay.status == StayStatus.COMPLETED, Stay.end_date > as_of),
            ),
            differs_from(country, home),
            days_between(start, end) + 1 >= min_days,
        )
        # No funding source yet (tracker.domain.abroad.is_unfunded): read as the stay has it.
        self.unfunded = or_(Stay.funding.is_(None), Stay.funding == Funding.NONE)

    def join_approval(self, query: Select[Any]) -> Select[Any]:
        """Return the query with the stay's approval in force at the as-of date outer-joined.

        Without replay the stay's own columns say it all, and nothing is joined.
        """
        if not self.replay:
            return query
        return query.outerjoin(StayApproval, self.in_force)


def stays_of(enrolment_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return a WHERE clause on stays keeping those of the enrolments the condition keeps."""
    return Stay.enrolment_id.in_(select(Enrolment.id).where(enrolment_condition))
