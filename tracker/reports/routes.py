"""Routes of the PDF downloads: GET only, since a download changes nothing."""

from datetime import date
from typing import NoReturn

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import pdf
from tracker.domain.targets import parse_as_of
from tracker.queries import scope
from tracker.reports import bp
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


@bp.get("/summary.pdf")
@login_required
def summary():
    require(can("view_statistics"))
    try:
        as_of = parse_as_of(request.args.get("as_of"), date.today())
    except ValueError:
        abort(400, _("as_of must be a date in the form YYYY-MM-DD."))
    try:
        filters = scope.parse_filters(
            request.args.get("faculty"), request.args.get("programme"), current_user
        )
    except scope.FilterError as error:
        _abort_on_filter_error(error)
    size, limit = pdf.count_candidates(filters), pdf.web_limit()
    if size > limit:
        page = render_template(
            "reports/too_large.html", filters=filters, as_of=as_of, size=size, limit=limit
        )
        return page, 422
    data = pdf.summary_pdf(
        filters,
        as_of,
        viewer=current_user,
        locale=pdf.reader_locale(),
        generated_by=current_user.name,
    )
    return _pdf_response(data, pdf.summary_filename(filters, as_of))


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
