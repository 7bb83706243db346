"""Glue between the web layer and the domain: sessions, headers, policy in templates, loaders."""

import secrets
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask, Request, abort, current_app, flash, g, redirect, request, session
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import Select, bindparam
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.wsgi import LimitedStream

from tracker import presentation
from tracker.domain import policy
from tracker.extensions import db, login_manager
from tracker.labels import label
from tracker.models import CoordinatorScope, Enrolment, Plan, Stay, User
from tracker.queries.home import supervises_any
from tracker.sqlite import writing


class DatabaseIdConverter(IntegerConverter):
    """An ``<int:...>`` URL part that fits a database integer, so huge ids are 404, not 500."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class BoundedRequest(Request):
    """A request whose streamed form past MAX_CONTENT_LENGTH is refused, not cut short."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        stream = self.__dict__.get("stream")
        # Werkzeug reads a body sent without Content-Length (chunked) up to the limit and
        # parses a URL-encoded form from whatever it got: a byte left over means it was cut.
        if (
            self.content_length is None
            and isinstance(stream, LimitedStream)
            and stream.is_exhausted
            and self.input_stream.read(1)
        ):
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = self.parameter_storage_class()
            raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    """Install id converters, session loading, security headers and template helpers."""
    app.request_class = BoundedRequest
    app.url_map.converters["int"] = DatabaseIdConverter
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    # Flask-Login's own "Please log in to access this page." is neither translated nor kind;
    # str() turns the lazy text into the reader's language when it is flashed.
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str
    app.after_request(set_security_headers)
    app.teardown_request(_end_transaction)
    app.before_request(_make_nonce)
    app.before_request(_end_expired_session)
    app.jinja_env.globals.update(
        policy=policy,
        can=can,
        settings=_settings,
        get_locale=get_locale,
        page_numbers=page_numbers,
        language_choices=language_choices,
    )
    app.jinja_env.filters["label"] = label
    # Flask-Babel's own callables look the translations up again for every text of a page.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # Dates, times and percentages read one way on every page (tracker.presentation):
    # Flask-Babel's own date filters would give the US short form to an English reader.
    for name in ("dateformat", "datetimeformat", "timeformat"):
        app.jinja_env.filters.pop(name, None)
    app.jinja_env.filters["day"] = presentation.format_day
    app.jinja_env.filters["moment"] = presentation.format_moment
    app.jinja_env.globals["percent"] = presentation.percent
    app.jinja_env.globals["number"] = presentation.number


def _translations() -> Any:
    """Return the translations of the request's locale, looked up once per request and locale.

    Kept with the locale they are for, so a ``force_locale`` block (an e-mail in its
    reader's language) gets its own and the page's come back after it.
    """
    locale = get_locale()
    found = g.get("translations_for")
    if found is None or found[0] is not locale:
        found = g.translations_for = (locale, get_translations())
    return found[1]


@cache
def _user_by_id() -> Select[Any]:
    """Return the statement that loads the user of a session, built once for every request.

    Every request pays for it: one query, the scopes joined in, and whether the user
    supervises anyone (the navigation's Review link, tracker.review.supervises_anyone).
    Made and keyed for SQLAlchemy's statement cache once, not on every request.
    """
    return (
        db.select(User, supervises_any(User.id))
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.coordinator_scopes).joinedload(CoordinatorScope.programme))
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the user of a session id ``"<id>:<token>"``; a stale token means logged out."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    found = db.session.execute(_user_by_id(), {"user_id": int(raw_id)}).unique().one_or_none()
    if found is None or not secrets.compare_digest(found[0].session_token, token):
        return None
    g.supervises_anyone = bool(found[1])
    return found[0]


# --- Session lifetime ---------------------------------------------------------------------

# Kept in the signed session cookie, so a client can read but never change them.
LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# The provider's ID token of a log-in through it: the hint its end-session endpoint asks for.
PROVIDER_ID_TOKEN = "provider_id_token"  # noqa: S105 - a session key
# Writing the last-seen time on every request would send a new cookie with every answer.
SEEN_AT_STEP = 60


def now() -> int:
    """Return the current time in whole seconds (the one clock sessions are measured by)."""
    return int(time.time())


def begin_session(user: User) -> None:
    """Log ``user`` in with a new CSRF token and start the idle and absolute session clocks."""
    # A token seen before log-in (by a shared computer's last user, say) must not outlive it:
    # Flask-WTF makes a new one when the next form is shown.
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(user)
    session[LOGIN_AT] = session[SEEN_AT] = now()


def end_session() -> None:
    """Log the current user out of this session."""
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)
    session.pop(PROVIDER_ID_TOKEN, None)


def session_expired(login_at: Any, seen_at: Any, at: int) -> bool:
    """Return whether a session started and last used at these times is over at ``at``."""
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True  # a session from before they were timed: start again
    config = current_app.config
    idle = config["SESSION_IDLE_MINUTES"] * 60
    lifetime = config["SESSION_MAX_HOURS"] * 3600
    return at - seen_at > idle or at - login_at > lifetime


def _end_expired_session():
    """Log out a session idle too long or older than its lifetime, and ask to log in again."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    at = now()
    seen_at = session.get(SEEN_AT)
    if not session_expired(session.get(LOGIN_AT), seen_at, at):
        if at - seen_at >= SEEN_AT_STEP:
            session[SEEN_AT] = at
        return None
    end_session()
    if request.blueprint == "api":
        return None  # the API answers 401 in JSON itself
    flash(_("Your session has expired. Log in again."), "info")
    next_url = request.url if request.method == "GET" else None
    return redirect(login_url(login_manager.login_view, next_url=next_url))


def _end_transaction(_error: BaseException | None) -> None:
    """End what the request left of its transaction, and so any SQLite write lock it holds.

    The end of the app context does the same, but an app context may outlive a request
    (a command, a test), and a job run after the response must not wait on this one.
    """
    db.session.rollback()


def _make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def set_security_headers(response):
    """Add CSP, framing, sniffing, referrer and (in production) HSTS headers."""
    nonce = g.get("csp_nonce", "")
    from tracker.auth.oidc import form_action_sources

    # Log-out is a form whose answer may send the browser on to the provider's log-out.
    form_action = " ".join(["'self'", *form_action_sources()])
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("HSTS"):
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _settings() -> dict[str, Any]:
    return {
        "home_country": current_app.config["HOME_COUNTRY"],
        "min_stay_days": current_app.config["MIN_STAY_DAYS"],
        "plan_due_days": current_app.config["PLAN_DUE_DAYS"],
        "any_supervisor": current_app.config["ANY_SUPERVISOR_MAY_APPROVE"],
        "local_login": current_app.config["LOCAL_LOGIN"],
    }


def language_choices() -> list[tuple[str, str]]:
    """Return the languages a user may choose, each named in itself, after the browser's."""
    from tracker.auth.forms import language_name

    return [("", _("Browser default"))] + [
        (code, language_name(code)) for code in current_app.config["LANGUAGES"]
    ]


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page links to show: the first, the last and ``around`` either side of ``page``.

    None stands for a gap ("…"); a gap of a single page shows that page instead, since a
    link takes no more room than the ellipsis.
    """
    wanted = sorted({1, pages, *range(page - around, page + around + 1)} & set(range(1, pages + 1)))
    shown: list[int | None] = []
    for number in wanted:
        previous = shown[-1] if shown else None
        if previous is not None and number - previous == 2:
            shown.append(number - 1)
        elif previous is not None and number - previous > 2:
            shown.append(None)
        shown.append(number)
    return shown


def can(rule: str, *args: Any, **kwargs: Any) -> bool:
    """Ask the policy whether the current user may do ``rule`` (``can_<rule>``) to the objects.

    Settings the policy needs (whether co-supervisors decide) are filled in here, so
    templates and routes ask the same question the same way.
    """
    func: Callable[..., bool] = getattr(policy, f"can_{rule}")
    if "any_supervisor" in func.__code__.co_varnames:
        kwargs.setdefault("any_supervisor", current_app.config["ANY_SUPERVISOR_MAY_APPROVE"])
    return func(current_user, *args, **kwargs)


def require(allowed: bool) -> None:
    """Abort with 403 and record the refusal unless the policy allowed the request."""
    if not allowed:
        note_refusal()
        abort(403)


def note_refusal() -> None:
    """Record in the audit log that the policy refused this request, whatever the answer says."""
    from tracker.services.audit import record_refusal

    # A reading request's transaction cannot take SQLite's write lock: write in a new one.
    db.session.rollback()
    with writing():
        record_refusal()
        db.session.commit()


def get_enrolment_or_abort(enrolment_id: int, rule: str = "view_enrolment") -> Enrolment:
    """Load an enrolment: 404 if missing, 403 if the policy refuses ``rule``."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    require(can(rule, enrolment))
    return enrolment


def get_plan_or_404(enrolment: Enrolment) -> Plan:
    """Return the enrolment's plan; 404 while none has been started."""
    if enrolment.plan is None:
        abort(404)
    return enrolment.plan


def get_stay_or_abort(stay_id: int, rule: str) -> Stay:
    """Load a stay: 404 if missing or not visible, 403 if the policy refuses ``rule``."""
    stay = db.get_or_404(Stay, stay_id)
    if not can("view_enrolment", stay.enrolment):
        require(False)
    require(can(rule, stay))
    return stay
