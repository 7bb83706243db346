"""Routes of the home area."""

from flask import current_app, render_template
from flask_login import current_user, login_required

from tracker.domain import policy
from tracker.domain.deadlines import plan_due_date
from tracker.main import bp
from tracker.queries import home


@bp.route("/")
@login_required
def index():
    own = home.get_own_enrolments(current_user)
    due_days = current_app.config["PLAN_DUE_DAYS"]
    return render_template(
        "main/index.html",
        own=[(e, plan_due_date(e.start_date, due_days)) for e in own],
        supervised=home.get_supervised_enrolments(current_user),
        programmes=home.get_programme_counts(current_user)
        if policy.is_coordinator(current_user)
        else [],
        all_programmes=home.get_programme_counts() if policy.is_admin(current_user) else [],
        user_count=home.count_users() if policy.is_admin(current_user) else 0,
    )
