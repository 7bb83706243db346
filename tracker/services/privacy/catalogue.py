"""What the tracker holds about people, column by column: the one declaration.

Every column of every table is classified here, and the export (GDPR art. 15 and
20) and the erasure (art. 17) both read this declaration, so neither can forget a
column the other knows about. ``tests/integration/test_privacy_catalogue.py`` fails
when a table or column exists that is not classified.

- **personal**: identifies or describes a person, in their own or others' words
  (names, addresses, free text, network addresses). Exported; erasure replaces it.
- **statistical**: what the targets of DESIGN §4 count or the lists show about a
  record — kind, programme, dates, countries, statuses. Exported; always kept, so
  every statistics document is the same before and after an erasure.
- **technical**: keys, links between records, bookkeeping. Kept.

A module that adds a table with personal data (single sign-on identity links, say)
declares it with :func:`register`, and export and erasure then cover it too.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Table, or_, select

from tracker.domain.snapshot import snapshot_digest
from tracker.models import (
    Activity,
    AuditEntry,
    CoordinatorScope,
    Enrolment,
    ExternalIdentity,
    Faculty,
    OutboxMessage,
    PendingUpload,
    Plan,
    PlanVersion,
    Programme,
    ReportJob,
    SentReminder,
    Stay,
    StayApproval,
    User,
    co_supervision,
)
from tracker.models.base import utcnow
from tracker.models.user import new_session_token


class Kind(StrEnum):
    PERSONAL = "personal"
    STATISTICAL = "statistical"
    TECHNICAL = "technical"


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
ERASED = "[erased]"


@dataclass(frozen=True)
class Rule:
    """How one column is treated: its kind, what erasure makes of it, whether it is exported.

    ``erase`` is the value the column takes when its row's person is erased: a
    constant, or a function of the row as it was (a mapping of column names).
    ``reason`` says why a column is left out of the export (required then).
    """

    kind: Kind
    label: Any = None
    erase: Any = KEEP
    export: bool = True
    reason: str = ""


def personal(label: Any, erase: Any = "", *, export: bool = True, reason: str = "") -> Rule:
    """Return the rule of a column that identifies or describes a person."""
    return Rule(Kind.PERSONAL, label, erase, export, reason)


def statistical(label: Any) -> Rule:
    """Return the rule of a column that the statistics count or the lists show; always kept."""
    return Rule(Kind.STATISTICAL, label)


def technical(
    label: Any = None, *, erase: Any = KEEP, export: bool = True, reason: str = ""
) -> Rule:
    """Return the rule of a key, link or bookkeeping column."""
    return Rule(Kind.TECHNICAL, label, erase, export, reason)


BOOKKEEPING = "counts edits, to detect conflicting changes; says nothing about the person"


def _bump(row: Mapping[str, Any]) -> int:
    # An edit form opened before the erasure must meet a conflict, not overwrite it.
    return int(row["lock_version"] or 0) + 1


def erased_address(row: Mapping[str, Any]) -> str:
    """Return the address an erased account keeps: unique, and never deliverable.

    It is written as it is, past the address normaliser on purpose: ``.invalid`` is a
    special-use domain (RFC 2606) that the normaliser refuses, so nobody can log in
    with, look up, import or send a password link to this address.
    """
    return f"erased-{row['id']}@invalid"


def erased_name(row: Mapping[str, Any]) -> str:
    """Return the name an erased account keeps: the same token as its address."""
    return f"erased-{row['id']}"


def erased_recipient(row: Mapping[str, Any]) -> str:
    """Return the address an e-mail to an erased person keeps: their account's placeholder."""
    return erased_address({"id": row["recipient_id"] or 0})


# What a scrubbed snapshot keeps of each stay and activity (the rest is free text).
STAY_KEPT = (
    "id",
    "host_institution",
    "country",
    "start_date",
    "end_date",
    "purpose",
    "funding",
    "status",
)
ACTIVITY_KEPT = ("id", "type", "status", "done_on")


def scrub_snapshot(snapshot: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a plan snapshot without its free text, keeping what the plan counted."""
    scrubbed = {key: "" for key in (snapshot or {}) if key not in ("stays", "activities")}
    for section, kept in (("stays", STAY_KEPT), ("activities", ACTIVITY_KEPT)):
        if snapshot and section in snapshot:
            scrubbed[section] = [
                {key: (value if key in kept else "") for key, value in row.items()}
                for row in snapshot[section] or []
            ]
    return scrubbed


@dataclass(frozen=True)
class People:
    """The people an export or erasure is about: their ids and current addresses."""

    ids: tuple[int, ...]
    emails: tuple[str, ...] = ()

    @classmethod
    def of(cls, users: Sequence[Any]) -> "People":
        """Return the people of these users."""
        return cls(tuple(u.id for u in users), tuple(u.email for u in users))


def enrolments_of(people: People) -> Any:
    """Return a subquery of the ids of these people's own enrolments."""
    return select(Enrolment.id).where(Enrolment.person_id.in_(people.ids))


def plans_of(people: People) -> Any:
    """Return a subquery of the ids of these people's own plans."""
    return select(Plan.id).where(Plan.enrolment_id.in_(enrolments_of(people)))


@dataclass(frozen=True)
class Holder:
    """A table, how each of its columns is treated, and which of its rows are a person's own.

    ``owned`` returns a WHERE clause keeping the rows that belong to the people (None:
    no row belongs to anyone, or a step of the erasure handles the table itself).
    Erasure applies the column rules to those rows (``on_erase="update"``) or deletes
    them (``"delete"``); the export lists them under ``export_as``.
    """

    table: Table
    rules: Mapping[str, Rule]
    owned: Callable[[People], ColumnElement[bool]] | None = None
    on_erase: Literal["update", "delete"] = "update"
    export_as: str | None = None
    title: Any = None
    order_by: Sequence[str] = field(default=("id",))
    # Personal columns that a step of its own erases (one that must know whose rows are
    # whose better than ``owned`` can say) name that step here.
    erased_by: str = ""

    def exported(self) -> list[str]:
        """Return the names of the columns the export shows, in table order."""
        return [c.name for c in self.table.columns if self.rules[c.name].export]

    def erasers(self) -> dict[str, Any]:
        """Return the columns erasure changes, with their new value or function."""
        return {name: rule.erase for name, rule in self.rules.items() if rule.erase is not KEEP}


HOLDERS: dict[str, Holder] = {}


def register(holder: Holder) -> Holder:
    """Declare a table's columns to export and erasure; every table must be declared once."""
    # Whether every column is declared is checked by tests/integration/test_privacy_catalogue.py,
    # so that a new column fails the tests with its name rather than stop the app.
    name = holder.table.name
    if name in HOLDERS:
        raise ValueError(f"the table {name} is declared twice")
    HOLDERS[name] = holder
    return holder


def holder(name: str) -> Holder:
    """Return the declaration of a table."""
    return HOLDERS[name]


P, S, T = personal, statistical, technical
TIMESTAMPS = {"created_at": T(_l("Created")), "updated_at": T(_l("Last changed"))}

register(
    Holder(
        User.__table__,
        {
            "id": T(_l("Number")),
            "email": P(_l("E-mail"), erased_address),
            "name": P(_l("Name"), erased_name),
            "password_hash": P(
                _l("Password"),
                None,
                export=False,
                reason="a one-way hash, useless to the person and a risk if copied; "
                "the export says whether a password is set",
            ),
            "is_admin": T(_l("Administrator")),
            "active": T(_l("Active"), erase=False),
            "locale": P(_l("Language"), None),
            "session_token": T(
                erase=lambda row: new_session_token(),
                export=False,
                reason="a secret that ties log-in sessions to the account",
            ),
            "last_login_at": P(_l("Last log-in"), None),
            "erased_at": T(_l("Erased"), erase=lambda row: utcnow()),
            **TIMESTAMPS,
        },
        owned=lambda people: User.id.in_(people.ids),
        export_as="person",
        title=_l("Profile"),
    )
)
register(
    Holder(
        CoordinatorScope.__table__,
        {
            "id": T(_l("Number")),
            "user_id": T(_l("Person")),
            "faculty_id": T(_l("Faculty number")),
            "programme_id": T(_l("Programme number")),
        },
        owned=lambda people: CoordinatorScope.user_id.in_(people.ids),
        export_as="coordinator_scopes",
        title=_l("Coordinator of"),
    )
)
register(
    Holder(
        Faculty.__table__,
        {"id": T(_l("Number")), "code": S(_l("Code")), "name": S(_l("Name"))},
    )
)
register(
    Holder(
        Programme.__table__,
        {
            "id": T(_l("Number")),
            "code": S(_l("Code")),
            "name": S(_l("Name")),
            "faculty_id": T(_l("Faculty")),
        },
    )
)
register(
    Holder(
        Enrolment.__table__,
        {
            "id": T(_l("Number")),
            "person_id": T(_l("Person")),
            "programme_id": S(_l("Programme number")),
            "kind": S(_l("Position")),
            "status": S(_l("Status")),
            "start_date": S(_l("Start date")),
            "expected_end_date": S(_l("Expected end date")),
            "end_date": S(_l("End date")),
            "main_supervisor_id": T(_l("Main supervisor")),
            "international_experience": S(_l("International experience")),
            "lock_version": T(export=False, reason=BOOKKEEPING),
            **TIMESTAMPS,
        },
        owned=lambda people: Enrolment.person_id.in_(people.ids),
        export_as="enrolments",
        title=_l("Enrolments"),
        order_by=("start_date", "id"),
    )
)
register(
    Holder(
        co_supervision,
        {"enrolment_id": T(_l("Enrolment")), "user_id": T(_l("Co-supervisor"))},
        order_by=("enrolment_id",),
    )
)
register(
    Holder(
        Plan.__table__,
        {
            "id": T(_l("Number")),
            "enrolment_id": T(_l("Enrolment")),
            "status": S(_l("Plan status")),
            "narrative": P(_l("Narrative")),
            "no_stay_justification": P(_l("Why no stay abroad is planned")),
            "submitted_at": S(_l("Submitted")),
            "approved_version_id": S(_l("Approved version in force")),
            "lock_version": T(erase=_bump, export=False, reason=BOOKKEEPING),
            **TIMESTAMPS,
        },
        owned=lambda people: Plan.enrolment_id.in_(enrolments_of(people)),
        export_as="plans",
        title=_l("Plans"),
    )
)
register(
    Holder(
        PlanVersion.__table__,
        {
            "id": T(_l("Number")),
            "plan_id": T(_l("Plan")),
            "number": S(_l("Version")),
            "event": S(_l("Event")),
            "actor_id": T(_l("By")),
            "created_at": S(_l("When")),
            "effective_at": S(_l("Counts from")),
            "comment": P(_l("Comment")),
            "snapshot": P(_l("Content"), lambda row: scrub_snapshot(row["snapshot"])),
            # The digest of the scrubbed content, so the plan PDF still finds it intact.
            "snapshot_sha256": P(
                _l("SHA-256"), lambda row: snapshot_digest(scrub_snapshot(row["snapshot"]))
            ),
        },
        owned=lambda people: PlanVersion.plan_id.in_(plans_of(people)),
        export_as="plan_versions",
        title=_l("Plan versions and decisions"),
    )
)
register(
    Holder(
        Stay.__table__,
        {
            "id": T(_l("Number")),
            "enrolment_id": T(_l("Enrolment")),
            # An institution, not a person: the destinations statistics count it (DESIGN §9).
            "host_institution": S(_l("Host institution")),
            "host_contact": P(_l("Host contact")),
            "city": P(_l("City")),
            "country": S(_l("Country")),
            "start_date": S(_l("Start date")),
            "end_date": S(_l("End date")),
            "purpose": S(_l("Purpose")),
            "funding": S(_l("Funding")),
            "notes": P(_l("Notes")),
            "status": S(_l("Status")),
            "in_approved_plan": S(_l("In the approved plan")),
            "approved_country": S(_l("Approved country")),
            "approved_start_date": S(_l("Approved start date")),
            "approved_end_date": S(_l("Approved end date")),
            "reported_at": S(_l("Reported")),
            "reported_start_date": S(_l("Reported start date")),
            "reported_end_date": S(_l("Reported end date")),
            "report": P(_l("Report")),
            "confirmed_at": S(_l("Confirmed")),
            "confirmed_by_id": T(_l("Confirmed by")),
            "return_comment": P(_l("Comment when returned")),
            "lock_version": T(erase=_bump, export=False, reason=BOOKKEEPING),
            **TIMESTAMPS,
        },
        owned=lambda people: Stay.enrolment_id.in_(enrolments_of(people)),
        export_as="stays",
        title=_l("Stays"),
        order_by=("start_date", "id"),
    )
)
register(
    Holder(
        StayApproval.__table__,
        {
            "id": T(_l("Number")),
            "stay_id": T(_l("Stay")),
            "version_id": T(_l("Approved version")),
            "country": S(_l("Country")),
            "start_date": S(_l("Start date")),
            "end_date": S(_l("End date")),
            "valid_from": S(_l("Approved from")),
            "valid_until": S(_l("Approved until")),
        },
        owned=lambda people: StayApproval.stay_id.in_(
            select(Stay.id).where(Stay.enrolment_id.in_(enrolments_of(people)))
        ),
        export_as="stay_approvals",
        title=_l("Stays as each approved version had them"),
        order_by=("stay_id", "id"),
    )
)
register(
    Holder(
        Activity.__table__,
        {
            "id": T(_l("Number")),
            "enrolment_id": T(_l("Enrolment")),
            "type": S(_l("Type")),
            "title": P(_l("Title")),
            "planned_term": P(_l("Planned term or date")),
            "status": S(_l("Status")),
            "done_on": S(_l("Done on")),
            "evidence": P(_l("Link or DOI")),
            "approved_type": S(_l("Type in the approved plan")),
            "lock_version": T(erase=_bump, export=False, reason=BOOKKEEPING),
            **TIMESTAMPS,
        },
        owned=lambda people: Activity.enrolment_id.in_(enrolments_of(people)),
        export_as="activities",
        title=_l("Activities"),
    )
)
register(
    Holder(
        OutboxMessage.__table__,
        {
            "id": T(_l("Number")),
            "recipient_id": T(_l("Recipient")),
            "to_address": P(_l("To"), erased_recipient),
            "subject": P(_l("Subject")),
            "body": P(_l("Text")),
            "kind": T(_l("Kind")),
            "status": T(_l("Status")),
            "created_at": T(_l("Written")),
            "queued_at": T(export=False, reason="delivery bookkeeping"),
            "due_at": T(export=False, reason="delivery bookkeeping"),
            "attempts": T(_l("Attempts")),
            "claim": T(export=False, reason="delivery bookkeeping"),
            "claimed_until": T(export=False, reason="delivery bookkeeping"),
            "sent_at": T(_l("Sent")),
            # A mail server's refusal quotes the address.
            "last_error": P(_l("Last error"), None),
        },
        owned=lambda people: or_(
            OutboxMessage.recipient_id.in_(people.ids),
            OutboxMessage.to_address.in_(people.emails),
        ),
        export_as="emails",
        title=_l("E-mails received"),
        erased_by="messages to others that name the person lose their text too",
    )
)
register(
    Holder(
        AuditEntry.__table__,
        {
            "id": T(_l("Number")),
            "created_at": T(_l("When")),
            "actor_id": T(_l("By")),
            "action": T(_l("Action")),
            "object_type": T(_l("Record")),
            "object_id": T(_l("Record number")),
            # Both are scrubbed by the erasure's own audit step, which knows whose they are.
            "detail": P(_l("Details"), KEEP),
            "ip": P(_l("Network address"), KEEP),
        },
        title=_l("Audit log entries"),
        erased_by="details naming the person are scrubbed; their network addresses removed",
    )
)
register(
    Holder(
        SentReminder.__table__,
        {
            "id": T(_l("Number")),
            "user_id": T(_l("Person")),
            "kind": T(_l("Kind")),
            "day": T(_l("Day")),
        },
        owned=lambda people: SentReminder.user_id.in_(people.ids),
        export_as="reminders",
        title=_l("Reminders sent"),
        order_by=("day", "id"),
    )
)
register(
    Holder(
        ReportJob.__table__,
        {
            "id": T(_l("Number")),
            "token": T(export=False, reason="a secret part of the report's address"),
            "requester_id": T(_l("Asked for by")),
            "params": T(_l("Scope")),
            "status": T(_l("Status")),
            "total": T(_l("Candidates")),
            "done": T(export=False, reason="progress bookkeeping"),
            "created_at": T(_l("Asked for")),
            "finished_at": T(_l("Finished")),
            "expires_at": T(_l("Removed after")),
            "filename": T(_l("File")),
            "data": P(
                _l("PDF"),
                None,
                export=False,
                reason="a summary of other people, made for this person; deleted on erasure",
            ),
            "error": T(_l("Error")),
        },
        owned=lambda people: ReportJob.requester_id.in_(people.ids),
        on_erase="delete",
        export_as="reports",
        title=_l("Reports asked for"),
    )
)
register(
    Holder(
        PendingUpload.__table__,
        {
            "id": T(_l("Number")),
            "token": T(export=False, reason="a secret part of the preview's address"),
            "user_id": T(_l("Uploaded by")),
            "kind": T(_l("Kind")),
            "data": P(
                _l("File"),
                None,
                export=False,
                reason="a CSV file about other people, waiting an hour at most; deleted on "
                "erasure",
            ),
            "created_at": T(_l("Uploaded")),
        },
        owned=lambda people: PendingUpload.user_id.in_(people.ids),
        on_erase="delete",
        export_as="uploads",
        title=_l("Files waiting for confirmation"),
    )
)
register(
    Holder(
        ExternalIdentity.__table__,
        {
            "id": T(_l("Number")),
            "user_id": T(_l("Person")),
            "issuer": T(_l("Institution log-in")),
            "subject": P(_l("Account at the institution log-in"), None),
            "linked_by": T(_l("Linked by")),
            "linked_value": P(_l("Linked through"), None),
            "created_at": T(_l("Linked")),
            "last_login_at": P(_l("Last log-in"), None),
        },
        owned=lambda people: ExternalIdentity.user_id.in_(people.ids),
        # The link is the person's account elsewhere: an erased person has none here.
        on_erase="delete",
        export_as="institution_logins",
        title=_l("Institution log-ins"),
    )
)
