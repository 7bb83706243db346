"""What each role's home page shows."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, exists, func, or_
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain.deadlines import plan_due_date
from tracker.domain.plan_rules import NextStep, next_step, plan_state
from tracker.domain.vocabulary import PlanEvent, PlanState, PlanStatus
from tracker.extensions import db
from tracker.models import (
    CoordinatorScope,
    Enrolment,
    Faculty,
    PlanVersion,
    Programme,
    User,
    co_supervision,
)


@cache
def _own_enrolments() -> Select[Any]:
    # Every home page asks it: built (and keyed for the statement cache) once.
    # One plan and programme per enrolment: joined in the one query, not fetched in two more.
    return (
        db.select(Enrolment)
        .where(Enrolment.person_id == bindparam("person_id"))
        .options(joinedload(Enrolment.plan), joinedload(Enrolment.programme))
        .order_by(Enrolment.start_date.desc())
    )


def get_own_enrolments(user: User) -> list[Enrolment]:
    """Return the user's own enrolments, newest first, with plan and programme loaded."""
    return list(db.session.scalars(_own_enrolments(), {"person_id": user.id}))


@dataclass(frozen=True)
class CandidateRow:
    enrolment: Enrolment
    due: date
    step: NextStep
    state: PlanState | None
    comment: str | None  # the supervisor's comment when changes were requested
    approval_comment: str | None  # the supervisor's comment on the approved version in force


def get_candidate_rows(user: User, plan_due_days: int) -> list[CandidateRow]:
    """Return the user's enrolments with due date, next step and the supervisor's comments."""
    own = get_own_enrolments(user)
    waiting_ids = [
        e.plan.id for e in own if e.plan and e.plan.status == PlanStatus.CHANGES_REQUESTED
    ]
    comments = (
        dict(
            db.session.execute(
                db.select(PlanVersion.plan_id, PlanVersion.comment)
                .where(
                    PlanVersion.plan_id.in_(waiting_ids),
                    PlanVersion.event == PlanEvent.CHANGES_REQUESTED,
                )
                .order_by(PlanVersion.id)  # the latest request wins in dict()
            ).all()
        )
        if waiting_ids
        else {}
    )
    approved_ids = [
        e.plan.approved_version_id for e in own if e.plan and e.plan.approved_version_id
    ]
    approvals = (
        dict(
            db.session.execute(
                db.select(PlanVersion.plan_id, PlanVersion.comment).where(
                    PlanVersion.id.in_(approved_ids),
                    PlanVersion.event == PlanEvent.APPROVED,
                    PlanVersion.comment != "",
                )
            ).all()
        )
        if approved_ids
        else {}
    )
    rows = []
    for e in own:
        status = e.plan.status if e.plan else None
        approved = bool(e.plan and e.plan.approved_version_id)
        rows.append(
            CandidateRow(
                enrolment=e,
                due=plan_due_date(e.start_date, plan_due_days),
                step=next_step(e.status, status, approved),
                state=plan_state(status, approved),
                comment=comments.get(e.plan.id) if e.plan else None,
                approval_comment=approvals.get(e.plan.id) if e.plan else None,
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
