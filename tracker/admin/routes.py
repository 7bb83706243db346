"""Routes of the administration area: only administrators get past ``before_request``."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.admin import bp
from tracker.admin.forms import (
    EditUserForm,
    EmptyForm,
    FacultyForm,
    ProgrammeForm,
    UserForm,
    UserSearchForm,
)
from tracker.extensions import db
from tracker.models import ExternalIdentity, Faculty, OutboxMessage, Programme, User
from tracker.queries.home import get_own_enrolments, get_supervised_enrolments
from tracker.reads import reads_only
from tracker.services import accounts, identities, organisation, outbox
from tracker.web import can, require


@bp.before_request
@login_required
def _administrators_only():
    """Let only administrators in (anonymous users go to the log-in page)."""
    require(can("administer"))


@bp.route("/")
def index():
    """Send the administration's start page to the user list."""
    return redirect(url_for(".users"))


@bp.route("/users")
@reads_only
def users():
    """List users with their roles, searched by name or e-mail, a page at a time."""
    search = UserSearchForm(request.args)
    valid = search.validate()
    text, role = (search.q.data or "", search.role.data or "") if valid else ("", "")
    page = db.paginate(
        accounts.select_users(text, role),
        page=(search.page.data or 1) if valid else 1,
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    roles = accounts.get_enrolment_roles([user.id for user in page.items])
    return render_template(
        "admin/users.html",
        search=search,
        filtered={key: value for key, value in (("q", text), ("role", role)) if value},
        page=page,
        roles=roles,
        describe_scopes=accounts.describe_scopes,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account and e-mail the person an invitation link."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(current_user, **form.account_data(), invite=True)
        except accounts.AccountError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Account created for %(name)s.", name=user.name), "success")
            _flash_link_sent(user)
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template(
        "admin/user_form.html", form=form, user=None, local_login=current_app.config["LOCAL_LOGIN"]
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change an account's details, administrator flag and coordinator scopes."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user, **accounts.scope_ids(user))
    if form.validate_on_submit():
        try:
            accounts.update_user(current_user, user, **form.account_data())
        except accounts.AccountError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Changes to %(name)s saved.", name=user.name), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        link_form=EmptyForm(),
        local_login=current_app.config["LOCAL_LOGIN"],
        identities=identities.get_user_identities(user),
        supervised=get_supervised_enrolments(user, active_only=False),
        own=get_own_enrolments(user),
    )


@bp.route("/users/<int:user_id>/identities/<int:identity_id>/remove", methods=["POST"])
def remove_identity(user_id: int, identity_id: int):
    """Remove the link between a user and an account at the institution's log-in service."""
    identity = db.get_or_404(ExternalIdentity, identity_id)
    if identity.user_id != user_id:
        abort(404)
    if EmptyForm().validate_on_submit():
        identities.unlink_identity(current_user, identity)
        db.session.commit()
        flash(
            _("The link is removed; %(name)s is logged out everywhere.", name=identity.user.name),
            "success",
        )
    return redirect(url_for(".edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
def send_password_link(user_id: int):
    """E-mail the user a new link to set a password."""
    if not current_app.config["LOCAL_LOGIN"]:
        abort(404)
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        purpose = "reset" if user.password_hash else "invite"
        try:
            accounts.send_password_link(user, purpose, actor=current_user)
        except accounts.AccountError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            _flash_link_sent(user)
    return redirect(url_for(".edit_user", user_id=user.id))


def _flash_link_sent(user: User) -> None:
    if not current_app.config["LOCAL_LOGIN"]:
        flash(_("An invitation to log in was sent to %(email)s.", email=user.email), "info")
        return
    flash(_("A link to set the password was sent to %(email)s.", email=user.email), "info")


@bp.route("/mail")
@reads_only
def mail():
    """Show the outbox: how many e-mails are queued, sent and failed, and the failed ones."""
    page = db.paginate(
        outbox.select_failed(),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "admin/mail.html", counts=outbox.get_counts(), page=page, form=EmptyForm()
    )


@bp.route("/mail/resend", methods=["POST"])
@bp.route("/mail/<int:message_id>/resend", methods=["POST"])
def resend_mail(message_id: int | None = None):
    """Queue one failed e-mail, or every failed one, for delivery again."""
    if EmptyForm().validate_on_submit():
        if message_id is None:
            messages = list(db.session.scalars(outbox.select_failed()))
        else:
            messages = [db.get_or_404(OutboxMessage, message_id)]
        count = outbox.resend(messages, actor=current_user)
        db.session.commit()
        flash(ngettext("%(num)d e-mail is queued again.", "%(num)d e-mails are queued again.",
                       count), "success")  # fmt: skip
    return redirect(url_for(".mail"))


@bp.route("/faculties")
@reads_only
def faculties():
    """List the faculties with their programmes."""
    faculties = organisation.get_faculties(with_programmes=True)
    return render_template("admin/faculties.html", faculties=faculties)


@bp.route("/faculties/new", methods=["GET", "POST"])
@bp.route("/faculties/<int:faculty_id>", methods=["GET", "POST"])
def edit_faculty(faculty_id: int | None = None):
    """Create a faculty, or change one."""
    faculty = db.get_or_404(Faculty, faculty_id) if faculty_id is not None else None
    form = FacultyForm(obj=faculty)
    if form.validate_on_submit():
        try:
            if faculty is None:
                faculty = organisation.create_faculty(current_user, **form.faculty_data())
            else:
                organisation.update_faculty(current_user, faculty, **form.faculty_data())
        except organisation.OrganisationError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Faculty %(code)s saved.", code=faculty.code), "success")
            return redirect(url_for(".faculties"))
    return render_template("admin/faculty_form.html", form=form, faculty=faculty)


@bp.route("/programmes")
@reads_only
def programmes():
    """List the programmes with their faculties."""
    programmes = organisation.get_programmes(with_faculty=True)
    return render_template("admin/programmes.html", programmes=programmes)


@bp.route("/programmes/new", methods=["GET", "POST"])
@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
def edit_programme(programme_id: int | None = None):
    """Create a programme, or change one."""
    programme = db.get_or_404(Programme, programme_id) if programme_id is not None else None
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            if programme is None:
                programme = organisation.create_programme(current_user, **form.programme_data())
            else:
                organisation.update_programme(current_user, programme, **form.programme_data())
        except organisation.OrganisationError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Programme %(code)s saved.", code=programme.code), "success")
            return redirect(url_for(".programmes"))
    return render_template("admin/programme_form.html", form=form, programme=programme)
