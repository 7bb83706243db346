"""Routes of the auth area."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import bp
from tracker.auth.forms import LoginForm
from tracker.extensions import db, limiter
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services.audit import record


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a local path, else the home page (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None or not user.active or not user.check_password(form.password.data):
            record("login_failed", user, email=email)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 200
        user.last_login_at = utcnow()
        login_user(user)
        record("login", user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Rotating the token makes every copy of the old session cookie worthless.
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    record("logout", user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
