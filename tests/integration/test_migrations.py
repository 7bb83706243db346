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
