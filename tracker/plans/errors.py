"""Turn refusals and conflicts of the plan services into 409 answers."""

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.domain.workflow import TransitionRefused
from tracker.extensions import db
from tracker.services.audit import record
from tracker.services.plans import CommentRequired, Conflict, InvalidDoneDate
from tracker.services.stays import InvalidStay

CONFLICT_MESSAGE = _l(
    "This was changed by someone else since you opened it — reload the page to see the "
    "current version. Nothing was saved."
)


class NotNow(Exception):
    """The candidate asked for something the plan's state does not allow yet or any more.

    The answer says why, and offers what leads there: a revision of an approved plan,
    withdrawing a submitted one, or the day a stay can be reported.
    """

    def __init__(self, enrolment: Any, *, report_from: date | None = None) -> None:
        super().__init__("not possible in the plan's current state")
        self.enrolment = enrolment
        self.report_from = report_from


def not_now(exc: NotNow):
    """Answer 409 with what the candidate can do instead, and audit the attempt."""
    db.session.rollback()
    actor = current_user if current_user.is_authenticated else None
    record("transition_refused", actor, path=request.path, reason=str(exc))
    db.session.commit()
    enrolment = exc.enrolment
    return render_template(
        "plans/not_now.html", enrolment=enrolment, plan=enrolment.plan, report_from=exc.report_from
    ), 409


def refused(exc: TransitionRefused):
    """Answer 409 for an action the workflow does not allow now, and audit the attempt."""
    db.session.rollback()
    actor = current_user if current_user.is_authenticated else None
    record("transition_refused", actor, path=request.path, reason=str(exc))
    db.session.commit()
    return render_template("errors/error.html", code=409), 409


def conflict(exc: Conflict):
    """Answer 409 with the reload message for a button whose record changed meanwhile."""
    db.session.rollback()
    return render_template("plans/conflict.html", conflict=CONFLICT_MESSAGE), 409


def bad_request(exc: CommentRequired | InvalidStay | InvalidDoneDate):
    """Answer 400: the forms check these first, so only a hand-made request gets here."""
    db.session.rollback()
    return render_template("errors/error.html", code=400), 400


def form_conflict(template: str, **context):
    """Re-render a form with what the user typed and the reload message, as 409."""
    db.session.rollback()
    return render_template(template, conflict=CONFLICT_MESSAGE, **context), 409


def install(bp: Blueprint) -> None:
    """Register the handlers on a blueprint whose views call the plan services."""
    bp.register_error_handler(TransitionRefused, refused)
    bp.register_error_handler(NotNow, not_now)
    bp.register_error_handler(Conflict, conflict)
    bp.register_error_handler(CommentRequired, bad_request)
    bp.register_error_handler(InvalidStay, bad_request)
    bp.register_error_handler(InvalidDoneDate, bad_request)
