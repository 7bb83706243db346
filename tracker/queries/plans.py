"""Read side of the plan workflow: version history and the supervisor's queue."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import selectinload

from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, Stay, User, co_supervision


def get_versions(plan: Plan) -> list[PlanVersion]:
    """Return the plan's versions, oldest first, with their actors loaded."""
    return list(
        db.session.scalars(
            db.select(PlanVersion)
            .where(PlanVersion.plan_id == plan.id)
            .options(selectinload(PlanVersion.actor))
            .order_by(PlanVersion.id)
        )
    )


def get_latest_version(plan: Plan, *events: str) -> PlanVersion | None:
    """Return the plan's most recent version with one of these events."""
    return db.session.scalar(
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id, PlanVersion.event.in_(events))
        .options(selectinload(PlanVersion.actor))
        .order_by(PlanVersion.id.desc())
        .limit(1)
    )


def decides_condition(user: User, *, any_supervisor: bool) -> ColumnElement[bool]:
    """Return a WHERE clause for enrolments on whose plan and stays the user decides."""
    decides = Enrolment.main_supervisor_id == user.id
    if any_supervisor:
        co = db.select(co_supervision.c.enrolment_id).where(co_supervision.c.user_id == user.id)
        decides = or_(decides, Enrolment.id.in_(co))
    # Nobody decides on their own plan, whatever the records say.
    return and_(decides, Enrolment.person_id != user.id)


def waiting_days(since: datetime | None, today: date) -> int:
    """Return how many whole days something has waited since ``since``."""
    return (today - since.date()).days if since is not None else 0


@dataclass(frozen=True)
class WaitingPlan:
    plan: Plan
    days: int


@dataclass(frozen=True)
class WaitingStay:
    stay: Stay
    days: int


def _waiting_plans_query(user: User, any_supervisor: bool):
    return (
        db.select(Plan)
        .join(Enrolment, Enrolment.id == Plan.enrolment_id)
        .where(
            Plan.status == PlanStatus.SUBMITTED,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            decides_condition(user, any_supervisor=any_supervisor),
        )
    )


def _waiting_stays_query(user: User, any_supervisor: bool):
    # Whatever the enrolment's status, as policy.can_confirm_stay has it: a stay reported
    # before the candidate finished must still be confirmed to count in the outcome figures.
    return (
        db.select(Stay)
        .join(Enrolment, Enrolment.id == Stay.enrolment_id)
        .where(
            Stay.status == StayStatus.PLANNED,
            Stay.reported_at.is_not(None),
            decides_condition(user, any_supervisor=any_supervisor),
        )
    )


def get_plans_awaiting_decision(
    user: User, *, any_supervisor: bool, today: date
) -> list[WaitingPlan]:
    """Return the submitted plans the user decides on, oldest submission first."""
    plans = db.session.scalars(
        _waiting_plans_query(user, any_supervisor)
        .options(
            selectinload(Plan.enrolment).selectinload(Enrolment.person),
            selectinload(Plan.enrolment).selectinload(Enrolment.programme),
        )
        .order_by(Plan.submitted_at, Plan.id)
    )
    return [WaitingPlan(plan, waiting_days(plan.submitted_at, today)) for plan in plans]


def get_stays_awaiting_confirmation(
    user: User, *, any_supervisor: bool, today: date
) -> list[WaitingStay]:
    """Return the reported stays the user confirms, oldest report first."""
    stays = db.session.scalars(
        _waiting_stays_query(user, any_supervisor)
        .options(
            selectinload(Stay.enrolment).selectinload(Enrolment.person),
            selectinload(Stay.enrolment).selectinload(Enrolment.programme),
        )
        .order_by(Stay.reported_at, Stay.id)
    )
    return [WaitingStay(stay, waiting_days(stay.reported_at, today)) for stay in stays]


@dataclass(frozen=True)
class WaitingCounts:
    plans: int
    stays: int


def count_awaiting(user: User, *, any_supervisor: bool) -> WaitingCounts:
    """Return how many plans and stays wait for the user's decision."""
    plans = _waiting_plans_query(user, any_supervisor).subquery()
    stays = _waiting_stays_query(user, any_supervisor).subquery()
    return WaitingCounts(
        plans=db.session.scalar(db.select(func.count()).select_from(plans)),
        stays=db.session.scalar(db.select(func.count()).select_from(stays)),
    )
