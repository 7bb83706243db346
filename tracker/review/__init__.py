"""The supervisor's side: the queue of plans and stays to decide on, and the decisions."""

from typing import TYPE_CHECKING

from flask import Blueprint, current_app, g
from flask_login import current_user

if TYPE_CHECKING:
    from tracker.queries.plans import WaitingCounts

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_template_global()
def supervises_anyone() -> bool:
    """Return whether the current user supervises any enrolment (for the navigation).

    Loading the user answers it (tracker.web.load_user); asked here only for a user
    loaded otherwise.
    """
    if not current_user.is_authenticated:
        return False
    if "supervises_anyone" not in g:
        from tracker.queries.home import count_supervised

        g.supervises_anyone = count_supervised(current_user) > 0
    return g.supervises_anyone


def awaiting() -> "WaitingCounts | None":
    """Return the plans and stays waiting for the current user's decision (None: supervises
    nobody), counted once per request: the home page and the navigation's badge share it."""
    if not supervises_anyone():
        return None
    if "review_awaiting" not in g:
        from tracker.queries.plans import count_awaiting

        g.review_awaiting = count_awaiting(
            current_user, any_supervisor=current_app.config["ANY_SUPERVISOR_MAY_APPROVE"]
        )
    return g.review_awaiting


@bp.app_template_global()
def review_waiting() -> int:
    """Return how many plans and stays wait for the current user's decision (the badge)."""
    counts = awaiting()
    return counts.plans + counts.stays if counts else 0


from tracker.plans import errors  # noqa: E402
from tracker.review import routes  # noqa: E402, F401

errors.install(bp)
