"""Keep personal data no longer than needed (GDPR art. 5(1)(e)): the daily retention run.

A person is due when every enrolment of theirs has ended, the last more than
``TRACKER_RETENTION_YEARS`` years before the day of the run, and they hold no
role: not an administrator, no coordinator scope, no active enrolment to
supervise. They are erased as on request (tracker.services.privacy.erasure), so
the statistics stay the same. Accounts without any enrolment (staff) are never
due: they are erased on request only.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import case, exists, func, or_, select

from tracker.domain.vocabulary import EnrolmentStatus
from tracker.extensions import db
from tracker.models import CoordinatorScope, Enrolment, User, co_supervision
from tracker.services.audit import record
from tracker.services.privacy.erasure import ErasureReport, erase_people


def years_before(day: date, years: int) -> date:
    """Return the same day ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# When an enrolment ended: its end date; withdrawn without one, its expected end (the
# later date, so nobody is erased early), else its start.
ENDED = func.coalesce(Enrolment.end_date, Enrolment.expected_end_date, Enrolment.start_date)


@dataclass(frozen=True)
class DuePerson:
    """Someone the retention run erases, and when their last enrolment ended."""

    user: User
    last_ended: date


def find_due(as_of: date, years: int) -> list[DuePerson]:
    """Return the people whose data is due for erasure on ``as_of``, by when they left."""
    cutoff = years_before(as_of, years)
    finished = (
        select(Enrolment.person_id, func.max(ENDED).label("last_ended"))
        .group_by(Enrolment.person_id)
        .having(
            func.max(ENDED) < cutoff,
            func.sum(case((Enrolment.status == EnrolmentStatus.ACTIVE, 1), else_=0)) == 0,
        )
        .subquery()
    )
    active = Enrolment.status == EnrolmentStatus.ACTIVE
    supervises = or_(
        exists().where(Enrolment.main_supervisor_id == User.id, active),
        exists().where(
            co_supervision.c.user_id == User.id,
            co_supervision.c.enrolment_id == Enrolment.id,
            active,
        ),
    )
    rows = db.session.execute(
        select(User, finished.c.last_ended)
        .join(finished, finished.c.person_id == User.id)
        .where(
            User.erased_at.is_(None),
            User.is_admin.is_(False),
            ~exists().where(CoordinatorScope.user_id == User.id),
            ~supervises,
        )
        .order_by(finished.c.last_ended, User.id)
    ).all()
    return [DuePerson(user, _as_date(last)) for user, last in rows]


def _as_date(value: Any) -> date:
    # SQLite gives max() of a date column back as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run found and did."""

    cutoff: date
    due: list[DuePerson]
    report: ErasureReport


def apply_retention(as_of: date, *, dry_run: bool = False) -> RetentionResult:
    """Erase everyone due on ``as_of`` (with ``dry_run``, only find and count them)."""
    years = current_app.config["RETENTION_YEARS"]
    due = find_due(as_of, years)
    report = erase_people([d.user for d in due], None, reason="retention", dry_run=dry_run)
    if not dry_run:
        record(
            "retention_run", None, as_of=as_of.isoformat(), years=years, erased=len(due)
        )
        db.session.flush()
    return RetentionResult(years_before(as_of, years), due, report)
