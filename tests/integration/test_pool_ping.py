"""Pooled connections are pinged only after sitting unused, and a dead one is replaced then
(tracker.pool). On PostgreSQL the connections' server processes are ended for real; a
SQLite connection, a file, is closed under the pool's feet instead."""

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tracker import pool
from tracker.extensions import db
from tracker.models import Faculty


@pytest.fixture()
def pings(app, monkeypatch):
    """Count the pings the app's dialect sends."""
    sent: list[int] = []
    dialect = db.engine.dialect
    original = dialect.do_ping

    def counted(dbapi_connection):
        sent.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def test_a_connection_given_back_just_now_is_taken_without_a_ping(app, pings, monkeypatch):
    monkeypatch.setattr(pool, "IDLE_PING_SECONDS", 60.0)
    for _ in range(3):
        db.session.execute(select(Faculty.id)).all()
        db.session.remove()
    assert pings == []
    # Sat unused (here: any time at all counts as long): pinged before it is used.
    monkeypatch.setattr(pool, "IDLE_PING_SECONDS", 0.0)
    db.session.execute(select(Faculty.id)).all()
    db.session.remove()
    assert pings == [1]


def _kill_pooled_connections() -> int:
    """Make the pool's connections dead, as a database restart would; return how many."""
    if db.engine.dialect.name == "sqlite":
        # The pool's idle connections, each closed as if the file had gone away.
        # (A record the pool has already given up on holds no connection.)
        queued = db.engine.pool._pool.queue  # type: ignore[attr-defined]
        idle = [record.dbapi_connection for record in queued if record.dbapi_connection]
        for connection in idle:
            connection.close()
        return len(idle)
    url = db.engine.url
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        ended = admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(ended[0]) if ended else 0


def test_a_dead_connection_that_sat_unused_is_replaced_before_use(app, monkeypatch):
    db.session.execute(select(Faculty.id)).all()
    db.session.remove()
    try:
        # Taken again at once, a connection whose server process is gone fails: no ping.
        monkeypatch.setattr(pool, "IDLE_PING_SECONDS", 60.0)
        assert _kill_pooled_connections() >= 1
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT 1")).all()
        db.session.remove()
        # After the pool's connections sat unused, the dead one is found and replaced.
        db.session.execute(select(Faculty.id)).all()
        db.session.remove()
        monkeypatch.setattr(pool, "IDLE_PING_SECONDS", 0.0)
        assert _kill_pooled_connections() >= 1
        assert db.session.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.session.remove()
        db.engine.dispose()
