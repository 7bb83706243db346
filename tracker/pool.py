"""Database connections from the pool: pinged before use only when they have sat unused.

A pooled connection can be dead when it is taken: the database restarted, or something
between dropped the connection. Pinging every connection as it is taken (SQLAlchemy's
``pool_pre_ping``) finds that out, but costs a round trip on every request — on
PostgreSQL one of the five a candidate's home page makes (docs/PERFORMANCE.md). A
connection given back less than :data:`IDLE_PING_SECONDS` ago was working then; one
that sat longer — after a quiet spell, or all of them after the restart that broke them
— is pinged, and a dead one is replaced before anyone uses it.
"""

import time
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

from tracker.extensions import db

# A connection given back this recently is taken without a ping.
IDLE_PING_SECONDS = 5.0
# When the connection was made or last given back (time.monotonic), in its pool record.
_SINCE = "tracker_idle_since"


def init_app(app: Flask) -> None:
    """Ping the app's connections as this module says."""
    with app.app_context():
        engine: Engine = db.engine
    event.listen(engine, "connect", _idle_from_now)
    event.listen(engine, "checkin", _idle_from_now)
    event.listen(engine, "checkout", partial(_taken, engine.dialect))


def _idle_from_now(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_SINCE] = time.monotonic()


def _taken(dialect: Any, dbapi_connection: Any, record: Any, proxy: Any) -> None:
    since = record.info.get(_SINCE)
    if since is not None and time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        alive = dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        # The pool throws the connection away and takes, or makes, another.
        raise DisconnectionError("the pooled connection is gone") from error
    if not alive:
        raise DisconnectionError("the pooled connection did not answer")
