"""CSV imports from the web (DESIGN §5): check a file, keep it, then import it as checked.

An upload is first imported as a dry run, which writes nothing; a valid file waits
(tracker.services.uploads) until the same user confirms it. Who may import which kind
of file, and which programmes a coordinator's rows may touch, are decided here, as is
whether the people an import creates are e-mailed an invitation. The functions flush;
the caller commits.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from tracker.domain import policy
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, Funding, StayStatus
from tracker.extensions import db
from tracker.models import User
from tracker.queries.home import scope_programme_ids
from tracker.services import accounts, importing, uploads
from tracker.services.importing.common import RowError, choice_labels, chunked
from tracker.services.importing.enrolments import ImportedPlanStatus
from tracker.services.importing.problems import Problems

# Coordinators may bring enrolments and stays in; programmes (which create faculties
# and programmes) are an administrator's business.
COORDINATOR_IMPORT_KINDS = ("enrolments", "stays")


class UploadGone(LookupError):
    """The file to confirm has expired, was imported already, or another replaced it."""


class ImportNotAllowed(PermissionError):
    """The user may no longer import this kind of file."""


def import_kinds(user: User) -> tuple[str, ...]:
    """Return the kinds of CSV file the user may import (the caller checked the area's rule)."""
    if policy.is_admin(user):
        return importing.KINDS
    return COORDINATOR_IMPORT_KINDS if policy.is_coordinator(user) else ()


def allowed_programme_ids(user: User) -> set[int] | None:
    """Return the programmes the user's rows may touch; None for every one (administrators)."""
    if policy.is_admin(user):
        return None
    return set(db.session.scalars(scope_programme_ids(user)))


def import_for(user: User, kind: str, data: Any, *, dry_run: bool) -> importing.ImportResult:
    """Import a CSV file as ``user``: rows outside the user's programmes are errors.

    The importer itself judges the scope of each row as it matches it, so a file with
    any row outside it writes nothing; every other rule and message is the
    command-line import's.
    """
    if kind not in import_kinds(user):
        refusal = RowError(1, _("Only an administrator can import %(kind)s.", kind=kind))
        return importing.ImportResult(kind, Problems([refusal]))
    return importing.import_csv(
        kind, data, dry_run=dry_run, actor=user, allowed_programme_ids=allowed_programme_ids(user)
    )


@dataclass(frozen=True)
class Preview:
    """What an import of the file would do, and the token that confirms it ("" if invalid)."""

    result: importing.ImportResult
    token: str


def preview(user: User, kind: str, data: bytes) -> Preview:
    """Check the file without writing it and keep it, if valid, for the user to confirm."""
    result = import_for(user, kind, data, dry_run=True)
    # Nothing was written; drop whatever the dry run may have left in the session.
    db.session.rollback()
    token = uploads.save_upload(data, kind, user.id) if result.ok else ""
    return Preview(result, token)


@dataclass(frozen=True)
class Confirmation:
    """What the confirmed import did, and how many people were e-mailed an invitation."""

    result: importing.ImportResult
    invited: int


def confirm(user: User, token: str, *, invite: bool) -> Confirmation:
    """Import the file kept under ``token``; with ``invite``, e-mail the people it created.

    Raise UploadGone when there is no such file for this user, ImportNotAllowed when the
    user may no longer import its kind. A file that has become invalid meanwhile (the
    database changed) writes nothing and comes back with its problems.
    """
    pending = uploads.load_upload(token, user.id)
    if pending is None:
        raise UploadGone(token)
    if pending.kind not in import_kinds(user):
        raise ImportNotAllowed(pending.kind)
    result = import_for(user, pending.kind, pending.data, dry_run=False)
    if not result.ok:
        db.session.rollback()
        return Confirmation(result, 0)
    invited = invite_people(user, result.created_user_ids) if invite else 0
    uploads.discard_upload(pending.token)
    return Confirmation(result, invited)


def invite_people(actor: User | None, user_ids: list[int]) -> int:
    """E-mail each of these accounts a link to choose a password; return how many."""
    sent = 0
    for chunk in chunked(user_ids):
        for user in db.session.scalars(db.select(User).where(User.id.in_(chunk))):
            accounts.send_password_link(user, "invite", actor=actor)
            sent += 1
    return sent


# --- Helping people write a file -----------------------------------------------------------

# One row per kind, as a coordinator would write it: the template files start from these.
EXAMPLES = {
    "programmes": {
        "code": "PHD-CS",
        "name": "PhD Programme in Computer Science",
        "faculty_code": "IE",
        "faculty_name": "Faculty of Information Technology",
    },
    "enrolments": {
        "kind": "phd",
        "email": "kari.nordmann@example.org",
        "name": "Kari Nordmann",
        "programme": "PHD-CS",
        "start_date": "2026-08-15",
        "expected_end_date": "2030-08-14",
        "end_date": "",
        "status": "active",
        "supervisor_email": "siri.veileder@example.org",
        "supervisor_name": "Siri Veileder",
        "international_experience": "no",
        "plan_status": "none",
        "plan_status_date": "",
    },
    "stays": {
        "email": "kari.nordmann@example.org",
        "kind": "phd",
        "host_institution": "Technische Universität München",
        "country": "DE",
        "start_date": "2027-03-01",
        "end_date": "2027-05-31",
        "status": "planned",
        "funding": "erasmus_plus",
    },
}


def template_csv(kind: str) -> str:
    """Return a CSV file with the kind's columns and one example row."""
    columns = importing.IMPORTERS[kind].columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([EXAMPLES[kind][column] for column in columns])
    return buffer.getvalue()


@dataclass(frozen=True)
class AllowedValues:
    """The values one column takes: each code with its label in each language."""

    column: str
    values: list[tuple[str, dict[str, str]]]


CHOICE_COLUMNS = {
    "enrolments": [
        ("kind", EnrolmentKind),
        ("status", EnrolmentStatus),
        ("plan_status", ImportedPlanStatus),
    ],
    "stays": [("kind", EnrolmentKind), ("status", StayStatus), ("funding", Funding)],
    "programmes": [],
}


def column_lists(kind: str) -> tuple[str, str]:
    """Return a kind of file's columns and its required ones, as the importer reads them."""
    importer = importing.IMPORTERS[kind]
    required = [column for column in importer.columns if column in importer.required_columns]
    return ", ".join(importer.columns), ", ".join(required)


def allowed_values(kind: str) -> list[AllowedValues]:
    """Return the columns of a kind of file that take a value from a list, with the values."""
    return [
        AllowedValues(
            column, [(member.value, labels) for member, labels in choice_labels(enum).items()]
        )
        for column, enum in CHOICE_COLUMNS[kind]
    ]
