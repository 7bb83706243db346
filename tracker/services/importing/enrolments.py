"""Import enrolments, creating people, supervisors and (for moving records in) plans."""

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import aliased

from tracker.domain.codes import code_key
from tracker.domain.plan_history import start_of_day
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.labels import label
from tracker.models import Activity, Enrolment, Plan, PlanVersion, Programme, Stay, User
from tracker.models.base import utcnow
from tracker.models.stay import approval_values
from tracker.services.importing.changes import NewPerson, RowChange, changed
from tracker.services.importing.common import (
    EmailChecker,
    Importer,
    Row,
    _,
    bulk_insert,
    chunked,
    record_imported_approvals,
    user_ids_by_email,
)

# Stored with the plan versions the import writes, so nobody mistakes them for a
# submission or decision made in the tracker.
IMPORT_COMMENT = "Imported from a CSV file."
# An imported plan has no narrative or justification of its own.
_IMPORTED_PLAN_TEXT = SimpleNamespace(narrative="", no_stay_justification="")


class ImportedPlanStatus(enum.StrEnum):
    """The ``plan_status`` column: a plan's state when moving existing records in."""

    NONE = "none"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"

    @staticmethod
    def label_of(member: "ImportedPlanStatus") -> str:
        """Return how the value reads: the plan status's label, "No plan yet" for none."""
        if member == ImportedPlanStatus.NONE:
            return label(None)
        return label(PlanStatus(member.value))


# The statuses the import records in the plan's history, with the time they hold from.
_DATED_STATUSES = (ImportedPlanStatus.SUBMITTED, ImportedPlanStatus.APPROVED)


@dataclass(slots=True)
class _EnrolmentRow:
    line: int
    kind: EnrolmentKind
    email: str
    programme_id: int
    start_date: date
    expected_end_date: date | None
    end_date: date | None
    status: EnrolmentStatus | None  # None: not given
    supervisor_email: str
    international_experience: bool | None  # None: not given
    plan_status: ImportedPlanStatus | None  # None: not given
    plan_status_date: date | None  # None: not given (the status holds from start_date)


class EnrolmentImporter(Importer):
    """Create or update enrolments by (email, kind, start_date).

    Empty optional cells set defaults on new enrolments and leave an existing
    enrolment's value as it is. People are matched by e-mail; a name in the file is
    used only to create a person (a new supervisor without supervisor_name is named by
    the address until they set a name). ``plan_status`` applies only to an enrolment that
    has no plan yet: once in the tracker, a plan moves through the workflow. A submitted or
    approved status holds from ``plan_status_date``, or from ``start_date`` when that is
    empty (DESIGN §4): the figures of earlier dates read it.
    """

    kind = "enrolments"
    columns = (
        "kind",
        "email",
        "name",
        "programme",
        "start_date",
        "expected_end_date",
        "end_date",
        "status",
        "supervisor_email",
        "supervisor_name",
        "international_experience",
        "plan_status",
        "plan_status_date",
    )
    required_columns = frozenset({"kind", "email", "name", "programme", "start_date"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.email = EmailChecker()
        self.rows: list[_EnrolmentRow] = []
        self.line_of_key: dict[tuple[str, str, date], int] = {}
        self.names: dict[str, str] = {}  # candidates' names, by e-mail
        self.supervisor_names: dict[str, str] = {}
        self.user_ids: dict[str, int] = {}
        self.new: list[_EnrolmentRow] = []
        self.changes: list[dict[str, Any]] = []  # bulk UPDATE parameters, by primary key
        self.new_plans: list[tuple[_EnrolmentRow, int | None]] = []  # (row, existing id)
        self.users_created = 0
        # Few enough to load up front, so an unknown programme is reported with the
        # row's other problems.
        stored = db.session.execute(db.select(Programme.code, Programme.id)).all()
        self.programmes: dict[str, int] = {code_key(code): pid for code, pid in stored}
        self.codes = {programme_id: code for code, programme_id in stored}

    def parse(self, row: Row) -> None:
        """Check one enrolment row."""
        kind = row.choice("kind", EnrolmentKind, required=True)
        email = self.email(row, "email", required=True)
        name = row.text("name", required=True)
        programme = row.text("programme", required=True, max_length=32)
        if programme and code_key(programme) not in self.programmes:
            row.error(_("Unknown programme %(code)s.", code=programme))
        start = row.date("start_date", required=True)
        expected = row.date("expected_end_date")
        end = row.date("end_date")
        status = row.choice("status", EnrolmentStatus)
        supervisor_email = self.email(row, "supervisor_email")
        supervisor_name = row.text("supervisor_name")
        experience = row.flag("international_experience")
        plan_status = row.choice("plan_status", ImportedPlanStatus)
        status_date = row.date("plan_status_date")
        # (An unknown plan_status is reported already; this would only add noise.)
        named = plan_status is not None or not row.text("plan_status")
        if status_date and named and plan_status not in _DATED_STATUSES:
            row.error(
                _(
                    "plan_status_date says from when a submitted or approved plan_status "
                    "holds; give one of those, or leave plan_status_date empty."
                )
            )
        if status_date and status_date > self.today:
            row.error(
                _(
                    "plan_status_date %(day)s is in the future: a plan status holds from a "
                    "day that has come.",
                    day=status_date.isoformat(),
                )
            )
        if start and end and end < start:
            row.error(
                _(
                    "end_date %(end)s is before start_date %(start)s.",
                    end=end.isoformat(),
                    start=start.isoformat(),
                )
            )
        if start and expected and expected < start:
            row.error(
                _(
                    "expected_end_date %(end)s is before start_date %(start)s.",
                    end=expected.isoformat(),
                    start=start.isoformat(),
                )
            )
        if email and supervisor_email == email:
            row.error(_("A person cannot be their own supervisor."))
        if not row.ok or kind is None or start is None:
            return
        key = (email, kind, start)
        if key in self.line_of_key:
            row.error(
                _(
                    "The same person, kind and start_date are already on line %(first)d.",
                    first=self.line_of_key[key],
                )
            )
            return
        self.line_of_key[key] = row.line
        self.names.setdefault(email, name)
        if supervisor_email and supervisor_name:
            self.supervisor_names.setdefault(supervisor_email, supervisor_name)
        self.rows.append(
            _EnrolmentRow(
                row.line,
                kind,
                email,
                self.programmes[code_key(programme)],
                start,
                expected,
                end,
                status,
                supervisor_email,
                experience,
                plan_status,
                status_date,
            )
        )

    def resolve(self) -> None:
        """Match people and existing enrolments; count the changes."""
        emails = set(self.names) | {r.supervisor_email for r in self.rows if r.supervisor_email}
        self.user_ids = user_ids_by_email(emails)
        existing = _existing_enrolments(self.user_ids[e] for e in self.names if e in self.user_ids)
        for r in self.rows:
            ok = True
            person_id = self.user_ids.get(r.email)
            current = existing.get((person_id, r.kind, r.start_date)) if person_id else None
            # The scope is judged on the rows as parsed and matched here, so the check and
            # the write can never read an address or a key differently.
            if not self.in_scope(r.programme_id):
                self.error(
                    r.line,
                    _("You do not coordinate programme %(code)s.", code=self.codes[r.programme_id]),
                )
                ok = False
            if current is not None and not self.in_scope(current.programme_id):
                self.error(
                    r.line,
                    _(
                        "This enrolment exists already in a programme you do not coordinate; "
                        "only its coordinators can change it."
                    ),
                )
                ok = False
            status = r.status or (current.status if current else EnrolmentStatus.ACTIVE)
            end = r.end_date or (current.end_date if current else None)
            if status == EnrolmentStatus.COMPLETED and end is None:
                self.error(r.line, _("A completed enrolment needs an end_date."))
                ok = False
            if not ok:
                continue
            if current is None:
                self.created += 1
                self.new.append(r)
                self.row_changes.append(
                    RowChange(r.line, True, f"{self._subject(r)} ({self.codes[r.programme_id]})")
                )
                if r.plan_status not in (None, ImportedPlanStatus.NONE):
                    self.new_plans.append((r, None))
            else:
                self._compare(r, current)
        wanted = list(self.names) + [r.supervisor_email for r in self.rows if r.supervisor_email]
        for email in dict.fromkeys(wanted):
            if email not in self.user_ids:
                name = self.names.get(email) or self.supervisor_names.get(email) or email
                self.new_people.append(NewPerson(email, name))

    @staticmethod
    def _subject(r: _EnrolmentRow) -> str:
        return f"{r.email}, {r.kind.value}, {r.start_date.isoformat()}"

    def _compare(self, r: _EnrolmentRow, current: Any) -> None:
        changes: dict[str, Any] = {}
        if r.programme_id != current.programme_id:
            changes["programme_id"] = r.programme_id
        if r.expected_end_date and r.expected_end_date != current.expected_end_date:
            changes["expected_end_date"] = r.expected_end_date
        if r.end_date and r.end_date != current.end_date:
            changes["end_date"] = r.end_date
        if r.status and r.status != current.status:
            changes["status"] = r.status
        if (
            r.international_experience is not None
            and r.international_experience != current.international_experience
        ):
            changes["international_experience"] = r.international_experience
        sup = r.supervisor_email
        if sup and (sup not in self.user_ids or self.user_ids[sup] != current.main_supervisor_id):
            # The id of a supervisor created by this import is known only after writing.
            changes["main_supervisor_email"] = sup
        wants_plan = r.plan_status not in (None, ImportedPlanStatus.NONE)
        if wants_plan and current.plan_id is None:
            self.new_plans.append((r, current.id))
        elif not changes:
            self.unchanged += 1
            return
        self.updated += 1
        if changes:
            self.changes.append({"id": current.id, "lock_version": current.lock_version, **changes})
        fields = changed(
            (column, old, new)
            for column, old, new, key in (
                ("programme", self.codes.get(current.programme_id), self.codes.get(r.programme_id),
                 "programme_id"),
                ("expected_end_date", current.expected_end_date, r.expected_end_date,
                 "expected_end_date"),
                ("end_date", current.end_date, r.end_date, "end_date"),
                ("status", current.status, r.status, "status"),
                ("international_experience", current.international_experience,
                 r.international_experience, "international_experience"),
                ("supervisor_email", current.supervisor_email, r.supervisor_email,
                 "main_supervisor_email"),
            )
            if key in changes
        )  # fmt: skip
        if wants_plan and current.plan_id is None:
            fields += (("plan_status", ImportedPlanStatus.NONE.value, r.plan_status.value),)
        self.row_changes.append(RowChange(r.line, False, self._subject(r), fields))

    def write(self) -> None:
        """Create the missing people, insert and update enrolments, add imported plans."""
        self._create_users()
        ids = self.user_ids
        new_ids: list[int] = []
        if self.new:
            rows = [
                {
                    "person_id": ids[r.email],
                    "programme_id": r.programme_id,
                    "kind": r.kind,
                    "status": r.status or EnrolmentStatus.ACTIVE,
                    "start_date": r.start_date,
                    "expected_end_date": r.expected_end_date,
                    "end_date": r.end_date,
                    "main_supervisor_id": ids.get(r.supervisor_email),
                    "international_experience": bool(r.international_experience),
                    "lock_version": 1,
                }
                for r in self.new
            ]
            new_ids = bulk_insert(Enrolment, rows, Enrolment.id).scalars().all()
        for params in self.changes:
            if "main_supervisor_email" in params:
                params["main_supervisor_id"] = ids[params.pop("main_supervisor_email")]
        if self.changes:
            db.session.execute(db.update(Enrolment), self.changes)
        enrolment_ids = {id(r): new_id for r, new_id in zip(self.new, new_ids, strict=True)}
        self._create_plans(
            [(r, existing or enrolment_ids[id(r)], existing) for r, existing in self.new_plans]
        )

    def _create_users(self) -> None:
        wanted = [r.email for r in self.rows]
        wanted += [r.supervisor_email for r in self.rows if r.supervisor_email]
        missing = [e for e in dict.fromkeys(wanted) if e not in self.user_ids]
        if not missing:
            return
        # No password: new people set one through an invitation / password-reset link. A
        # supervisor named by address only goes by it until they give their name (DESIGN §5).
        rows = [
            {
                "email": e,
                "name": self.names.get(e) or self.supervisor_names.get(e) or e,
                "password_hash": None,
            }
            for e in missing
        ]
        created = dict(bulk_insert(User, rows, User.email, User.id).all())
        self.user_ids.update(created)
        self.created_user_ids = list(created.values())
        self.users_created = len(missing)

    def _create_plans(self, plans: list[tuple[_EnrolmentRow, int, int | None]]) -> None:
        """Insert a plan per (row, enrolment id, existing enrolment id) with its history."""
        if not plans:
            return
        now = utcnow()
        rows = [
            {
                "enrolment_id": enrolment_id,
                "status": PlanStatus(r.plan_status),
                "submitted_at": (
                    _holds_from(r) if r.plan_status == ImportedPlanStatus.SUBMITTED else None
                ),
                "lock_version": 1,
            }
            for r, enrolment_id, _existing in plans
        ]
        plan_ids = bulk_insert(Plan, rows, Plan.id).scalars().all()
        recorded = [
            (plan_id, enrolment_id, existing, r.plan_status == ImportedPlanStatus.APPROVED, r)
            for plan_id, (r, enrolment_id, existing) in zip(plan_ids, plans, strict=True)
            if r.plan_status in _DATED_STATUSES
        ]
        if not recorded:
            return
        snapshots = _snapshots([existing for _p, _e, existing, _a, _r in recorded if existing])
        # A new enrolment has no stays or activities yet: one shared empty snapshot.
        empty = build_snapshot(_IMPORTED_PLAN_TEXT, [], [])
        snapshots[None] = (empty, snapshot_digest(empty))
        rows = [
            {
                "plan_id": plan_id,
                "number": 1,
                "event": PlanEvent.IMPORTED if approved else PlanEvent.SUBMITTED,
                "actor_id": getattr(self.actor, "id", None),
                "created_at": now,
                "effective_at": _holds_from(r),
                "comment": IMPORT_COMMENT,
                "snapshot": snapshots[existing][0],
                "snapshot_sha256": snapshots[existing][1],
            }
            for plan_id, _e, existing, approved, r in recorded
        ]
        version_ids = bulk_insert(PlanVersion, rows, PlanVersion.id).scalars().all()
        approved = [
            (plan_id, version_id, existing)
            for (plan_id, _e, existing, is_approved, _r), version_id in zip(
                recorded, version_ids, strict=True
            )
            if is_approved
        ]
        if not approved:
            return
        db.session.execute(
            db.update(Plan),
            [{"id": p, "approved_version_id": v, "lock_version": 1} for p, v, _x in approved],
        )
        # The stays and activities already recorded are part of the plan that is now approved.
        with_stays = [existing for _p, _v, existing in approved if existing]
        for chunk in chunked(with_stays):
            db.session.execute(
                db.update(Stay)
                .where(Stay.enrolment_id.in_(chunk), Stay.in_approved_plan.is_(False))
                .values(
                    **approval_values(True, Stay.country, Stay.start_date, Stay.end_date),
                    lock_version=Stay.lock_version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                db.update(Activity)
                .where(Activity.enrolment_id.in_(chunk), Activity.approved_type.is_(None))
                .values(approved_type=Activity.type, lock_version=Activity.lock_version + 1)
                .execution_options(synchronize_session=False)
            )
        record_imported_approvals(with_stays)

    def audit_detail(self) -> dict[str, Any]:
        """Return how many people and plans the import created."""
        return {"users_created": self.users_created, "plans_created": len(self.new_plans)}


def _holds_from(r: _EnrolmentRow) -> datetime:
    """Return the moment a moved-in plan status holds from (DESIGN §4): its day, or the start's."""
    return start_of_day(r.plan_status_date or r.start_date)


def _existing_enrolments(person_ids: Any) -> dict[tuple[int, str, date], Any]:
    """Return the enrolments of these people (with their plan's id and supervisor's address)."""
    found: dict[tuple[int, str, date], Any] = {}
    supervisor = aliased(User)
    for chunk in chunked(sorted(set(person_ids))):
        rows = db.session.execute(
            db.select(
                Enrolment.id,
                Enrolment.person_id,
                Enrolment.kind,
                Enrolment.start_date,
                Enrolment.programme_id,
                Enrolment.status,
                Enrolment.expected_end_date,
                Enrolment.end_date,
                Enrolment.main_supervisor_id,
                Enrolment.international_experience,
                Enrolment.lock_version,
                Plan.id.label("plan_id"),
                supervisor.email.label("supervisor_email"),
            )
            .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
            .outerjoin(supervisor, supervisor.id == Enrolment.main_supervisor_id)
            .where(Enrolment.person_id.in_(chunk))
        )
        for row in rows:
            found[(row.person_id, row.kind, row.start_date)] = row
    return found


def _snapshots(enrolment_ids: list[int]) -> dict[int | None, tuple[dict[str, Any], str]]:
    """Return the snapshot (and its hash) of the stays and activities of each enrolment."""
    stays: dict[int, list[Stay]] = defaultdict(list)
    activities: dict[int, list[Activity]] = defaultdict(list)
    for chunk in chunked(enrolment_ids):
        for stay in db.session.scalars(
            db.select(Stay).where(Stay.enrolment_id.in_(chunk)).order_by(Stay.start_date, Stay.id)
        ):
            stays[stay.enrolment_id].append(stay)
        for activity in db.session.scalars(
            db.select(Activity).where(Activity.enrolment_id.in_(chunk)).order_by(Activity.id)
        ):
            activities[activity.enrolment_id].append(activity)
    found: dict[int | None, tuple[dict[str, Any], str]] = {}
    for eid in enrolment_ids:
        snapshot = build_snapshot(_IMPORTED_PLAN_TEXT, stays[eid], activities[eid])
        found[eid] = (snapshot, snapshot_digest(snapshot))
    return found
