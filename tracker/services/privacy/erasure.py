"""Erase a person (GDPR art. 17): remove what identifies them, keep what the targets count.

Rows stay where the statistics read them — the account (anonymised), enrolments,
plans and their versions, stays and activities — so that every statistics document,
for every scope, year and as-of date, is the same before and after. Each table's
personal columns get the values the catalogue declares; three steps of their own
reach what no column rule can:

* e-mails: unsent ones to the person are deleted; others that name the person
  (a supervisor's notice of their plan, say) lose their subject and text;
* reports and uploaded files waiting for confirmation that may list the person
  are deleted (they are kept a day, or an hour, anyway);
* audit entries: text in the details that names the person (any address or name
  they had) becomes "[erased]", comments on their records too, and the network
  addresses of what they, or someone not logged in, did are removed.

Services flush; the caller commits (or rolls back, for a dry run).
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import JSON, and_, bindparam, delete, func, or_, select, update

from tracker.domain.vocabulary import EnrolmentStatus, MailStatus
from tracker.extensions import db
from tracker.models import (
    Activity,
    AuditEntry,
    Enrolment,
    OutboxMessage,
    PendingUpload,
    Plan,
    Programme,
    ReportJob,
    Stay,
    User,
    co_supervision,
)
from tracker.queries.audit_log import MIN_NEEDLE, about_people, mentions
from tracker.services.audit import record
from tracker.services.importing.common import chunked
from tracker.services.privacy.catalogue import ERASED, HOLDERS, Holder, People
from tracker.services.privacy.identifiers import known_identifiers

# People per statement: keeps every IN list well under the databases' parameter limits.
BATCH = 500
# Up to this many words to look for, the database narrows the rows; past it, Python does.
FEW_NEEDLES = 20
# Detail keys whose text, on an entry about the person's own record, is about them.
FREE_TEXT_KEYS = ("comment",)


class ErasureRefused(Exception):
    """The person cannot be erased yet; ``message`` says why and what to do first."""

    def __init__(self, user: User, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.user = user
        self.reasons = reasons

    @property
    def message(self) -> str:
        """Return every reason, as one text."""
        return " ".join(self.reasons)


def active_supervisions(user: User) -> int:
    """Return how many active enrolments the user supervises (main or co-supervisor)."""
    co = select(co_supervision.c.enrolment_id).where(co_supervision.c.user_id == user.id)
    return db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            or_(Enrolment.main_supervisor_id == user.id, Enrolment.id.in_(co)),
        )
    )


def refusals(user: User, actor: Any = None) -> list[str]:
    """Return why the person cannot be erased now (empty: they can)."""
    if user.erased_at is not None:
        return [_("The personal data of this account has already been erased.")]
    reasons = []
    if actor is not None and getattr(actor, "id", None) == user.id:
        reasons.append(_("You cannot erase your own account."))
    if user.is_admin:
        reasons.append(
            _("%(name)s is an administrator: remove the administrator role first.", name=user.name)
        )
    codes = sorted(
        (scope.faculty or scope.programme).code
        for scope in user.coordinator_scopes
        if scope.faculty is not None or scope.programme is not None
    )
    if codes:
        reasons.append(
            _(
                "%(name)s coordinates %(codes)s: remove these coordinator roles first.",
                name=user.name,
                codes=", ".join(codes),
            )
        )
    supervised = active_supervisions(user)
    if supervised:
        reasons.append(
            ngettext(
                "%(name)s supervises %(num)d active enrolment: hand it over to another "
                "supervisor first.",
                "%(name)s supervises %(num)d active enrolments: hand them over to other "
                "supervisors first.",
                supervised,
                name=user.name,
            )
        )
    return reasons


def check_erasable(user: User, actor: Any = None) -> None:
    """Raise ErasureRefused if the person still holds a role (or is already erased)."""
    reasons = refusals(user, actor)
    if reasons:
        raise ErasureRefused(user, reasons)


@dataclass
class ErasureReport:
    """What an erasure changed (or, in a dry run, would change): the rows of each table."""

    people: list[int] = field(default_factory=list)
    # Row keys by table: one row met by several steps is counted once.
    touched: dict[str, set[Any]] = field(default_factory=dict)

    def add(self, table: str, keys: Iterable[Any]) -> None:
        """Note rows of a table as changed or removed."""
        keys = set(keys)
        if keys:
            self.touched.setdefault(table, set()).update(keys)

    @property
    def rows(self) -> dict[str, int]:
        """Return how many rows of each table change."""
        return {table: len(keys) for table, keys in sorted(self.touched.items())}


def erase_people(
    users: Sequence[User], actor: Any, *, reason: str, dry_run: bool = False
) -> ErasureReport:
    """Erase these people's personal data (checked first); with ``dry_run``, only count.

    ``reason`` ("request" or "retention") goes into the audit entry of each erasure.
    """
    for user in users:
        check_erasable(user, actor)
    report = ErasureReport(people=[u.id for u in users])
    if not users:
        return report
    db.session.flush()
    needles: list[str] = []
    for user in users:
        for text in known_identifiers(user).all:
            if len(text.strip()) >= MIN_NEEDLE and text not in needles:
                needles.append(text)
    apply = not dry_run
    for batch in chunked(users, BATCH):
        people = People.of(batch)
        _delete_unsent_messages(people, apply, report)
        _delete_reports(people, apply, report)
    _strip_messages_naming(needles, apply, report)
    _delete_uploads_naming(needles, apply, report)
    _scrub_audit(users, needles, apply, report)
    for batch in chunked(users, BATCH):
        people = People.of(batch)
        for declared in HOLDERS.values():
            _apply_rules(declared, people, apply, report)
    if apply:
        db.session.expire_all()
        for user in users:
            record("personal_data_erased", actor, user, reason=reason)
        db.session.flush()
    return report


def erase_person(user: User, actor: Any, *, dry_run: bool = False) -> ErasureReport:
    """Erase one person on request (the command line, or an administrator's page)."""
    return erase_people([user], actor, reason="request", dry_run=dry_run)


# --- The steps --------------------------------------------------------------------------


def _keys(table: Any, condition: Any) -> list[Any]:
    """Return the primary keys of the table's rows that meet the condition."""
    (key,) = table.primary_key.columns
    return list(db.session.scalars(select(key).where(condition)))


def _apply_rules(declared: Holder, people: People, apply: bool, report: ErasureReport) -> None:
    """Give the people's own rows of one table the values its rules declare, or delete them."""
    if declared.owned is None:
        return
    table = declared.table
    condition = declared.owned(people)
    if declared.on_erase == "delete":
        keys = _keys(table, condition)
        if apply and keys:
            db.session.execute(delete(table).where(condition))
        report.add(table.name, keys)
        return
    erasers = declared.erasers()
    if not erasers:
        return
    if not apply:
        report.add(table.name, _keys(table, condition))
        return
    (key,) = table.primary_key.columns
    rows = []
    for row in db.session.execute(select(table).where(condition)).mappings():
        values = {name: (rule(row) if callable(rule) else rule) for name, rule in erasers.items()}
        rows.append({"_key": row[key.name], **values})
    for batch in chunked(rows, BATCH):
        db.session.execute(update(table).where(key == bindparam("_key")), batch)
    report.add(table.name, (row["_key"] for row in rows))


def _own_messages(people: People) -> Any:
    """Return the catalogue's condition for the people's own e-mails."""
    return HOLDERS[OutboxMessage.__tablename__].owned(people)  # type: ignore[misc]


def _delete_unsent_messages(people: People, apply: bool, report: ErasureReport) -> None:
    """Delete the e-mails to the people that have not been sent: nobody will read them."""
    unsent = and_(_own_messages(people), OutboxMessage.status != MailStatus.SENT)
    keys = _keys(OutboxMessage.__table__, unsent)
    if apply and keys:
        db.session.execute(delete(OutboxMessage).where(unsent))
    report.add(OutboxMessage.__tablename__, keys)


def naming(query: Any, columns: Sequence[Any], needles: Sequence[str]) -> Iterator[Any]:
    """Yield the rows of ``query`` whose text ``columns`` contain a needle, ignoring case.

    With a few needles (one person), the database narrows the rows first (LIKE);
    with many (a retention run), one pass over the rows in Python is much faster
    than a LIKE per needle per row. Either way Python has the last word.
    """
    folded = [n.casefold() for n in needles if len(n.strip()) >= MIN_NEEDLE]
    if not folded:
        return
    if len(folded) <= FEW_NEEDLES:
        query = query.where(
            or_(
                *(
                    mentions(column, n, json_text=isinstance(column.type, JSON))
                    for column in columns
                    for n in needles
                    if len(n.strip()) >= MIN_NEEDLE
                )
            )
        )
    for row in db.session.execute(query.execution_options(yield_per=1000)):
        text = "\n".join(_text(getattr(row, column.key)) for column in columns).casefold()
        if any(n in text for n in folded):
            yield row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _strip_messages_naming(needles: list[str], apply: bool, report: ErasureReport) -> None:
    """Strip the subject and text of e-mails (to anyone) that name the people; drop unsent ones.

    A supervisor's notice names the candidate whose plan waits, for instance. The
    people's own e-mails are handled by the column rules afterwards, as well.
    """
    columns = (OutboxMessage.subject, OutboxMessage.body)
    query = select(OutboxMessage.id, OutboxMessage.status, *columns)
    found = list(naming(query, columns, needles))
    sent = [row.id for row in found if row.status == MailStatus.SENT]
    unsent = [row.id for row in found if row.status != MailStatus.SENT]
    if apply:
        for batch in chunked(unsent, BATCH):
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(batch)))
        for batch in chunked(sent, BATCH):
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(batch))
                .values(subject="", body="", last_error=None)
                .execution_options(synchronize_session=False)
            )
    report.add(OutboxMessage.__tablename__, (row.id for row in found))


def _delete_reports(people: People, apply: bool, report: ErasureReport) -> None:
    """Delete the finished or waiting summary PDFs whose scope may list the people."""
    units = db.session.execute(
        select(Programme.id, Programme.faculty_id)
        .join(Enrolment, Enrolment.programme_id == Programme.id)
        .where(Enrolment.person_id.in_(people.ids))
        .distinct()
    ).all()
    if not units:
        return
    programmes = {programme for programme, _ in units}
    faculties = {faculty for _, faculty in units}
    jobs = []
    # A handful of rows at most: each is removed a day after it was asked for.
    for job in db.session.scalars(select(ReportJob)):
        params = job.params if isinstance(job.params, dict) else {}
        programme, faculty = params.get("programme_id"), params.get("faculty_id")
        if (programme is None and faculty is None) or programme in programmes or (
            faculty in faculties
        ):
            jobs.append(job.id)
    _delete_ids(ReportJob, jobs, apply, report)


def _delete_uploads_naming(needles: list[str], apply: bool, report: ErasureReport) -> None:
    """Delete uploaded files waiting for confirmation that name the people."""
    lowered = [n.casefold() for n in needles]
    # At most one per coordinator, each kept an hour.
    uploads = [
        upload.id
        for upload in db.session.scalars(select(PendingUpload))
        if any(n in upload.data.decode("utf-8", "replace").casefold() for n in lowered)
    ]
    _delete_ids(PendingUpload, uploads, apply, report)


def _delete_ids(model: Any, ids: list[int], apply: bool, report: ErasureReport) -> None:
    if apply and ids:
        db.session.execute(delete(model).where(model.id.in_(ids)))
    report.add(model.__tablename__, ids)


def _own_records(ids: Sequence[int]) -> dict[str, set[int]]:
    """Return the numbers of the people's own records, by audit ``object_type``."""
    enrolments = select(Enrolment.id).where(Enrolment.person_id.in_(ids))
    queries = {
        "user": select(User.id).where(User.id.in_(ids)),
        "enrolment": enrolments,
        "plan": select(Plan.id).where(Plan.enrolment_id.in_(enrolments)),
        "stay": select(Stay.id).where(Stay.enrolment_id.in_(enrolments)),
        "activity": select(Activity.id).where(Activity.enrolment_id.in_(enrolments)),
    }
    return {kind: set(db.session.scalars(query)) for kind, query in queries.items()}


def scrub(value: Any, needles: Sequence[str], *, everything: bool = False) -> Any:
    """Return ``value`` with every text that contains a needle (or, all text) as "[erased]".

    ``needles`` are case-folded; so is the text they are looked for in.
    """
    if isinstance(value, str):
        folded = value.casefold()
        return ERASED if everything or any(n in folded for n in needles) else value
    if isinstance(value, Mapping):
        return {key: scrub(item, needles, everything=everything) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, needles, everything=everything) for item in value]
    return value


def _scrub_audit(
    users: Sequence[User], needles: list[str], apply: bool, report: ErasureReport
) -> None:
    """Scrub the details and network addresses of the audit entries about the people."""
    lowered = [n.casefold() for n in needles]
    ids = [u.id for u in users]
    own = _own_records(ids)
    changes: dict[int, dict[str, Any]] = {}

    def consider(entry: AuditEntry) -> None:
        if entry.id not in changes:
            change = _audit_change(entry, set(ids), own, lowered)
            if change:
                changes[entry.id] = change

    # Entries by them or on their records (indexed), then entries whose details name them.
    for batch in chunked(ids, BATCH):
        for entry in db.session.scalars(select(AuditEntry).where(about_people(batch))):
            consider(entry)
    for row in naming(select(AuditEntry, AuditEntry.detail), (AuditEntry.detail,), needles):
        consider(row.AuditEntry)
    if apply and changes:
        rows = [{"_key": key, **values} for key, values in changes.items()]
        for batch in chunked(rows, BATCH):
            db.session.execute(
                update(AuditEntry.__table__).where(AuditEntry.id == bindparam("_key")),
                batch,
            )
    report.add(AuditEntry.__tablename__, changes)


def _audit_change(
    entry: AuditEntry, ids: set[int], own: Mapping[str, set[int]], needles: Sequence[str]
) -> dict[str, Any]:
    """Return the columns of one audit entry that erasing the people changes."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    on_own_record = entry.object_id in own.get(entry.object_type or "", ()) or (
        entry.object_type in ("plan", "stay", "activity")
        and detail.get("enrolment_id") in own["enrolment"]
    )
    scrubbed = {
        key: scrub(value, needles, everything=on_own_record and key in FREE_TEXT_KEYS)
        for key, value in detail.items()
    }
    ip = entry.ip
    # Their own acts, and acts of someone not logged in about them (a password link asked
    # for their address, a failed log-in): the network address is most likely theirs.
    if entry.actor_id in ids or entry.actor_id is None:
        ip = None
    if scrubbed == detail and ip == entry.ip:
        return {}
    # Both columns every time: the rows go to the database in one executemany.
    change = {"detail": scrubbed, "ip": ip}
    return change


