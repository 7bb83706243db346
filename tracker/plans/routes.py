"""Routes of the plan area: thin views over tracker.services.plans and tracker.services.stays.

Loaders answer 404 for a missing object and 403 for someone else's; an action
the plan's state does not allow answers 409 (see tracker.plans.errors), saying what
to do instead when there is something. Removing or cancelling asks first.
"""

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.domain import policy
from tracker.domain.deadlines import plan_due_date
from tracker.domain.vocabulary import PlanEvent
from tracker.domain.workflow import TransitionRefused
from tracker.extensions import db
from tracker.models import Activity, Enrolment, PlanVersion, Stay
from tracker.plans import bp
from tracker.plans.display import notes_for_stay
from tracker.plans.errors import NotNow, form_conflict
from tracker.plans.forms import (
    ActivityDoneForm,
    ActivityForm,
    ButtonForm,
    LockForm,
    PlanForm,
    ReportStayForm,
    StayForm,
)
from tracker.plans.messages import submit_problem_text
from tracker.queries.plans import get_latest_version, get_versions
from tracker.reads import reads_only
from tracker.services import activities, plans, stays
from tracker.services.plans import Conflict, PlanIncomplete, stay_context
from tracker.web import (
    can,
    get_enrolment_or_abort,
    get_plan_or_404,
    get_stay_or_abort,
    require,
)


def _allowed_now(allowed: bool) -> None:
    """Refuse with 409 an action the user may take in general but not in this state."""
    if not allowed:
        raise TransitionRefused("not possible in the plan's current state")


def _require_editable(enrolment: Enrolment) -> None:
    """Refuse with 409, saying what to do instead, a change to a plan that is not editable."""
    if not can("edit_plan", enrolment):
        raise NotNow(enrolment)


def _valid(form: ButtonForm) -> ButtonForm:
    if not form.validate_on_submit():
        abort(400)
    return form


def _to_plan(enrolment_id: int):
    return redirect(url_for("plans.view", enrolment_id=enrolment_id))


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 422 if form.errors else 200


def get_activity_or_abort(activity_id: int, rule: str) -> Activity:
    """Load an activity: 404 if missing or not visible, 403 if the policy refuses ``rule``."""
    activity = db.get_or_404(Activity, activity_id)
    if not can("view_enrolment", activity.enrolment):
        require(False)
    require(can(rule, activity.enrolment))
    return activity


def _flash_stay_saved(stay) -> None:
    flash(_("The stay is saved."), "success")
    for warning in notes_for_stay(stay, stay_context(stay.enrolment)).warnings:
        flash(_("Note: %(warning)s", warning=warning), "warning")


@bp.route("/<int:enrolment_id>")
@reads_only
@login_required
def view(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id)
    plan = enrolment.plan
    context = stay_context(enrolment)
    return render_template(
        "plans/view.html",
        enrolment=enrolment,
        plan=plan,
        due=plan_due_date(enrolment.start_date, current_app.config["PLAN_DUE_DAYS"]),
        notes={stay.id: notes_for_stay(stay, context) for stay in enrolment.stays},
        decision=plan and get_latest_version(plan, PlanEvent.APPROVED, PlanEvent.CHANGES_REQUESTED),
        problems=[submit_problem_text(p) for p in plans.get_submit_problems(plan)] if plan else [],
    )


@bp.post("/<int:enrolment_id>/start")
@login_required
def start(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    _valid(ButtonForm())
    plans.start_plan(enrolment, current_user)
    db.session.commit()
    flash(_("Your plan is started. Add your stays abroad and activities."), "success")
    return _to_plan(enrolment_id)


@bp.route("/<int:enrolment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    plan = get_plan_or_404(enrolment)
    _require_editable(enrolment)
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        try:
            plans.save_plan(
                plan,
                current_user,
                narrative=form.narrative.data or "",
                no_stay_justification=form.no_stay_justification.data or "",
                lock_version=form.lock_version.data,
            )
        except Conflict:
            return form_conflict("plans/edit.html", form=form, enrolment=enrolment)
        db.session.commit()
        flash(_("The plan is saved."), "success")
        return _to_plan(enrolment_id)
    return _form_page("plans/edit.html", form, enrolment=enrolment)


@bp.route("/<int:enrolment_id>/stays/new", methods=["GET", "POST"])
@login_required
def add_stay(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    get_plan_or_404(enrolment)
    _require_editable(enrolment)
    form = StayForm(context=stay_context(enrolment))
    if form.validate_on_submit():
        stay = stays.add_stay(enrolment, current_user, **form.stay_fields())
        db.session.commit()
        _flash_stay_saved(stay)
        return _to_plan(enrolment_id)
    return _form_page("plans/stay_form.html", form, enrolment=enrolment, stay=None)


@bp.route("/stays/<int:stay_id>/edit", methods=["GET", "POST"])
@login_required
def edit_stay(stay_id: int):
    stay = get_stay_or_abort(stay_id, "work_on_stay")
    _require_editable(stay.enrolment)
    _allowed_now(can("edit_stay", stay))
    form = StayForm(obj=stay, context=stay_context(stay.enrolment))
    if form.validate_on_submit():
        try:
            stays.update_stay(
                stay, current_user, lock_version=form.lock_version.data, **form.stay_fields()
            )
        except Conflict:
            return form_conflict(
                "plans/stay_form.html", form=form, enrolment=stay.enrolment, stay=stay
            )
        db.session.commit()
        _flash_stay_saved(stay)
        return _to_plan(stay.enrolment_id)
    return _form_page("plans/stay_form.html", form, enrolment=stay.enrolment, stay=stay)


def _confirm_page(form: LockForm, **context: Any):
    return render_template("plans/confirm.html", form=form, **context)


@bp.route("/stays/<int:stay_id>/remove", methods=["GET", "POST"])
@login_required
def remove_stay(stay_id: int):
    stay = get_stay_or_abort(stay_id, "work_on_stay")
    enrolment_id = stay.enrolment_id
    if request.method == "GET":
        _require_editable(stay.enrolment)
        _allowed_now(can("remove_stay", stay))
        return _confirm_page(
            LockForm(data={"lock_version": stay.lock_version}),
            enrolment=stay.enrolment,
            question=_("Remove the stay at %(host)s?", host=stay.host_institution),
            explanation=_("The stay is deleted from the plan. This cannot be undone."),
            button=_("Remove the stay"),
        )
    form = _valid(LockForm())
    stays.remove_stay(stay, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(_("The stay is removed from the plan."), "success")
    return _to_plan(enrolment_id)


@bp.route("/stays/<int:stay_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_stay(stay_id: int):
    stay = get_stay_or_abort(stay_id, "work_on_stay")
    if request.method == "GET":
        _require_editable(stay.enrolment)
        _allowed_now(can("edit_stay", stay))
        return _confirm_page(
            LockForm(data={"lock_version": stay.lock_version}),
            enrolment=stay.enrolment,
            question=_("Cancel the stay at %(host)s?", host=stay.host_institution),
            explanation=_(
                "The stay stays in the plan, marked as cancelled, and no longer counts as "
                "planned. It is part of the approved version, so it cannot be deleted."
            ),
            button=_("Cancel the stay"),
        )
    form = _valid(LockForm())
    stays.cancel_stay(stay, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(_("The stay is marked as cancelled."), "success")
    return _to_plan(stay.enrolment_id)


def _report_allowed(stay: Stay) -> None:
    """Refuse a report of this stay, saying from when it will be possible if it is ahead."""
    if can("report_stay", stay):
        return
    opens = policy.report_opens_on(current_user, stay)
    if opens is not None:
        raise NotNow(stay.enrolment, report_from=opens)
    _allowed_now(False)


@bp.route("/stays/<int:stay_id>/report", methods=["GET", "POST"])
@login_required
def report_stay(stay_id: int):
    stay = get_stay_or_abort(stay_id, "work_on_stay")
    _report_allowed(stay)
    form = ReportStayForm(
        data={
            "start_date": stay.start_date,
            "end_date": stay.end_date,
            "report": stay.report,
            "lock_version": stay.lock_version,
        },
        context=stay_context(stay.enrolment),
        today=date.today(),
    )
    if form.validate_on_submit():
        try:
            stays.report_stay(
                stay,
                current_user,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                report=form.report.data or "",
                lock_version=form.lock_version.data,
            )
        except Conflict:
            return form_conflict("plans/report_stay.html", form=form, stay=stay)
        db.session.commit()
        flash(_("The stay is reported. Your supervisor will confirm it."), "success")
        return _to_plan(stay.enrolment_id)
    return _form_page("plans/report_stay.html", form, stay=stay)


@bp.route("/<int:enrolment_id>/activities/new", methods=["GET", "POST"])
@login_required
def add_activity(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    get_plan_or_404(enrolment)
    _require_editable(enrolment)
    form = ActivityForm(enrolment_start=enrolment.start_date, today=date.today())
    if form.validate_on_submit():
        plans.add_activity(enrolment, current_user, **form.activity_fields())
        db.session.commit()
        flash(_("The activity is saved."), "success")
        return _to_plan(enrolment_id)
    return _form_page("plans/activity_form.html", form, enrolment=enrolment, activity=None)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id: int):
    activity = get_activity_or_abort(activity_id, "work_on_plan")
    enrolment = activity.enrolment
    _require_editable(enrolment)
    form = ActivityForm(obj=activity, enrolment_start=enrolment.start_date, today=date.today())
    if form.validate_on_submit():
        try:
            plans.update_activity(
                activity,
                current_user,
                lock_version=form.lock_version.data,
                **form.activity_fields(),
            )
        except Conflict:
            return form_conflict(
                "plans/activity_form.html", form=form, enrolment=enrolment, activity=activity
            )
        db.session.commit()
        flash(_("The activity is saved."), "success")
        return _to_plan(enrolment.id)
    return _form_page("plans/activity_form.html", form, enrolment=enrolment, activity=activity)


@bp.route("/activities/<int:activity_id>/done", methods=["GET", "POST"])
@login_required
def mark_activity_done(activity_id: int):
    activity = get_activity_or_abort(activity_id, "work_on_plan")
    _allowed_now(can("mark_activity", activity))
    form = ActivityDoneForm(
        data={"done_on": activity.done_on or date.today(), "lock_version": activity.lock_version},
        enrolment_start=activity.enrolment.start_date,
        today=date.today(),
    )
    if form.validate_on_submit():
        try:
            activities.mark_done(
                activity,
                current_user,
                done_on=form.done_on.data,
                lock_version=form.lock_version.data,
            )
        except Conflict:
            return form_conflict("plans/activity_done.html", form=form, activity=activity)
        db.session.commit()
        flash(_("The activity is marked as done."), "success")
        return _to_plan(activity.enrolment_id)
    return _form_page("plans/activity_done.html", form, activity=activity)


@bp.post("/activities/<int:activity_id>/not-done")
@login_required
def mark_activity_not_done(activity_id: int):
    activity = get_activity_or_abort(activity_id, "work_on_plan")
    _allowed_now(can("mark_activity", activity))
    form = _valid(LockForm())
    activities.mark_not_done(activity, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(_("The activity is marked as not done."), "success")
    return _to_plan(activity.enrolment_id)


@bp.route("/activities/<int:activity_id>/remove", methods=["GET", "POST"])
@login_required
def remove_activity(activity_id: int):
    activity = get_activity_or_abort(activity_id, "work_on_plan")
    enrolment_id = activity.enrolment_id
    if request.method == "GET":
        _require_editable(activity.enrolment)
        return _confirm_page(
            LockForm(data={"lock_version": activity.lock_version}),
            enrolment=activity.enrolment,
            question=_("Remove the activity “%(title)s”?", title=activity.title),
            explanation=_("The activity is deleted from the plan. This cannot be undone."),
            button=_("Remove the activity"),
        )
    form = _valid(LockForm())
    plans.remove_activity(activity, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(_("The activity is removed from the plan."), "success")
    return _to_plan(enrolment_id)


@bp.post("/<int:enrolment_id>/submit")
@login_required
def submit(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    plan = get_plan_or_404(enrolment)
    form = _valid(LockForm())
    try:
        plans.submit_plan(plan, current_user, lock_version=form.lock_version.data)
    except PlanIncomplete as exc:
        db.session.rollback()
        for problem in exc.problems:
            flash(submit_problem_text(problem), "error")
        return _to_plan(enrolment_id)
    db.session.commit()
    flash(_("Your plan is submitted. Your supervisor has been told."), "success")
    return _to_plan(enrolment_id)


@bp.post("/<int:enrolment_id>/revise")
@login_required
def start_revision(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    plan = get_plan_or_404(enrolment)
    form = _valid(LockForm())
    plans.start_revision(plan, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(
        _("A revision is started. The approved version stays in force until it is approved."),
        "success",
    )
    return _to_plan(enrolment_id)


@bp.route("/<int:enrolment_id>/discard-revision", methods=["GET", "POST"])
@login_required
def discard_revision(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    plan = get_plan_or_404(enrolment)
    if request.method == "GET":
        _allowed_now(can("act_on_plan", enrolment, "discard_revision"))
        return _confirm_page(
            LockForm(data={"lock_version": plan.lock_version}),
            enrolment=enrolment,
            question=_("Discard your revision?"),
            explanation=_(
                "Every change made since the revision was started is undone, and the plan is "
                "the approved version again. Stays reported or confirmed meanwhile stay so."
            ),
            button=_("Discard the revision"),
        )
    form = _valid(LockForm())
    plans.discard_revision(plan, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(_("The revision is discarded. The approved version is your plan again."), "success")
    return _to_plan(enrolment_id)


@bp.post("/<int:enrolment_id>/withdraw")
@login_required
def withdraw(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id, "work_on_plan")
    plan = get_plan_or_404(enrolment)
    form = _valid(LockForm())
    plans.withdraw_plan(plan, current_user, lock_version=form.lock_version.data)
    db.session.commit()
    flash(
        _("Your plan is withdrawn: change it and submit it again. Your supervisor has been told."),
        "success",
    )
    return _to_plan(enrolment_id)


@bp.route("/<int:enrolment_id>/history")
@reads_only
@login_required
def history(enrolment_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id)
    plan = get_plan_or_404(enrolment)
    return render_template(
        "plans/history.html", enrolment=enrolment, plan=plan, versions=get_versions(plan)
    )


@bp.route("/<int:enrolment_id>/versions/<int:version_id>")
@reads_only
@login_required
def version(enrolment_id: int, version_id: int):
    enrolment = get_enrolment_or_abort(enrolment_id)
    found = db.get_or_404(PlanVersion, version_id)
    if found.plan.enrolment_id != enrolment.id:
        abort(404)
    require(can("view_plan_version", found))
    return render_template("plans/version.html", enrolment=enrolment, version=found)
