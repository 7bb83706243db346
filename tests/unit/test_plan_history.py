"""A plan's approval and submission at a date, from its history (DESIGN §4).

The counting shortcut (more submissions than decisions and withdrawals) is checked
against the workflow's own state machine for every sequence of actions it allows.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.domain.plan_history import (
    Entry,
    approved_by,
    end_of_day,
    happened_by,
    holds_on,
    open_submission,
    start_of_day,
    submitted_on,
)
from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.domain.workflow import TRANSITIONS, PlanAction

FIRST_DAY = date(2025, 3, 1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_days_are_utc_calendar_days():
    day = date(2025, 12, 31)
    assert start_of_day(day) == datetime(2025, 12, 31, tzinfo=UTC)
    assert end_of_day(day) == datetime(2026, 1, 1, tzinfo=UTC)
    last_moment = Entry(PlanEvent.APPROVED, end_of_day(day) - timedelta(microseconds=1))
    assert happened_by(last_moment, day)
    assert not happened_by(Entry(PlanEvent.APPROVED, end_of_day(day)), day)
    assert happened_by(Entry(PlanEvent.APPROVED, end_of_day(day)), day + timedelta(days=1))


def test_an_imported_status_holds_from_its_day():
    imported = [Entry(PlanEvent.IMPORTED, start_of_day(date(2020, 9, 1)))]
    assert not approved_by(imported, date(2020, 8, 31))
    assert approved_by(imported, date(2020, 9, 1))
    waiting = [Entry(PlanEvent.SUBMITTED, start_of_day(date(2020, 9, 1)))]
    assert submitted_on(waiting, date(2020, 9, 1)) and not submitted_on(waiting, date(2020, 8, 31))


def test_a_decision_made_later_leaves_the_earlier_days_as_they_were():
    entries = [
        Entry(PlanEvent.SUBMITTED, at(date(2025, 3, 1))),
        Entry(PlanEvent.CHANGES_REQUESTED, at(date(2025, 3, 10))),
        Entry(PlanEvent.SUBMITTED, at(date(2025, 3, 20))),
        Entry(PlanEvent.APPROVED, at(date(2025, 4, 2))),
    ]
    assert [submitted_on(entries, date(2025, m, d)) for m, d in
            ((2, 28), (3, 1), (3, 9), (3, 10), (3, 19), (3, 20), (4, 1), (4, 2))] == [
        False, True, True, False, False, True, True, False,
    ]  # fmt: skip
    assert open_submission(entries, date(2025, 3, 25)) == entries[2]
    assert not approved_by(entries, date(2025, 4, 1)) and approved_by(entries, date(2025, 4, 2))


def _histories(length: int):
    """Yield every sequence of up to ``length`` actions the workflow allows from a new plan.

    Each item is (actions, events, states): the event each action records (None for a
    discarded revision, which leaves no entry) and the (status, approved) after each one.
    """

    def walk(status, approved, actions, events, states):
        yield actions, events, states
        if len(actions) == length:
            return
        for (source, action), found in TRANSITIONS.items():
            if source != status or (found.needs_approved_version and not approved):
                continue
            now_approved = approved or found.event == PlanEvent.APPROVED
            yield from walk(
                found.target,
                now_approved,
                [*actions, action],
                [*events, found.event],
                [*states, (found.target, now_approved)],
            )

    yield from walk(PlanStatus.DRAFT, False, [], [], [])


@pytest.mark.parametrize("per_day", [1, 2, 3])
def test_the_history_gives_the_workflow_state_on_every_day(per_day):
    """Every sequence of up to 7 actions, ``per_day`` of them on each day."""
    checked = 0
    for actions, events, states in _histories(7):
        entries = []
        for index, event in enumerate(events):
            day = FIRST_DAY + timedelta(days=index // per_day)
            if event is not None:
                entries.append(Entry(event, at(day, 8 + index % per_day)))
        assert not approved_by(entries, FIRST_DAY - timedelta(days=1))
        assert not submitted_on(entries, FIRST_DAY - timedelta(days=1))
        for index, (status, approved) in enumerate(states):
            if (index + 1) % per_day and index + 1 < len(states):
                continue  # the day goes on: only its end is a date's state
            day = FIRST_DAY + timedelta(days=index // per_day)
            assert approved_by(entries, day) == approved, (actions, day)
            assert submitted_on(entries, day) == (status == PlanStatus.SUBMITTED), (actions, day)
            checked += 1
    assert checked > 100


def test_every_action_is_covered():
    seen = {action for actions, _e, _s in _histories(5) for action in actions}
    assert seen == set(PlanAction)


def test_a_stay_record_holds_from_its_approval_until_the_next():
    first, second = at(date(2025, 3, 1)), at(date(2025, 6, 1))
    assert not holds_on(first, second, date(2025, 2, 28))
    assert holds_on(first, second, date(2025, 3, 1))
    assert holds_on(first, second, date(2025, 5, 31))
    assert not holds_on(first, second, date(2025, 6, 1))  # replaced that day
    assert holds_on(second, None, date(2025, 6, 1)) and holds_on(second, None, date(2099, 1, 1))
