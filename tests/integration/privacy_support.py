"""What the personal-data tests compare: statistics everywhere, kept columns, text left over."""

import json
from datetime import date
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, case, select

from tracker.domain.targets import TargetSettings
from tracker.extensions import db
from tracker.models import Enrolment, Faculty, Programme
from tracker.queries.scope import Filters
from tracker.queries.stats import EnrolmentFacts, build_statistics
from tracker.services.privacy.catalogue import HOLDERS

SETTINGS = TargetSettings()
# As-of dates of the documents: before most data, mid-way, the hand-made data set's day,
# the generated one's, and after everything.
DOCUMENT_DAYS = (
    date(2016, 12, 31),
    date(2021, 6, 30),
    date(2026, 6, 30),
    date(2026, 11, 30),
    date(2031, 1, 1),
)
# Every other year over the data's whole span, for the facts of every enrolment.
FACT_DAYS = tuple(date(year, 7, 1) for year in range(2012, 2032, 2))


def scopes() -> list[Filters]:
    """Return every scope a document can have: the institution, each faculty, each programme."""
    faculties = db.session.scalars(select(Faculty).order_by(Faculty.code))
    programmes = db.session.scalars(select(Programme).order_by(Programme.code))
    return (
        [Filters()]
        + [Filters(faculty=f) for f in faculties]
        + [Filters(programme=p) for p in programmes]
    )


def documents(days: tuple[date, ...] = DOCUMENT_DAYS) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the statistics document of every scope at each day."""
    found = {}
    for filters in scopes():
        key = json.dumps(filters.as_document(), sort_keys=True)
        for day in days:
            found[(key, day.isoformat())] = build_statistics(day, filters, SETTINGS)
    return found


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def enrolment_facts(days: tuple[date, ...] = FACT_DAYS) -> dict[str, list[tuple]]:
    """Return what DESIGN §4 says about every enrolment on each day (every document's input)."""
    found = {}
    for day in days:
        facts = EnrolmentFacts(day, SETTINGS)
        query = facts.join(
            select(
                Enrolment.id,
                Enrolment.programme_id,
                Enrolment.kind,
                Enrolment.start_date,
                Enrolment.end_date,
                Enrolment.international_experience,
                _flag(facts.started),
                _flag(facts.completed),
                _flag(facts.withdrawn),
                _flag(facts.achieved),
                _flag(facts.projected),
                _flag(facts.approved),
                _flag(facts.overdue),
            ).select_from(Enrolment)
        ).order_by(Enrolment.id)
        found[day.isoformat()] = [tuple(row) for row in db.session.execute(query)]
    return found


def statistics() -> tuple[dict, dict]:
    """Return every document and every enrolment's facts, for comparing before and after."""
    return documents(), enrolment_facts()


def kept_values() -> dict[str, list[tuple]]:
    """Return, table by table, every row's columns that erasure must leave alone.

    Tables whose rows erasure deletes or scrubs in steps of its own (e-mails, audit
    entries, reports, uploads) are left out; the tests check those separately.
    """
    found = {}
    for name, declared in HOLDERS.items():
        if declared.on_erase == "delete" or declared.erased_by:
            continue
        # updated_at is set by every UPDATE: when the row changed, not what it says.
        erased = {*declared.erasers(), "updated_at"}
        columns = [c for c in declared.table.columns if c.name not in erased]
        query = select(*columns).order_by(*declared.table.primary_key.columns)
        found[name] = [tuple(row) for row in db.session.execute(query)]
    return found


TEXT_TYPES = (String, Text, JSON, LargeBinary)


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def text_left(needles: list[str]) -> list[tuple[str, str, str]]:
    """Return (table, column, needle) for every text value in the database holding a needle."""
    folded = [n.casefold() for n in needles]
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, TEXT_TYPES)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = _as_text(value).casefold()
                found += [(table.name, column.name, n) for n in folded if n in text]
    return found
