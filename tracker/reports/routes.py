"""Routes of the PDF downloads: GET only, since a download changes nothing."""

from datetime import date
from typing import Any, NoReturn

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import pdf
from tracker.domain.targets import parse_as_of
from tracker.domain.vocabulary import JobStatus
from tracker.extensions import db
from tracker.models import ReportJob
from tracker.queries import candidates, scope
from tracker.reports import bp
from tracker.reports.forms import SummaryJobForm
from tracker.services import reports
from tracker.web import can, get_enrolment_or_abort, note_refusal, require


def _pdf_response(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    # Personal data: no copy in a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/plan/<int:enrolment_id>.pdf")
@login_required
def plan(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id)
    number = request.args.get("version", type=int)
    if "version" in request.args and number is None:
        abort(404)
    try:
        data = pdf.plan_pdf(enrolment, number, locale=pdf.reader_locale())
    except pdf.NoSuchVersion:
        abort(404)
    return _pdf_response(data, pdf.plan_filename(enrolment, number))


def _summary_scope(values: Any) -> tuple[date, scope.Filters]:
    """Return the as-of date and scope of a summary request; abort on a bad value."""
    require(can("view_statistics"))
    try:
        as_of = parse_as_of(values.get("as_of"), date.today())
    except ValueError:
        abort(400, _("as_of must be a date in the form YYYY-MM-DD."))
    try:
        filters = scope.parse_filters(values.get("faculty"), values.get("programme"), current_user)
    except scope.FilterError as error:
        _abort_on_filter_error(error)
    return as_of, filters


@bp.get("/summary.pdf")
@login_required
def summary():
    """Send the summary PDF of a scope, or offer to make a large one in the background."""
    as_of, filters = _summary_scope(request.args)
    size = candidates.count_in_scope(filters)
    if reports.runs_in_background(size):
        codes = filters.as_document()
        form = SummaryJobForm(
            data={"faculty": codes["faculty"] or "", "programme": codes["programme"] or "",
                  "as_of": as_of.isoformat()}  # fmt: skip
        )
        return render_template(
            "reports/background.html", form=form, filters=filters, as_of=as_of, size=size
        )
    data = pdf.summary_pdf(
        filters,
        as_of,
        viewer=current_user,
        locale=pdf.reader_locale(),
        generated_by=current_user.name,
    )
    return _pdf_response(data, pdf.summary_filename(filters, as_of))


@bp.post("/summary/jobs")
@login_required
def start_summary():
    """Queue a large summary PDF and follow its progress on its own page."""
    form = SummaryJobForm()
    if not form.validate_on_submit():
        abort(400)
    as_of, filters = _summary_scope(form.data)
    job = reports.start_summary_job(current_user, filters, as_of, pdf.reader_locale())
    db.session.commit()
    return redirect(url_for(".job", token=job.token))


def _get_job_or_abort(token: str) -> ReportJob:
    """Load a report job by its token: 404 if missing or gone, 403 unless one's own."""
    job = db.first_or_404(db.select(ReportJob).where(ReportJob.token == token))
    require(can("download_report", job))
    return job


@bp.get("/jobs/<token>")
@login_required
def job(token: str):
    """Show how far a summary PDF has come, and the file once it is ready."""
    job = _get_job_or_abort(token)
    return render_template("reports/job.html", job=job, keep_hours=reports.KEEP_HOURS)


@bp.get("/jobs/<token>/download")
@login_required
def download(token: str):
    """Send the finished summary PDF to the person who asked for it."""
    job = _get_job_or_abort(token)
    if job.status != JobStatus.DONE or job.data is None:
        abort(404)
    return _pdf_response(job.data, job.filename)


def _abort_on_filter_error(error: scope.FilterError) -> NoReturn:
    """Abort for a filter error: 404 for a code one may not see, 400 for the rest."""
    if isinstance(error, scope.NotVisible):
        note_refusal()
    if isinstance(error, scope.UnknownCode | scope.NotVisible):
        abort(404, error.message)
    if isinstance(error, scope.ProgrammeNotInFaculty):
        abort(400, error.message)
    # Several scopes and none chosen: the dashboard's links always name one.
    abort(400)
