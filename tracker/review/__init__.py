"""The supervisor's side: the queue of plans and stays to decide on, and the decisions."""

from flask import Blueprint, g
from flask_login import current_user

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_template_global()
def supervises_anyone() -> bool:
    """Return whether the current user supervises any enrolment (for the navigation)."""
    if not current_user.is_authenticated:
        return False
    if "supervises_anyone" not in g:
        from tracker.queries.home import count_supervised

        g.supervises_anyone = count_supervised(current_user) > 0
    return g.supervises_anyone


from tracker.plans import errors  # noqa: E402
from tracker.review import routes  # noqa: E402, F401

errors.install(bp)
