"""Background jobs: on RQ with Redis when TRACKER_REDIS_URL is set, else in-process.

Without Redis (the embedded default of ``make run``) a request's jobs go to one
worker thread of this process as the request ends, so nobody waits on them and a
newcomer needs no Redis; a command's run when its app context ends. With Redis,
``flask --app tracker worker`` runs them. Jobs are named functions of this module;
each finds its work in the database, so a lost job loses nothing.
"""

import logging
import os
import queue as queue_module
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.sqlite import writes, writing

log = logging.getLogger(__name__)

QUEUE_NAME = "tracker"
_PENDING = "tracker_pending_jobs"
_AFTER_COMMIT = "tracker_jobs_after_commit"


@writes
def deliver_mail() -> None:
    """Send every message of the outbox that is due."""
    from tracker.extensions import db
    from tracker.services import outbox

    try:
        outbox.deliver_due()
    finally:
        db.session.remove()  # a worker runs many jobs in one app context


@writes
def send_password_reset(email: str) -> None:
    """Queue a password link for the account with this address, if there is an active one."""
    from tracker.extensions import db
    from tracker.services import accounts

    try:
        accounts.send_reset_link_if_known(email)
        db.session.commit()
    finally:
        db.session.remove()


@writes
def render_summary(job_id: int) -> None:
    """Make the summary PDF a reader asked for on the web."""
    from tracker.extensions import db
    from tracker.services import reports

    try:
        reports.run_summary_job(job_id)
    finally:
        db.session.remove()


JOBS: dict[str, Callable[..., Any]] = {
    "deliver_mail": deliver_mail,
    "send_password_reset": send_password_reset,
    "render_summary": render_summary,
}


def redis_connection() -> Any:
    """Return a Redis client for TRACKER_REDIS_URL (None when it is not set)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def queue() -> Any:
    """Return the RQ queue of the tracker's jobs (None without Redis)."""
    connection = redis_connection()
    if connection is None:
        return None
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection)


def enqueue_after_commit(name: str, *args: Any) -> None:
    """Run job ``name`` once the current transaction commits; never if it rolls back."""
    from tracker.extensions import db

    if name not in JOBS:
        raise ValueError(f"unknown job {name!r}")
    pending = db.session.info.setdefault(_AFTER_COMMIT, [])
    if (name, args) not in pending:
        pending.append((name, args))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for name, args in session.info.pop(_AFTER_COMMIT, []):
        enqueue(name, *args)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def enqueue(name: str, *args: Any) -> None:
    """Run job ``name`` in the background; never raise (the database keeps the work)."""
    if name not in JOBS:
        raise ValueError(f"unknown job {name!r}")
    rq_queue = queue()
    if rq_queue is None:
        pending = g.setdefault(_PENDING, [])
        if (name, args) not in pending:
            pending.append((name, args))
        return
    try:
        rq_queue.enqueue(
            f"{__name__}.{name}", *args, result_ttl=0, failure_ttl=24 * 3600, job_timeout=3600
        )
    except Exception:  # Redis down: `flask mail deliver` (cron) picks the work up later
        log.exception("Could not queue the job %s on Redis", name)


def init_app(app: Flask) -> None:
    """Hand a request's in-process jobs to the worker thread; run a command's at its end."""

    @app.teardown_request
    def _after_request(_error: BaseException | None) -> None:
        jobs = g.pop(_PENDING, None)
        if jobs:
            from tracker.extensions import db

            # The request is over: its transaction (and any SQLite write lock) ends
            # before the jobs start, as it would when its app context ends.
            db.session.rollback()
            flask_app = current_app._get_current_object()
            for name, args in jobs:
                _thread_queue().put((flask_app, name, args))

    @app.teardown_appcontext
    def _at_teardown(_error: BaseException | None) -> None:
        if not has_request_context():
            run_pending()


_queue: "queue_module.Queue[tuple[Flask, str, tuple]] | None" = None
_queue_pid = 0
_queue_lock = threading.Lock()


def _thread_queue() -> "queue_module.Queue[tuple[Flask, str, tuple]]":
    """Return the queue of this process's job thread, starting the thread on first use."""
    global _queue, _queue_pid
    with _queue_lock:
        if _queue is None or _queue_pid != os.getpid():  # a forked server starts afresh
            _queue, _queue_pid = queue_module.Queue(), os.getpid()
            threading.Thread(
                target=_work, args=(_queue,), name="tracker-jobs", daemon=True
            ).start()
        return _queue


def _work(jobs: "queue_module.Queue[tuple[Flask, str, tuple]]") -> None:
    while True:
        app, name, args = jobs.get()
        try:
            run_jobs(app, [(name, args)])
        finally:
            jobs.task_done()


def wait_for_jobs() -> None:
    """Wait until this process's job thread has run every job handed to it."""
    if _queue is not None and _queue_pid == os.getpid():
        _queue.join()


def forget_pending() -> None:
    """Drop the in-process jobs queued in this app context (something else will run them)."""
    g.pop(_PENDING, None)


def run_pending() -> None:
    """Run the in-process jobs queued in this app context so far (a command's, at its end)."""
    jobs = g.pop(_PENDING, None)
    if jobs:
        from tracker.extensions import db

        # What is left of this context's transaction ends here, as it would with the
        # context: the jobs' own transactions must not wait on its SQLite write lock.
        db.session.rollback()
        run_jobs(current_app._get_current_object(), jobs)


def run_jobs(app: Flask, jobs: list[tuple[str, tuple]]) -> None:
    """Run jobs in a fresh app context of their own; log, never raise, a failure."""
    for name, args in jobs:
        with app.app_context(), writing():
            try:
                JOBS[name](*args)
            except Exception:
                log.exception("The background job %s failed", name)
