"""The migrations build the whole schema from empty, and it matches the models."""

import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from tracker import PROJECT_ROOT
from tracker.extensions import db


def test_migrated_schema_matches_the_models(app):
    # The session's schema was built by `flask db upgrade` from an empty database
    # (tests/conftest.py), on SQLite or PostgreSQL as configured.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_is_at_the_single_head(app):
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert len(heads) == 1
    assert current == heads[0]


def test_stored_addresses_are_normalised_and_clashes_reported(app, make_user, capsys):
    from flask_migrate import downgrade, upgrade

    from tracker.models import User

    plain = make_user("plain@example.org")
    upper = make_user("upper@example.org")
    twin = make_user("twin@example.org")
    other_twin = make_user("twin2@example.org")
    # Rows as the older code could leave them, written behind the models' back.
    db.session.execute(
        db.update(User),
        [
            {"id": upper.id, "email": "upper@example\u3002org"},
            {"id": other_twin.id, "email": "ｔｗｉｎ@example.org"},
        ],
    )
    db.session.commit()
    db.engine.dispose()
    # Alembic's env.py points the root logger at this test's captured stderr: put it back.
    handlers = logging.root.handlers[:]
    try:
        downgrade(revision="db461e7b352b")
        upgrade()  # logs through alembic.ini's configuration, to standard error
    finally:
        logging.root.handlers[:] = handlers
    report = capsys.readouterr().err
    db.session.expire_all()
    emails = dict(db.session.execute(db.select(User.id, User.email)).all())
    assert emails[plain.id] == "plain@example.org"
    assert emails[upper.id] == "upper@example.org"
    # Two accounts would share one address: neither is touched, both are named.
    assert emails[twin.id] == "twin@example.org"
    assert emails[other_twin.id] == "ｔｗｉｎ@example.org"
    assert "would share one address" in report and "ｔｗｉｎ@example.org" in report


def test_allowing_withdrawals_keeps_every_plan_pointing_at_its_approved_version(
    app, make_enrolment
):
    """Migration 0010 rebuilds the version table on SQLite; no plan loses its approved version."""
    from flask_migrate import downgrade, upgrade

    from tracker.domain.vocabulary import PlanEvent, PlanStatus
    from tracker.models import Plan, PlanVersion

    plan = Plan(enrolment=make_enrolment(), status=PlanStatus.APPROVED)
    version = PlanVersion(
        plan=plan, number=1, event=PlanEvent.APPROVED, snapshot={}, snapshot_sha256="0" * 64
    )
    db.session.add_all([plan, version])
    db.session.flush()
    plan.approved_version_id = version.id
    db.session.commit()
    plan_id, version_id = plan.id, version.id
    db.session.remove()
    db.engine.dispose()
    handlers = logging.root.handlers[:]
    try:
        downgrade(revision="ae60ec746c99")
        upgrade()
    finally:
        logging.root.handlers[:] = handlers
    assert db.session.get(Plan, plan_id).approved_version_id == version_id
    db.session.add(
        PlanVersion(plan_id=plan_id, number=1, event=PlanEvent.WITHDRAWN, snapshot={},
                    snapshot_sha256="0" * 64)  # fmt: skip
    )
    db.session.commit()


def test_done_activities_get_a_date_and_approved_ones_their_type(app, make_enrolment):
    """Migration 0011 dates activities already done and reads approved types from the version."""
    from datetime import UTC, date, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tracker.domain.vocabulary import ActivityStatus, ActivityType, PlanEvent, PlanStatus
    from tracker.models import Activity, Plan, PlanVersion

    enrolment = make_enrolment()
    done = Activity(enrolment=enrolment, type=ActivityType.CONFERENCE, title="Talk",
                    status=ActivityStatus.DONE, done_on=date(2025, 1, 1))  # fmt: skip
    planned = Activity(enrolment=enrolment, type=ActivityType.COURSE, title="School")
    added = Activity(enrolment=enrolment, type=ActivityType.OTHER, title="Since")
    plan = Plan(enrolment=enrolment, status=PlanStatus.DRAFT)
    db.session.add_all([done, planned, added, plan])
    db.session.flush()
    # The approved version knew the first two; the course was a publication then.
    snapshot = {"activities": [{"id": str(done.id), "type": "conference"},
                               {"id": str(planned.id), "type": "publication"}]}  # fmt: skip
    version = PlanVersion(plan=plan, number=1, event=PlanEvent.APPROVED, snapshot=snapshot,
                          snapshot_sha256="0" * 64)  # fmt: skip
    db.session.add(version)
    db.session.flush()
    plan.approved_version_id = version.id
    db.session.commit()
    ids = (done.id, planned.id, added.id)
    db.session.remove()
    db.engine.dispose()
    handlers = logging.root.handlers[:]
    try:
        downgrade(revision="3f7a2c91d5e8")
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE activity SET updated_at = :moment WHERE id = :id"),
                {"moment": datetime(2024, 5, 6, 23, 30, tzinfo=UTC), "id": ids[0]},
            )
        db.engine.dispose()
        upgrade()
    finally:
        logging.root.handlers[:] = handlers
    found = {a.id: a for a in db.session.scalars(db.select(Activity))}
    assert (found[ids[0]].done_on, found[ids[0]].approved_type) == (date(2024, 5, 6), "conference")
    assert (found[ids[1]].done_on, found[ids[1]].approved_type) == (None, "publication")
    assert (found[ids[2]].done_on, found[ids[2]].approved_type) == (None, None)
    # The rule holds in the database: done needs its date, and only done has one.
    for statement in (
        "UPDATE activity SET done_on = NULL WHERE status = 'done'",
        "UPDATE activity SET done_on = '2025-01-01' WHERE status = 'planned'",
        "UPDATE activity SET done_on = '2101-01-01' WHERE status = 'done'",
        "UPDATE activity SET done_on = '1949-12-31' WHERE status = 'done'",
        "UPDATE activity SET approved_type = 'nonsense'",
    ):
        with pytest.raises(IntegrityError):
            with db.engine.begin() as connection:
                connection.execute(text(statement))


def test_staff_and_plan_history_keep_every_row_and_fill_the_history(
    app, make_user, make_enrolment, make_stay, capsys
):
    """Migration 0011 rebuilds enrolment and plan_version on SQLite: nothing cascades away.

    Effective times come from when each entry was made, or for an imported status from the
    enrolment's start; each approved version's stays are filled in from its snapshot, the
    version in force from the stays' approved values.
    """
    from datetime import UTC, date, datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from tracker.domain.plan_history import start_of_day
    from tracker.domain.vocabulary import EnrolmentKind, PlanEvent, PlanStatus
    from tracker.models import Activity, Enrolment, Plan, PlanVersion, Stay, StayApproval
    from tracker.models.base import as_utc
    from tracker.services.importing.enrolments import IMPORT_COMMENT

    def at(day: int) -> datetime:
        return datetime(2025, 3, day, 10, tzinfo=UTC)

    co = make_user("co@example.org")
    revised = make_enrolment(start_date=date(2024, 1, 15), co_supervisors=[co])
    stay = make_stay(revised, country="DE", start_date=date(2025, 6, 1), end_date=date(2025, 8, 31))
    revised.activities.append(Activity(type="conference", title="ICSE", planned_term=""))
    plan = Plan(enrolment=revised, status=PlanStatus.APPROVED)
    db.session.add(plan)
    first_rows = [{"id": str(stay.id), "country": "DE", "start_date": "2025-06-01",
                   "end_date": "2025-08-31"}]  # fmt: skip
    second_rows = [dict(first_rows[0], country="NO", end_date="2025-07-31")]
    history = [
        (1, PlanEvent.SUBMITTED, 1, first_rows),
        (1, PlanEvent.APPROVED, 2, first_rows),
        (1, PlanEvent.REVISION_STARTED, 3, first_rows),
        (2, PlanEvent.SUBMITTED, 4, second_rows),
        (2, PlanEvent.APPROVED, 5, second_rows),
    ]
    versions = [
        PlanVersion(plan=plan, number=n, event=e, created_at=at(d), snapshot={"stays": rows},
                    snapshot_sha256="0" * 64)
        for n, e, d, rows in history
    ]  # fmt: skip
    db.session.add_all([plan, *versions])
    db.session.flush()
    plan.approved_version = versions[-1]
    stay.country, stay.end_date = "NO", date(2025, 7, 31)
    stay.mark_approved()

    moved_in = make_enrolment(start_date=date(2023, 9, 1))
    moved_stay = make_stay(
        moved_in, country="US", start_date=date(2024, 3, 1), end_date=date(2024, 5, 31)
    )
    waiting_in = make_enrolment(start_date=date(2022, 9, 1))
    imported = Plan(enrolment=moved_in, status=PlanStatus.APPROVED)
    waiting = Plan(enrolment=waiting_in, status=PlanStatus.SUBMITTED, submitted_at=at(20))
    db.session.add_all([imported, waiting])
    imported_version, waiting_version = (
        PlanVersion(plan=p, number=1, event=e, created_at=at(20), comment=IMPORT_COMMENT,
                    snapshot={"stays": []}, snapshot_sha256="0" * 64)
        for p, e in ((imported, PlanEvent.IMPORTED), (waiting, PlanEvent.SUBMITTED))
    )  # fmt: skip
    db.session.add_all([imported_version, waiting_version])
    db.session.flush()
    imported.approved_version = imported_version
    moved_stay.mark_approved()
    db.session.commit()
    ids = {
        "plan": plan.id, "versions": [v.id for v in versions], "stay": stay.id,
        "imported": imported.id, "moved_stay": moved_stay.id, "waiting": waiting.id,
    }  # fmt: skip
    tables = ("enrolment", "plan", "plan_version", "stay", "activity", "co_supervision")

    def counts() -> dict[str, int]:
        return {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}  # noqa: S608

    before = counts()
    db.session.remove()
    db.engine.dispose()
    handlers = logging.root.handlers[:]
    try:
        downgrade(revision="8d2b6f0c4e17")
        upgrade()
    finally:
        logging.root.handlers[:] = handlers

    assert counts() == before
    plan = db.session.get(Plan, ids["plan"])
    assert plan.approved_version_id == ids["versions"][-1]
    assert [as_utc(v.effective_at) for v in plan.versions] == [at(d) for *_x, d, _r in history]
    imported = db.session.get(Plan, ids["imported"])
    assert imported.approved_version_id is not None
    assert as_utc(imported.approved_version.effective_at) == start_of_day(date(2023, 9, 1))
    waiting = db.session.get(Plan, ids["waiting"])
    assert as_utc(waiting.versions[0].effective_at) == start_of_day(date(2022, 9, 1))
    assert as_utc(waiting.submitted_at) == start_of_day(date(2022, 9, 1))

    records = db.session.execute(
        db.select(StayApproval.stay_id, StayApproval.country, StayApproval.end_date,
                  StayApproval.valid_from, StayApproval.valid_until)
        .order_by(StayApproval.stay_id, StayApproval.valid_from)
    ).all()  # fmt: skip
    assert [
        (s, c, e, as_utc(f), as_utc(u) if u else None) for s, c, e, f, u in records
    ] == [
        (ids["stay"], "DE", date(2025, 8, 31), at(2), at(5)),
        (ids["stay"], "NO", date(2025, 7, 31), at(5), None),
        (ids["moved_stay"], "US", date(2024, 5, 31), start_of_day(date(2023, 9, 1)), None),
    ]  # fmt: skip

    # The kind "staff" is allowed now; the older schema cannot hold it.
    staff_id = make_enrolment(kind=EnrolmentKind.STAFF, start_date=date(2023, 8, 1)).id
    db.session.remove()
    db.engine.dispose()
    handlers = logging.root.handlers[:]
    try:
        with pytest.raises(SystemExit):
            downgrade(revision="8d2b6f0c4e17")
    finally:
        logging.root.handlers[:] = handlers
    assert "1 enrolments are of kind staff" in capsys.readouterr().err
    assert db.session.get(Enrolment, staff_id).kind == EnrolmentKind.STAFF
    assert counts()["stay"] == before["stay"]
    assert db.session.get(Stay, ids["stay"]).approved_country == "NO"
    # Later revisions were undone before the refusal: back to the head for the other tests.
    db.session.remove()
    handlers = logging.root.handlers[:]
    try:
        upgrade()
    finally:
        logging.root.handlers[:] = handlers
