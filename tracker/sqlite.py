"""SQLite, the embedded database: pragmas on connect, write locks taken at BEGIN.

In WAL mode readers never wait, but a transaction that has read and then writes
fails at once with "database is locked" if another writer committed since its
read began: SQLite cannot let it upgrade. So a transaction that is going to
write takes the write lock when it begins (``BEGIN IMMEDIATE``) and waits its
turn under the busy timeout instead; its reads and writes then see one state.
Going to write means: a request with a method that changes state, a background
job, a command — or any code inside ``writing()``. Everything else reads outside
a transaction, as the driver does by default, and a later write opens its own
(deferred) transaction at that write, which waits its turn too.
"""

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

import click
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Under gunicorn's 30 s worker timeout, with room: a writer waits this long for its turn.
BUSY_TIMEOUT_MS = 15_000
# Pages are read through a memory map of the database file, up to this size, instead of
# being copied into each connection's own small cache: the statistics read the whole of
# the large tables, and every connection of every worker shares the one map.
MMAP_BYTES = 1 << 30
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# True inside writing(), False inside reading(), None: the request's method decides.
_WRITING: ContextVar[bool | None] = ContextVar("tracker_sqlite_writing", default=None)


@contextmanager
def _intent(write: bool) -> Iterator[None]:
    token = _WRITING.set(write)
    try:
        yield
    finally:
        _WRITING.reset(token)


def writing() -> AbstractContextManager[None]:
    """Make the SQLite transactions begun inside take the write lock up front."""
    return _intent(True)


def reading() -> AbstractContextManager[None]:
    """Read without the write lock, even in a writing request (hashing a password, a report)."""
    return _intent(False)


def writes(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` inside ``writing()``."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with writing():
            return func(*args, **kwargs)

    return run


def commands_write(command: click.Command) -> None:
    """Make a command (every command of a group) run inside ``writing()``."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            commands_write(sub)
    elif command.callback is not None:
        command.callback = writes(command.callback)


def wants_write_lock() -> bool:
    """Return whether a transaction begun now should take the write lock at once."""
    intent = _WRITING.get()
    if intent is not None:
        return intent
    return has_request_context() and request.method not in SAFE_METHODS


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection: Any) -> None:
    # The driver then sees the transaction open and issues no BEGIN of its own.
    if connection.dialect.name == "sqlite" and wants_write_lock():
        connection.exec_driver_sql("BEGIN IMMEDIATE")
