"""Routes of the personal-data area.

Anyone may read the privacy notice and the accessibility statement; a logged-in
person sees and downloads their own data; administrators do the same for anyone,
erase people and read the audit log (each reading is itself recorded).
"""

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.figures import csv_value
from tracker.models import User
from tracker.presentation import format_day
from tracker.privacy import bp
from tracker.privacy.forms import AuditFilterForm, EraseForm
from tracker.queries import audit_log
from tracker.services import privacy
from tracker.services.audit import record
from tracker.services.privacy import export
from tracker.web import can, require

# --- Public pages ---------------------------------------------------------------------------


@bp.route("/privacy")
def notice():
    """Show the privacy notice: what is stored, why, for how long, who sees it, the rights."""
    return render_template("privacy/notice.html", **_institution())


# The day the accessibility statement was last checked against the tests and the pages:
# change it whenever the statement is reviewed (its text says what was tested then).
STATEMENT_REVIEWED = date(2026, 11, 30)


@bp.route("/accessibility")
def accessibility():
    """Show the accessibility statement: WCAG 2.1 AA status, how it is tested, known issues."""
    return render_template(
        "privacy/accessibility.html",
        reviewed=format_day(STATEMENT_REVIEWED),
        **_institution(),
    )


def _institution() -> dict[str, Any]:
    config = current_app.config
    return {
        "controller": config["CONTROLLER_NAME"],
        "privacy_contact": config["PRIVACY_CONTACT"],
        "accessibility_contact": config["ACCESSIBILITY_CONTACT"],
        "retention_years": config["RETENTION_YEARS"],
    }


# --- A person's data ------------------------------------------------------------------------


def _person_or_abort(user_id: int | None) -> User:
    """Return whose data is asked for: the user's own, or (administrators) anyone's."""
    person = current_user._get_current_object() if user_id is None else db.get_or_404(User, user_id)
    require(can("export_personal_data", person))
    return person


@bp.route("/my-data")
@bp.route("/admin/users/<int:user_id>/data")
@login_required
def data(user_id: int | None = None):
    """Show everything the tracker holds about the person, with the downloads."""
    person = _person_or_abort(user_id)
    document = export.build_export(person)
    if person.id != current_user.id:
        export.record_export(person, current_user, "page")
        db.session.commit()
    return render_template(
        "privacy/data.html",
        person=person,
        own=person.id == current_user.id,
        document=document,
        sections=export.sections(document),
        label=export.column_label,
        show=export.display_value,
    )


@bp.route("/my-data.<any(json, pdf):form>")
@bp.route("/admin/users/<int:user_id>/data.<any(json, pdf):form>")
@login_required
def download(form: str, user_id: int | None = None):
    """Download the person's data as JSON (machine-readable) or PDF."""
    person = _person_or_abort(user_id)
    document = export.build_export(person)
    export.record_export(person, current_user, form)
    db.session.commit()
    if form == "json":
        body: Any = export.to_json(document)
        mimetype = "application/json"
    else:
        body = export.to_pdf(document, str(get_locale() or "en"))
        mimetype = "application/pdf"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(person, form)}"'
        },
    )


# --- Erasure --------------------------------------------------------------------------------


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@login_required
def erase(user_id: int):
    """Show what erasing the person removes and keeps; erase once the address is typed."""
    person = db.get_or_404(User, user_id)
    require(can("erase_person", person))
    refused = privacy.refusals(person, current_user)
    form = EraseForm(person)
    if not refused and form.validate_on_submit():
        privacy.erase_person(person, current_user)
        db.session.commit()
        flash(_("The personal data of account %(id)d was erased.", id=person.id), "success")
        return redirect(url_for("admin.edit_user", user_id=person.id))
    preview = None if refused else privacy.erase_person(person, current_user, dry_run=True)
    return render_template(
        "privacy/erase.html",
        person=person,
        refused=refused,
        preview=preview,
        titles=export.table_title,
        form=form,
    ), (409 if refused and request.method == "POST" else 200)


# --- The audit log --------------------------------------------------------------------------


def _audit_form() -> AuditFilterForm:
    require(can("read_audit_log"))
    return AuditFilterForm(request.args, actions=audit_log.get_actions())


@bp.route("/admin/audit")
@login_required
def audit():
    """List the audit log, newest first, narrowed by person, record, action and period."""
    form = _audit_form()
    valid = form.validate()
    filters = form.filters() if valid else audit_log.AuditFilters()
    page = db.paginate(
        audit_log.select_entries(filters),
        page=(form.page.data or 1) if valid else 1,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    record("audit_log_read", current_user, filters=filters.as_detail(), page=page.page)
    db.session.commit()
    return render_template(
        "privacy/audit.html",
        form=form,
        valid=valid,
        page=page,
        actors=audit_log.get_actors(page.items),
        args=form.query_args() if valid else {},
        detail=audit_log.entry_detail,
        utc_time=audit_log.utc_time,
    )


@bp.route("/admin/audit.csv")
@login_required
def audit_csv():
    """Download the entries the filters keep as CSV (all of them, not one page)."""
    form = _audit_form()
    if not form.validate():
        return redirect(url_for(".audit", **request.args))
    filters = form.filters()
    record("audit_log_read", current_user, filters=filters.as_detail(), format="csv")
    db.session.commit()
    return Response(
        stream_with_context(_csv_lines(audit_log.csv_query(filters))),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


def _csv_lines(query: Any) -> Iterator[str]:
    """Yield the CSV a few rows at a time: a whole log may be too large to hold at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff"
    # A connection of its own, open exactly as long as the response is being sent.
    with db.engine.connect() as connection:
        rows = connection.execution_options(yield_per=500).execute(query)
        for row in audit_log.csv_rows(rows):
            writer.writerow([csv_value(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
