"""The activity rules of DESIGN §4: done, planned, one person's types, a group's figures."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tracker.domain.activities import (
    ANY,
    GROUP_KEYS,
    TYPES,
    ActivityCounts,
    DoneDateError,
    count_people,
    done_date_errors,
    group_figures,
    groups,
    is_done,
    is_planned,
    person_activities,
)
from tracker.domain.dates import EARLIEST, LATEST
from tracker.domain.vocabulary import ActivityStatus, ActivityType

AS_OF = date(2026, 6, 30)
DAY = timedelta(days=1)
CONFERENCE, PUBLICATION = ActivityType.CONFERENCE, ActivityType.PUBLICATION
PLANNED, DONE = ActivityStatus.PLANNED, ActivityStatus.DONE


@dataclass(frozen=True)
class Record:
    type: ActivityType
    status: ActivityStatus
    done_on: date | None
    approved_type: ActivityType | None


DONE_DATES = (None, AS_OF - DAY, AS_OF, AS_OF + DAY)


@pytest.mark.parametrize("status", list(ActivityStatus))
@pytest.mark.parametrize("done_on", DONE_DATES)
@pytest.mark.parametrize("approved_type", [None, *TYPES])
def test_done_and_planned_matrix(status, done_on, approved_type):
    done = status == DONE and done_on is not None and done_on <= AS_OF
    assert is_done(status, done_on, AS_OF) is done
    # Planned: in the approved version in force and not done on the day; one or the other
    # for an approved activity, neither for one outside the approved version but not done.
    assert is_planned(status, done_on, approved_type, AS_OF) is (
        approved_type is not None and not done
    )


def test_status_values_from_the_database_work_as_well():
    assert is_done("done", AS_OF, AS_OF)
    assert not is_done("planned", AS_OF, AS_OF)
    assert is_planned("planned", None, "conference", AS_OF)


# Every variant of one activity over two types: its type, status and date, approved type.
VARIANTS = [
    Record(kind, status, done_on, approved)
    for kind in (CONFERENCE, PUBLICATION)
    for status, done_on in [(PLANNED, None), *((DONE, d) for d in DONE_DATES[1:])]
    for approved in (None, CONFERENCE, PUBLICATION)
]


def _by_definition(activities: tuple[Record, ...], measure: str, kind: ActivityType | None):
    """Return whether the person counts, straight from the words of DESIGN §4."""

    def done(a: Record) -> bool:
        return a.status == DONE and a.done_on <= AS_OF

    def of_type(a: Record, t: ActivityType | None) -> bool:
        return t is None or a.type == t

    if measure == "done":
        return any(done(a) and of_type(a, kind) for a in activities)

    def planned_as(a: Record, t: ActivityType | None) -> bool:
        return a.approved_type is not None and (t is None or a.approved_type == t)

    return any(
        (done(a) and of_type(a, kind)) or (not done(a) and planned_as(a, kind)) for a in activities
    )


@pytest.mark.parametrize("size", [0, 1, 2])
def test_one_persons_types_for_every_combination_of_up_to_two_activities(size):
    for activities in itertools.product(VARIANTS, repeat=size):
        found = person_activities(activities, AS_OF)
        for measure in ("planned_or_done", "done"):
            for kind in (None, *TYPES):
                key = ANY if kind is None else kind.value
                assert found.has(measure, key) is _by_definition(activities, measure, kind), (
                    activities,
                    measure,
                    key,
                )
        assert found.planned == sum(
            a.approved_type is not None and not (a.status == DONE and a.done_on <= AS_OF)
            for a in activities
        )


def test_a_retyped_activity_counts_as_planned_under_its_approved_type_and_done_under_its_own():
    retyped = Record(PUBLICATION, PLANNED, None, CONFERENCE)
    assert person_activities([retyped], AS_OF).planned_or_done == {CONFERENCE}
    done = Record(PUBLICATION, DONE, AS_OF, CONFERENCE)
    found = person_activities([done], AS_OF)
    assert (found.planned_or_done, found.done) == ({PUBLICATION}, {PUBLICATION})
    # Done after the as-of date: on that day it was still planned, as approved.
    later = Record(PUBLICATION, DONE, AS_OF + DAY, CONFERENCE)
    assert person_activities([later], AS_OF).planned_or_done == {CONFERENCE}
    # Added in a revision not yet approved, and not done: nothing yet.
    assert person_activities([Record(CONFERENCE, PLANNED, None, None)], AS_OF).planned_or_done == (
        frozenset()
    )


def _counts(n: int, pod: int, done: int, **by_type: tuple[int, int]) -> ActivityCounts:
    keys = [t.value for t in TYPES]
    return ActivityCounts(
        year=2025,
        n=n,
        planned_or_done={ANY: pod, **{k: by_type.get(k, (0, 0))[0] for k in keys}},
        done={ANY: done, **{k: by_type.get(k, (0, 0))[1] for k in keys}},
    )


def test_group_figures_with_a_target():
    figures = group_figures(_counts(11, 6, 3, conference=(4, 2)), 100)
    assert list(figures) == list(GROUP_KEYS)
    assert figures["any"] == {
        "planned_or_done": 6,
        "done": 3,
        "planned_or_done_rate": 0.5455,
        "done_rate": 0.2727,
    }
    assert list(figures["by_type"]) == [t.value for t in TYPES]
    assert figures["by_type"]["conference"] == {
        "planned_or_done": 4,
        "done": 2,
        "planned_or_done_rate": 0.3636,
        "done_rate": 0.1818,
    }
    assert figures["by_type"]["other"]["done_rate"] == 0.0
    # 100 % of 11 is 11; 3 done: 8 more. The target is met by activities done, not planned.
    assert (figures["target_percent"], figures["needed"]) == (100, 8)


@pytest.mark.parametrize(
    ("target", "n", "done", "expected"),
    [(100, 11, 3, 8), (100, 4, 4, 0), (90, 10, 8, 1), (30, 10, 3, 0), (28, 25, 6, 1), (0, 5, 0, 0)],
)
def test_needed_is_exact(target, n, done, expected):
    assert group_figures(_counts(n, done, done), target)["needed"] == expected


def test_no_target_means_no_needed():
    figures = group_figures(_counts(10, 2, 1), None)
    assert (figures["target_percent"], figures["needed"]) == (None, None)


def test_rates_round_half_up():
    assert group_figures(_counts(32, 1, 1), None)["any"]["done_rate"] == 0.0313


def test_groups_drop_empty_cohorts_and_sort_by_year():
    rows = [
        ActivityCounts(2026, 2, _counts(2, 1, 1).planned_or_done, _counts(2, 1, 1).done),
        ActivityCounts(2024, 0, _counts(0, 0, 0).planned_or_done, _counts(0, 0, 0).done),
        ActivityCounts(2025, 1, _counts(1, 0, 0).planned_or_done, _counts(1, 0, 0).done),
    ]
    assert [g["year"] for g in groups(rows, 100)] == [2025, 2026]


def test_count_people_is_the_rule_summed_over_a_cohort():
    people = [
        person_activities([Record(CONFERENCE, DONE, AS_OF, None)], AS_OF),
        person_activities([Record(CONFERENCE, PLANNED, None, PUBLICATION)], AS_OF),
        person_activities([], AS_OF),
    ]
    counts = count_people(2025, people)
    assert (counts.n, counts.planned_or_done[ANY], counts.done[ANY]) == (3, 2, 1)
    assert counts.planned_or_done["conference"] == 1
    assert counts.planned_or_done["publication"] == 1
    assert counts.done["publication"] == 0


TODAY = date(2026, 6, 30)
START = date(2024, 1, 15)


@pytest.mark.parametrize(
    ("done_on", "errors"),
    [
        (TODAY, []),
        (TODAY + DAY, [DoneDateError.IN_FUTURE]),
        (START, []),
        (START - DAY, [DoneDateError.BEFORE_ENROLMENT]),
        (EARLIEST - DAY, [DoneDateError.OUT_OF_RANGE]),
        (LATEST + DAY, [DoneDateError.OUT_OF_RANGE]),
        (date(9999, 12, 31), [DoneDateError.OUT_OF_RANGE]),
    ],
)
def test_done_date_errors(done_on, errors):
    assert done_date_errors(done_on, START, TODAY) == errors


def test_a_future_date_before_the_start_has_both_errors():
    # An enrolment that starts after today: any date is either future or before the start.
    assert done_date_errors(TODAY + DAY, TODAY + 10 * DAY, TODAY) == [
        DoneDateError.IN_FUTURE,
        DoneDateError.BEFORE_ENROLMENT,
    ]


def test_nothing_is_planned_before_the_plan_is_approved():
    """An approved activity of a plan approved after as-of planned nothing then; done counts."""
    planned = Record(CONFERENCE, PLANNED, None, CONFERENCE)
    done = Record(PUBLICATION, DONE, AS_OF, PUBLICATION)
    found = person_activities([planned, done], AS_OF, plan_approved=False)
    assert (found.planned_or_done, found.done, found.planned) == ({PUBLICATION}, {PUBLICATION}, 0)
    found = person_activities([planned, done], AS_OF, plan_approved=True)
    assert (found.planned_or_done, found.planned) == ({CONFERENCE, PUBLICATION}, 1)
