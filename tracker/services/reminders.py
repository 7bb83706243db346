"""Daily reminders (run by cron through ``flask --app tracker remind``).

Three kinds: a candidate's plan is due within a week or overdue; a supervisor has
had a plan or a stay waiting for more than two weeks; a candidate's planned stay
has ended without a report. Everyone gets at most one message per kind per day:
the sent_reminder table remembers, so a second run on the same day sends nothing.
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.domain.deadlines import plan_due_date
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.labels import label
from tracker.mail import link
from tracker.models import Enrolment, Plan, SentReminder, Stay, User
from tracker.presentation import format_day
from tracker.services.notifications import deciders
from tracker.services.outbox import queue_mail

PLAN_DUE_SOON_DAYS = 7
WAITING_TOO_LONG_DAYS = 14


class ReminderKind(enum.StrEnum):
    PLAN_DUE = "plan_due"
    DECISION_WAITING = "decision_waiting"
    STAY_NOT_REPORTED = "stay_not_reported"


@dataclass
class Reminder:
    """One message to one person, listing everything of one kind that needs them."""

    user: User
    kind: ReminderKind
    items: list[str] = field(default_factory=list)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _person_options():
    return (
        selectinload(Enrolment.person),
        selectinload(Enrolment.programme),
        selectinload(Enrolment.plan),
    )


def _plans_due(as_of: date) -> list[Reminder]:
    due_days = current_app.config["PLAN_DUE_DAYS"]
    # Due within the week: start + due_days - as_of <= 7.
    latest_start = as_of + timedelta(days=PLAN_DUE_SOON_DAYS - due_days)
    enrolments = db.session.scalars(
        db.select(Enrolment)
        .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
        .join(User, User.id == Enrolment.person_id)
        .where(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            Enrolment.start_date <= latest_start,
            User.active.is_(True),
            or_(
                Plan.id.is_(None),
                Plan.status.in_([PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED])
                & Plan.approved_version_id.is_(None),
            ),
        )
        .options(*_person_options())
        .order_by(Enrolment.start_date, Enrolment.id)
    )
    by_person: dict[int, Reminder] = {}
    for enrolment in enrolments:
        reminder = by_person.setdefault(
            enrolment.person_id, Reminder(enrolment.person, ReminderKind.PLAN_DUE)
        )
        due = plan_due_date(enrolment.start_date, due_days)
        with force_locale(_locale(enrolment.person)):
            reminder.items.append(
                _(
                    "%(kind)s, %(programme)s: plan due %(due)s — %(url)s",
                    kind=label(enrolment.kind),
                    programme=enrolment.programme.name,
                    due=format_day(due),
                    url=link("plans.view", enrolment_id=enrolment.id),
                )
            )
    return list(by_person.values())


def _decisions_waiting(as_of: date) -> list[Reminder]:
    cutoff = _start_of_day(as_of - timedelta(days=WAITING_TOO_LONG_DAYS))
    supervisor_options = (
        selectinload(Enrolment.person),
        selectinload(Enrolment.main_supervisor),
        selectinload(Enrolment.co_supervisors),
    )
    plans = db.session.scalars(
        db.select(Plan)
        .join(Enrolment, Enrolment.id == Plan.enrolment_id)
        .where(
            Plan.status == PlanStatus.SUBMITTED,
            Plan.submitted_at < cutoff,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .options(selectinload(Plan.enrolment).options(*supervisor_options))
        .order_by(Plan.submitted_at, Plan.id)
    )
    stays = db.session.scalars(
        db.select(Stay)
        .join(Enrolment, Enrolment.id == Stay.enrolment_id)
        .where(
            Stay.status == StayStatus.PLANNED,
            Stay.reported_at < cutoff,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .options(selectinload(Stay.enrolment).options(*supervisor_options))
        .order_by(Stay.reported_at, Stay.id)
    )
    waiting: list[tuple[Enrolment, str, str, Any]] = [
        (p.enrolment, "plan", link("review.plan", enrolment_id=p.enrolment_id), p.submitted_at)
        for p in plans
    ] + [(s.enrolment, "stay", link("review.stay", stay_id=s.id), s.reported_at) for s in stays]
    by_user: dict[int, Reminder] = {}
    for enrolment, what, url, since in waiting:
        for user in deciders(enrolment):
            reminder = by_user.setdefault(user.id, Reminder(user, ReminderKind.DECISION_WAITING))
            with force_locale(_locale(user)):
                values = {"name": enrolment.person.name, "since": format_day(since), "url": url}
                if what == "plan":
                    text = _("Plan of %(name)s, waiting since %(since)s — %(url)s", **values)
                else:
                    text = _("Stay of %(name)s, reported %(since)s — %(url)s", **values)
            reminder.items.append(text)
    return list(by_user.values())


def _stays_not_reported(as_of: date) -> list[Reminder]:
    stays = db.session.scalars(
        db.select(Stay)
        .join(Enrolment, Enrolment.id == Stay.enrolment_id)
        .join(Plan, Plan.enrolment_id == Enrolment.id)
        .join(User, User.id == Enrolment.person_id)
        .where(
            Stay.status == StayStatus.PLANNED,
            Stay.reported_at.is_(None),
            Stay.end_date < as_of,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            Plan.approved_version_id.is_not(None),
            User.active.is_(True),
        )
        .options(selectinload(Stay.enrolment).selectinload(Enrolment.person))
        .order_by(Stay.end_date, Stay.id)
    )
    by_person: dict[int, Reminder] = {}
    for stay in stays:
        person = stay.enrolment.person
        reminder = by_person.setdefault(person.id, Reminder(person, ReminderKind.STAY_NOT_REPORTED))
        with force_locale(_locale(person)):
            reminder.items.append(
                _(
                    "%(host)s, planned to end %(end)s — report it here: %(url)s",
                    host=stay.host_institution,
                    end=format_day(stay.end_date),
                    url=link("plans.report_stay", stay_id=stay.id),
                )
            )
    return list(by_person.values())


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def find_reminders(as_of: date) -> list[Reminder]:
    """Return every reminder due on ``as_of``, before the once-a-day rule is applied."""
    return _plans_due(as_of) + _decisions_waiting(as_of) + _stays_not_reported(as_of)


def compose(reminder: Reminder) -> tuple[str, str]:
    """Return the subject and body of a reminder, in the recipient's language."""
    with force_locale(_locale(reminder.user)):
        if reminder.kind == ReminderKind.PLAN_DUE:
            subject = _("Reminder: your mobility plan is due")
            intro = _("Your mobility plan is due soon or overdue. Finish it and submit it:")
        elif reminder.kind == ReminderKind.DECISION_WAITING:
            subject = _("Reminder: plans or stays wait for your decision")
            intro = _(
                "These have waited for your decision for more than %(days)d days:",
                days=WAITING_TOO_LONG_DAYS,
            )
        else:
            subject = _("Reminder: report your stay abroad")
            intro = _("These stays have ended. Report them as done with the actual dates:")
    body = intro + "\n\n" + "\n".join(f"- {item}" for item in reminder.items) + "\n"
    return subject, body


@dataclass
class RunResult:
    """What one run did: messages per kind, and what a dry run would send."""

    counts: dict[ReminderKind, int] = field(
        default_factory=lambda: {kind: 0 for kind in ReminderKind}
    )
    lines: list[str] = field(default_factory=list)
    skipped: int = 0


def send_reminders(as_of: date, *, dry_run: bool = False) -> RunResult:
    """Send each due reminder not yet sent today; with ``dry_run`` only say who would get what."""
    result = RunResult()
    already = set(
        db.session.execute(
            db.select(SentReminder.user_id, SentReminder.kind).where(SentReminder.day == as_of)
        ).all()
    )
    pending: defaultdict[ReminderKind, list[Reminder]] = defaultdict(list)
    for reminder in find_reminders(as_of):
        if (reminder.user.id, reminder.kind.value) not in already:
            pending[reminder.kind].append(reminder)
    for kind in ReminderKind:
        for reminder in pending[kind]:
            subject, body = compose(reminder)
            if dry_run:
                result.lines.append(f"{kind}: {reminder.user.email}: {subject}")
                result.counts[kind] += 1
                continue
            if _queue_once(reminder, as_of, subject, body):
                result.counts[kind] += 1
            else:
                result.skipped += 1
    return result


def _queue_once(reminder: Reminder, as_of: date, subject: str, body: str) -> bool:
    """Record the reminder and queue it in one commit; False if another run just did."""
    # Each reminder is its own transaction, so a rollback touches nothing else.
    db.session.add(SentReminder(user_id=reminder.user.id, kind=reminder.kind, day=as_of))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False  # another run queued it a moment ago
    queue_mail(reminder.user, subject, body, kind="reminder")
    db.session.commit()
    return True
