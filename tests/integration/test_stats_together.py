"""The statistics' statements sent together (tracker.queries.together): each on a connection
of its own unless the session has written; the figures are the same either way."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import create_engine, event, insert, select, text

from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.extensions import db
from tracker.models import Enrolment, Programme, User
from tracker.queries import stats, together
from tracker.queries.scope import Filters

AS_OF = date(2026, 11, 26)


@contextmanager
def threads_sending(together_in_pool: int = 0) -> Iterator[list[int]]:
    """Record which thread sent each SQL statement inside the block.

    With ``together_in_pool``, the statements sent by the pool's threads wait until that
    many are under way at once (or fail after 10 s): one thread of the pool cannot have
    sent two of them one after the other, however quick the first was.
    """
    senders: list[int] = []
    all_under_way = threading.Barrier(together_in_pool) if together_in_pool else None

    def record(conn, cursor, statement, parameters, context, executemany):
        senders.append(threading.get_ident())
        if all_under_way and threading.current_thread().name.startswith("tracker-sql"):
            all_under_way.wait(timeout=10)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield senders
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _document(app, connections: int) -> dict:
    app.config["QUERY_CONNECTIONS"] = connections
    try:
        return stats.build_statistics(AS_OF, Filters(), stats.current_settings())
    finally:
        app.config["QUERY_CONNECTIONS"] = 3


def test_the_figures_are_the_same_sent_together_or_one_after_another(app, people):
    db.session.commit()
    # The session's thread sends the first statement; the pool's two, the others at once.
    with threads_sending(together_in_pool=2) as apart:
        together_document = _document(app, 3)
    with threads_sending() as alone:
        one_by_one = _document(app, 1)
    assert together_document == one_by_one
    assert together_document["phd"]["by_admission_year"]
    # One thread sends everything when told to.
    assert len(set(alone)) == 1
    assert len(set(apart)) == 3
    assert together.reads_apart()


def test_what_the_session_has_written_and_not_committed_is_counted(app, people):
    db.session.commit()
    before = _document(app, 3)
    person = User(email="late@example.org", name="Late Starter")
    db.session.add(person)
    db.session.flush()
    # A write the ORM does not track, and one it does: both keep the reads on the session.
    db.session.execute(
        insert(Enrolment).values(
            person_id=person.id,
            programme_id=people.id,
            kind=EnrolmentKind.PHD,
            status=EnrolmentStatus.ACTIVE,
            start_date=date(2023, 9, 1),
            expected_end_date=date(2027, 9, 1),
            international_experience=False,
            lock_version=1,
        )
    )
    assert not together.reads_apart()
    with threads_sending() as senders:
        after = _document(app, 3)
    assert len(set(senders)) == 1

    def admitted(document: dict) -> int:
        return sum(g["n"] for g in document["phd"]["by_admission_year"] if g["year"] == 2023)

    assert admitted(after) == admitted(before) + 1
    db.session.rollback()
    # The transaction is over: nothing written is pending any more.
    assert together.reads_apart()
    assert _document(app, 3) == before


def test_a_raw_write_keeps_the_reads_on_the_session_until_it_is_committed(app, people):
    db.session.execute(text("UPDATE programme SET name = 'Renamed' WHERE code = 'P1'"))
    assert not together.reads_apart()
    db.session.commit()
    assert together.reads_apart()
    assert db.session.scalar(select(Programme.name).where(Programme.code == "P1")) == "Renamed"


@pytest.mark.parametrize(
    ("url", "apart"),
    [
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///{tmp}/file.sqlite", True),
    ],
)
def test_an_sqlite_database_in_memory_is_read_on_one_connection(tmp_path, url, apart):
    # Each thread's connection to a database in memory is a database of its own.
    engine = create_engine(url.format(tmp=tmp_path))
    try:
        assert together.one_database(engine) is apart
    finally:
        engine.dispose()
