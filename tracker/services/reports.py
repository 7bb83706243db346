"""Summary PDFs too large to make while the reader waits: a job, its progress, its file.

``start_summary_job`` records what was asked for and queues the work for after the
commit; ``run_summary_job`` (a background job, tracker.jobs) renders the PDF with
the requester's view of the scope, writing its progress as it goes, and keeps the
file for ``KEEP`` before ``purge_expired`` removes it.
"""

import logging
import secrets
from datetime import date, timedelta
from typing import Any

from flask import current_app

from tracker import jobs, pdf
from tracker.domain.vocabulary import JobStatus
from tracker.extensions import db
from tracker.models import Faculty, Programme, ReportJob, User
from tracker.models.base import utcnow
from tracker.queries import candidates
from tracker.queries.scope import Filters
from tracker.services.audit import record
from tracker.sqlite import reading

log = logging.getLogger(__name__)

KEEP_HOURS = 24
KEEP = timedelta(hours=KEEP_HOURS)


def runs_in_background(size: int) -> bool:
    """Return whether a summary listing ``size`` candidates is made by a background job."""
    return size > current_app.config["PDF_BACKGROUND_OVER"]


def start_summary_job(user: User, filters: Filters, as_of: date, locale: str) -> ReportJob:
    """Record a request for a summary PDF and queue its making for after the commit."""
    job = ReportJob(
        token=secrets.token_urlsafe(24),
        requester_id=user.id,
        params={
            "faculty_id": filters.faculty.id if filters.faculty else None,
            "programme_id": filters.programme.id if filters.programme else None,
            "as_of": as_of.isoformat(),
            "locale": locale,
        },
        status=JobStatus.QUEUED,
        total=candidates.count_in_scope(filters),
        expires_at=utcnow() + KEEP,
        filename=pdf.summary_filename(filters, as_of),
    )
    db.session.add(job)
    db.session.flush()
    record("report_requested", user, job, filename=job.filename, total=job.total)
    jobs.enqueue_after_commit("render_summary", job.id)
    return job


def run_summary_job(job_id: int) -> None:
    """Render a queued summary PDF, recording progress, the file or the error; commit."""
    purge_expired()
    job = db.session.get(ReportJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return  # removed, or taken by another worker
    job.status = JobStatus.RUNNING
    params, requester_id = dict(job.params), job.requester_id
    db.session.commit()

    def progress(done: int, total: int) -> None:
        # Told once per chunk of pages (a few hundred rows), so every call is written.
        _write_progress(job_id, done, total)

    try:
        # Reading only: on SQLite the write lock stays free for the progress writes.
        with reading():
            requester = db.session.get(User, requester_id)
            filters = Filters(
                faculty=db.session.get(Faculty, params["faculty_id"])
                if params["faculty_id"]
                else None,
                programme=db.session.get(Programme, params["programme_id"])
                if params["programme_id"]
                else None,
            )
            data = pdf.summary_pdf(
                filters,
                date.fromisoformat(params["as_of"]),
                viewer=requester,
                locale=params["locale"],
                generated_by=requester.name,
                progress=progress,
            )
    except Exception as error:  # _finish rolls the failed rendering's session back
        log.exception("The summary PDF of job %s failed", job_id)
        _finish(job_id, status=JobStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        return
    _finish(job_id, status=JobStatus.DONE, data=data)


def _write_progress(job_id: int, done: int, total: int) -> None:
    # Its own short transaction, so the page shows it while the rendering goes on.
    with db.engine.begin() as connection:
        connection.execute(
            db.update(ReportJob).where(ReportJob.id == job_id).values(done=done, total=total)
        )


def _finish(job_id: int, **values: Any) -> None:
    db.session.rollback()
    job = db.session.get(ReportJob, job_id)
    if job is None:
        return
    for name, value in values.items():
        setattr(job, name, value)
    if job.status == JobStatus.DONE:
        job.done = job.total
    now = utcnow()
    job.finished_at = now
    job.expires_at = now + KEEP
    db.session.commit()


def purge_expired() -> int:
    """Remove the reports whose time is up, file and all; return how many."""
    removed = db.session.execute(
        db.delete(ReportJob)
        .where(ReportJob.expires_at < utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return removed
