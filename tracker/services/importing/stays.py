"""Import research stays into the enrolments of people already in the tracker."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.countries import is_country
from tracker.domain.vocabulary import EnrolmentKind, Funding, PlanEvent, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, Stay
from tracker.models.base import utcnow
from tracker.models.stay import approval_values
from tracker.services.importing.changes import RowChange, changed
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


@dataclass(slots=True)
class _StayRow:
    line: int
    email: str
    kind: EnrolmentKind | None
    host_institution: str
    country: str
    start_date: date
    end_date: date
    status: StayStatus
    funding: Funding | None  # None: not given
    enrolment_id: int = 0


class StayImporter(Importer):
    """Create or update stays by (enrolment, host_institution, start_date).

    Imported completed stays count as confirmed. A stay already completed in the
    tracker is never moved back to planned or cancelled by an import.
    """

    kind = "stays"
    columns = (
        "email",
        "kind",
        "host_institution",
        "country",
        "start_date",
        "end_date",
        "status",
        "funding",
    )
    required_columns = frozenset(
        {"email", "host_institution", "country", "start_date", "end_date", "status"}
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[_StayRow] = []
        self.new: list[_StayRow] = []
        self.changes: list[dict[str, Any]] = []
        self.changed_enrolments: set[int] = set()
        self.imported_approved: set[int] = set()
        self.email = EmailChecker()

    def parse(self, row: Row) -> None:
        """Check one stay row."""
        email = self.email(row, "email", required=True)
        kind = row.choice("kind", EnrolmentKind)
        host = row.text("host_institution", required=True, max_length=300)
        country = row.text("country", required=True).upper()
        start = row.date("start_date", required=True)
        end = row.date("end_date", required=True)
        status = row.choice("status", StayStatus, required=True)
        funding = row.choice("funding", Funding)
        if country and not is_country(country):
            row.error(
                _(
                    "Unknown country code “%(code)s”: use the two letters of ISO 3166-1, "
                    "such as DE or US.",
                    code=row.values["country"],
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
        if status == StayStatus.COMPLETED and end and end > self.today:
            row.error(
                _(
                    "A completed stay cannot end in the future (end_date %(end)s).",
                    end=end.isoformat(),
                )
            )
        if not row.ok or start is None or end is None or status is None:
            return
        self.rows.append(
            _StayRow(row.line, email, kind, host, country, start, end, status, funding)
        )

    def resolve(self) -> None:
        """Find each stay's enrolment and any existing stay; count the changes."""
        user_ids = user_ids_by_email({r.email for r in self.rows})
        latest = _latest_enrolments(user_ids.values())
        first_line: dict[tuple[int, str, date], int] = {}
        for r in self.rows:
            person_id = user_ids.get(r.email)
            enrolment = latest.get((person_id, r.kind)) if person_id is not None else None
            if self.allowed_programme_ids is not None and (
                enrolment is None or not self.in_scope(enrolment[2])
            ):
                # Someone else's candidate and nobody at all answer alike: a coordinator
                # learns nothing about people outside their programmes.
                self.error(
                    r.line,
                    _("%(email)s has no enrolment in a programme you coordinate.", email=r.email),
                )
                continue
            if person_id is None:
                self.error(r.line, _("Unknown person: there is no user %(email)s.", email=r.email))
                continue
            if enrolment is None:
                if r.kind is None:
                    message = _("%(email)s has no enrolment.", email=r.email)
                else:
                    message = _(
                        "%(email)s has no %(kind)s enrolment.", email=r.email, kind=r.kind.value
                    )
                self.error(r.line, message)
                continue
            enrolment_id, enrolment_start, _programme_id = enrolment
            if r.start_date < enrolment_start:
                self.error(
                    r.line,
                    _(
                        "The stay starts on %(start)s, before the enrolment starts "
                        "on %(enrolment_start)s.",
                        start=r.start_date.isoformat(),
                        enrolment_start=enrolment_start.isoformat(),
                    ),
                )
                continue
            key = (enrolment_id, r.host_institution, r.start_date)
            if key in first_line:
                self.error(
                    r.line,
                    _(
                        "The same stay (enrolment, host_institution and start_date) is "
                        "already on line %(first)d.",
                        first=first_line[key],
                    ),
                )
                continue
            first_line[key] = r.line
            r.enrolment_id = enrolment_id
        if self.errors:
            return
        enrolment_ids = {r.enrolment_id for r in self.rows}
        existing = _existing_stays(enrolment_ids)
        self.imported_approved = _imported_approved(enrolment_ids)
        for r in self.rows:
            current = existing.get((r.enrolment_id, r.host_institution, r.start_date))
            if current is None:
                self.created += 1
                self.new.append(r)
                self.row_changes.append(
                    RowChange(
                        r.line,
                        True,
                        f"{self._subject(r)} ({r.country}, {r.end_date.isoformat()}, "
                        f"{r.status.value})",
                    )
                )
            else:
                self._compare(r, current)

    @staticmethod
    def _subject(r: _StayRow) -> str:
        return f"{r.email}, {r.host_institution}, {r.start_date.isoformat()}"

    def _compare(self, r: _StayRow, current: Any) -> None:
        if current.status == StayStatus.COMPLETED and r.status != StayStatus.COMPLETED:
            self.unchanged += 1
            return
        changes: dict[str, Any] = {}
        if r.end_date != current.end_date:
            changes["end_date"] = r.end_date
        if r.country != current.country:
            changes["country"] = r.country
        if r.funding is not None and r.funding != current.funding:
            changes["funding"] = r.funding
        if r.status != current.status:
            changes["status"] = r.status
            if r.status == StayStatus.COMPLETED:
                changes["confirmed_at"] = None  # filled in when writing
                changes["confirmed_by_id"] = getattr(self.actor, "id", None)
        if not changes:
            self.unchanged += 1
            return
        if current.in_approved_plan and r.enrolment_id in self.imported_approved:
            # The version in force is the one moved in approved: the import speaks for it,
            # as it does for the stays it adds to that plan (see write).
            changes.update(approval_values(True, r.country, r.start_date, r.end_date))
        self.updated += 1
        self.changes.append({"id": current.id, "lock_version": current.lock_version, **changes})
        self.changed_enrolments.add(r.enrolment_id)
        fields = changed(
            (column, getattr(current, column), getattr(r, column))
            for column in ("end_date", "country", "funding", "status")
            if column in changes
        )
        self.row_changes.append(RowChange(r.line, False, self._subject(r), fields))

    def write(self) -> None:
        """Insert the new stays and update the changed ones."""
        now = utcnow()
        actor_id = getattr(self.actor, "id", None)
        if self.new:
            rows = [
                {
                    "enrolment_id": r.enrolment_id,
                    "host_institution": r.host_institution,
                    "country": r.country,
                    "start_date": r.start_date,
                    "end_date": r.end_date,
                    "status": r.status,
                    "funding": r.funding or Funding.NONE,
                    # Stays moved in with a plan that was moved in approved belong to it.
                    **approval_values(
                        r.enrolment_id in self.imported_approved
                        and r.status != StayStatus.CANCELLED,
                        r.country,
                        r.start_date,
                        r.end_date,
                    ),
                    "confirmed_at": now if r.status == StayStatus.COMPLETED else None,
                    "confirmed_by_id": actor_id if r.status == StayStatus.COMPLETED else None,
                    "lock_version": 1,
                }
                for r in self.new
            ]
            bulk_insert(Stay, rows)
        for params in self.changes:
            if "confirmed_at" in params:
                params["confirmed_at"] = now
        if self.changes:
            db.session.execute(db.update(Stay), self.changes)
        # What the import added to or corrected in a plan it moved in approved is that
        # version's: its record of the stays follows.
        touched = {r.enrolment_id for r in self.new} | self.changed_enrolments
        record_imported_approvals(touched & self.imported_approved)


def _latest_enrolments(
    person_ids: Any,
) -> dict[tuple[int, str | None], tuple[int, date, int]]:
    """Return (id, start_date, programme id) of each person's latest enrolment, per kind.

    The key is (person id, kind), with kind None for the latest of any kind.
    """
    latest: dict[tuple[int, str | None], tuple[int, date, int]] = {}
    for chunk in chunked(sorted(set(person_ids))):
        rows = db.session.execute(
            db.select(
                Enrolment.id,
                Enrolment.person_id,
                Enrolment.kind,
                Enrolment.start_date,
                Enrolment.programme_id,
            )
            .where(Enrolment.person_id.in_(chunk))
            .order_by(Enrolment.start_date, Enrolment.id)
        )
        # Ordered by start: a later enrolment overwrites an earlier one.
        for row in rows:
            found = (row.id, row.start_date, row.programme_id)
            latest[(row.person_id, row.kind)] = found
            latest[(row.person_id, None)] = found
    return latest


def _existing_stays(enrolment_ids: set[int]) -> dict[tuple[int, str, date], Any]:
    """Return the stays of these enrolments by natural key."""
    found: dict[tuple[int, str, date], Any] = {}
    for chunk in chunked(sorted(enrolment_ids)):
        rows = db.session.execute(
            db.select(
                Stay.id,
                Stay.enrolment_id,
                Stay.host_institution,
                Stay.start_date,
                Stay.end_date,
                Stay.country,
                Stay.status,
                Stay.funding,
                Stay.in_approved_plan,
                Stay.lock_version,
            ).where(Stay.enrolment_id.in_(chunk))
        )
        for row in rows:
            found[(row.enrolment_id, row.host_institution, row.start_date)] = row
    return found


def _imported_approved(enrolment_ids: set[int]) -> set[int]:
    """Return which of these enrolments have a plan that was moved in already approved."""
    found: set[int] = set()
    for chunk in chunked(sorted(enrolment_ids)):
        found.update(
            db.session.scalars(
                db.select(Plan.enrolment_id)
                .join(PlanVersion, PlanVersion.id == Plan.approved_version_id)
                .where(Plan.enrolment_id.in_(chunk), PlanVersion.event == PlanEvent.IMPORTED)
            )
        )
    return found
