"""Routes of the auth area."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from tracker.auth import bp
from tracker.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    PreferencesForm,
    SetPasswordForm,
)
from tracker.extensions import db, limiter
from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.user import MIN_PASSWORD_LENGTH, password_matches
from tracker.services import accounts
from tracker.services.audit import record
from tracker.web import begin_session, end_session

# The set-password token waits here between the link's first GET and the form's POST.
SET_PASSWORD_TOKEN = "set_password_token"  # noqa: S105 - a session key
# Real tokens have about 100 characters; a longer one would only bloat the session cookie.
MAX_TOKEN_LENGTH = 300


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a local path, else the home page (no open redirects)."""
    # Browsers read a backslash as a slash, so "/\\host" would leave the site too.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log the user in with e-mail and password; failures are audited."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data  # the form keeps the address in its stored form
        user = accounts.get_user_by_email(email)
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if not password_matches(user, form.password.data, method):
            record("login_failed", user, email=email)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 200
        user.last_login_at = utcnow()
        begin_session(user)
        record("login", user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out, ending every session of the user."""
    # Rotating the token makes every copy of the old session cookie worthless.
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    record("logout", user)
    db.session.commit()
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """E-mail a set-password link, answering the same whether the address is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer either way, so the page does not tell who has an account.
        flash(
            _("If the address belongs to an account, we have sent a link to set a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.get("/set-password/<token>")
def set_password(token: str):
    """Keep the e-mailed link's token in the session and continue at an address without it."""
    # So the token is in one request line of the access log and in no Referer header.
    if len(token) <= MAX_TOKEN_LENGTH:
        session[SET_PASSWORD_TOKEN] = token
    else:
        session.pop(SET_PASSWORD_TOKEN, None)
    return redirect(url_for("auth.choose_password"))


@bp.route("/set-password", methods=["GET", "POST"])
def choose_password():
    """Let the holder of a valid one-time link choose a password."""
    user = accounts.user_for_token(session.get(SET_PASSWORD_TOKEN, ""))
    if user is None:
        session.pop(SET_PASSWORD_TOKEN, None)
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    ask_name = accounts.needs_name(user)
    if form.validate_on_submit():
        try:
            if ask_name:
                accounts.set_own_name(user, form.name.data or "")
            accounts.set_password(user, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            session.pop(SET_PASSWORD_TOKEN, None)
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/set_password.html",
        form=form,
        user=user,
        ask_name=ask_name,
        min_length=MIN_PASSWORD_LENGTH,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    """Change the password, staying logged in here and ending other sessions."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
            record("password_change_failed", user)
            db.session.commit()
            return _change_password_page(form)
        accounts.set_password(user, form.password.data)
        db.session.commit()
        # The new session token ended every session, this one included: start it again.
        begin_session(user)
        flash(_("Your password is changed. You are logged out everywhere else."), "success")
        return redirect(url_for("main.index"))
    return _change_password_page(form)


def _change_password_page(form: ChangePasswordForm) -> str:
    return render_template("auth/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose the language of pages and e-mails, or follow the browser's."""
    user = db.session.get(User, current_user.id)
    form = PreferencesForm(
        data={"locale": user.locale or ""}, languages=current_app.config["LANGUAGES"]
    )
    if form.validate_on_submit():
        try:
            accounts.set_locale(user, form.locale.data)
        except accounts.AccountError as error:
            form.locale.errors.append(error.message)
        else:
            db.session.commit()
            refresh()  # the confirmation below is already in the language just chosen
            flash(_("Your language is saved."), "success")
            # The top bar's menu sends the page it was on: the reader stays there.
            back = request.form.get("next")
            return redirect(_safe_next(back) if back else url_for("auth.preferences"))
    return render_template("auth/preferences.html", form=form)
