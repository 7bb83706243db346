"""A generated institution full of personal data, for the erasure and retention tests.

Bulk INSERTs (as bench/stats_bench.py does) make thousands of enrolments in a second
or two: faculties and programmes, supervisors, coordinators, candidates (some with a
PhD and a later postdoc), plans with versions whose snapshots hold free text, stays
and activities with free text, e-mails to candidates and to supervisors naming
them, and audit entries with names, addresses and network addresses. Every person's
name and address is unique, so a search for one finds only that person.
"""

import random
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert, select

from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.extensions import db
from tracker.models import (
    Activity,
    AuditEntry,
    CoordinatorScope,
    Enrolment,
    Faculty,
    OutboxMessage,
    Plan,
    PlanVersion,
    Programme,
    Stay,
    User,
    co_supervision,
)
from tracker.models.stay import approval_values

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
COUNTRIES = ["DE", "US", "FR", "GB", "SE", "NL", "JP", "CA", "AU", "NO"]
# Host institutions name no person (the statistics keep them on erasure), in spellings
# that the destinations' normaliser takes as one.
HOSTS = ["ETH Zürich", "eth  zürich", "KTH", "Sorbonne Université", "University of Tokyo"]
ACTIVITY_TYPES = ["conference", "publication", "collaboration", "course", "co_supervision"]


def _ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one executemany and return their new ids, in order.

    Nothing else writes during the test, and ids are handed out in insertion order, so
    the highest ids are these rows' (INSERT … RETURNING in bulk is far slower on SQLite).
    """
    if not rows:
        return []
    db.session.execute(insert(model), rows)
    newest = select(model.id).order_by(model.id.desc()).limit(len(rows))
    return sorted(db.session.scalars(newest))


def name_of(i: int) -> str:
    """Return the unique name of generated candidate ``i``."""
    return f"Gencand Q{i:05d}x"


def email_of(i: int) -> str:
    """Return the unique address of generated candidate ``i``."""
    return f"gencand.q{i:05d}x@example.org"


def generate(n_people: int = 2000, seed: int = 11) -> dict[str, Any]:
    """Insert the institution and commit; return the ids of what was made, by role."""
    rng = random.Random(seed)
    stamps = {"created_at": NOW, "updated_at": NOW}
    faculties = _ids(Faculty, [{"code": f"GF{f}", "name": f"Generated faculty {f}"}
                               for f in range(3)])  # fmt: skip
    programmes = _ids(
        Programme,
        [
            {"code": f"GP{f}{p}", "name": f"Generated programme {f}.{p}", "faculty_id": fid}
            for f, fid in enumerate(faculties)
            for p in range(2)
        ],
    )
    supervisors = _ids(
        User,
        [
            {"email": f"gensup{i}@example.org", "name": f"Gensup Person {i:03d}y",
             "session_token": f"s{i}", **stamps}
            for i in range(40)
        ],
    )  # fmt: skip
    coordinators = _ids(
        User,
        [
            {"email": f"gencoord{i}@example.org", "name": f"Gencoord Person {i}z",
             "session_token": f"c{i}", **stamps}
            for i in range(3)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(CoordinatorScope),
        [{"user_id": c, "faculty_id": f} for c, f in zip(coordinators, faculties, strict=True)],
    )
    people = _ids(
        User,
        [
            {"email": email_of(i), "name": name_of(i), "session_token": f"p{i}",
             "locale": rng.choice([None, "nb", "en"]), "last_login_at": NOW, **stamps}
            for i in range(n_people)
        ],
    )  # fmt: skip

    enrolment_rows = []
    for person_id in people:
        spells = [("phd", 4)] + ([("postdoc", 2)] if rng.random() < 0.15 else [])
        start = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 365 * 14))
        for kind, years in spells:
            expected = start + timedelta(days=365 * years)
            status, end = "active", None
            if expected < TODAY and rng.random() < 0.85:
                status = "completed"
                end = min(expected + timedelta(days=rng.randrange(-60, 300)), TODAY)
            elif rng.random() < 0.08:
                status = "withdrawn"
                # Some withdrawals have no end date: retention reads the expected end then.
                end = (
                    None
                    if rng.random() < 0.3
                    else min(TODAY, start + timedelta(days=rng.randrange(30, 365 * years)))
                )
            enrolment_rows.append(
                {
                    "person_id": person_id,
                    "programme_id": rng.choice(programmes),
                    "kind": kind,
                    "status": status,
                    "start_date": start,
                    "expected_end_date": expected,
                    "end_date": end,
                    "main_supervisor_id": rng.choice(supervisors),
                    "international_experience": kind == "postdoc" and rng.random() < 0.4,
                    "lock_version": 1,
                    **stamps,
                }
            )
            start = (end or expected) + timedelta(days=rng.randrange(1, 200))
            if status == "active" or start >= TODAY:
                break
    enrolments = _ids(Enrolment, enrolment_rows)
    db.session.execute(
        insert(co_supervision),
        [
            {"enrolment_id": e, "user_id": rng.choice(supervisors)}
            for e in enrolments
            if rng.random() < 0.4
        ],
    )
    by_enrolment = dict(zip(enrolments, enrolment_rows, strict=True))
    index_of = {person_id: i for i, person_id in enumerate(people)}

    stay_rows = []
    for enrolment_id, row in by_enrolment.items():
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = row["start_date"] + timedelta(days=rng.randrange(30, 900))
            end = start + timedelta(days=rng.randrange(5, 150))
            status = rng.choices(["completed", "planned", "cancelled"], weights=[50, 35, 15])[0]
            if status == "completed" and end > TODAY:
                status = "planned"
            country = rng.choice(COUNTRIES)
            who = name_of(index_of[row["person_id"]])
            stay_rows.append(
                {
                    "enrolment_id": enrolment_id,
                    "host_institution": rng.choice(HOSTS),
                    "host_contact": f"Prof. Contact, for {who}",
                    "city": "Somewhere",
                    "country": country,
                    "start_date": start,
                    "end_date": end,
                    "purpose": "research_stay",
                    "funding": rng.choice(["none", "erasmus_plus", "host"]),
                    "notes": f"Notes by {who}",
                    "status": status,
                    **approval_values(rng.random() < 0.6, country, start, end),
                    "report": f"Report by {who}" if status == "completed" else "",
                    "return_comment": "",
                    "lock_version": 1,
                    **stamps,
                }
            )
    _ids(Stay, stay_rows)
    activity_rows = []
    for e, r in by_enrolment.items():
        for _ in range(rng.choice([0, 0, 1, 2])):
            done = rng.random() < 0.5
            kind = rng.choice(ACTIVITY_TYPES)
            activity_rows.append(
                {"enrolment_id": e, "type": kind, "planned_term": "2027 spring",
                 "title": f"Talk by {name_of(index_of[r['person_id']])}",
                 "status": "done" if done else "planned",
                 "done_on": r["start_date"] + timedelta(days=rng.randrange(0, 2000))
                 if done else None,
                 "approved_type": rng.choice([None, kind, "other"]),
                 "evidence": "", "lock_version": 1, **stamps}
            )  # fmt: skip
    _ids(Activity, activity_rows)

    plan_rows = []
    with_plan = [e for e in enrolments if rng.random() < 0.85]
    for e in with_plan:
        who = name_of(index_of[by_enrolment[e]["person_id"]])
        plan_rows.append(
            {
                "enrolment_id": e,
                "status": rng.choices(
                    ["draft", "submitted", "changes_requested", "approved"], [15, 10, 5, 70]
                )[0],
                "narrative": f"The plan of {who}",
                "no_stay_justification": "",
                "submitted_at": NOW - timedelta(days=rng.randrange(0, 400)),
                "lock_version": 1,
                **stamps,
            }
        )
    plans = _ids(Plan, plan_rows)
    stays_by_enrolment: dict[int, list[Any]] = {}
    for stay in db.session.scalars(sa.select(Stay)):
        stays_by_enrolment.setdefault(stay.enrolment_id, []).append(stay)
    version_rows, approved = [], []
    for plan_id, row in zip(plans, plan_rows, strict=True):
        if row["status"] != "approved":
            continue
        snapshot = build_snapshot(
            SimpleNamespace(narrative=row["narrative"], no_stay_justification=""),
            stays_by_enrolment.get(row["enrolment_id"], []),
            [],
        )
        version_rows.append(
            {"plan_id": plan_id, "number": 1, "event": "approved", "created_at": NOW,
             "actor_id": by_enrolment[row["enrolment_id"]]["main_supervisor_id"],
             "comment": f"Fine plan, {row['narrative'][12:]}", "snapshot": snapshot,
             "snapshot_sha256": snapshot_digest(snapshot)}
        )  # fmt: skip
        approved.append(plan_id)
    versions = _ids(PlanVersion, version_rows)
    db.session.execute(
        sa.update(Plan),
        [
            {"id": p, "approved_version_id": v, "lock_version": 1}
            for p, v in zip(approved, versions, strict=True)
        ],
    )

    mail, audit = [], []
    for i, person_id in enumerate(people):
        supervisor = rng.choice(supervisors)
        mail.append(
            {"recipient_id": person_id, "to_address": email_of(i), "subject": "Your plan",
             "body": f"Hello {name_of(i)}", "kind": "notification", "status": "sent",
             "created_at": NOW, "queued_at": NOW, "due_at": NOW, "attempts": 1, "sent_at": NOW}
        )  # fmt: skip
        mail.append(
            {"recipient_id": supervisor, "to_address": f"gensup{supervisor}@example.org",
             "subject": f"Mobility plan to decide on: {name_of(i)}",
             "body": f"{name_of(i)} has submitted a plan.", "kind": "notification",
             "status": rng.choice(["sent", "queued"]), "created_at": NOW, "queued_at": NOW,
             "due_at": NOW + timedelta(days=365), "attempts": 0}
        )  # fmt: skip
        audit.append(
            {"created_at": NOW, "actor_id": person_id, "action": "login",
             "object_type": "user", "object_id": person_id, "detail": {},
             "ip": f"10.0.{i // 250}.{i % 250}"}
        )  # fmt: skip
        audit.append(
            {"created_at": NOW, "actor_id": None, "action": "password_reset_requested",
             "object_type": None, "object_id": None, "detail": {"email": email_of(i)},
             "ip": f"10.1.{i // 250}.{i % 250}"}
        )  # fmt: skip
    _ids(OutboxMessage, mail)
    _ids(AuditEntry, audit)
    db.session.commit()
    return {
        "faculties": faculties,
        "programmes": programmes,
        "supervisors": supervisors,
        "coordinators": coordinators,
        "people": people,
        "enrolments": enrolments,
    }
