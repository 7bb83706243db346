"""Everything the tracker holds about one person, as one document (GDPR art. 15 and 20).

The document is plain JSON (its shape is in DESIGN §9): a header, the person's
profile, then one list per kind of record. The records a person owns are listed
by the catalogue's declaration (each table's exported columns); what they did to
others' records (decisions, confirmations, supervision) and the audit entries
about them are added here. The web page, the PDF and ``flask privacy export``
all show this one document.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Enrolment,
    Faculty,
    Plan,
    PlanVersion,
    Programme,
    Stay,
    User,
    co_supervision,
)
from tracker.models.base import utcnow
from tracker.queries.audit_log import about_people
from tracker.services.audit import record
from tracker.services.privacy.catalogue import HOLDERS, Holder, People, holder
from tracker.services.privacy.identifiers import known_identifiers

FORMAT = "mobility-tracker/personal-data"
VERSION = 1

# Sections added here, beyond the tables' own rows; their titles for the page and PDF.
EXTRA_TITLES = {
    "supervision": _l("Enrolments supervised"),
    "decisions": _l("Decisions on others' plans"),
    "stay_confirmations": _l("Stays confirmed for others"),
    "audit_entries": _l("Audit log entries"),
}
# Labels of the fields this module adds (the tables' own come from the catalogue).
EXTRA_LABELS = {
    "has_password": _l("Password set"),
    "programme": _l("Programme"),
    "faculty": _l("Faculty"),
    "supervisors": _l("Supervisors"),
    "enrolment_id": _l("Enrolment"),
    "role": _l("Role"),
    "kind": _l("Position"),
    "status": _l("Status"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "stay_id": _l("Stay"),
    "confirmed_at": _l("Confirmed"),
    "actor": _l("By (name)"),
}


def json_value(value: Any) -> Any:
    """Return a column value as JSON: dates in ISO 8601, enumerations by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None  # never exported; see the catalogue's reasons
    return value


def _row(declared: Holder, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: json_value(values[name]) for name in declared.exported()}


def _rows(declared: Holder, condition: Any) -> list[dict[str, Any]]:
    table = declared.table
    query = select(table).where(condition).order_by(*(table.c[n] for n in declared.order_by))
    return [_row(declared, row) for row in db.session.execute(query).mappings()]


def build_export(user: User) -> dict[str, Any]:
    """Return the whole personal-data document of ``user``."""
    people = People.of([user])
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": utcnow().isoformat(),
    }
    for declared in HOLDERS.values():
        if declared.export_as is None or declared.owned is None:
            continue
        rows = _rows(declared, declared.owned(people))
        if declared.export_as == "person":
            document["person"] = rows[0] | {"has_password": bool(user.password_hash)}
        else:
            document[declared.export_as] = rows
    _name_units(document)
    document["supervision"] = _supervision(user)
    document["decisions"] = _decisions(user)
    document["stay_confirmations"] = _confirmations(user)
    document["audit_entries"] = _audit_entries(user)
    return document


def record_export(user: User, actor: Any, form: str) -> None:
    """Record in the audit log that someone (or the command line) exported user's data."""
    record("personal_data_exported", actor, user, format=form)


def _codes(model: type[Faculty] | type[Programme], ids: Iterable[Any]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(model.id, model.code).where(model.id.in_(wanted))).all())


def _name_units(document: dict[str, Any]) -> None:
    """Add the codes of the programmes and faculties the rows name by number."""
    scopes = document.get("coordinator_scopes", [])
    enrolments = document.get("enrolments", [])
    programmes = _codes(
        Programme,
        [s["programme_id"] for s in scopes] + [e["programme_id"] for e in enrolments],
    )
    faculties = _codes(Faculty, [s["faculty_id"] for s in scopes])
    for scope in scopes:
        scope["faculty"] = faculties.get(scope["faculty_id"])
        scope["programme"] = programmes.get(scope["programme_id"])
    supervisors = _supervisor_names([e["id"] for e in enrolments])
    for enrolment in enrolments:
        enrolment["programme"] = programmes.get(enrolment["programme_id"])
        enrolment["supervisors"] = supervisors.get(enrolment["id"], [])


def _supervisor_names(enrolment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Return each enrolment's supervisors: their numbers, names and role."""
    if not enrolment_ids:
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    main = db.session.execute(
        select(Enrolment.id, User.id, User.name)
        .join(User, User.id == Enrolment.main_supervisor_id)
        .where(Enrolment.id.in_(enrolment_ids))
    )
    co = db.session.execute(
        select(co_supervision.c.enrolment_id, User.id, User.name)
        .join(User, User.id == co_supervision.c.user_id)
        .where(co_supervision.c.enrolment_id.in_(enrolment_ids))
        .order_by(User.name)
    )
    for role, rows in (("main", main), ("co", co)):
        for enrolment_id, user_id, name in rows:
            found.setdefault(enrolment_id, []).append({"id": user_id, "name": name, "role": role})
    return found


def _supervision(user: User) -> list[dict[str, Any]]:
    """Return the enrolments the person supervises: no names, only what the role is."""
    co = select(co_supervision.c.enrolment_id).where(co_supervision.c.user_id == user.id)
    rows = db.session.execute(
        select(
            Enrolment.id,
            Enrolment.main_supervisor_id,
            Enrolment.kind,
            Enrolment.status,
            Programme.code,
            Enrolment.start_date,
            Enrolment.end_date,
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(or_(Enrolment.main_supervisor_id == user.id, Enrolment.id.in_(co)))
        .order_by(Enrolment.start_date, Enrolment.id)
    )
    return [
        {
            "enrolment_id": row.id,
            "role": "main" if row.main_supervisor_id == user.id else "co",
            "kind": json_value(row.kind),
            "status": json_value(row.status),
            "programme": row.code,
            "start_date": json_value(row.start_date),
            "end_date": json_value(row.end_date),
        }
        for row in rows
    ]


def _decisions(user: User) -> list[dict[str, Any]]:
    """Return the versions the person wrote on plans not their own (their decisions)."""
    own_plans = select(Plan.id).where(
        Plan.enrolment_id.in_(select(Enrolment.id).where(Enrolment.person_id == user.id))
    )
    declared = holder(PlanVersion.__tablename__)
    # The snapshot is the candidate's plan, not the decider's data: it is theirs to ask for.
    columns = [n for n in declared.exported() if n not in ("snapshot", "snapshot_sha256")]
    rows = db.session.execute(
        select(*(declared.table.c[n] for n in columns))
        .where(PlanVersion.actor_id == user.id, PlanVersion.plan_id.not_in(own_plans))
        .order_by(PlanVersion.id)
    ).mappings()
    return [{n: json_value(row[n]) for n in columns} for row in rows]


def _confirmations(user: User) -> list[dict[str, Any]]:
    """Return the stays of others that the person confirmed, and when."""
    rows = db.session.execute(
        select(Stay.id, Stay.enrolment_id, Stay.confirmed_at)
        .where(Stay.confirmed_by_id == user.id)
        .order_by(Stay.id)
    )
    return [
        {
            "stay_id": row.id,
            "enrolment_id": row.enrolment_id,
            "confirmed_at": json_value(row.confirmed_at),
        }
        for row in rows
    ]


def _audit_entries(user: User) -> list[dict[str, Any]]:
    """Return the audit entries about the person; network addresses only of their own acts."""
    declared = holder(AuditEntry.__tablename__)
    needles = [] if user.erased_at else known_identifiers(user).emails
    rows = db.session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(about_people([user.id], needles))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    found = []
    for entry, actor_name in rows:
        values = {name: getattr(entry, name) for name in declared.exported()}
        # Someone else's network address is theirs, not this person's.
        if entry.actor_id != user.id:
            values["ip"] = None
        found.append({name: json_value(v) for name, v in values.items()} | {"actor": actor_name})
    return found


def section_title(key: str) -> Any:
    """Return the heading of a section of the document, for the page and the PDF."""
    for declared in HOLDERS.values():
        if declared.export_as == key:
            return declared.title
    return EXTRA_TITLES.get(key, key)


def table_title(name: str) -> Any:
    """Return the heading of a table's rows (in an erasure's summary, say)."""
    declared = HOLDERS.get(name)
    return (declared.title if declared else None) or name


def column_label(key: str, name: str) -> Any:
    """Return the label of a field of a section (its name if nobody gave it one)."""
    for declared in HOLDERS.values():
        if declared.export_as == key and name in declared.rules:
            return declared.rules[name].label or name
    if key == "decisions" and name in holder(PlanVersion.__tablename__).rules:
        return holder(PlanVersion.__tablename__).rules[name].label
    if key == "audit_entries" and name in holder(AuditEntry.__tablename__).rules:
        return holder(AuditEntry.__tablename__).rules[name].label
    return EXTRA_LABELS.get(name, name)


def display_value(value: Any) -> str:
    """Return a value of the document as the page and the PDF show it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def to_json(document: Mapping[str, Any]) -> str:
    """Return the document as the JSON file people download."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_pdf(document: Mapping[str, Any], locale: str) -> bytes:
    """Return the document as a PDF in ``locale``."""
    from tracker import pdf

    with force_locale(locale):
        return pdf.render_pdf(
            "personal_data.html",
            document=document,
            sections=sections(document),
            label=column_label,
            show=display_value,
            locale=locale,
        )


def filename(user: User, extension: str) -> str:
    """Return the download name of a person's document: ``personal-data-42.json``."""
    return f"personal-data-{user.id}.{extension}"


def sections(document: Mapping[str, Any]) -> list[tuple[str, Any, list[dict[str, Any]]]]:
    """Return the document's lists as (key, title, rows), in the document's order."""
    return [
        (key, section_title(key), value)
        for key, value in document.items()
        if isinstance(value, list)
    ]
