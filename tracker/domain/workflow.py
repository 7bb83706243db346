"""The plan workflow of DESIGN §3 as a transition table.

Each action names who may take it (the candidate who owns the plan, or a
supervisor who decides) and the state it leads to. Anything not in the table
is refused. The candidate may withdraw a submission before the decision, and
discard a revision of an approved plan (only a plan with an approved version
has a revision to discard: its content goes back to that version).
"""

import enum
from dataclasses import dataclass

from tracker.domain.vocabulary import PlanEvent, PlanStatus


class PlanAction(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    START_REVISION = "start_revision"
    WITHDRAW = "withdraw"
    DISCARD_REVISION = "discard_revision"


class Actor(enum.StrEnum):
    """The part a user plays towards one plan."""

    CANDIDATE = "candidate"
    SUPERVISOR = "supervisor"  # a supervisor allowed to decide
    OTHER = "other"  # co-supervisor without the right to decide, coordinator, admin, stranger


@dataclass(frozen=True)
class Transition:
    target: PlanStatus
    actor: Actor
    # What the version history records; None: nothing (a discarded revision leaves no trace
    # there, only in the audit log).
    event: PlanEvent | None
    comment_required: bool = False
    # Only a plan with an approved version in force can take it (a revision's actions).
    needs_approved_version: bool = False


TRANSITIONS: dict[tuple[PlanStatus, PlanAction], Transition] = {
    (PlanStatus.DRAFT, PlanAction.SUBMIT): Transition(
        PlanStatus.SUBMITTED, Actor.CANDIDATE, PlanEvent.SUBMITTED
    ),
    (PlanStatus.CHANGES_REQUESTED, PlanAction.SUBMIT): Transition(
        PlanStatus.SUBMITTED, Actor.CANDIDATE, PlanEvent.SUBMITTED
    ),
    (PlanStatus.SUBMITTED, PlanAction.APPROVE): Transition(
        PlanStatus.APPROVED, Actor.SUPERVISOR, PlanEvent.APPROVED
    ),
    (PlanStatus.SUBMITTED, PlanAction.REQUEST_CHANGES): Transition(
        PlanStatus.CHANGES_REQUESTED,
        Actor.SUPERVISOR,
        PlanEvent.CHANGES_REQUESTED,
        comment_required=True,
    ),
    (PlanStatus.APPROVED, PlanAction.START_REVISION): Transition(
        PlanStatus.DRAFT, Actor.CANDIDATE, PlanEvent.REVISION_STARTED
    ),
    (PlanStatus.SUBMITTED, PlanAction.WITHDRAW): Transition(
        PlanStatus.DRAFT, Actor.CANDIDATE, PlanEvent.WITHDRAWN
    ),
    (PlanStatus.DRAFT, PlanAction.DISCARD_REVISION): Transition(
        PlanStatus.APPROVED, Actor.CANDIDATE, None, needs_approved_version=True
    ),
    (PlanStatus.CHANGES_REQUESTED, PlanAction.DISCARD_REVISION): Transition(
        PlanStatus.APPROVED, Actor.CANDIDATE, None, needs_approved_version=True
    ),
}

EDITABLE_STATES = frozenset({PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED})


class TransitionRefused(Exception):
    """The action is not allowed from this state, or not by this actor."""


def find_transition(status: PlanStatus, action: PlanAction) -> Transition | None:
    """Return the transition for this action from this state, or None if there is none."""
    return TRANSITIONS.get((status, action))


def is_allowed(
    status: PlanStatus, action: PlanAction, actor: Actor, *, has_approved_version: bool = False
) -> bool:
    """Return whether this actor may take this action on a plan in this state."""
    found = find_transition(status, action)
    return (
        found is not None
        and found.actor == actor
        and (has_approved_version or not found.needs_approved_version)
    )


def transition(
    status: PlanStatus, action: PlanAction, actor: Actor, *, has_approved_version: bool = False
) -> Transition:
    """Return the transition to apply, or raise TransitionRefused."""
    found = find_transition(status, action)
    if found is None:
        raise TransitionRefused(f"cannot {action} a plan that is {status}")
    if found.actor != actor:
        raise TransitionRefused(f"only the {found.actor} may {action}")
    if found.needs_approved_version and not has_approved_version:
        raise TransitionRefused(f"cannot {action} a plan that was never approved")
    return found


def is_editable(status: PlanStatus) -> bool:
    """Return whether the candidate may change the plan's content in this state."""
    return status in EDITABLE_STATES
