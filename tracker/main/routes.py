"""Routes of the home area."""

from datetime import date
from typing import Any

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from tracker import figures
from tracker.domain import policy
from tracker.domain.headlines import SMALL_N, is_outcome
from tracker.main import bp
from tracker.queries import home, stats
from tracker.queries.comparison import get_compared_statistics
from tracker.queries.scope import Filters
from tracker.reads import reads_only
from tracker.review import awaiting, supervises_anyone


@bp.route("/favicon.ico")
def favicon():
    """Serve the icon browsers ask for at the site's root, whatever the page."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/")
@reads_only
def index():
    """Show each role's home page; someone not logged in goes to the log-in page, unscolded."""
    if not current_user.is_authenticated:
        # The first page anyone opens: the log-in form explains itself, no "please log in".
        return redirect(url_for("auth.login"))
    # Loading the user said whether they supervise anyone: most people do not.
    supervised = home.get_supervised_enrolments(current_user) if supervises_anyone() else []
    return render_template(
        "main/index.html",
        own=home.get_candidate_rows(current_user, current_app.config["PLAN_DUE_DAYS"]),
        supervised=supervised,
        waiting=awaiting() if supervised else None,
        programmes=home.get_programme_counts(current_user)
        if policy.is_coordinator(current_user)
        else [],
        all_programmes=home.get_programme_counts() if policy.is_admin(current_user) else [],
        user_count=home.count_users() if policy.is_admin(current_user) else 0,
        **(_institution_figures() if policy.is_admin(current_user) else {}),
    )


def _institution_figures() -> dict[str, Any]:
    """Return the programmes compared on the outcome of each target, for the whole institution."""
    today = date.today()
    settings = stats.current_settings()
    # The populations only: the comparison reads nothing of the international sections.
    document, compared = get_compared_statistics(
        current_user, today, Filters(), settings, international=False
    )
    outcome = [
        comparison
        for comparison in figures.comparisons_of(document, compared)
        if is_outcome(comparison.section.year_basis)
    ]
    return {"comparisons": outcome, "small_n": SMALL_N, "as_of": document["as_of"]}
