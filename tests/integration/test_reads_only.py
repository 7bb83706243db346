"""Views that only read (tracker.reads): on PostgreSQL without BEGIN and ROLLBACK around their
statements, never writing on that connection, and leaving the pool's connections as they were."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from config import TestConfig
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, Faculty
from tracker.reads import READING, WriteInReadingView, reads_only


@contextmanager
def sent() -> Iterator[list[tuple[str, Any, bool]]]:
    """Record each statement sent inside the block: its text, the DBAPI connection's
    autocommit (None on SQLite) and whether its connection was reading."""
    found: list[tuple[str, Any, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        autocommit = getattr(conn.connection.dbapi_connection, "autocommit", None)
        if db.engine.dialect.name == "sqlite":
            autocommit = None
        found.append((statement, autocommit, bool(conn.get_execution_options().get(READING))))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_home_page_reads_without_a_transaction(app, login, make_user, make_enrolment):
    person = make_user("candidate@example.org")
    make_enrolment(person)
    client = login(person)
    db.session.rollback()  # the test's session, which the requests share, reads no more
    with sent() as statements:
        assert client.get("/").status_code == 200
    assert statements
    postgres = db.engine.dialect.name == "postgresql"
    for statement, autocommit, reading in statements:
        assert reading, statement
        assert autocommit is (True if postgres else None), statement


def test_a_page_that_writes_is_in_a_transaction_after_one_that_only_read(
    app, login, make_user, make_enrolment
):
    person = make_user("candidate@example.org")
    enrolment = make_enrolment(person)
    client = login(person)
    assert client.get("/").status_code == 200
    with sent() as statements:
        response = client.post(f"/plans/{enrolment.id}/start")
    assert response.status_code == 302
    writes = [s for s in statements if s[0].lstrip().upper().startswith("INSERT")]
    assert writes
    for statement, autocommit, reading in statements:
        assert not reading, statement
        assert autocommit in (False, None), statement
    # Every pooled connection is back to transactions, whichever request last had it.
    with db.engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
        assert getattr(dbapi, "autocommit", False) is False


def test_a_refusal_is_recorded_from_a_page_that_only_reads(app, login, make_user, make_enrolment):
    enrolment_id = make_enrolment(make_user("candidate@example.org")).id
    client = login(make_user("stranger@example.org"))
    db.session.rollback()  # the test's session, which the requests share, reads no more
    with sent() as statements:
        assert client.get(f"/plans/{enrolment_id}").status_code == 403
    # The refusal is written after the reading ended, on a connection in a transaction.
    inserts = [s for s in statements if s[0].lstrip().upper().startswith("INSERT")]
    assert inserts and not any(reading for _s, _a, reading in inserts)
    refused = select(func.count()).where(AuditEntry.action == "access_refused")
    assert db.session.scalar(refused) == 1


@pytest.fixture()
def writing_view_app(app):
    """An app of its own (routes cannot be added to one that has answered) on the same
    database, with a view that is marked as only reading but writes."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    other = create_app(Config)

    @reads_only
    def writes_anyway():
        db.session.execute(text("UPDATE faculty SET name = 'Changed'"))
        db.session.commit()
        return "written"

    other.add_url_rule("/writes-anyway", view_func=writes_anyway)
    yield other
    with other.app_context():
        db.engine.dispose()


def test_a_view_marked_as_only_reading_cannot_write(writing_view_app):
    db.session.add(Faculty(code="IE", name="Engineering"))
    db.session.commit()
    with pytest.raises(WriteInReadingView):
        writing_view_app.test_client().get("/writes-anyway")
    db.session.expire_all()
    assert db.session.scalar(select(Faculty.name)) == "Engineering"
