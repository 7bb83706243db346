"""Statements a page needs at once, sent at once, each on a connection of its own.

The statistics document is a few grouped statements that do not depend on one another
(the populations, the activities, funding and destinations). PostgreSQL runs each
connection's statement in a process of its own, and SQLite's driver lets go of Python's
lock while SQLite works, so sent at once on their own connections they take about as
long as the longest — on two cores about half their sum — instead of the sum. Each
reads what is committed when it starts, as it would on the session's connection one
after another (PostgreSQL's READ COMMITTED: every statement its own snapshot; SQLite
reads outside a transaction, or inside one that holds the write lock, which nobody
else can commit past), so the figures are the same.

Not when the session has written in its open transaction: other connections would not
see that, so then the statements go over the session one after another. Every
connection notes its writes as it sends them, until its transaction ends. Nor when the
engine's connections are not each their own way into one database (an SQLite database
in memory is a database per connection). ``TRACKER_QUERY_CONNECTIONS`` caps how many
connections one request reads on (1: always one after another).
"""

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import current_app
from sqlalchemy import Engine, NullPool, Pool, QueuePool, Row, event
from sqlalchemy.sql import Executable

from tracker.extensions import db
from tracker.reads import is_write, reading_options

_lock = threading.Lock()
# One pool of threads per process, made on first use: threads do not survive a fork, so
# a pool made before gunicorn forks its workers would wait for threads that are gone.
_pool: tuple[int, int, ThreadPoolExecutor] | None = None


def _threads(size: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] != size:
            _pool = (os.getpid(), size, ThreadPoolExecutor(size, thread_name_prefix="tracker-sql"))
        return _pool[2]


# The connection's open transaction has written (Connection.info, kept by its pool record).
_WROTE = "tracker_wrote"


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if not connection.info.get(_WROTE) and is_write(context, statement):
        connection.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(connection: Any) -> None:
    # An invalidated connection (the database went away) has no record left to clear.
    if not connection.invalidated:
        connection.info.pop(_WROTE, None)


@event.listens_for(Pool, "reset")
def _connection_returned(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    # The pool rolls back what a returned connection left open, past the events above.
    if record is not None:
        record.info.pop(_WROTE, None)


def _fetch(engine: Engine, statement: Executable) -> list[Row[Any]]:
    with engine.connect() as connection:
        connection.execution_options(**reading_options(connection.dialect.name))
        return list(connection.execute(statement).all())


def one_database(engine: Engine) -> bool:
    """Return whether the engine's pool gives each thread its own connection to one database.

    Not an SQLite database in memory: its pool keeps a connection, and so a database, per
    thread, or shares one connection between threads.
    """
    return isinstance(engine.pool, QueuePool | NullPool)


def reads_apart() -> bool:
    """Return whether statements sent now on other connections read what the session would.

    Unless the session's open transaction has written (or the engine has one database
    per connection).
    """
    if current_app.config["QUERY_CONNECTIONS"] < 2:
        return False
    if not one_database(db.engine):
        return False
    return not db.session.connection().info.get(_WROTE)


def fetch_all(statements: Sequence[Executable]) -> list[list[Row[Any]]]:
    """Return the rows of each statement, in order; sent at once where that reads the same.

    The first goes over the session's connection; the others, when :func:`reads_apart`,
    each over a connection of its own from the engine's pool, at most
    ``QUERY_CONNECTIONS`` at once. The rows are plain rows, read without the ORM (which
    costs more per row than a statistics row is worth).
    """
    # As the session's own execute() would: what it holds unflushed is read too.
    if db.session.autoflush:
        db.session.flush()
    if len(statements) < 2 or not reads_apart():
        connection = db.session.connection()
        return [list(connection.execute(statement).all()) for statement in statements]
    engine = db.engine
    pool = _threads(current_app.config["QUERY_CONNECTIONS"] - 1)
    futures: list[Future[list[Row[Any]]]] = [
        pool.submit(_fetch, engine, statement) for statement in statements[1:]
    ]
    try:
        first = list(db.session.connection().execute(statements[0]).all())
        return [first, *(future.result() for future in futures)]
    finally:
        # Whatever happened here, each is waited for until its connection is back.
        for future in futures:
            if not future.cancel():
                future.exception()
