"""Routes of the review area: the supervisor's queue and decisions (thin views)."""

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.domain.snapshot import diff_snapshots
from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Stay
from tracker.plans.display import notes_for_row
from tracker.plans.errors import CONFLICT_MESSAGE
from tracker.queries.plans import (
    get_latest_version,
    get_plans_awaiting_decision,
    get_stays_awaiting_confirmation,
)
from tracker.review import bp
from tracker.review.forms import (
    ApproveForm,
    ConfirmStayForm,
    RequestChangesForm,
    ReturnStayForm,
)
from tracker.services import plans, stays
from tracker.services.plans import Conflict, any_supervisor_decides, stay_context
from tracker.web import get_enrolment_or_abort, get_stay_or_abort


def _plan_or_404(enrolment: Enrolment) -> Plan:
    if enrolment.plan is None:
        abort(404)
    return enrolment.plan


def _plan_page(enrolment: Enrolment, plan: Plan, *, approve=None, changes=None, status=200):
    """Render the review page: the submitted version, the diff, and the decision forms."""
    submitted = get_latest_version(plan, PlanEvent.SUBMITTED)
    in_force = plan.approved_version
    context = stay_context(enrolment)
    lock = {"lock_version": plan.lock_version}
    typed = (approve or changes).comment.data if (approve or changes) else ""
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
        notes={row["id"]: notes_for_row(row, context) for row in submitted.snapshot["stays"]}
        if submitted
        else {},
        approve=approve or ApproveForm(prefix="approve", data=lock),
        changes=changes or RequestChangesForm(prefix="changes", data=lock),
        conflict=CONFLICT_MESSAGE if status == 409 else None,
    ), status


def _stay_page(stay: Stay, *, confirm=None, back=None, status=200):
    lock = {"lock_version": stay.lock_version}
    return render_template(
        "review/stay.html",
        stay=stay,
        enrolment=stay.enrolment,
        confirm=confirm or ConfirmStayForm(prefix="confirm", data=lock),
        back=back or ReturnStayForm(prefix="return", data=lock),
        conflict=CONFLICT_MESSAGE if status == 409 else None,
    ), status


@bp.route("/")
@login_required
def queue():
    options = {"any_supervisor": any_supervisor_decides(), "today": date.today()}
    return render_template(
        "review/queue.html",
        plans=get_plans_awaiting_decision(current_user, **options),
        stays=get_stays_awaiting_confirmation(current_user, **options),
    )


@bp.route("/plans/<int:enrolment_id>")
@login_required
def plan(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "decide_plan")
    return _plan_page(enrolment, _plan_or_404(enrolment))


@bp.post("/plans/<int:enrolment_id>/approve")
@login_required
def approve(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "decide_plan")
    plan = _plan_or_404(enrolment)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        return _plan_page(enrolment, plan, approve=form, status=422)
    try:
        plans.approve_plan(
            plan, current_user, form.comment.data or "", lock_version=form.lock_version.data
        )
    except Conflict:
        db.session.rollback()
        return _plan_page(enrolment, plan, approve=form, status=409)
    db.session.commit()
    flash(_("The plan is approved. The candidate has been told."), "success")
    return redirect(url_for("review.queue"))


@bp.post("/plans/<int:enrolment_id>/request-changes")
@login_required
def request_changes(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "decide_plan")
    plan = _plan_or_404(enrolment)
    form = RequestChangesForm(prefix="changes")
    if not form.validate_on_submit():
        return _plan_page(enrolment, plan, changes=form, status=422)
    try:
        plans.request_changes(
            plan, current_user, form.comment.data, lock_version=form.lock_version.data
        )
    except Conflict:
        db.session.rollback()
        return _plan_page(enrolment, plan, changes=form, status=409)
    db.session.commit()
    flash(_("Changes are requested. The candidate has been told."), "success")
    return redirect(url_for("review.queue"))


@bp.route("/stays/<int:stay_id>")
@login_required
def stay(stay_id: int):
    return _stay_page(get_stay_or_abort(stay_id, "decide_stay"))


@bp.post("/stays/<int:stay_id>/confirm")
@login_required
def confirm_stay(stay_id: int):
    found = get_stay_or_abort(stay_id, "decide_stay")
    form = ConfirmStayForm(prefix="confirm")
    if not form.validate_on_submit():
        return _stay_page(found, confirm=form, status=422)
    try:
        stays.confirm_stay(found, current_user, lock_version=form.lock_version.data)
    except Conflict:
        db.session.rollback()
        return _stay_page(found, confirm=form, status=409)
    db.session.commit()
    flash(_("The stay is confirmed. The candidate has been told."), "success")
    return redirect(url_for("review.queue"))


@bp.post("/stays/<int:stay_id>/return")
@login_required
def return_stay(stay_id: int):
    found = get_stay_or_abort(stay_id, "decide_stay")
    form = ReturnStayForm(prefix="return")
    if not form.validate_on_submit():
        return _stay_page(found, back=form, status=422)
    try:
        stays.return_stay(
            found, current_user, form.comment.data, lock_version=form.lock_version.data
        )
    except Conflict:
        db.session.rollback()
        return _stay_page(found, back=form, status=409)
    db.session.commit()
    flash(_("The report is returned to the candidate."), "success")
    return redirect(url_for("review.queue"))
