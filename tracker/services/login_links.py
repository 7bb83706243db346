"""One-time log-in links for administrators, made on the command line.

Where password log-in is turned off (TRACKER_LOCAL_LOGIN=0) and the provider is
unreachable or an administrator's account is not linked yet, someone with access to
the server runs ``flask --app tracker login-link EMAIL`` and opens the link it prints.
A link works once (it is tied to the user's last log-in and session token), for
LOGIN_LINK_MINUTES, and only for an active administrator.
"""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.mail import link
from tracker.models import User
from tracker.models.base import as_utc, utcnow
from tracker.services.audit import record

LINK_SALT = "tracker.login-link"
LOGIN_LINK_MINUTES = 15


class LoginLinkError(ValueError):
    """No log-in link can be made for this user; the message says why."""


def _utc_text(moment: datetime | None) -> str:
    """Write a stored time the same way whether the database gave it with a zone or not."""
    if moment is None:
        return ""
    return as_utc(moment).replace(tzinfo=None).isoformat()


def _fingerprint(user: User) -> str:
    """Digest what a log-in or a log-out changes, so a link works once at most."""
    last = _utc_text(user.last_login_at)
    material = f"{user.id}|{user.session_token}|{last}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def create_login_link(user: User) -> str:
    """Return an absolute one-time log-in link for an active administrator; audit it."""
    if not user.is_admin or not user.active:
        raise LoginLinkError(_("Log-in links are only for active administrators."))
    token = _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})
    record("login_link_created", None, user)
    return link("auth.login_link", token=token)


def user_for_login_token(token: str) -> User | None:
    """Return the administrator a log-in link is for; None if bad, expired or used."""
    try:
        data = _serializer().loads(token, max_age=LOGIN_LINK_MINUTES * 60)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or not user.is_admin:
        return None
    if not secrets.compare_digest(str(data.get("fp", "")), _fingerprint(user)):
        return None
    return user


def log_in_by_link(user: User) -> None:
    """Record a log-in by link; the new log-in time makes the link unusable."""
    user.last_login_at = utcnow()
    db.session.flush()
    record("login", user, method="login_link")
