"""The audit log as administrators read it: who did what to which record, when, from where.

:func:`about_people` is the one definition of "the entries about a person" — by
them, on their account or their own records, or naming their address in the
details — used by the personal-data export, the erasure and the log's person
filter alike.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, literal, or_, select

from tracker.domain.dates import add_days
from tracker.extensions import db
from tracker.models import Activity, AuditEntry, Enrolment, Plan, ReportJob, Stay, User
from tracker.models.base import as_utc

# The records an entry can be about (``object_type``: the model's class name, lower case).
RECORD_TYPES = (
    "user",
    "enrolment",
    "plan",
    "stay",
    "activity",
    "faculty",
    "programme",
    "reportjob",
)
# Audit details shorter than this are not searched for: too many false matches.
MIN_NEEDLE = 3


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def mentions(column: Any, needle: str, *, json_text: bool = False) -> ColumnElement[bool]:
    """Return a condition: the text column contains ``needle``, ignoring case.

    A JSON column is searched in its stored text, where non-ASCII letters are written
    as ``\\uXXXX`` escapes; ``json_text`` searches for the needle written that way.
    Both sides pass through the database's own lower(), so they fold alike.
    """
    written = json.dumps(needle)[1:-1] if json_text else needle
    text = cast(column, Text) if json_text else column
    pattern = f"%{_like_escape(written)}%"
    return func.lower(text).like(func.lower(literal(pattern)), escape="\\")


def about_people(
    ids: Sequence[int], needles: Iterable[str] = (), *, own_records: bool = True
) -> ColumnElement[bool]:
    """Return a WHERE clause keeping the entries about these people.

    That is: entries they wrote (actor), entries on their accounts, on their own
    enrolments, plans, stays and activities (also ones deleted since: the entry
    keeps the enrolment's number) and reports, and entries whose details contain
    one of ``needles`` (their addresses, say).
    """
    ids = list(ids)
    conditions: list[ColumnElement[bool]] = [
        AuditEntry.actor_id.in_(ids),
        _on("user", ids),
    ]
    if own_records:
        enrolments = select(Enrolment.id).where(Enrolment.person_id.in_(ids))
        conditions += [
            _on("enrolment", enrolments),
            _on("plan", select(Plan.id).where(Plan.enrolment_id.in_(enrolments))),
            _on("stay", select(Stay.id).where(Stay.enrolment_id.in_(enrolments))),
            _on("activity", select(Activity.id).where(Activity.enrolment_id.in_(enrolments))),
            _on("reportjob", select(ReportJob.id).where(ReportJob.requester_id.in_(ids))),
            and_(
                AuditEntry.object_type.in_(("plan", "stay", "activity")),
                AuditEntry.detail["enrolment_id"].as_integer().in_(enrolments),
            ),
        ]
    conditions += [
        mentions(AuditEntry.detail, needle, json_text=True)
        for needle in needles
        if len(needle.strip()) >= MIN_NEEDLE
    ]
    return or_(*conditions)


def _on(object_type: str, ids: Any) -> ColumnElement[bool]:
    return and_(AuditEntry.object_type == object_type, AuditEntry.object_id.in_(ids))


@dataclass(frozen=True)
class AuditFilters:
    """What the administrator narrowed the log to; every part optional."""

    person: User | None = None
    record_type: str | None = None
    record_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def as_detail(self) -> dict[str, Any]:
        """Return the filters as plain values, for the audit entry that records the reading."""
        return {
            "person": self.person.id if self.person else None,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def select_entries(filters: AuditFilters) -> Select[Any]:
    """Return the entries the filters keep, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if filters.person is not None:
        person = filters.person
        needles = [] if person.erased_at else [person.email]
        query = query.where(about_people([person.id], needles))
    if filters.record_type:
        query = query.where(AuditEntry.object_type == filters.record_type)
    if filters.record_id is not None:
        query = query.where(AuditEntry.object_id == filters.record_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= _midnight(filters.since))
    if filters.until is not None:
        # The whole last day is included.
        query = query.where(AuditEntry.created_at < _midnight(add_days(filters.until, 1)))
    return query


def _midnight(day: date) -> datetime:
    # Entries are stored, shown and filtered in UTC, as every time in the tracker is.
    return datetime.combine(day, time.min, tzinfo=UTC)


def get_actors(entries: Iterable[AuditEntry]) -> dict[int, User]:
    """Return the users who wrote these entries, by id (one query for a page)."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def get_actions() -> list[str]:
    """Return every action the log holds, for the filter's choices."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))


def utc_time(value: datetime) -> str:
    """Return an entry's time in UTC, to the second: "2026-11-30 09:00:00"."""
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S")


def entry_detail(detail: Any) -> str:
    """Return an entry's details as compact JSON, the way the page and the CSV show them."""
    if not detail:
        return ""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


CSV_HEADER = ["id", "time_utc", "actor_id", "actor", "action", "record_type", "record_id",
              "detail", "ip"]  # fmt: skip


def csv_query(filters: AuditFilters) -> Select[Any]:
    """Return the entries the filters keep as plain rows, in the CSV's columns."""
    return (
        select_entries(filters)
        .with_only_columns(
            AuditEntry.id,
            AuditEntry.created_at,
            AuditEntry.actor_id,
            User.name,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.detail,
            AuditEntry.ip,
        )
        .outerjoin(User, User.id == AuditEntry.actor_id)
    )


def csv_rows(rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Yield the CSV export: a header, then one row per entry of ``csv_query``."""
    yield CSV_HEADER
    for row in rows:
        values = list(row)
        values[1] = utc_time(values[1])
        values[7] = entry_detail(values[7])
        yield values
