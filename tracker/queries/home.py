"""What each role's home page shows."""

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    CoordinatorScope,
    Enrolment,
    Faculty,
    Programme,
    User,
    co_supervision,
)


def get_own_enrolments(user: User) -> list[Enrolment]:
    """Return the user's own enrolments, newest first, with plan and programme loaded."""
    return list(
        db.session.scalars(
            db.select(Enrolment)
            .where(Enrolment.person_id == user.id)
            .options(selectinload(Enrolment.plan), selectinload(Enrolment.programme))
            .order_by(Enrolment.start_date.desc())
        )
    )


def supervised_condition(user: User):
    """Return a WHERE clause for enrolments the user supervises (main or co)."""
    co = db.select(co_supervision.c.enrolment_id).where(co_supervision.c.user_id == user.id)
    return or_(Enrolment.main_supervisor_id == user.id, Enrolment.id.in_(co))


def get_supervised_enrolments(user: User, *, active_only: bool = True) -> list[Enrolment]:
    """Return the enrolments the user supervises, with person, plan and programme loaded."""
    query = (
        db.select(Enrolment)
        .where(supervised_condition(user))
        .options(
            selectinload(Enrolment.person),
            selectinload(Enrolment.plan),
            selectinload(Enrolment.programme),
        )
        .order_by(Enrolment.start_date.desc())
    )
    if active_only:
        query = query.where(Enrolment.status == "active")
    return list(db.session.scalars(query))


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
