"""What each role's home page shows."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, func, or_
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.domain.deadlines import plan_due_date
from tracker.domain.plan_rules import NextStep, next_step, plan_state
from tracker.domain.vocabulary import PlanEvent, PlanState, PlanStatus
from tracker.extensions import db
from tracker.models import (
    CoordinatorScope,
    Enrolment,
    Faculty,
    Plan,
    PlanVersion,
    Programme,
    User,
    co_supervision,
)


@dataclass(frozen=True)
class CandidateRow:
    enrolment: Enrolment
    due: date
    step: NextStep
    state: PlanState | None
    comment: str | None  # the supervisor's comment when changes were requested
    approval_comment: str | None  # the supervisor's comment on the approved version in force


@cache
def _own_enrolments() -> Select[Any]:
    # Every candidate's home page asks it: built (and keyed for the statement cache) once.
    # The user's enrolments, newest first, plan and programme joined in (one of each), with
    # the supervisor's comments looked up per row (a person has one or two): the latest
    # request for changes while one is open, and the approved version's, if it has one.
    requested = (
        db.select(PlanVersion.comment)
        .where(PlanVersion.plan_id == Plan.id, PlanVersion.event == PlanEvent.CHANGES_REQUESTED)
        .order_by(PlanVersion.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    approval = (
        db.select(PlanVersion.comment)
        .where(
            PlanVersion.id == Plan.approved_version_id,
            PlanVersion.event == PlanEvent.APPROVED,
            PlanVersion.comment != "",
        )
        .scalar_subquery()
    )
    return (
        db.select(
            Enrolment,
            case((Plan.status == PlanStatus.CHANGES_REQUESTED, requested)).label("comment"),
            approval.label("approval_comment"),
        )
        .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
        .where(Enrolment.person_id == bindparam("person_id"))
        .options(contains_eager(Enrolment.plan), joinedload(Enrolment.programme))
        .order_by(Enrolment.start_date.desc())
    )


def get_own_enrolments(user: User) -> list[Enrolment]:
    """Return the user's own enrolments, newest first, with plan and programme loaded."""
    return [row[0] for row in db.session.execute(_own_enrolments(), {"person_id": user.id})]


def get_candidate_rows(user: User, plan_due_days: int) -> list[CandidateRow]:
    """Return the user's enrolments with due date, next step and the supervisor's comments."""
    found = db.session.execute(_own_enrolments(), {"person_id": user.id}).all()
    rows = []
    for e, comment, approval_comment in found:
        status = e.plan.status if e.plan else None
        approved = bool(e.plan and e.plan.approved_version_id)
        rows.append(
            CandidateRow(
                enrolment=e,
                due=plan_due_date(e.start_date, plan_due_days),
                step=next_step(e.status, status, approved),
                state=plan_state(status, approved),
                comment=comment,
                approval_comment=approval_comment,
            )
        )
    return rows


def supervised_condition(user: User):
    """Return a WHERE clause for enrolments the user supervises (main or co)."""
    # A union of two index look-ups: an OR of the two would scan every enrolment.
    main = db.select(Enrolment.id).where(Enrolment.main_supervisor_id == user.id)
    co = db.select(co_supervision.c.enrolment_id).where(co_supervision.c.user_id == user.id)
    return Enrolment.id.in_(main.union(co))


def get_supervised_enrolments(user: User, *, active_only: bool = True) -> list[Enrolment]:
    """Return the enrolments the user supervises, with person, plan and programme loaded."""
    query = (
        db.select(Enrolment)
        .where(supervised_condition(user))
        .options(
            selectinload(Enrolment.person),
            selectinload(Enrolment.plan),
            selectinload(Enrolment.programme),
            selectinload(Enrolment.main_supervisor),
        )
        .order_by(Enrolment.start_date.desc())
    )
    if active_only:
        query = query.where(Enrolment.status == "active")
    return list(db.session.scalars(query))


def supervises_any(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Return whether the user of ``user_id`` supervises any enrolment (main or co, any status).

    Two index look-ups, as :func:`supervised_condition`; a column of the query that loads
    the user on every request (tracker.web.load_user), so the navigation asks nothing more.
    """
    return or_(
        exists().where(Enrolment.main_supervisor_id == user_id),
        exists().where(co_supervision.c.user_id == user_id),
    )


def count_supervised(user: User) -> int:
    """Return how many enrolments (any status) the user supervises."""
    return db.session.scalar(
        db.select(func.count()).select_from(Enrolment).where(supervised_condition(user))
    )


@dataclass(frozen=True)
class ProgrammeCount:
    programme: Programme
    active: int
    total: int


def scope_programme_ids(user: User):
    """Return a subquery of the ids of programmes the user coordinates."""
    faculty_ids = db.select(CoordinatorScope.faculty_id).where(
        CoordinatorScope.user_id == user.id, CoordinatorScope.faculty_id.is_not(None)
    )
    programme_ids = db.select(CoordinatorScope.programme_id).where(
        CoordinatorScope.user_id == user.id, CoordinatorScope.programme_id.is_not(None)
    )
    return db.select(Programme.id).where(
        or_(Programme.faculty_id.in_(faculty_ids), Programme.id.in_(programme_ids))
    )


def get_programme_counts(user: User | None = None) -> list[ProgrammeCount]:
    """Return programmes with active and total enrolment counts: the user's scope, or all."""
    active = func.count(Enrolment.id).filter(Enrolment.status == "active")
    query = (
        db.select(Programme, active, func.count(Enrolment.id))
        .outerjoin(Enrolment, Enrolment.programme_id == Programme.id)
        .join(Faculty, Faculty.id == Programme.faculty_id)
        .group_by(Programme.id, Faculty.code)
        .order_by(Faculty.code, Programme.code)
        .options(selectinload(Programme.faculty))
    )
    if user is not None:
        query = query.where(Programme.id.in_(scope_programme_ids(user)))
    return [ProgrammeCount(p, a, t) for p, a, t in db.session.execute(query)]


def count_users() -> int:
    """Return the number of user accounts."""
    return db.session.scalar(db.select(func.count()).select_from(User))
