"""Whether the figures of a date are replayed from the history or read as things stand.

The statistics and the lists read a plan's approval and submission from its version
history, and a stay ahead from its approval in force, as they stood at the end of the
as-of day (DESIGN §4). When nothing in that history takes effect after that day — the
as-of date is today, or nothing has happened since — the history at the end of the day
*is* the recorded state: the plan's status and approved version, the stay's approved
country and dates. Reading those costs a fraction of the replay and gives the same
figures (tests/integration/test_stats_replay.py compares the two on generated
institutions), so the expressions of :class:`~tracker.queries.stats.EnrolmentFacts`,
:class:`~tracker.queries.stay_rules.StayRules` and
:class:`~tracker.queries.activities.ActivityRules` take one or the other as
:func:`replay_needed` says.
"""

from datetime import date

from sqlalchemy import exists, or_, select

from tracker.domain.plan_history import end_of_day
from tracker.extensions import db
from tracker.models import PlanVersion, StayApproval


def replay_needed(as_of: date) -> bool:
    """Return whether an entry of a plan's history or a stay's approval holds from after ``as_of``.

    One statement, answered from the indexes on the three times (migration 0014).
    """
    cutoff = end_of_day(as_of)
    later = or_(
        exists().where(PlanVersion.effective_at >= cutoff),
        exists().where(StayApproval.valid_from >= cutoff),
        exists().where(StayApproval.valid_until >= cutoff),
    )
    return bool(db.session.scalar(select(later)))
