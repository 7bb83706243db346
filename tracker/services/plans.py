"""Use cases of the plan workflow (DESIGN §3): start, edit, submit, decide, revise.

Every state change goes through the transition table of tracker.domain.workflow
with the part the actor plays from tracker.domain.policy, writes an audit
entry and queues its notifications. The services flush; the caller commits.
"""

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain import policy
from tracker.domain.activities import DoneDateError, done_date_errors
from tracker.domain.plan_rules import StayContext, SubmitProblem, submit_problems
from tracker.domain.snapshot import ACTIVITY_FIELDS, build_snapshot, snapshot_digest
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentStatus,
    Funding,
    PlanEvent,
    StayPurpose,
    StayStatus,
)
from tracker.domain.workflow import PlanAction, TransitionRefused, transition
from tracker.extensions import db
from tracker.models import Activity, Enrolment, Plan, PlanVersion, Stay, StayApproval
from tracker.models.base import utcnow
from tracker.queries.stats import current_settings
from tracker.services import notifications
from tracker.services.audit import record


class Conflict(Exception):
    """The record changed since the form was opened; nothing was saved."""


class PlanIncomplete(Exception):
    """The plan lacks what a submission needs."""

    def __init__(self, problems: list[SubmitProblem]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


class CommentRequired(Exception):
    """The action needs a comment and none was given."""


class InvalidDoneDate(Exception):
    """The date cannot be the day the activity was done; ``errors`` says why (none: missing)."""

    def __init__(self, errors: list[DoneDateError]) -> None:
        super().__init__(", ".join(errors) or "the date is missing")
        self.errors = errors


def any_supervisor_decides() -> bool:
    """Return whether co-supervisors decide too (TRACKER_ANY_SUPERVISOR_MAY_APPROVE)."""
    return bool(current_app.config["ANY_SUPERVISOR_MAY_APPROVE"])


def stay_context(enrolment: Enrolment) -> StayContext:
    """Return what the stays of this enrolment are checked against."""
    rules = current_settings().counting_rules
    return StayContext(enrolment.start_date, enrolment.expected_end_date, rules)


def check_version(obj: Any, expected: int | None) -> None:
    """Raise Conflict unless the record still has the version the form was opened with."""
    if expected is not None and obj.lock_version != expected:
        raise Conflict


def flush() -> None:
    """Flush the session, turning a concurrent update (stale version) into Conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict from exc


def require_editable(actor: Any, enrolment: Enrolment) -> None:
    """Raise TransitionRefused unless the actor may change the plan's content now."""
    if not policy.can_edit_plan(actor, enrolment):
        raise TransitionRefused("the plan cannot be edited in its current state")


def current_snapshot(plan: Plan) -> dict[str, Any]:
    """Return the snapshot of the plan's content as it is now."""
    enrolment = plan.enrolment
    return build_snapshot(plan, enrolment.stays, enrolment.activities)


def latest_version(plan: Plan, event: PlanEvent) -> PlanVersion | None:
    """Return the plan's most recent version with this event, if any."""
    found = [v for v in plan.versions if v.event == event]
    return found[-1] if found else None


def _add_version(
    plan: Plan, actor: Any, event: PlanEvent, number: int, snapshot: dict, comment: str = ""
) -> PlanVersion:
    now = utcnow()
    version = PlanVersion(
        plan=plan,
        number=number,
        event=event,
        actor_id=actor.id,
        created_at=now,
        effective_at=now,
        comment=comment,
        snapshot=snapshot,
        snapshot_sha256=snapshot_digest(snapshot),
    )
    db.session.add(version)
    return version


def _apply(plan: Plan, actor: Any, action: PlanAction, comment: str = ""):
    """Return the transition for the actor's action, or raise TransitionRefused/CommentRequired."""
    enrolment = plan.enrolment
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise TransitionRefused("the enrolment is no longer active")
    role = policy.actor_for(actor, enrolment, any_supervisor=any_supervisor_decides())
    found = transition(
        plan.status, action, role, has_approved_version=plan.approved_version_id is not None
    )
    if found.comment_required and not comment.strip():
        raise CommentRequired
    return found


def start_plan(enrolment: Enrolment, actor: Any) -> Plan:
    """Create the enrolment's plan as an empty draft."""
    if not policy.can_start_plan(actor, enrolment):
        raise TransitionRefused("a plan cannot be started here")
    plan = Plan(enrolment=enrolment)
    db.session.add(plan)
    flush()
    record("plan_started", actor, plan, enrolment_id=enrolment.id)
    return plan


def save_plan(
    plan: Plan, actor: Any, *, narrative: str, no_stay_justification: str, lock_version: int
) -> None:
    """Save the plan's narrative and the justification for having no stay abroad."""
    check_version(plan, lock_version)
    require_editable(actor, plan.enrolment)
    plan.narrative = narrative.strip()
    plan.no_stay_justification = no_stay_justification.strip()
    flush()
    record("plan_saved", actor, plan)


def checked_done_on(
    enrolment: Enrolment, status: ActivityStatus, done_on: date | None, today: date
) -> date | None:
    """Return the date to store with this status: the checked date if done, else None.

    Done needs the day it was done: not in the future, not before the enrolment's start.
    """
    if status != ActivityStatus.DONE:
        return None
    if done_on is None:
        raise InvalidDoneDate([])
    errors = done_date_errors(done_on, enrolment.start_date, today)
    if errors:
        raise InvalidDoneDate(errors)
    return done_on


def _activity_values(enrolment: Enrolment, fields: dict[str, Any], today: date | None) -> dict:
    values = {name: fields.get(name) for name in ACTIVITY_FIELDS}
    values["done_on"] = checked_done_on(
        enrolment, values["status"], values["done_on"], today or date.today()
    )
    return values


def add_activity(
    enrolment: Enrolment, actor: Any, *, today: date | None = None, **fields: Any
) -> Activity:
    """Add an activity to the enrolment's plan (done ones with the day they were done)."""
    require_editable(actor, enrolment)
    activity = Activity(enrolment=enrolment, **_activity_values(enrolment, fields, today))
    db.session.add(activity)
    flush()
    record("activity_added", actor, activity, enrolment_id=enrolment.id)
    return activity


def update_activity(
    activity: Activity,
    actor: Any,
    *,
    lock_version: int,
    today: date | None = None,
    **fields: Any,
) -> None:
    """Change an activity of the plan."""
    check_version(activity, lock_version)
    require_editable(actor, activity.enrolment)
    for name, value in _activity_values(activity.enrolment, fields, today).items():
        setattr(activity, name, value)
    flush()
    record("activity_updated", actor, activity, enrolment_id=activity.enrolment_id)


def remove_activity(activity: Activity, actor: Any, *, lock_version: int) -> None:
    """Remove an activity from the plan."""
    check_version(activity, lock_version)
    require_editable(actor, activity.enrolment)
    record("activity_removed", actor, activity, enrolment_id=activity.enrolment_id)
    activity.enrolment.activities.remove(activity)
    flush()


def submit_plan(plan: Plan, actor: Any, *, lock_version: int | None = None) -> PlanVersion:
    """Submit the plan for the supervisor's decision, recording an immutable snapshot."""
    check_version(plan, lock_version)
    found = _apply(plan, actor, PlanAction.SUBMIT)
    problems = get_submit_problems(plan)
    if problems:
        raise PlanIncomplete(problems)
    number = max((v.number for v in plan.versions), default=0) + 1
    version = _add_version(plan, actor, found.event, number, current_snapshot(plan))
    plan.status = found.target
    plan.submitted_at = utcnow()
    flush()
    record("plan_submitted", actor, plan, number=number, sha256=version.snapshot_sha256)
    notifications.notify_plan_submitted(plan, number)
    return version


def _decide(
    plan: Plan, actor: Any, action: PlanAction, comment: str, lock_version: int | None
) -> PlanVersion:
    check_version(plan, lock_version)
    found = _apply(plan, actor, action, comment)
    submitted = latest_version(plan, PlanEvent.SUBMITTED)
    if submitted is None:
        raise TransitionRefused("there is no submission to decide on")
    # The decision records exactly what was submitted (and reviewed), so its
    # digest matches the submission's.
    version = _add_version(
        plan, actor, found.event, submitted.number, dict(submitted.snapshot), comment.strip()
    )
    plan.status = found.target
    return version


def approve_plan(
    plan: Plan, actor: Any, comment: str = "", *, lock_version: int | None = None
) -> PlanVersion:
    """Approve the submitted plan; it becomes the version in force and its stays count."""
    # Nothing is written before the one flush below, which turns a concurrent decision
    # (a stale version) into Conflict; loading the stays must not flush on its own.
    with db.session.no_autoflush:
        version = _decide(plan, actor, PlanAction.APPROVE, comment, lock_version)
        plan.approved_version = version
        approved_ids = {row["id"] for row in version.snapshot.get("stays", [])}
        for stay in plan.enrolment.stays:
            stay.mark_approved(str(stay.id) in approved_ids)
            record_stay_approval(stay, version)
        approved_ids = {row["id"] for row in version.snapshot.get("activities", [])}
        for activity in plan.enrolment.activities:
            activity.mark_approved(str(activity.id) in approved_ids)
    flush()
    record("plan_approved", actor, plan, number=version.number, sha256=version.snapshot_sha256)
    notifications.notify_plan_decided(plan, True, actor, version.comment)
    return version


def record_stay_approval(stay: Stay, version: PlanVersion) -> None:
    """Keep the stay as the approving version has it, and end what the version before had.

    Call after ``Stay.mark_approved``: a stay the version leaves out gets no new record.
    The statistics of past dates read these records (DESIGN §4).
    """
    for earlier in stay.approvals:
        if earlier.valid_until is None:
            earlier.valid_until = version.effective_at
    if stay.in_approved_plan:
        stay.approvals.append(
            StayApproval(
                version=version,
                country=stay.approved_country,
                start_date=stay.approved_start_date,
                end_date=stay.approved_end_date,
                valid_from=version.effective_at,
            )
        )


def request_changes(
    plan: Plan, actor: Any, comment: str, *, lock_version: int | None = None
) -> PlanVersion:
    """Return the submitted plan to the candidate with a required comment."""
    with db.session.no_autoflush:
        version = _decide(plan, actor, PlanAction.REQUEST_CHANGES, comment, lock_version)
    flush()
    record("plan_changes_requested", actor, plan, number=version.number)
    notifications.notify_plan_decided(plan, False, actor, version.comment)
    return version


def start_revision(plan: Plan, actor: Any, *, lock_version: int | None = None) -> PlanVersion:
    """Open an approved plan for a revision; the approved version stays in force meanwhile."""
    check_version(plan, lock_version)
    found = _apply(plan, actor, PlanAction.START_REVISION)
    number = plan.approved_version.number if plan.approved_version else 0
    version = _add_version(plan, actor, found.event, number, current_snapshot(plan))
    plan.status = found.target
    flush()
    record("plan_revision_started", actor, plan, number=number)
    return version


def withdraw_plan(plan: Plan, actor: Any, *, lock_version: int | None = None) -> PlanVersion:
    """Take a submission back before the decision: the plan is a draft (or revision) again."""
    check_version(plan, lock_version)
    found = _apply(plan, actor, PlanAction.WITHDRAW)
    submitted = latest_version(plan, PlanEvent.SUBMITTED)
    if submitted is None:
        raise TransitionRefused("there is no submission to withdraw")
    # The history keeps what was submitted, and says it was taken back.
    version = _add_version(plan, actor, found.event, submitted.number, dict(submitted.snapshot))
    plan.status = found.target
    plan.submitted_at = None
    flush()
    record("plan_withdrawn", actor, plan, number=submitted.number)
    notifications.notify_plan_withdrawn(plan, submitted.number)
    return version


def discard_revision(plan: Plan, actor: Any, *, lock_version: int | None = None) -> None:
    """Throw a revision away: the plan's content is the approved version's again.

    Stays completed or reported since the approval keep what happened to them; stays and
    activities added in the revision go, those changed or removed come back as approved.
    """
    check_version(plan, lock_version)
    found = _apply(plan, actor, PlanAction.DISCARD_REVISION)
    approved = plan.approved_version
    restore_snapshot(plan, approved.snapshot)
    # The revision leaves nothing in the history: its start marker goes (the audit log keeps
    # both), so a later revision of the same approved version can be started again.
    for version in list(plan.versions):
        if version.event == PlanEvent.REVISION_STARTED and version.number == approved.number:
            plan.versions.remove(version)
    plan.status = found.target
    flush()
    record("plan_revision_discarded", actor, plan, number=approved.number)


def restore_snapshot(plan: Plan, snapshot: dict[str, Any]) -> None:
    """Make the plan's text, stays and activities those of the snapshot again."""
    enrolment = plan.enrolment
    plan.narrative = snapshot.get("narrative", "")
    plan.no_stay_justification = snapshot.get("no_stay_justification", "")
    stay_rows = {row["id"]: row for row in snapshot.get("stays", [])}
    for stay in list(enrolment.stays):
        row = stay_rows.get(str(stay.id))
        if row is None:
            enrolment.stays.remove(stay)  # added in the revision
        elif stay.status != StayStatus.COMPLETED and stay.reported_at is None:
            # A confirmed or reported stay is a fact since the approval, not a plan change.
            for name, value in stay_values(row).items():
                setattr(stay, name, value)
    activity_rows = {row["id"]: row for row in snapshot.get("activities", [])}
    for activity in list(enrolment.activities):
        row = activity_rows.pop(str(activity.id), None)
        if row is None:
            enrolment.activities.remove(activity)
        else:
            # Whether and when it was done is a fact since the approval, not a plan change.
            for name, value in activity_values(row).items():
                if name not in ACTIVITY_FACTS:
                    setattr(activity, name, value)
    # Removed in the revision: back under the same id, so the next diff sees no change. It
    # was in the approved version, with the type it has there.
    for activity_id, row in activity_rows.items():
        restored = Activity(id=int(activity_id), **activity_values(row))
        restored.mark_approved()
        enrolment.activities.append(restored)


def stay_values(row: dict[str, str]) -> dict[str, Any]:
    """Return a stay's column values from its snapshot row."""
    return {
        "host_institution": row["host_institution"],
        "host_contact": row.get("host_contact", ""),
        "city": row.get("city", ""),
        "country": row["country"],
        "start_date": date.fromisoformat(row["start_date"]),
        "end_date": date.fromisoformat(row["end_date"]),
        "purpose": StayPurpose(row["purpose"]),
        "funding": Funding(row["funding"]),
        "notes": row.get("notes", ""),
        "status": StayStatus(row["status"]),
    }


# What a discarded revision leaves as it is: done, and when, are facts (DESIGN §3).
ACTIVITY_FACTS = ("status", "done_on")


def activity_values(row: dict[str, str]) -> dict[str, Any]:
    """Return an activity's column values from its snapshot row."""
    status = ActivityStatus(row["status"])
    done_on = date.fromisoformat(row["done_on"]) if row.get("done_on") else None
    if status == ActivityStatus.DONE and done_on is None:
        # A version from before activities had a date says "done" without one; the day is
        # unknown, so the activity comes back planned rather than done on an invented day.
        status = ActivityStatus.PLANNED
    return {
        "type": ActivityType(row["type"]),
        "title": row["title"],
        "planned_term": row.get("planned_term", ""),
        "status": status,
        "done_on": done_on,
        "evidence": row.get("evidence", ""),
    }


def get_submit_problems(plan: Plan) -> list[SubmitProblem]:
    """Return what the plan still lacks before it can be submitted."""
    return submit_problems(
        ((s.country, s.status) for s in plan.enrolment.stays),
        plan.no_stay_justification,
        current_settings().home_country,
    )
