"""Routes of the auth area."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from tracker.auth import bp, oidc
from tracker.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LoginLinkForm,
    PreferencesForm,
    SetPasswordForm,
)
from tracker.domain.identities import ClaimsError, read_identity
from tracker.extensions import db, limiter
from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.user import MIN_PASSWORD_LENGTH, password_matches
from tracker.services import accounts, identities, login_links
from tracker.services.audit import record
from tracker.sqlite import reading
from tracker.web import PROVIDER_ID_TOKEN, begin_session, end_session

# The set-password token waits here between the link's first GET and the form's POST.
SET_PASSWORD_TOKEN = "set_password_token"  # noqa: S105 - a session key
# So does a log-in link's token, and the page to return to after a provider log-in.
LOGIN_LINK_TOKEN = "login_link_token"  # noqa: S105 - a session key
PROVIDER_NEXT = "provider_next"
# Real tokens have about 100 characters; a longer one would only bloat the session cookie.
MAX_TOKEN_LENGTH = 300


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def local_login_only(view: Callable) -> Callable:
    """Answer 404 where password log-in is turned off (TRACKER_LOCAL_LOGIN=0)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config["LOCAL_LOGIN"]:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


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
    local = current_app.config["LOCAL_LOGIN"]
    if not local and request.method == "POST":
        abort(404)
    form = LoginForm()
    if local and form.validate_on_submit():
        email = form.email.data  # the form keeps the address in its stored form
        method = current_app.config["PASSWORD_HASH_METHOD"]
        # Hashing takes a while: on SQLite, not while holding the write lock.
        with reading():
            user = accounts.get_user_by_email(email)
            matches = password_matches(user, form.password.data, method)
        if not matches:
            record("login_failed", user, email=email)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")
            return _login_page(form), 200
        user.last_login_at = utcnow()
        begin_session(user)
        record("login", user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    return render_template(
        "auth/login.html",
        form=form,
        local_login=current_app.config["LOCAL_LOGIN"],
        provider_label=oidc.button_label() if oidc.is_configured() else None,
        next_url=request.args.get("next"),
    )


# No log-in rate limit on these two: passwords are typed at the provider, which limits its
# own, and a campus behind one address would otherwise hit the limit at every lecture.
@bp.get("/oidc/login")
def oidc_login():
    """Send the browser to the institution's provider to log in there."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session[PROVIDER_NEXT] = _safe_next(request.args.get("next"))
    try:
        return oidc.authorization_redirect()
    except oidc.ProviderError as error:
        return _provider_failure(error)


@bp.get("/oidc/callback")
def oidc_callback():
    """Take the provider's answer: check it, find the person, and log them in."""
    if not oidc.is_configured():
        abort(404)
    try:
        claims, id_token = oidc.complete_login()
        identity = read_identity(claims.get("iss"), claims, current_app.config["OIDC_USER_CLAIM"])
        user = identities.sign_in(identity)
    except oidc.ProviderError as error:
        return _provider_failure(error)
    except ClaimsError as error:
        return _provider_failure(oidc.ProviderError(oidc.Failure.INVALID_ANSWER, str(error)))
    except identities.SignInRefused as refusal:
        db.session.commit()  # the refusal's audit entry
        return _refused_page(refusal.reason.value, refusal.identity.email, 403)
    db.session.commit()
    target = session.pop(PROVIDER_NEXT, None) or url_for("main.index")
    begin_session(user)
    session[PROVIDER_ID_TOKEN] = id_token
    return redirect(_safe_next(target))


def _provider_failure(error: oidc.ProviderError):
    """Audit a failed provider log-in and explain it on a page."""
    current_app.logger.warning("Log-in through the provider failed: %s", error)
    record("oidc_login_failed", None, failure=error.failure.value, detail=error.detail[:500])
    db.session.commit()
    provider_fault = error.failure in (oidc.Failure.UNREACHABLE, oidc.Failure.PROVIDER_ERROR)
    status = 502 if provider_fault else 400
    return _refused_page(error.failure.value, None, status)


def _refused_page(reason: str, email: str | None, status: int):
    return (
        render_template(
            "auth/provider_refused.html",
            reason=reason,
            email=email,
            support_email=current_app.config["SUPPORT_EMAIL"],
            local_login=current_app.config["LOCAL_LOGIN"],
        ),
        status,
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out, ending every session of the user, and at the provider if logged in there."""
    # Rotating the token makes every copy of the old session cookie worthless.
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    record("logout", user)
    db.session.commit()
    id_token = session.get(PROVIDER_ID_TOKEN)
    end_session()
    flash(_("You are logged out."), "info")
    provider_logout = oidc.end_session_url(id_token) if id_token and oidc.is_configured() else None
    return redirect(provider_logout or url_for("auth.login"))


@bp.get("/login-link/<token>")
def login_link(token: str):
    """Keep a log-in link's token in the session and continue at an address without it."""
    if len(token) <= MAX_TOKEN_LENGTH:
        session[LOGIN_LINK_TOKEN] = token
    else:
        session.pop(LOGIN_LINK_TOKEN, None)
    return redirect(url_for("auth.use_login_link"))


@bp.route("/login-link", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def use_login_link():
    """Log an administrator in with a one-time link from `flask login-link`, on a button."""
    user = login_links.user_for_login_token(session.get(LOGIN_LINK_TOKEN, ""))
    if user is None:
        session.pop(LOGIN_LINK_TOKEN, None)
        return (
            render_template("auth/login_link_invalid.html", minutes=login_links.LOGIN_LINK_MINUTES),
            410,
        )
    form = LoginLinkForm()
    if form.validate_on_submit():
        login_links.log_in_by_link(user)
        db.session.commit()
        session.pop(LOGIN_LINK_TOKEN, None)
        begin_session(user)
        return redirect(url_for("main.index"))
    return render_template("auth/login_link.html", form=form, user=user)


@bp.route("/forgot", methods=["GET", "POST"])
@local_login_only
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
@local_login_only
def set_password(token: str):
    """Keep the e-mailed link's token in the session and continue at an address without it."""
    # So the token is in one request line of the access log and in no Referer header.
    if len(token) <= MAX_TOKEN_LENGTH:
        session[SET_PASSWORD_TOKEN] = token
    else:
        session.pop(SET_PASSWORD_TOKEN, None)
    return redirect(url_for("auth.choose_password"))


@bp.route("/set-password", methods=["GET", "POST"])
@local_login_only
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
@local_login_only
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
