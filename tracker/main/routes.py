"""Routes of the home area."""

from flask import current_app, render_template
from flask_login import current_user, login_required

from tracker.domain import policy
from tracker.main import bp
from tracker.queries import home
from tracker.queries.plans import count_awaiting


@bp.route("/")
@login_required
def index():
    supervised = home.get_supervised_enrolments(current_user)
    any_supervisor = current_app.config["ANY_SUPERVISOR_MAY_APPROVE"]
    return render_template(
        "main/index.html",
        own=home.get_candidate_rows(current_user, current_app.config["PLAN_DUE_DAYS"]),
        supervised=supervised,
        waiting=count_awaiting(current_user, any_supervisor=any_supervisor) if supervised else None,
        programmes=home.get_programme_counts(current_user)
        if policy.is_coordinator(current_user)
        else [],
        all_programmes=home.get_programme_counts() if policy.is_admin(current_user) else [],
        user_count=home.count_users() if policy.is_admin(current_user) else 0,
    )
