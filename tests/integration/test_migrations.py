"""The migrations build the whole schema from empty, and it matches the models."""

import logging

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

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
