"""When an activity counts as done or planned, and the figures of one group (DESIGN §4).

An activity is **done** at an as-of date when its status is ``done`` and its date
``done_on`` is on or before that day; it counts under the type it has now. It is
**planned** when it is in the approved version in force (``approved_type`` is set),
and not done at that day; it counts under the type that version gives it. A person
has type T "planned or done" with one activity of T done or one planned with
approved type T; "done" with one of T done. "Any" is the same over every type.
"""

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from tracker.domain.dates import in_range
from tracker.domain.targets import needed, rate
from tracker.domain.vocabulary import ActivityStatus, ActivityType

# The key of "at least one activity of any type" next to the types' own keys.
ANY = "any"
# Every activity type, in the order of DESIGN §2: the document's ``by_type`` order.
TYPES = tuple(ActivityType)
MEASURES = ("planned_or_done", "done")
# The keys of one group of ``activities`` in the statistics document, in order.
GROUP_KEYS = ("year", "n", ANY, "by_type", "target_percent", "needed")


class ActivityLike(Protocol):
    """What the rules read of an activity: a model object or a plain record."""

    type: ActivityType
    status: ActivityStatus
    done_on: date | None
    approved_type: ActivityType | None


def is_done(status: ActivityStatus | str, done_on: date | None, as_of: date) -> bool:
    """Return whether the activity was done on or before ``as_of``."""
    return status == ActivityStatus.DONE and done_on is not None and done_on <= as_of


def is_planned(
    status: ActivityStatus | str,
    done_on: date | None,
    approved_type: ActivityType | str | None,
    as_of: date,
) -> bool:
    """Return whether the activity is in the approved version in force and not done at as_of."""
    return approved_type is not None and not is_done(status, done_on, as_of)


@dataclass(frozen=True)
class PersonActivities:
    """The activity types one person has planned or done, and done, at one as-of date."""

    planned_or_done: frozenset[ActivityType]
    done: frozenset[ActivityType]
    planned: int  # how many activities are planned (not done) by the rule

    def has(self, measure: str, key: str) -> bool:
        """Return whether the person counts for ``measure`` under ``key`` (a type or ANY)."""
        found = self.planned_or_done if measure == "planned_or_done" else self.done
        return bool(found) if key == ANY else ActivityType(key) in found


def person_activities(
    activities: Iterable[ActivityLike], as_of: date, *, plan_approved: bool = True
) -> PersonActivities:
    """Return what one person's activities count for at ``as_of``.

    ``plan_approved`` says whether the person's plan had been approved by ``as_of``
    (tracker.domain.plan_history.approved_by): before that nothing is planned.
    """
    planned_or_done: set[ActivityType] = set()
    done: set[ActivityType] = set()
    planned = 0
    for activity in activities:
        if is_done(activity.status, activity.done_on, as_of):
            done.add(ActivityType(activity.type))
            planned_or_done.add(ActivityType(activity.type))
        elif plan_approved and is_planned(
            activity.status, activity.done_on, activity.approved_type, as_of
        ):
            planned += 1
            planned_or_done.add(ActivityType(activity.approved_type))
    return PersonActivities(frozenset(planned_or_done), frozenset(done), planned)


@dataclass(frozen=True)
class ActivityCounts:
    """The counts of one population in one start cohort, as the database returns them.

    ``planned_or_done`` and ``done`` map ANY and every type's value to a number of people.
    """

    year: int
    n: int
    planned_or_done: Mapping[str, int]
    done: Mapping[str, int]


def count_people(year: int, people: Iterable[PersonActivities]) -> ActivityCounts:
    """Return the counts of a cohort from each person's activities (the rule in Python)."""
    people = list(people)
    keys = (ANY, *(t.value for t in TYPES))
    return ActivityCounts(
        year=year,
        n=len(people),
        planned_or_done={k: sum(p.has("planned_or_done", k) for p in people) for k in keys},
        done={k: sum(p.has("done", k) for p in people) for k in keys},
    )


def _measure(planned_or_done: int, done: int, n: int) -> dict[str, Any]:
    return {
        "planned_or_done": planned_or_done,
        "done": done,
        "planned_or_done_rate": rate(planned_or_done, n),
        "done_rate": rate(done, n),
    }


def group_figures(counts: ActivityCounts, target_percent: int | None) -> dict[str, Any]:
    """Return one group of ``activities``: n, any, by type, target and needed."""
    n = counts.n
    return {
        "year": counts.year,
        "n": n,
        ANY: _measure(counts.planned_or_done[ANY], counts.done[ANY], n),
        "by_type": {
            t.value: _measure(counts.planned_or_done[t.value], counts.done[t.value], n)
            for t in TYPES
        },
        "target_percent": target_percent,
        "needed": None if target_percent is None else needed(target_percent, n, counts.done[ANY]),
    }


def groups(rows: Iterable[ActivityCounts], target_percent: int | None) -> list[dict[str, Any]]:
    """Return the groups of one population: cohorts with n = 0 left out, by year ascending."""
    return [
        group_figures(row, target_percent)
        for row in sorted(rows, key=lambda r: r.year)
        if row.n > 0
    ]


class DoneDateError(enum.StrEnum):
    """Why a date cannot be the day an activity was done."""

    OUT_OF_RANGE = "out_of_range"
    IN_FUTURE = "in_future"
    BEFORE_ENROLMENT = "before_enrolment"


def done_date_errors(done_on: date, enrolment_start: date, today: date) -> list[DoneDateError]:
    """Return what is wrong with ``done_on`` as the day an activity was done; [] if nothing."""
    if not in_range(done_on):
        return [DoneDateError.OUT_OF_RANGE]
    errors = []
    if done_on > today:
        errors.append(DoneDateError.IN_FUTURE)
    if done_on < enrolment_start:
        errors.append(DoneDateError.BEFORE_ENROLMENT)
    return errors
