"""Accounts: create and change users, their roles, and one-time set-password links."""

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any, Literal

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, or_
from sqlalchemy.orm import selectinload

from tracker import jobs
from tracker.domain.addresses import InvalidEmail, lookup_key, normalise_email
from tracker.domain.text import single_line
from tracker.extensions import db
from tracker.mail import link
from tracker.models import CoordinatorScope, Enrolment, Faculty, Programme, User, co_supervision
from tracker.models.user import MIN_PASSWORD_LENGTH, new_session_token
from tracker.services.audit import record
from tracker.services.outbox import queue_mail

LINK_SALT = "tracker.set-password"
Purpose = Literal["invite", "reset"]


class AccountError(ValueError):
    """A change to an account was refused; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def stored_address(email: str, field: str = "email") -> str:
    """Return the address as stored; raise AccountError (on ``field``) if it is no address."""
    try:
        return normalise_email(email)
    except InvalidEmail:
        raise AccountError(
            field, _("“%(email)s” is not a valid e-mail address.", email=single_line(email))
        ) from None


def get_user_by_email(email: str) -> User | None:
    """Return the user with this address (in any of its spellings), or None."""
    address = lookup_key(email)
    if address is None:
        return None
    return db.session.scalar(db.select(User).where(User.email == address))


# The roles the user list can be narrowed to; "none" is someone with none of them yet.
ROLES = ("admin", "coordinator", "supervisor", "candidate", "none")


def _role_conditions() -> dict[str, Any]:
    supervises = or_(
        User.id.in_(db.select(Enrolment.main_supervisor_id).where(
            Enrolment.main_supervisor_id.is_not(None))),
        User.id.in_(db.select(co_supervision.c.user_id)),
    )  # fmt: skip
    conditions = {
        "admin": User.is_admin.is_(True),
        "coordinator": User.id.in_(db.select(CoordinatorScope.user_id)),
        "supervisor": supervises,
        "candidate": User.id.in_(db.select(Enrolment.person_id)),
    }
    conditions["none"] = ~or_(*conditions.values())
    return conditions


def select_users(search: str = "", role: str = "") -> Select:
    """Return a query of users whose name or e-mail contains ``search``, by name.

    ``role`` (one of ROLES) keeps only the users who hold it; empty keeps everyone.
    """
    query = (
        db.select(User)
        .options(
            selectinload(User.coordinator_scopes).selectinload(CoordinatorScope.faculty),
            selectinload(User.coordinator_scopes).selectinload(CoordinatorScope.programme),
        )
        .order_by(User.name, User.id)
    )
    search = search.strip()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    if role:
        query = query.where(_role_conditions()[role])
    return query


def find_people(text: str, limit: int = 10) -> list[User]:
    """Return up to ``limit`` active users whose name or address contains ``text``, by name.

    Fewer than two characters find nobody: one letter would list half the institution.
    """
    if len(text.strip()) < 2:
        return []
    query = select_users(text).where(User.active.is_(True)).limit(limit)
    return list(db.session.scalars(query))


def get_enrolment_roles(user_ids: list[int]) -> dict[str, set[int]]:
    """Return which of these users are candidates and which supervise someone."""
    if not user_ids:
        return {"candidate": set(), "supervisor": set()}
    candidates = db.session.scalars(
        db.select(Enrolment.person_id).where(Enrolment.person_id.in_(user_ids)).distinct()
    )
    supervisors = db.session.scalars(
        db.select(Enrolment.main_supervisor_id)
        .where(Enrolment.main_supervisor_id.in_(user_ids))
        .union(db.select(co_supervision.c.user_id).where(co_supervision.c.user_id.in_(user_ids)))
    )
    return {"candidate": set(candidates), "supervisor": set(supervisors)}


def _check_email_free(email: str, user: User | None = None) -> None:
    other = get_user_by_email(email)
    if other is not None and other is not user:
        raise AccountError("email", _("Another account already uses this e-mail address."))


def _scope_ids(user: User) -> tuple[set[int], set[int]]:
    faculties = {s.faculty_id for s in user.coordinator_scopes if s.faculty_id is not None}
    programmes = {s.programme_id for s in user.coordinator_scopes if s.programme_id is not None}
    return faculties, programmes


def scope_ids(user: User) -> dict[str, list[int]]:
    """Return the ids of the faculties and programmes the user coordinates, for forms."""
    faculties, programmes = _scope_ids(user)
    return {"faculties": sorted(faculties), "programmes": sorted(programmes)}


def describe_scopes(user: User) -> list[str]:
    """Return the codes of the faculties and programmes the user coordinates, sorted."""
    codes = [
        (scope.faculty or scope.programme).code
        for scope in user.coordinator_scopes
        if scope.faculty is not None or scope.programme is not None
    ]
    return sorted(codes)


def _set_scopes(
    user: User, faculties: Iterable[Faculty], programmes: Iterable[Programme], *, keep: bool
) -> None:
    """Make the user coordinate exactly these (or, with ``keep``, at least these) units."""
    faculties, programmes = list(faculties), list(programmes)
    if not keep:
        wanted_f = {f.id for f in faculties}
        wanted_p = {p.id for p in programmes}
        for scope in list(user.coordinator_scopes):
            if scope.faculty_id is not None and scope.faculty_id not in wanted_f:
                user.coordinator_scopes.remove(scope)
            elif scope.programme_id is not None and scope.programme_id not in wanted_p:
                user.coordinator_scopes.remove(scope)
    have_f, have_p = _scope_ids(user)
    for faculty in faculties:
        if faculty.id not in have_f:
            user.coordinator_scopes.append(CoordinatorScope(faculty=faculty))
    for programme in programmes:
        if programme.id not in have_p:
            user.coordinator_scopes.append(CoordinatorScope(programme=programme))


def _roles(user: User) -> dict[str, Any]:
    faculties, programmes = _scope_ids(user)
    return {
        "is_admin": user.is_admin,
        "faculties": sorted(faculties),
        "programmes": sorted(programmes),
    }


def check_password_rules(password: str) -> None:
    """Raise AccountError unless the password is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password",
            _("The password must have at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
        )


def create_user(
    actor: Any,
    *,
    email: str,
    name: str,
    is_admin: bool = False,
    faculties: Iterable[Faculty] = (),
    programmes: Iterable[Programme] = (),
    password: str | None = None,
    invite: bool = False,
) -> User:
    """Create an account (with a password, or none until the person sets one).

    With ``invite``, an account without a password is e-mailed a link to choose one.
    """
    email = stored_address(email)
    _check_email_free(email)
    user = User(
        email=email,
        name=single_line(name).strip(),
        is_admin=is_admin,
        active=True,
        session_token=new_session_token(),
    )
    if password:
        check_password_rules(password)
        user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    _set_scopes(user, faculties, programmes, keep=True)
    db.session.flush()
    record("user_created", actor, user, email=user.email, **_roles(user))
    if invite and not password:
        send_password_link(user, "invite", actor=actor)
    return user


def update_user(
    actor: Any,
    user: User,
    *,
    email: str,
    name: str,
    active: bool,
    is_admin: bool,
    faculties: Iterable[Faculty],
    programmes: Iterable[Programme],
) -> dict[str, Any]:
    """Change an account's details and roles; return what changed.

    Administrators cannot lock themselves out: they keep their own admin flag and account.
    """
    if actor is not None and actor.id == user.id:
        if not is_admin:
            raise AccountError("is_admin", _("You cannot remove your own administrator role."))
        if not active:
            raise AccountError("active", _("You cannot deactivate your own account."))
    email = stored_address(email)
    _check_email_free(email, user)
    before = {"email": user.email, "name": user.name, "active": user.active, **_roles(user)}
    user.email = email
    user.name = single_line(name).strip()
    if user.active and not active:
        user.end_sessions()
    user.active = active
    user.is_admin = is_admin
    _set_scopes(user, faculties, programmes, keep=False)
    db.session.flush()
    after = {"email": user.email, "name": user.name, "active": user.active, **_roles(user)}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record("user_updated", actor, user, changes=changes)
    return changes


def grant_roles(
    actor: Any,
    user: User,
    *,
    is_admin: bool = False,
    faculties: Iterable[Faculty] = (),
    programmes: Iterable[Programme] = (),
) -> dict[str, Any]:
    """Add roles to an account, keeping those it has; return what changed."""
    before = _roles(user)
    user.is_admin = user.is_admin or is_admin
    _set_scopes(user, faculties, programmes, keep=True)
    db.session.flush()
    after = _roles(user)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record("user_updated", actor, user, changes=changes)
    return changes


def _fingerprint(user: User) -> str:
    """Digest the secrets a used link changes, so the link works only once."""
    material = f"{user.password_hash or ''}|{user.session_token}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def password_token(user: User) -> str:
    """Return a signed, expiring token that lets the user set a password once."""
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """Return the active user a set-password token belongs to; None if bad, expired or used."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_TOKEN_MAX_AGE"])
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        return None
    if not secrets.compare_digest(str(data.get("fp", "")), _fingerprint(user)):
        return None
    return user


def password_link(user: User) -> str:
    """Return the absolute set-password link for e-mails (built from TRACKER_BASE_URL)."""
    return link("auth.set_password", token=password_token(user))


def send_password_link(user: User, purpose: Purpose, actor: Any = None) -> None:
    """Queue an e-mail with a set-password link (an invitation or a reset) for the user.

    Where password log-in is off (TRACKER_LOCAL_LOGIN=0), an invitation asks the person
    to log in with the institution's account instead, and a reset is refused.
    """
    if not user.active:
        raise AccountError("active", _("The account is not active; activate it first."))
    if not current_app.config["LOCAL_LOGIN"]:
        if purpose != "invite":
            raise AccountError("email", _("Password log-in is turned off."))
        _send_sign_in_invitation(user, actor)
        return
    link = password_link(user)
    hours = current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if purpose == "invite":
            subject = _("Your account in the mobility plan tracker")
            intro = _(
                "Hello %(name)s,\n\nan account in the mobility plan tracker has been made for "
                "you. Choose your password with this link:",
                name=user.name,
            )
        else:
            subject = _("Set a new password for the mobility plan tracker")
            intro = _(
                "Hello %(name)s,\n\nsomeone (hopefully you) asked to set a new password for "
                "your account in the mobility plan tracker. Choose it with this link:",
                name=user.name,
            )
        outro = _(
            "The link works once and expires in %(hours)d hours. If you did not expect this "
            "message, you can ignore it.",
            hours=hours,
        )
    body = f"{intro}\n\n{link}\n\n{outro}\n"
    queue_mail(user, subject, body, kind="invitation" if purpose == "invite" else "password_reset")
    record("password_link_sent", actor, user, purpose=purpose)


def _send_sign_in_invitation(user: User, actor: Any) -> None:
    """Queue an invitation to log in with the institution's account."""
    login = link("auth.login")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Your account in the mobility plan tracker")
        body = _(
            "Hello %(name)s,\n\nan account in the mobility plan tracker has been made for "
            "you. Log in with your institution's account here:",
            name=user.name,
        )
    queue_mail(user, subject, f"{body}\n\n{login}\n", kind="invitation")
    record("invitation_sent", actor, user, method="provider")


def request_password_reset(email: str) -> None:
    """Record a request for a password link; the link is queued by a job after the commit.

    Whether the address belongs to anyone is looked up by the job, so the request
    does the same work, and takes the same time, for every address.
    """
    record("password_reset_requested", None, email=email)
    jobs.enqueue_after_commit("send_password_reset", email)


def send_reset_link_if_known(email: str) -> None:
    """Queue a reset link for the active account with this address; record it if none."""
    user = get_user_by_email(email)
    if user is not None and user.active:
        send_password_link(user, "reset")
    else:
        record("password_reset_unknown", None, email=email)


def set_password(user: User, password: str, actor: Any = None) -> None:
    """Give the user a new password; every other session and every older link stop working."""
    check_password_rules(password)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.flush()
    record("password_set", actor or user, user)


def needs_name(user: User) -> bool:
    """Return whether the account still goes by its address: created without a name."""
    return not user.name.strip() or user.name == user.email


def set_own_name(user: User, name: str) -> None:
    """Give the account the name its holder chose; refuse an empty one."""
    cleaned = single_line(name).strip()
    if not cleaned:
        raise AccountError("name", _("Give your name, as colleagues will see it."))
    if cleaned != user.name:
        before, user.name = user.name, cleaned
        db.session.flush()
        record("user_updated", user, user, changes={"name": [before, cleaned]})


def set_locale(user: User, locale: str | None) -> bool:
    """Save the user's language (None: follow the browser); return whether it changed."""
    locale = locale or None
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise AccountError("locale", _("Choose one of the languages in the list."))
    if user.locale == locale:
        return False
    user.locale = locale
    db.session.flush()
    record("locale_changed", user, user, locale=locale)
    return True
