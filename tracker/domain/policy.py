"""Who may do what: the one source of truth for routes and templates alike.

Every function takes the acting user (possibly anonymous) and the object, and
reads only attributes; the web layer supplies settings such as whether
co-supervisors may decide.
"""

from datetime import date
from typing import Any

from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.domain.workflow import Actor, PlanAction, is_allowed, is_editable


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    """Return whether the user is an administrator."""
    return _authenticated(user) and bool(user.is_admin)


def is_coordinator(user: Any) -> bool:
    """Return whether the user coordinates at least one faculty or programme."""
    return _authenticated(user) and bool(user.coordinator_scopes)


def is_owner(user: Any, enrolment: Any) -> bool:
    """Return whether the enrolment is the user's own."""
    return _authenticated(user) and enrolment.person_id == user.id


def is_supervisor_of(user: Any, enrolment: Any) -> bool:
    """Return whether the user is the main or a co-supervisor of the enrolment."""
    if not _authenticated(user):
        return False
    return enrolment.main_supervisor_id == user.id or any(
        s.id == user.id for s in enrolment.co_supervisors
    )


def coordinates_programme(user: Any, programme: Any) -> bool:
    """Return whether the programme lies in one of the user's coordinator scopes."""
    if not _authenticated(user):
        return False
    return any(
        scope.programme_id == programme.id or scope.faculty_id == programme.faculty_id
        for scope in user.coordinator_scopes
    )


def coordinates_faculty(user: Any, faculty: Any) -> bool:
    """Return whether the user coordinates the whole faculty."""
    return _authenticated(user) and any(
        scope.faculty_id == faculty.id for scope in user.coordinator_scopes
    )


def oversees(user: Any, enrolment: Any) -> bool:
    """Return whether the user follows the enrolment as coordinator or administrator."""
    return is_admin(user) or coordinates_programme(user, enrolment.programme)


def may_decide(user: Any, enrolment: Any, *, any_supervisor: bool = False) -> bool:
    """Return whether the user is a supervisor who decides on this enrolment's plan."""
    if not _authenticated(user) or is_owner(user, enrolment):
        return False
    if enrolment.main_supervisor_id == user.id:
        return True
    return any_supervisor and is_supervisor_of(user, enrolment)


def actor_for(user: Any, enrolment: Any, *, any_supervisor: bool = False) -> Actor:
    """Return the part the user plays in the plan workflow of this enrolment."""
    if is_owner(user, enrolment):
        return Actor.CANDIDATE
    if may_decide(user, enrolment, any_supervisor=any_supervisor):
        return Actor.SUPERVISOR
    return Actor.OTHER


def can_view_enrolment(user: Any, enrolment: Any) -> bool:
    """Return whether the user may read the enrolment and its plan."""
    return is_owner(user, enrolment) or is_supervisor_of(user, enrolment) or oversees(
        user, enrolment
    )


def _plan_status(enrolment: Any) -> PlanStatus | None:
    return enrolment.plan.status if enrolment.plan is not None else None


def can_edit_plan(user: Any, enrolment: Any) -> bool:
    """Return whether the user may change the plan's content now."""
    if not is_owner(user, enrolment) or enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    status = _plan_status(enrolment)
    return status is None or is_editable(status)


def can_act_on_plan(
    user: Any, enrolment: Any, action: PlanAction, *, any_supervisor: bool = False
) -> bool:
    """Return whether the user may take this workflow action on the enrolment's plan now."""
    status = _plan_status(enrolment)
    if status is None or enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    actor = actor_for(user, enrolment, any_supervisor=any_supervisor)
    approved = enrolment.plan.approved_version_id is not None
    return is_allowed(status, action, actor, has_approved_version=approved)


def _may_report(user: Any, stay: Any) -> bool:
    """Return whether the stay is the candidate's, planned, unreported and approved."""
    enrolment = stay.enrolment
    plan = enrolment.plan
    # A stay added in a revision is not approved yet: it is reported once the revision is.
    return (
        is_owner(user, enrolment)
        and stay.status == StayStatus.PLANNED
        and stay.reported_at is None
        and stay.in_approved_plan
        and plan is not None
        and plan.approved_version_id is not None
    )


def can_report_stay(user: Any, stay: Any, *, today: date | None = None) -> bool:
    """Return whether the candidate may report this planned stay of the approved plan as done.

    From the stay's planned end date on: a report needs actual dates in the past.
    """
    return _may_report(user, stay) and stay.end_date <= (today or date.today())


def report_opens_on(user: Any, stay: Any, *, today: date | None = None) -> date | None:
    """Return the day from which the candidate may report the stay, while it is still ahead."""
    if _may_report(user, stay) and stay.end_date > (today or date.today()):
        return stay.end_date
    return None


def can_mark_activity(user: Any, activity: Any) -> bool:
    """Return whether the candidate may mark this activity done, or not done, without a revision.

    On a plan with an approved version, as a stay is reported (DESIGN §3); a draft's
    activities take their status and date in the plan editor.
    """
    enrolment = activity.enrolment
    plan = enrolment.plan
    return (
        is_owner(user, enrolment)
        and enrolment.status == EnrolmentStatus.ACTIVE
        and plan is not None
        and plan.approved_version_id is not None
    )


def can_confirm_stay(user: Any, stay: Any, *, any_supervisor: bool = False) -> bool:
    """Return whether the user may confirm or return a reported stay."""
    return stay.awaiting_confirmation and may_decide(
        user, stay.enrolment, any_supervisor=any_supervisor
    )


def can_manage_enrolment(user: Any, enrolment: Any) -> bool:
    """Return whether the user may create or edit the enrolment record itself."""
    return oversees(user, enrolment)


def can_view_programme(user: Any, programme: Any) -> bool:
    """Return whether the user may see the programme's candidates and figures."""
    return is_admin(user) or coordinates_programme(user, programme)


def can_view_faculty(user: Any, faculty: Any) -> bool:
    """Return whether the user may see the whole faculty's candidates and figures."""
    return is_admin(user) or coordinates_faculty(user, faculty)


def can_view_institution(user: Any) -> bool:
    """Return whether the user may see figures for the whole institution."""
    return is_admin(user)


def can_view_statistics(user: Any) -> bool:
    """Return whether the user may open the dashboard and the statistics API at all."""
    return is_admin(user) or is_coordinator(user)


def can_administer(user: Any) -> bool:
    """Return whether the user may manage users, roles, faculties and programmes."""
    return is_admin(user)


def can_work_on_plan(user: Any, enrolment: Any) -> bool:
    """Return whether the user is the candidate who writes this plan (its state decides more)."""
    return is_owner(user, enrolment)


def can_start_plan(user: Any, enrolment: Any) -> bool:
    """Return whether the candidate may start a plan for this enrolment now."""
    return (
        is_owner(user, enrolment)
        and enrolment.status == EnrolmentStatus.ACTIVE
        and enrolment.plan is None
    )


def can_edit_stay(user: Any, stay: Any) -> bool:
    """Return whether the candidate may change this stay now: plan editable, stay still planned."""
    return (
        can_edit_plan(user, stay.enrolment)
        and stay.status == StayStatus.PLANNED
        and stay.reported_at is None
    )


def can_remove_stay(user: Any, stay: Any) -> bool:
    """Return whether the stay may be deleted; an approved version's stays are cancelled instead."""
    return can_edit_stay(user, stay) and not stay.in_approved_plan


def can_work_on_stay(user: Any, stay: Any) -> bool:
    """Return whether the user is the candidate whose stay this is."""
    return is_owner(user, stay.enrolment)


def can_decide_plan(user: Any, enrolment: Any, *, any_supervisor: bool = False) -> bool:
    """Return whether the user is someone who decides on this plan (its state decides the rest)."""
    return may_decide(user, enrolment, any_supervisor=any_supervisor)


def can_decide_stay(user: Any, stay: Any, *, any_supervisor: bool = False) -> bool:
    """Return whether the user is someone who confirms or returns this enrolment's stays."""
    return may_decide(user, stay.enrolment, any_supervisor=any_supervisor)


def can_view_plan_version(user: Any, version: Any) -> bool:
    """Return whether the user may read this version of a plan."""
    return can_view_enrolment(user, version.plan.enrolment)


def can_download_report(user: Any, job: Any) -> bool:
    """Return whether the user may follow and download a report made in the background.

    Only the person who asked for it: the file lists whom it listed for them at the
    time, and someone else's scope may differ.
    """
    return _authenticated(user) and job.requester_id == user.id


def can_export_personal_data(user: Any, person: Any) -> bool:
    """Return whether the user may see and download everything the tracker holds about person."""
    return is_admin(user) or (_authenticated(user) and user.id == person.id)


def can_erase_person(user: Any, person: Any) -> bool:
    """Return whether the user may erase the person's personal data (never their own)."""
    return is_admin(user) and user.id != person.id


def can_read_audit_log(user: Any) -> bool:
    """Return whether the user may read (and export) the audit log."""
    return is_admin(user)
