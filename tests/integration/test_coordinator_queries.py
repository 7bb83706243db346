"""No page's number of SQL queries grows with the number of rows (DESIGN §8)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from tracker.extensions import db
from tracker.models import Activity, Enrolment, Plan, PlanVersion, Stay, User, co_supervision
from tracker.models.stay import approval_values

PAGES = [
    "/coordinator/",
    "/coordinator/statistics.csv",
    "/coordinator/lists/candidates",
    "/coordinator/lists/candidates?sort=supervisor&dir=desc&page=2",
    "/coordinator/lists/overdue",
    "/coordinator/lists/at-risk",
    "/coordinator/lists/waiting",
    "/coordinator/lists/no-activity",
    "/coordinator/lists/no-activity?sort=activities_planned&dir=desc&page=2",
    "/coordinator/lists/unfunded-stays",
    "/coordinator/lists/unfunded-stays?sort=host&page=2",
    "/coordinator/lists/candidates/export.csv",
    "/coordinator/lists/overdue/export.csv",
    "/coordinator/lists/no-activity/export.csv",
    "/coordinator/lists/unfunded-stays/export.csv",
    "/api/v1/stats",
    "/api/v1/stats?programme=P0",
]


def populate(count: int, programme_ids: list[int], tag: str = "") -> None:
    """Insert ``count`` candidates with plans, stays and supervisors in a few statements."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}
    supervisor_id = db.session.execute(
        insert(User).returning(User.id),
        [{"email": f"boss{tag}@example.org", "name": "Boss", "session_token": "x", **stamps}],
    ).scalar_one()
    people = [
        {
            "email": f"c{tag}{i}@example.org",
            "name": f"Candidate {i:05d}",
            "session_token": "x",
            **stamps,
        }
        for i in range(count)
    ]
    person_ids = (
        db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), people)
        .scalars()
        .all()
    )
    rows = []
    for i, person_id in enumerate(person_ids):
        start = date(2020 + i % 6, 1 + i % 12, 1)
        completed = i % 5 == 0
        rows.append(
            {
                "person_id": person_id,
                "programme_id": programme_ids[i % len(programme_ids)],
                "kind": "phd" if i % 3 else "postdoc",
                "status": "completed" if completed else "active",
                "start_date": start,
                "expected_end_date": start + timedelta(days=4 * 365),
                "end_date": start + timedelta(days=3 * 365) if completed else None,
                "main_supervisor_id": supervisor_id,
                "international_experience": i % 7 == 0,
                "lock_version": 1,
                **stamps,
            }
        )
    enrolment_ids = (
        db.session.execute(
            insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    db.session.execute(
        insert(co_supervision),
        [{"enrolment_id": e, "user_id": supervisor_id} for e in enrolment_ids[::2]],
    )
    statuses = ["draft", "submitted", "changes_requested", "approved"]
    plan_ids = (
        db.session.execute(
            insert(Plan).returning(Plan.id, sort_by_parameter_order=True),
            [
                {
                    "enrolment_id": e,
                    "status": statuses[i % 4],
                    "narrative": "",
                    "no_stay_justification": "",
                    "lock_version": 1,
                    "submitted_at": now - timedelta(days=i % 40),
                    **stamps,
                }
                for i, e in enumerate(enrolment_ids)
            ],
        )
        .scalars()
        .all()
    )
    version_ids = (
        db.session.execute(
            insert(PlanVersion).returning(PlanVersion.id, sort_by_parameter_order=True),
            [
                {
                    "plan_id": p,
                    "number": 1,
                    "event": "approved",
                    "created_at": now,
                    "comment": "",
                    "snapshot": {},
                    "snapshot_sha256": "0" * 64,
                }
                for p in plan_ids[3::4]
            ],
        )
        .scalars()
        .all()
    )
    for plan_id, version_id in zip(plan_ids[3::4], version_ids, strict=True):
        db.session.execute(
            db.update(Plan).where(Plan.id == plan_id).values(approved_version_id=version_id)
        )
    stays = []
    for i, e in enumerate(enrolment_ids):
        country, start = ["DE", "NO", "US"][i % 3], date(2024, 1, 1)
        end = start + timedelta(days=20 + i % 20)
        stays.append(
            {
                "enrolment_id": e,
                "host_institution": f"Host {i}",
                "host_contact": "",
                "city": "",
                "country": country,
                "start_date": start,
                "end_date": end,
                "purpose": "research_stay",
                "funding": "none",
                "notes": "",
                "status": ["planned", "completed", "cancelled"][i % 3],
                **approval_values(i % 2 == 0, country, start, end),
                "report": "",
                "return_comment": "",
                "lock_version": 1,
                **stamps,
            }
        )
    db.session.execute(insert(Stay), stays)
    kinds = ["conference", "publication", "collaboration", "course", "co_supervision", "other"]
    db.session.execute(
        insert(Activity),
        [
            {
                "enrolment_id": e,
                "type": kinds[i % 6],
                "title": f"Activity {i}",
                "planned_term": "",
                "status": "done" if i % 4 == 0 else "planned",
                "done_on": rows[i]["start_date"] + timedelta(days=30) if i % 4 == 0 else None,
                "approved_type": kinds[i % 6] if i % 3 == 0 else None,
                "evidence": "",
                "lock_version": 1,
                **stamps,
            }
            for i, e in enumerate(enrolment_ids)
        ],
    )
    db.session.commit()


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Record every SQL statement sent to the database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _query_counts(client, count: int, programme_ids: list[int]) -> dict[str, int]:
    populate(count, programme_ids, tag=str(count))
    # One request first: the navigation caches per-session facts on its first use.
    client.get("/coordinator/")
    counts = {}
    for path in PAGES:
        with counting_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:500])
        counts[path] = len(statements)
    return counts


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_query_count_does_not_grow_with_the_rows(
    app, make_user, make_programme, login, client, role
):
    programmes = [make_programme(f"P{i}", "IE") for i in range(3)]
    user = make_user(
        "viewer@example.org",
        admin=role == "admin",
        coordinator_of=[programmes[0].faculty] if role == "coordinator" else None,
    )
    login(user)
    ids = [p.id for p in programmes]
    small = _query_counts(client, 10, ids)
    large = _query_counts(client, 990, ids)  # 1,000 candidates in all
    assert large == small
    # The dashboard reads the most: the user, the pickers' choices, whether to replay the
    # histories (tracker.queries.recorded), the statistics document (three: the
    # populations, the activities, funding and destinations) and, for a faculty or the
    # institution, the programme comparison (four: its replay check, the programmes,
    # their figures, their people on the lists).
    assert small.pop("/coordinator/") <= 13, small
    # Session and user, the coordinator's scope, the replay check, the page's own few.
    assert max(small.values()) <= 9, small
