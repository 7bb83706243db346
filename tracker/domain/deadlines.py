"""When a plan is due, and when it is overdue (DESIGN §4)."""

from datetime import date

from tracker.domain.dates import add_days
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus


def plan_due_date(start_date: date, plan_due_days: int) -> date:
    """Return the last day on which the plan is on time: start + PLAN_DUE_DAYS."""
    return add_days(start_date, plan_due_days)


def is_plan_overdue(
    *,
    enrolment_status: EnrolmentStatus,
    start_date: date,
    plan_status: PlanStatus | None,
    ever_approved: bool,
    as_of: date,
    plan_due_days: int,
) -> bool:
    """Return whether the plan is overdue: active, never approved, not waiting, past due."""
    return (
        enrolment_status == EnrolmentStatus.ACTIVE
        and not ever_approved
        and plan_status != PlanStatus.SUBMITTED
        and as_of > plan_due_date(start_date, plan_due_days)
    )
