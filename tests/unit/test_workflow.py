"""The plan workflow (DESIGN §3): every state × action × actor, allowed or refused."""

import itertools

import pytest

from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.domain.workflow import (
    EDITABLE_STATES,
    TRANSITIONS,
    Actor,
    PlanAction,
    TransitionRefused,
    find_transition,
    is_allowed,
    is_editable,
    transition,
)

D, S, C, A = (
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    PlanStatus.CHANGES_REQUESTED,
    PlanStatus.APPROVED,
)

# (state, action, actor) -> (target, event, comment required). Everything else is refused.
ALLOWED = {
    (D, PlanAction.SUBMIT, Actor.CANDIDATE): (S, PlanEvent.SUBMITTED, False),
    (C, PlanAction.SUBMIT, Actor.CANDIDATE): (S, PlanEvent.SUBMITTED, False),
    (S, PlanAction.APPROVE, Actor.SUPERVISOR): (A, PlanEvent.APPROVED, False),
    (S, PlanAction.REQUEST_CHANGES, Actor.SUPERVISOR): (C, PlanEvent.CHANGES_REQUESTED, True),
    (A, PlanAction.START_REVISION, Actor.CANDIDATE): (D, PlanEvent.REVISION_STARTED, False),
    (S, PlanAction.WITHDRAW, Actor.CANDIDATE): (D, PlanEvent.WITHDRAWN, False),
    # A discarded revision leaves no entry in the history.
    (D, PlanAction.DISCARD_REVISION, Actor.CANDIDATE): (A, None, False),
    (C, PlanAction.DISCARD_REVISION, Actor.CANDIDATE): (A, None, False),
}
# Only a plan with an approved version in force has a revision to discard.
NEEDS_APPROVED_VERSION = {PlanAction.DISCARD_REVISION}

# Who takes each action, wherever it exists.
ACTION_OWNER = {
    PlanAction.SUBMIT: Actor.CANDIDATE,
    PlanAction.APPROVE: Actor.SUPERVISOR,
    PlanAction.REQUEST_CHANGES: Actor.SUPERVISOR,
    PlanAction.START_REVISION: Actor.CANDIDATE,
    PlanAction.WITHDRAW: Actor.CANDIDATE,
    PlanAction.DISCARD_REVISION: Actor.CANDIDATE,
}

EVERY_COMBINATION = list(itertools.product(PlanStatus, PlanAction, Actor))


def test_the_matrix_has_every_combination():
    assert len(EVERY_COMBINATION) == 4 * 6 * 3
    assert set(ALLOWED) <= set(EVERY_COMBINATION)


@pytest.mark.parametrize(("status", "action", "actor"), EVERY_COMBINATION)
def test_is_allowed(status, action, actor):
    allowed = (status, action, actor) in ALLOWED
    assert is_allowed(status, action, actor, has_approved_version=True) is allowed
    never_approved = allowed and action not in NEEDS_APPROVED_VERSION
    assert is_allowed(status, action, actor, has_approved_version=False) is never_approved


@pytest.mark.parametrize(("status", "action", "actor"), list(ALLOWED))
def test_a_revision_action_is_refused_on_a_plan_never_approved(status, action, actor):
    if action not in NEEDS_APPROVED_VERSION:
        assert transition(status, action, actor, has_approved_version=False).actor == actor
        return
    with pytest.raises(TransitionRefused) as refused:
        transition(status, action, actor, has_approved_version=False)
    assert str(refused.value) == f"cannot {action} a plan that was never approved"


@pytest.mark.parametrize(("status", "action", "actor"), EVERY_COMBINATION)
def test_transition_leads_to_the_expected_state_or_is_refused(status, action, actor):
    expected = ALLOWED.get((status, action, actor))
    if expected is None:
        with pytest.raises(TransitionRefused):
            transition(status, action, actor)
        return
    target, event, comment_required = expected
    found = transition(status, action, actor, has_approved_version=True)
    assert (found.target, found.event, found.comment_required) == (target, event, comment_required)
    assert found.actor == actor


@pytest.mark.parametrize(("status", "action"), list(itertools.product(PlanStatus, PlanAction)))
def test_refusal_says_whether_the_state_or_the_actor_is_wrong(status, action):
    exists = any((status, action, actor) in ALLOWED for actor in Actor)
    for actor in Actor:
        if (status, action, actor) in ALLOWED:
            continue
        with pytest.raises(TransitionRefused) as refused:
            transition(status, action, actor)
        if exists:
            assert str(refused.value) == f"only the {ACTION_OWNER[action]} may {action}"
        else:
            assert str(refused.value) == f"cannot {action} a plan that is {status}"


@pytest.mark.parametrize(("status", "action"), list(itertools.product(PlanStatus, PlanAction)))
def test_find_transition(status, action):
    allowed = [key for key in ALLOWED if key[:2] == (status, action)]
    found = find_transition(status, action)
    if not allowed:
        assert found is None
    else:
        ((_, _, actor),) = allowed
        assert found is not None
        assert found.actor == actor == ACTION_OWNER[action]
        assert found.target == ALLOWED[(status, action, actor)][0]


def test_the_table_holds_nothing_else():
    assert {(s, a, t.actor) for (s, a), t in TRANSITIONS.items()} == set(ALLOWED)


def test_nobody_but_candidate_and_deciding_supervisor_ever_acts():
    assert not any(actor == Actor.OTHER for (_, _, actor) in ALLOWED)


@pytest.mark.parametrize(
    ("status", "editable"),
    [(D, True), (S, False), (C, True), (A, False)],
)
def test_is_editable(status, editable):
    assert is_editable(status) is editable
    assert (status in EDITABLE_STATES) is editable


def test_every_state_is_reachable_from_draft():
    reached = {D}
    frontier = [D]
    while frontier:
        state = frontier.pop()
        for (source, _, _), (target, _, _) in ALLOWED.items():
            if source == state and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(PlanStatus)
