"""Views that only read: on PostgreSQL their statements are sent without a transaction.

A view marked :func:`reads_only` (the home page, the dashboard, the lists, a plan as it
is shown) answers a GET from statements that each read what is committed when they
start. Inside a transaction they would read the same (PostgreSQL's READ COMMITTED gives
every statement its own snapshot), but the BEGIN and ROLLBACK around them are two more
round trips, each waking the server's process: on the candidate's home page those cost
PostgreSQL more than the page's two statements. So the request's connection is put in
autocommit before anything reads, and given back to the pool as it was. SQLite reads
outside a transaction in every GET already (tracker.sqlite). The statistics' statements
sent on connections of their own (tracker.queries.together) read the same way.

A marked view must not write on that connection; a write it tries there is refused with
:class:`WriteInReadingView` on both databases, so that a change which makes it write fails
in the tests rather than writing statement by statement outside a transaction. Writing
after ending the reading (``db.session.rollback()``, as recording a refusal does) is
done on a new connection, in a transaction as usual.
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from sqlalchemy import Engine, event

from tracker.extensions import db
from tracker.sqlite import SAFE_METHODS

View = TypeVar("View", bound=Callable[..., Any])

_MARK = "tracker_reads_only"
# An execution option of the request's connection while it only reads.
READING = "tracker_reading"
_WRITES = frozenset(
    ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP", "COPY")
)
# A statement's first word, read without copying the statement (this runs on every one).
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")


class WriteInReadingView(RuntimeError):
    """A view marked :func:`reads_only` tried to write."""


def is_write(context: Any, statement: str) -> bool:
    """Return whether a statement about to be sent writes (ORM, Core or raw SQL)."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    first = _FIRST_WORD.match(statement)
    return first is not None and first.group(1).upper() in _WRITES


def reading_options(dialect: str) -> dict[str, Any]:
    """Return the execution options of a connection that only reads, on this database.

    On PostgreSQL autocommit, reverted when the connection goes back to the pool.
    """
    options: dict[str, Any] = {READING: True}
    if dialect == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return options


def reads_only(view: View) -> View:
    """Mark a view that only reads (put it right under the route decorator)."""
    setattr(view, _MARK, True)
    return view


def init_app(app: Flask) -> None:
    """Open a marked view's GET without a transaction, before anything else reads."""
    app.before_request_funcs.setdefault(None, []).insert(0, _read_without_transaction)


def _read_without_transaction() -> None:
    if request.method not in SAFE_METHODS or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, _MARK, False):
        return
    if db.session().in_transaction():
        return  # a session shared with the request (a test's) keeps the transaction it has
    db.session.connection(execution_options=reading_options(db.engine.dialect.name))


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if connection.get_execution_options().get(READING) and is_write(context, statement):
        raise WriteInReadingView(f"a view marked as only reading sent: {statement[:60]}")
