"""Routes of the coordinator area: dashboard, lists and exports, enrolments, CSV upload.

Every page is for coordinators and administrators (the blueprint checks it once);
each query is narrowed to what the user follows; objects load 404-then-403.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.routing import BuildError

from tracker import figures
from tracker.coordinator import bp
from tracker.coordinator.forms import (
    MAX_UPLOAD_BYTES,
    CompleteForm,
    ConfirmImportForm,
    EditEnrolmentForm,
    EnrolmentFieldsForm,
    ListFilterForm,
    NewEnrolmentForm,
    PeopleSearchForm,
    ReopenForm,
    StatisticsFilterForm,
    UploadForm,
    WithdrawForm,
)
from tracker.domain import policy
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.extensions import db
from tracker.models import Enrolment, Programme
from tracker.queries import candidates, scope, stats
from tracker.queries.comparison import ComparisonData, get_compared_statistics
from tracker.reads import reads_only
from tracker.services import accounts, enrolments, imports
from tracker.services.enrolments import EnrolmentError
from tracker.web import can, get_enrolment_or_abort, note_refusal, require

LIST_ARGS = ("as_of", "faculty", "programme", "kind", "status", "plan_status", "q", "sort", "dir")


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {
        "iso_date": date.fromisoformat,
        "home_country_name": figures.home_country_name,
    }


@bp.before_request
def _coordinators_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    require(can("view_statistics"))
    return None


def _form_page(template: str, status: int = 200, **context: Any):
    return render_template(template, **context), status


# --- Statistics --------------------------------------------------------------------------


def _form_filters(form: StatisticsFilterForm, *, whole_scope: bool = False) -> scope.Filters:
    """Return the filters the form's codes name for the current user; raise a FilterError."""
    return scope.parse_filters(
        form.faculty.data, form.programme.data, current_user, whole_scope=whole_scope
    )


def _show_filter_error(form: StatisticsFilterForm, error: scope.FilterError) -> int:
    """Put the filter error next to its field; return the page's status (unknown: 404)."""
    if isinstance(error, scope.NotVisible):
        note_refusal()
    if isinstance(error, scope.UnknownCode | scope.NotVisible):
        field = form.faculty if error.kind == "faculty" else form.programme
        field.errors = [error.message]
        return 404
    if isinstance(error, scope.ProgrammeNotInFaculty):
        form.programme.errors = [error.message]
        return 400
    raise error


@dataclass
class StatisticsRequest:
    """What a statistics page was asked for: the form, the document (None if not) and why."""

    form: StatisticsFilterForm
    document: dict[str, Any] | None = None
    status: int = 200
    note: str = ""
    filters: scope.Filters | None = None
    compared: ComparisonData | None = None


def _statistics_request(*, compare: bool = False) -> StatisticsRequest:
    """Return the filter form, the document it asks for (None if not), a status and a note.

    ``compare``: also the scope's programmes compared (counted with the document).

    The pickers cannot contradict each other (DESIGN §4): a programme outside the chosen
    faculty (a page without script, an old link) shows the faculty's figures, with a
    note that says why, rather than an error page.
    """
    options = scope.get_choices(current_user)
    form = StatisticsFilterForm(formdata=request.args)
    if options.institution:
        form.set_choices(options, _("Whole institution"), _("All programmes"))
    else:
        form.set_choices(options, _("Not chosen"), _("Not chosen"))
    if not form.validate():
        return StatisticsRequest(form, status=400)
    note = ""
    try:
        filters = _form_filters(form)
    except scope.MustChoose as several:
        # Several scopes: show the first; the picker offers the others.
        filters = several.choices.filters()[0]
    except scope.ProgrammeNotInFaculty as mismatch:
        filters = scope.parse_filters(form.faculty.data, None, current_user)
        note = _(
            "%(message)s The figures are the faculty's; choose one of its programmes to see "
            "a programme's own.",
            message=mismatch.message,
        )
    except scope.FilterError as error:
        return StatisticsRequest(form, status=_show_filter_error(form, error))
    if compare:
        document, compared = get_compared_statistics(
            current_user, form.as_of_date(), filters, stats.current_settings()
        )
    else:
        document, compared = stats.get_statistics(form.as_of_date(), filters), None
    # The pickers show what the figures are for, also when a default was used.
    form.faculty.data = document["filters"]["faculty"] or ""
    form.programme.data = document["filters"]["programme"] or ""
    if form.as_of.data and form.as_of.data.strip():
        form.as_of.data = document["as_of"]  # a date typed as 30.11.2026 reads back as ISO
    return StatisticsRequest(form, document, note=note, filters=filters, compared=compared)


@bp.route("/")
@reads_only
def dashboard():
    asked = _statistics_request(compare=True)
    document = asked.document
    if document is None or asked.filters is None:
        return _form_page(
            "coordinator/dashboard.html", asked.status, form=asked.form, document=None
        )
    query = {k: v for k, v in document["filters"].items() if v} | {"as_of": document["as_of"]}
    return render_template(
        "coordinator/dashboard.html",
        form=asked.form,
        document=document,
        note=asked.note,
        query=query,
        **figures.page_figures(document, asked.compared),
    )


@bp.route("/statistics.csv")
@reads_only
def statistics_csv():
    asked = _statistics_request()
    document = asked.document
    if document is None:
        abort(asked.status)
    if asked.note:
        # A file cannot carry the dashboard's note: a programme outside the faculty is
        # refused, as the lists' exports refuse it, rather than exported as the faculty's.
        abort(400)
    name = "-".join(["statistics", *[v for v in document["filters"].values() if v]])
    return _csv_response(stats.statistics_csv_rows(document), f"{name}-{document['as_of']}.csv")


def _csv_response(rows: list[list[Any]], filename: str) -> Response:
    # Codes come from data: keep the header's file name to harmless characters.
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    buffer = io.StringIO()
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([figures.csv_value(value) for value in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Lists --------------------------------------------------------------------------------


def _list_request(name: str) -> tuple[ListFilterForm, candidates.ListQuery | None, int]:
    """Return the filter form, the list query it asks for (None if not) and a status."""
    if name not in candidates.LIST_NAMES:
        abort(404)
    options = scope.get_choices(current_user)
    form = ListFilterForm(formdata=request.args)
    if options.institution:
        form.set_choices(options, _("All faculties"), _("All programmes"))
    else:
        form.set_choices(options, _("All I follow"), _("All I follow"))
    if not form.validate():
        return form, None, 400
    try:
        filters = _form_filters(form, whole_scope=True)
    except scope.FilterError as error:
        return form, None, _show_filter_error(form, error)
    query = candidates.ListQuery(
        name=name,
        as_of=form.as_of_date(),
        filters=filters,
        kind=EnrolmentKind(form.kind.data) if form.kind.data else None,
        status=EnrolmentStatus(form.status.data) if form.status.data else None,
        plan_status=form.plan_status.data or None,
        search=form.q.data or "",
        sort=form.sort.data or "",
        descending=form.dir.data == "desc",
        page=request.args.get("page", 1, type=int),
    )
    return form, query, 200


def _current_args() -> dict[str, str]:
    return {key: value for key in LIST_ARGS if (value := request.args.get(key, "").strip())}


@bp.route("/lists/<name>")
@reads_only
def candidate_list(name: str):
    form, query, status = _list_request(name)
    settings = stats.current_settings()
    context = {
        "name": name,
        "form": form,
        "title": figures.LIST_TITLES[name],
        "columns": figures.list_columns(name),
        "explanation": figures.list_explanation(name, settings.as_document()),
    }
    if query is None:
        return _form_page("coordinator/list.html", status, page=None, rows=[], **context)
    page = candidates.get_page(current_user, query, settings, current_app.config["PER_PAGE"])
    args = _current_args()
    sort_key, descending = candidates.sort_key(query)

    def link(**changes: Any) -> str:
        return url_for(".candidate_list", name=name, **(args | changes))

    sort_links = {
        column.sort: link(
            sort=column.sort,
            dir="desc" if column.sort == sort_key and not descending else "asc",
        )
        for column in context["columns"]
        if column.sort
    }
    return render_template(
        "coordinator/list.html",
        page=page,
        rows=figures.list_rows(page.rows, query.as_of, settings.plan_due_days),
        sort_key=sort_key,
        descending=descending,
        sort_links=sort_links,
        page_link=lambda number: link(page=number),
        export_url=url_for(".candidate_list_csv", name=name, **args),
        **context,
    )


@bp.route("/lists/<name>/export.csv")
@reads_only
def candidate_list_csv(name: str):
    _form, query, status = _list_request(name)
    if query is None:
        abort(status)
    settings = stats.current_settings()
    rows = figures.list_rows(
        candidates.get_all(current_user, query, settings), query.as_of, settings.plan_due_days
    )
    columns = figures.csv_columns(name)
    table = [list(columns)] + [[row[c] for c in columns] for row in rows]
    return _csv_response(table, f"{name}-{query.as_of.isoformat()}.csv")


# --- Enrolments ---------------------------------------------------------------------------


def _programme_choices(form: EnrolmentFieldsForm) -> None:
    options = scope.get_choices(current_user)
    form.programme.choices = [(p.code, f"{p.code} — {p.name}") for p in options.programmes]


@bp.route("/people")
@reads_only
def people():
    """Answer a search by name or address with up to ten people, as JSON (choosing supervisors)."""
    search = PeopleSearchForm(formdata=request.args)
    text = (search.q.data or "") if search.validate() else ""
    found = accounts.find_people(text)
    return jsonify(people=[{"name": user.name, "email": user.email} for user in found])


def _details(form: EnrolmentFieldsForm) -> enrolments.EnrolmentDetails:
    programme = db.session.scalar(db.select(Programme).where(Programme.code == form.programme.data))
    # The choices are the user's programmes; check again so a forged value cannot slip by.
    if programme is None:
        abort(404)
    require(policy.can_view_programme(current_user, programme))
    return enrolments.EnrolmentDetails(
        programme=programme,
        kind=EnrolmentKind(form.kind.data),
        start_date=form.start_date.data,
        expected_end_date=form.expected_end_date.data,
        international_experience=bool(form.international_experience.data),
        main_supervisor_email=form.main_supervisor_email.data or "",
        co_supervisor_emails=enrolments.parse_email_list(form.co_supervisor_emails.data or ""),
    )


def _show_error(form: Any, error: EnrolmentError) -> None:
    field = getattr(form, error.field, None)
    if field is None or field.type in ("HiddenField", "IntegerField"):
        flash(error.message, "error")
    else:
        field.errors = [*field.errors, error.message]


@bp.route("/enrolments/new", methods=["GET", "POST"])
def new_enrolment():
    form = NewEnrolmentForm()
    _programme_choices(form)
    if form.validate_on_submit():
        try:
            enrolment, created = enrolments.create_enrolment(
                current_user,
                email=form.email.data,
                name=form.name.data or "",
                details=_details(form),
                invite=bool(form.invite.data),
            )
        except EnrolmentError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The enrolment of %(name)s is created.", name=enrolment.person.name), "success")
            if created:
                flash(_invitation_text(enrolment.person.name, bool(form.invite.data)), "info")
            return redirect(url_for(".enrolment", enrolment_id=enrolment.id))
    status = 422 if form.errors else 200
    return _form_page("coordinator/enrolment_new.html", status, form=form)


def _invitation_text(name: str, invited: bool) -> str:
    if invited:
        return _("%(name)s was e-mailed a link to choose a password.", name=name)
    return _(
        "No invitation was sent: %(name)s can get a link to choose a password with "
        "“Forgot password?” on the log-in page.",
        name=name,
    )


def _edit_form(enrolment: Enrolment) -> EditEnrolmentForm:
    form = EditEnrolmentForm(
        data=None
        if request.method == "POST"
        else {
            "kind": enrolment.kind.value,
            "programme": enrolment.programme.code,
            "start_date": enrolment.start_date,
            "expected_end_date": enrolment.expected_end_date,
            "international_experience": enrolment.international_experience,
            "main_supervisor_email": enrolment.main_supervisor.email
            if enrolment.main_supervisor
            else "",
            "co_supervisor_emails": "\n".join(u.email for u in enrolment.co_supervisors),
            "lock_version": enrolment.lock_version,
        }
    )
    _programme_choices(form)
    return form


def _status_forms(enrolment: Enrolment) -> dict[str, Any]:
    version = {"lock_version": enrolment.lock_version}
    return {
        "complete_form": CompleteForm(prefix="complete", data=version | {"end_date": date.today()}),
        "withdraw_form": WithdrawForm(prefix="withdraw", data=version | {"end_date": date.today()}),
        "reopen_form": ReopenForm(prefix="reopen", data=version),
    }


def _enrolment_page(enrolment: Enrolment, status: int = 200, **forms: Any):
    context = {"form": None, **_status_forms(enrolment), **forms}
    if context["form"] is None:
        context["form"] = _edit_form(enrolment)
    try:
        plan_url = url_for("plans.view", enrolment_id=enrolment.id)
    except BuildError:
        plan_url = None
    return _form_page(
        "coordinator/enrolment.html", status, enrolment=enrolment, plan_url=plan_url, **context
    )


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
def enrolment(enrolment_id: int):
    record = get_enrolment_or_abort(enrolment_id, "manage_enrolment")
    form = _edit_form(record)
    if form.validate_on_submit():
        try:
            changes = enrolments.update_enrolment(
                current_user, record, _details(form), lock_version=form.lock_version.data
            )
        except EnrolmentError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The changes are saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for(".enrolment", enrolment_id=record.id))
    return _enrolment_page(record, 422 if request.method == "POST" else 200, form=form)


def _end(enrolment_id: int, form_class: type, prefix: str, action: Any, done: str):
    record = get_enrolment_or_abort(enrolment_id, "manage_enrolment")
    form = form_class(prefix=prefix)
    if form.validate_on_submit():
        try:
            action(
                current_user,
                record,
                form.end_date.data,
                today=date.today(),
                lock_version=form.lock_version.data,
            )
        except EnrolmentError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".enrolment", enrolment_id=record.id))
    return _enrolment_page(record, 422, **{f"{prefix}_form": form})


@bp.post("/enrolments/<int:enrolment_id>/complete")
def complete_enrolment(enrolment_id: int):
    return _end(
        enrolment_id,
        CompleteForm,
        "complete",
        enrolments.complete_enrolment,
        _("The enrolment is marked completed."),
    )


@bp.post("/enrolments/<int:enrolment_id>/withdraw")
def withdraw_enrolment(enrolment_id: int):
    return _end(
        enrolment_id,
        WithdrawForm,
        "withdraw",
        enrolments.withdraw_enrolment,
        _("The enrolment is marked withdrawn."),
    )


@bp.post("/enrolments/<int:enrolment_id>/reopen")
def reopen_enrolment(enrolment_id: int):
    record = get_enrolment_or_abort(enrolment_id, "manage_enrolment")
    form = ReopenForm(prefix="reopen")
    if not form.validate_on_submit():
        abort(400)
    try:
        enrolments.reopen_enrolment(current_user, record, lock_version=form.lock_version.data)
    except EnrolmentError as error:
        flash(error.message, "error")
        return _enrolment_page(record, 409)
    db.session.commit()
    flash(_("The enrolment is active again."), "success")
    return redirect(url_for(".enrolment", enrolment_id=record.id))


# --- CSV upload ---------------------------------------------------------------------------

IMPORT_LABELS = {
    "programmes": _l("Programmes"),
    "enrolments": _l("Enrolments"),
    "stays": _l("Stays"),
}


def _import_page(form: UploadForm, status: int = 200):
    kinds = imports.import_kinds(current_user)
    return _form_page(
        "coordinator/import.html",
        status,
        form=form,
        kinds=kinds,
        labels=IMPORT_LABELS,
        allowed={kind: imports.allowed_values(kind) for kind in kinds},
        columns={kind: imports.column_lists(kind) for kind in kinds},
    )


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = [(k, IMPORT_LABELS[k]) for k in imports.import_kinds(current_user)]
    return form


def _preview_page(result: Any, token: str, filename: str):
    return _form_page(
        "coordinator/import_preview.html",
        200 if result.ok else 422,
        result=result,
        confirm_form=ConfirmImportForm(token=token),
        filename=filename,
    )


@bp.route("/import", methods=["GET", "POST"])
def upload():
    form = _upload_form()
    if not form.validate_on_submit():
        return _import_page(form, 422 if form.errors else 200)
    data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        form.file.errors = [_("The file is larger than 5 MB. Split it into smaller files.")]
        return _import_page(form, 422)
    checked = imports.preview(current_user, form.kind.data, data)
    db.session.commit()
    # Shown on the page: as long as a file name may sensibly be.
    return _preview_page(checked.result, checked.token, (form.file.data.filename or "")[:255])


@bp.route("/import/template/<any(programmes, enrolments, stays):kind>.csv")
def import_template(kind: str):
    """Send a CSV file with the kind's columns and an example row, to fill in."""
    if kind not in imports.import_kinds(current_user):
        abort(404)
    return Response(
        imports.template_csv(kind),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
    )


@bp.post("/import/confirm")
def confirm_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        done = imports.confirm(current_user, form.token.data, invite=bool(form.invite.data))
    except imports.UploadGone:
        flash(
            _(
                "The uploaded file has expired or was imported already, or you uploaded "
                "another file since. Upload it again."
            ),
            "error",
        )
        return redirect(url_for(".upload"))
    except imports.ImportNotAllowed:
        require(False)
    if not done.result.ok:
        return _preview_page(done.result, "", "")
    db.session.commit()
    result = done.result
    flash(
        _(
            "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    if result.created_user_ids:
        flash(_people_text(len(result.created_user_ids), done.invited), "info")
    return redirect(url_for(".upload"))


def _people_text(created: int, invited: int) -> str:
    if invited:
        return ngettext(
            "%(num)d person was created and e-mailed an invitation to choose a password.",
            "%(num)d people were created and e-mailed an invitation to choose a password.",
            invited,
        )
    return ngettext(
        "%(num)d person was created and sent no invitation: they can get a link to choose a "
        "password with “Forgot password?” on the log-in page.",
        "%(num)d people were created and sent no invitation: they can get a link to choose a "
        "password with “Forgot password?” on the log-in page.",
        created,
    )
