"""Routes of the review area: the supervisor's queue and decisions (thin views).

The four decisions (approve or return a plan, confirm or return a stay) differ only in
their form, the service they call and what the supervisor is told afterwards, so one
view takes them all, from the table of decisions below.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.domain.snapshot import diff_snapshots
from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Stay
from tracker.plans.display import notes_for_row
from tracker.plans.errors import CONFLICT_MESSAGE
from tracker.plans.forms import LockForm
from tracker.queries.plans import (
    get_latest_version,
    get_plans_awaiting_decision,
    get_stays_awaiting_confirmation,
)
from tracker.reads import reads_only
from tracker.review import bp
from tracker.review.forms import (
    ApproveForm,
    ConfirmStayForm,
    RequestChangesForm,
    ReturnStayForm,
)
from tracker.services import plans, stays
from tracker.services.plans import Conflict, any_supervisor_decides, stay_context
from tracker.web import (
    can,
    get_enrolment_or_abort,
    get_plan_or_404,
    get_stay_or_abort,
    note_refusal,
)


@dataclass(frozen=True)
class Decision:
    """One decision: its form (and the prefix of its fields), the service call, the message."""

    form: type[LockForm]
    prefix: str
    apply: Callable[[Any, LockForm], Any]
    done: Any


def _comment(form: LockForm) -> str:
    return form.comment.data or ""


PLAN_DECISIONS = {
    "approve": Decision(
        ApproveForm,
        "approve",
        lambda plan, form: plans.approve_plan(
            plan, current_user, _comment(form), lock_version=form.lock_version.data
        ),
        _l("The plan is approved. The candidate has been told."),
    ),
    "request-changes": Decision(
        RequestChangesForm,
        "changes",
        lambda plan, form: plans.request_changes(
            plan, current_user, _comment(form), lock_version=form.lock_version.data
        ),
        _l("Changes are requested. The candidate has been told."),
    ),
}
STAY_DECISIONS = {
    "confirm": Decision(
        ConfirmStayForm,
        "confirm",
        lambda stay, form: stays.confirm_stay(
            stay, current_user, lock_version=form.lock_version.data
        ),
        _l("The stay is confirmed. The candidate has been told."),
    ),
    "return": Decision(
        ReturnStayForm,
        "return",
        lambda stay, form: stays.return_stay(
            stay, current_user, _comment(form), lock_version=form.lock_version.data
        ),
        _l("The report is returned to the candidate."),
    ),
}


def _forms(decisions: dict[str, Decision], lock_version: int, **posted: LockForm):
    """Return a form per decision: the one posted as it came back, the others fresh."""
    return {
        name: posted.get(name) or d.form(prefix=d.prefix, data={"lock_version": lock_version})
        for name, d in decisions.items()
    }


def _plan_page(enrolment: Enrolment, plan: Plan, *, status: int = 200, **posted: LockForm):
    """Render the review page: the submitted version, the diff, and the decision forms."""
    submitted = get_latest_version(plan, PlanEvent.SUBMITTED)
    in_force = plan.approved_version
    context = stay_context(enrolment)
    forms = _forms(PLAN_DECISIONS, plan.lock_version, **posted)
    typed = next((form.comment.data or "" for form in posted.values()), "")
    return render_template(
        "review/plan.html",
        # Decided by someone else meanwhile: the forms are gone, what was typed is not.
        unsaved=typed if status == 409 and plan.status != PlanStatus.SUBMITTED else "",
        enrolment=enrolment,
        plan=plan,
        submitted=submitted,
        in_force=in_force,
        diff=diff_snapshots(in_force.snapshot if in_force else None, submitted.snapshot)
        if submitted
        else None,
        # Stored JSON, read as diff_snapshots reads it: a snapshot without stays has none.
        notes={
            row["id"]: notes_for_row(row, context) for row in submitted.snapshot.get("stays", [])
        }
        if submitted
        else {},
        approve=forms["approve"],
        changes=forms["request-changes"],
        conflict=CONFLICT_MESSAGE if status == 409 else None,
    ), status


def _stay_page(stay: Stay, *, status: int = 200, **posted: LockForm):
    forms = _forms(STAY_DECISIONS, stay.lock_version, **posted)
    return render_template(
        "review/stay.html",
        stay=stay,
        enrolment=stay.enrolment,
        confirm=forms["confirm"],
        back=forms["return"],
        conflict=CONFLICT_MESSAGE if status == 409 else None,
    ), status


@bp.route("/")
@reads_only
@login_required
def queue():
    options = {"any_supervisor": any_supervisor_decides(), "today": date.today()}
    return render_template(
        "review/queue.html",
        plans=get_plans_awaiting_decision(current_user, **options),
        stays=get_stays_awaiting_confirmation(current_user, **options),
    )


@bp.route("/plans/<int:enrolment_id>")
@reads_only
@login_required
def plan(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id)
    if not can("decide_plan", enrolment):
        # A co-supervisor, a coordinator: say who decides and where the plan can be read.
        note_refusal()
        return render_template("review/not_decider.html", enrolment=enrolment), 403
    return _plan_page(enrolment, get_plan_or_404(enrolment))


def _load_plan(enrolment_id: int) -> tuple[Plan, Callable[..., Any]]:
    enrolment = get_enrolment_or_abort(enrolment_id, "decide_plan")
    plan = get_plan_or_404(enrolment)
    return plan, lambda **kwargs: _plan_page(enrolment, plan, **kwargs)


def _load_stay(stay_id: int) -> tuple[Stay, Callable[..., Any]]:
    stay = get_stay_or_abort(stay_id, "decide_stay")
    return stay, lambda **kwargs: _stay_page(stay, **kwargs)


SUBJECTS = {"plan": (_load_plan, PLAN_DECISIONS), "stay": (_load_stay, STAY_DECISIONS)}


@bp.post("/plans/<int:object_id>/<any(approve, 'request-changes'):decision>",
         defaults={"subject": "plan"})  # fmt: skip
@bp.post("/stays/<int:object_id>/<any(confirm, return):decision>", defaults={"subject": "stay"})
@login_required
def decide(subject: str, object_id: int, decision: str):
    """Take a decision on a plan or a reported stay; the page again with its errors if refused."""
    load, decisions = SUBJECTS[subject]
    found, page = load(object_id)
    chosen = decisions.get(decision)
    if chosen is None:
        abort(404)
    form = chosen.form(prefix=chosen.prefix)
    if not form.validate_on_submit():
        return page(status=422, **{decision: form})
    try:
        chosen.apply(found, form)
    except Conflict:
        db.session.rollback()
        return page(status=409, **{decision: form})
    db.session.commit()
    flash(str(chosen.done), "success")
    return redirect(url_for("review.queue"))


@bp.route("/stays/<int:stay_id>")
@reads_only
@login_required
def stay(stay_id: int):
    return _stay_page(get_stay_or_abort(stay_id, "decide_stay"))
