"""Enrolment records kept by coordinators: create, edit, complete, withdraw, reopen.

Each function checks the record's rules, changes it, flushes and writes the audit
entry; the caller commits. A refused change raises EnrolmentError naming the form
field it concerns, so the view can show the message next to that field.

Supervisors are chosen by e-mail among existing accounts. An unknown address is
an error rather than a new account: a typo would otherwise create a stranger who
may approve the plan. The candidate, on the other hand, is created (without a
password) when the address is new, since registering new people is the point.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.extensions import db
from tracker.labels import label
from tracker.models import Enrolment, Programme, User
from tracker.services import accounts
from tracker.services.audit import record


class EnrolmentError(ValueError):
    """A change to an enrolment was refused; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class EnrolmentDetails:
    """The fields of an enrolment that a coordinator sets in the form."""

    programme: Programme
    kind: EnrolmentKind
    start_date: date
    expected_end_date: date | None
    international_experience: bool
    main_supervisor_email: str = ""
    co_supervisor_emails: tuple[str, ...] = ()


def parse_email_list(text: str) -> tuple[str, ...]:
    """Return the entries of a text with one address per line or separated by , or ;."""
    found: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        part = part.strip()
        if part and part not in found:
            found.append(part)
    return tuple(found)


def _address(text: str, field: str) -> str:
    """Return the stored form of an address typed in ``field``; refuse one that is none."""
    try:
        return accounts.stored_address(text, field)
    except accounts.AccountError as error:
        raise EnrolmentError(error.field, error.message) from None


def _supervisors(person_email: str, details: EnrolmentDetails) -> tuple[User | None, list[User]]:
    """Return the main supervisor and co-supervisors named in the details, all existing users."""
    main_email = (
        _address(details.main_supervisor_email, "main_supervisor_email")
        if details.main_supervisor_email.strip()
        else ""
    )
    co_emails = list(
        dict.fromkeys(
            address
            for address in (
                _address(text, "co_supervisor_emails") for text in details.co_supervisor_emails
            )
            if address != main_email
        )
    )
    wanted = ([main_email] if main_email else []) + co_emails
    users = (
        {
            user.email: user
            for user in db.session.scalars(db.select(User).where(User.email.in_(wanted)))
        }
        if wanted
        else {}
    )
    for field, emails in (
        ("main_supervisor_email", [main_email]),
        ("co_supervisor_emails", co_emails),
    ):
        for email in emails:
            if not email:
                continue
            if email == person_email:
                raise EnrolmentError(field, _("A person cannot be their own supervisor."))
            if email not in users:
                raise EnrolmentError(
                    field,
                    _(
                        "Nobody in the tracker has the e-mail address %(email)s. Import the "
                        "person with a CSV file, or ask an administrator to create the account, "
                        "then choose them here.",
                        email=email,
                    ),
                )
    main = users.get(main_email) if main_email else None
    return main, [users[email] for email in co_emails]


def _check_dates(details: EnrolmentDetails, end_date: date | None) -> None:
    if details.expected_end_date and details.expected_end_date < details.start_date:
        raise EnrolmentError(
            "expected_end_date", _("The expected end cannot be before the start date.")
        )
    if end_date and end_date < details.start_date:
        raise EnrolmentError("start_date", _("The start date cannot be after the end date."))


def _check_unique(person_id: int, details: EnrolmentDetails, enrolment_id: int | None) -> None:
    """Refuse a second enrolment of the same person, kind and start date (the natural key)."""
    query = db.select(Enrolment.id).where(
        Enrolment.person_id == person_id,
        Enrolment.kind == details.kind,
        Enrolment.start_date == details.start_date,
    )
    if enrolment_id is not None:
        query = query.where(Enrolment.id != enrolment_id)
    if db.session.scalar(query) is not None:
        raise EnrolmentError(
            "start_date",
            _(
                "This person already has a %(kind)s enrolment starting on this date.",
                kind=label(details.kind),
            ),
        )


def create_enrolment(
    actor: Any, *, email: str, name: str, details: EnrolmentDetails, invite: bool = True
) -> tuple[Enrolment, bool]:
    """Create an active enrolment; create the person too if the address is new.

    A person created here is e-mailed an invitation to choose a password when
    ``invite`` says so (otherwise "Forgot password?" gets them one later). Return the
    enrolment and whether the person's account was created.
    """
    email = _address(email, "email")
    main, co = _supervisors(email, details)
    _check_dates(details, None)
    person = accounts.get_user_by_email(email)
    created = person is None
    if person is None:
        if not name.strip():
            raise EnrolmentError(
                "name", _("Nobody has this e-mail address yet: give the person's name.")
            )
        person = accounts.create_user(actor, email=email, name=name, invite=invite)
    else:
        _check_unique(person.id, details, None)
    enrolment = Enrolment(
        person=person,
        programme=details.programme,
        kind=details.kind,
        status=EnrolmentStatus.ACTIVE,
        start_date=details.start_date,
        expected_end_date=details.expected_end_date,
        international_experience=details.international_experience,
        main_supervisor=main,
        co_supervisors=co,
    )
    db.session.add(enrolment)
    db.session.flush()
    record(
        "enrolment_created",
        actor,
        enrolment,
        person=person.email,
        programme=details.programme.code,
        kind=details.kind.value,
        start_date=details.start_date.isoformat(),
    )
    return enrolment, created


def _check_version(enrolment: Enrolment, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != enrolment.lock_version:
        raise EnrolmentError(
            "lock_version",
            _("Someone else changed this enrolment since you opened it. Reload and try again."),
        )


def update_enrolment(
    actor: Any, enrolment: Enrolment, details: EnrolmentDetails, *, lock_version: int | None
) -> dict[str, Any]:
    """Change the enrolment's programme, kind, dates, experience and supervisors.

    Return what changed (field → [old, new]); nothing changed means no audit entry.
    """
    _check_version(enrolment, lock_version)
    main, co = _supervisors(enrolment.person.email, details)
    _check_dates(details, enrolment.end_date)
    _check_unique(enrolment.person_id, details, enrolment.id)
    before = _describe(enrolment)
    enrolment.programme = details.programme
    enrolment.kind = details.kind
    enrolment.start_date = details.start_date
    enrolment.expected_end_date = details.expected_end_date
    enrolment.international_experience = details.international_experience
    enrolment.main_supervisor = main
    enrolment.co_supervisors = co
    after = _describe(enrolment)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        db.session.flush()
        record("enrolment_updated", actor, enrolment, changes=changes)
    return changes


def _describe(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "programme": enrolment.programme.code,
        "kind": enrolment.kind.value,
        "start_date": enrolment.start_date.isoformat(),
        "expected_end_date": enrolment.expected_end_date.isoformat()
        if enrolment.expected_end_date
        else None,
        "international_experience": enrolment.international_experience,
        "main_supervisor": enrolment.main_supervisor.email if enrolment.main_supervisor else None,
        "co_supervisors": sorted(u.email for u in enrolment.co_supervisors),
    }


def _finish(
    actor: Any,
    enrolment: Enrolment,
    status: EnrolmentStatus,
    end_date: date,
    today: date,
    lock_version: int | None,
) -> None:
    _check_version(enrolment, lock_version)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise EnrolmentError("end_date", _("Only an active enrolment can be ended."))
    if end_date < enrolment.start_date:
        raise EnrolmentError("end_date", _("The end date cannot be before the start date."))
    if end_date > today:
        raise EnrolmentError("end_date", _("The end date cannot be in the future."))
    enrolment.status = status
    enrolment.end_date = end_date
    db.session.flush()
    record(f"enrolment_{status.value}", actor, enrolment, end_date=end_date.isoformat())


def complete_enrolment(
    actor: Any, enrolment: Enrolment, end_date: date, *, today: date, lock_version: int | None
) -> None:
    """Mark the enrolment completed on ``end_date`` (disputation, or end of the position)."""
    _finish(actor, enrolment, EnrolmentStatus.COMPLETED, end_date, today, lock_version)


def withdraw_enrolment(
    actor: Any, enrolment: Enrolment, end_date: date, *, today: date, lock_version: int | None
) -> None:
    """Mark the enrolment withdrawn as of ``end_date``; it leaves every population."""
    _finish(actor, enrolment, EnrolmentStatus.WITHDRAWN, end_date, today, lock_version)


def reopen_enrolment(actor: Any, enrolment: Enrolment, *, lock_version: int | None) -> None:
    """Make a completed or withdrawn enrolment active again (to undo a mistake)."""
    _check_version(enrolment, lock_version)
    if enrolment.status == EnrolmentStatus.ACTIVE:
        raise EnrolmentError("lock_version", _("The enrolment is already active."))
    previous = enrolment.status
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.end_date = None
    db.session.flush()
    record("enrolment_reopened", actor, enrolment, previous=previous.value)
