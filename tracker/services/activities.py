"""Use cases of an activity being done: mark it done with its date, or not done again.

Like a stay's report, this happens on an approved plan without reopening it
(DESIGN §3): whether and when an activity was done is a fact, not a change of plan.
The plan editor's activity form checks the same date (``plans.checked_done_on``).
"""

from datetime import date
from typing import Any

from tracker.domain import policy
from tracker.domain.vocabulary import ActivityStatus
from tracker.domain.workflow import TransitionRefused
from tracker.models import Activity
from tracker.services.audit import record
from tracker.services.plans import check_version, checked_done_on, flush


def _require_marker(activity: Activity, actor: Any) -> None:
    if not policy.can_mark_activity(actor, activity):
        raise TransitionRefused("the activity cannot be marked done or not done now")


def mark_done(
    activity: Activity,
    actor: Any,
    *,
    done_on: date,
    lock_version: int,
    today: date | None = None,
) -> None:
    """Record that the candidate did the activity on ``done_on`` (not ahead, not before start)."""
    check_version(activity, lock_version)
    _require_marker(activity, actor)
    today = today or date.today()
    activity.done_on = checked_done_on(activity.enrolment, ActivityStatus.DONE, done_on, today)
    activity.status = ActivityStatus.DONE
    flush()
    record(
        "activity_done",
        actor,
        activity,
        enrolment_id=activity.enrolment_id,
        done_on=done_on.isoformat(),
    )


def mark_not_done(activity: Activity, actor: Any, *, lock_version: int) -> None:
    """Undo a mistaken "done": the activity is planned again, without a date."""
    check_version(activity, lock_version)
    _require_marker(activity, actor)
    if activity.status != ActivityStatus.DONE:
        raise TransitionRefused("the activity is not marked done")
    was = activity.done_on
    activity.status = ActivityStatus.PLANNED
    activity.done_on = None
    flush()
    record(
        "activity_not_done",
        actor,
        activity,
        enrolment_id=activity.enrolment_id,
        done_on=was.isoformat() if was else None,
    )
