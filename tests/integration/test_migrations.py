"""The migrations build the whole schema from empty, and it matches the models."""

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
