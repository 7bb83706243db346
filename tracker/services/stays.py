"""Use cases of stays: plan them, and report them done for the supervisor to confirm.

Planning a stay edits the plan (only while the plan is editable). Reporting,
confirming and returning a stay happen on an approved plan without reopening it.
"""

from datetime import date
from typing import Any

from tracker.domain import policy, snapshot
from tracker.domain.plan_rules import StayError, report_errors, stay_errors
from tracker.domain.vocabulary import StayStatus
from tracker.domain.workflow import TransitionRefused
from tracker.extensions import db
from tracker.models import Enrolment, Stay
from tracker.models.base import utcnow
from tracker.services import notifications
from tracker.services.audit import record
from tracker.services.plans import (
    CommentRequired,
    any_supervisor_decides,
    check_version,
    flush,
    require_editable,
    stay_context,
)

# What the candidate edits: the snapshot's fields but the status, which the workflow sets.
STAY_FIELDS = tuple(name for name in snapshot.STAY_FIELDS if name != "status")


class InvalidStay(Exception):
    """The stay breaks a rule; ``errors`` maps field names to what is wrong."""

    def __init__(self, errors: dict[str, list[StayError]]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _checked(enrolment: Enrolment, fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in STAY_FIELDS}
    values["country"] = (values["country"] or "").strip().upper()
    errors = stay_errors(
        values["country"], values["start_date"], values["end_date"], stay_context(enrolment)
    )
    if errors:
        raise InvalidStay(errors)
    return values


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise TransitionRefused(reason)


def add_stay(enrolment: Enrolment, actor: Any, **fields: Any) -> Stay:
    """Add a planned stay to the enrolment's plan."""
    require_editable(actor, enrolment)
    stay = Stay(enrolment=enrolment, status=StayStatus.PLANNED, **_checked(enrolment, fields))
    db.session.add(stay)
    flush()
    record("stay_added", actor, stay, enrolment_id=enrolment.id)
    return stay


def update_stay(stay: Stay, actor: Any, *, lock_version: int, **fields: Any) -> None:
    """Change a planned stay."""
    check_version(stay, lock_version)
    _require(policy.can_edit_stay(actor, stay), "the stay cannot be changed now")
    for name, value in _checked(stay.enrolment, fields).items():
        setattr(stay, name, value)
    flush()
    record("stay_updated", actor, stay, enrolment_id=stay.enrolment_id)


def remove_stay(stay: Stay, actor: Any, *, lock_version: int) -> None:
    """Delete a planned stay that was never part of an approved version."""
    check_version(stay, lock_version)
    _require(policy.can_remove_stay(actor, stay), "the stay cannot be removed now")
    record("stay_removed", actor, stay, enrolment_id=stay.enrolment_id)
    stay.enrolment.stays.remove(stay)
    flush()


def cancel_stay(stay: Stay, actor: Any, *, lock_version: int) -> None:
    """Mark a planned stay as cancelled; it stays on record in the plan."""
    check_version(stay, lock_version)
    _require(policy.can_edit_stay(actor, stay), "the stay cannot be cancelled now")
    stay.status = StayStatus.CANCELLED
    flush()
    record("stay_cancelled", actor, stay, enrolment_id=stay.enrolment_id)


def report_stay(
    stay: Stay,
    actor: Any,
    *,
    start_date: date,
    end_date: date,
    report: str,
    lock_version: int,
    today: date | None = None,
) -> None:
    """Report a planned stay as done with its actual dates, for the supervisor to confirm."""
    check_version(stay, lock_version)
    today = today or date.today()
    _require(policy.can_report_stay(actor, stay, today=today), "the stay cannot be reported now")
    errors = report_errors(start_date, end_date, stay_context(stay.enrolment), today)
    if errors:
        raise InvalidStay(errors)
    stay.reported_at = utcnow()
    stay.reported_start_date = start_date
    stay.reported_end_date = end_date
    stay.report = report.strip()
    stay.return_comment = ""
    flush()
    record(
        "stay_reported",
        actor,
        stay,
        start_date=start_date.isoformat(),
        end_date=end_date.isoformat(),
    )
    notifications.notify_stay_reported(stay)


def _require_decider(stay: Stay, actor: Any) -> None:
    _require(
        policy.can_confirm_stay(actor, stay, any_supervisor=any_supervisor_decides()),
        "the stay is not waiting for this user's confirmation",
    )


def confirm_stay(stay: Stay, actor: Any, *, lock_version: int | None = None) -> None:
    """Confirm a reported stay: it is completed, with the reported dates as its dates."""
    check_version(stay, lock_version)
    _require_decider(stay, actor)
    stay.status = StayStatus.COMPLETED
    stay.start_date = stay.reported_start_date
    stay.end_date = stay.reported_end_date
    stay.confirmed_at = utcnow()
    stay.confirmed_by_id = actor.id
    flush()
    record(
        "stay_confirmed",
        actor,
        stay,
        start_date=stay.start_date.isoformat(),
        end_date=stay.end_date.isoformat(),
    )
    notifications.notify_stay_decided(stay, True, actor)


def return_stay(stay: Stay, actor: Any, comment: str, *, lock_version: int | None = None) -> None:
    """Send a reported stay back to the candidate with a comment; it is planned again."""
    check_version(stay, lock_version)
    _require_decider(stay, actor)
    if not comment.strip():
        raise CommentRequired
    stay.reported_at = None
    stay.reported_start_date = None
    stay.reported_end_date = None
    stay.return_comment = comment.strip()
    flush()
    record("stay_returned", actor, stay, comment=stay.return_comment)
    notifications.notify_stay_decided(stay, False, actor, stay.return_comment)
