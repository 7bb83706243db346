"""The activities of DESIGN §4 in SQL: per activity, per person, per population and cohort.

:class:`ActivityRules` says what an activity counts as at the as-of date;
:class:`ActivitySets` summarises each person's activity types in one grouped subquery
(one pass over the activities, no query per person), from which :func:`groups_statement`
counts the start cohorts of every population in :data:`ACTIVITY_POPULATIONS`;
:class:`ActivityFacts` answers, per person, what the list "No international activity
yet" shows. All read the same rules; the rules in Python are
``tracker.domain.activities``.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    exists,
    func,
    not_,
    or_,
    select,
)

from tracker.domain.activities import ANY, TYPES, ActivityCounts, groups
from tracker.domain.plan_history import APPROVING, end_of_day
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import ActivityStatus, EnrolmentKind
from tracker.models import Activity, Enrolment, Plan, PlanVersion
from tracker.queries.sql import any_bits, flag, year_of

if TYPE_CHECKING:
    from tracker.queries.stats import EnrolmentFacts


@dataclass(frozen=True)
class ActivityPopulation:
    """A population whose start cohorts ``activities`` counts, and where it goes in the document.

    ``target_setting`` names the TargetSettings attribute that holds its target (None:
    the action plan sets none). A new population with start cohorts is one more entry.
    """

    section: str
    key: str
    kind: EnrolmentKind
    without_international_experience: bool
    target_setting: str | None

    def member(self) -> ColumnElement[bool]:
        """Return the condition on ``enrolment`` that puts a person in this population."""
        condition = Enrolment.kind == self.kind
        if self.without_international_experience:
            condition = and_(condition, Enrolment.international_experience.is_(False))
        return condition

    def target(self, settings: TargetSettings) -> int | None:
        """Return the population's target percentage, or None."""
        return getattr(settings, self.target_setting) if self.target_setting else None


ACTIVITY_POPULATIONS = (
    ActivityPopulation(
        "phd", "by_admission_year", EnrolmentKind.PHD, False, "activity_target_percent"
    ),
    ActivityPopulation("postdoc", "by_start_year", EnrolmentKind.POSTDOC, True, None),
)


class ActivityRules:
    """SQL conditions on ``activity`` rows at one as-of date (tracker.domain.activities)."""

    def __init__(self, as_of: date, *, replay: bool = True) -> None:
        self.done = and_(Activity.status == ActivityStatus.DONE, Activity.done_on <= as_of)
        # Not done on the day; done_on is never NULL on a done activity (a CHECK says so).
        not_done = or_(Activity.status != ActivityStatus.DONE, Activity.done_on > as_of)
        # In the approved version, of a plan approved by the as-of date (the history says
        # when: a plan approved later planned nothing on that day). Without replay
        # (tracker.queries.recorded) that is a plan with an approved version.
        if replay:
            approved_by_then = (
                select(Plan.enrolment_id)
                .join(PlanVersion, PlanVersion.plan_id == Plan.id)
                .where(
                    PlanVersion.event.in_(APPROVING),
                    PlanVersion.effective_at < end_of_day(as_of),
                )
            )
        else:
            approved_by_then = select(Plan.enrolment_id).where(
                Plan.approved_version_id.is_not(None)
            )
        self.approved = and_(
            Activity.approved_type.is_not(None), Activity.enrolment_id.in_(approved_by_then)
        )
        self.planned = and_(self.approved, not_done)


# Each type's bit in a person's set of types (conference 1, publication 2, collaboration 4, …).
BITS = {kind.value: 1 << index for index, kind in enumerate(TYPES)}


def _bit(column: Any) -> ColumnElement[int]:
    return case(BITS, value=column)


def _has(mask: ColumnElement[int], key: str) -> ColumnElement[bool]:
    """Return whether a set of types holds ``key`` (ANY: holds any type)."""
    if key == ANY:
        return mask != 0
    return mask.op("&")(BITS[key]) != 0


class ActivityFacts:
    """What one person's activities say at one as-of date, for a select over ``enrolment``.

    Each is a correlated subquery that the covering index ix_activity_counting answers
    with one seek per person, so a list reads only the activities of its rows.
    """

    def __init__(self, as_of: date, *, replay: bool = True) -> None:
        self.rules = rules = ActivityRules(as_of, replay=replay)
        mine = Activity.enrolment_id == Enrolment.id
        self.none_done = ~exists().where(mine, rules.done)
        self.planned = (
            select(func.count()).select_from(Activity).where(mine, rules.planned).scalar_subquery()
        )


class ActivitySets:
    """Each person's activity types at one as-of date, one row per enrolment with activities.

    A person's types are two sets of bits: those done, and those planned or done (done
    under the activity's type, planned under its approved type). A set is the SUM of
    the DISTINCT bits of the person's activities, which is their bitwise OR on every
    database: two aggregates per activity instead of one per type and measure. Use
    :meth:`join` on a select with ``enrolment`` in its FROM clause; ``condition``
    narrows the activities read (to a scope).
    """

    def __init__(
        self,
        as_of: date,
        condition: ColumnElement[bool] | None = None,
        *,
        replay: bool = True,
    ) -> None:
        self.rules = ActivityRules(as_of, replay=replay)
        self.summary = self._summary(condition)
        c = self.summary.c
        self.masks = {
            "done": func.coalesce(c.done_types, 0),
            "planned_or_done": func.coalesce(c.planned_or_done_types, 0),
        }

    def _summary(self, condition: ColumnElement[bool] | None) -> FromClause:
        rules = self.rules
        done_bit = case((rules.done, _bit(Activity.type)))
        # The WHERE below keeps activities done or approved: one not done is approved, so
        # the ELSE needs no test of its own (which would look up the plans a second time).
        counted_bit = case((rules.done, _bit(Activity.type)), else_=_bit(Activity.approved_type))
        query = (
            select(
                Activity.enrolment_id.label("enrolment_id"),
                any_bits(done_bit).label("done_types"),
                any_bits(counted_bit).label("planned_or_done_types"),
            )
            # Only activities that count for something: done by then, or approved.
            .where(or_(rules.done, rules.approved))
            .group_by(Activity.enrolment_id)
        )
        if condition is not None:
            query = query.where(condition)
        return query.subquery("activity_summary")

    def measure(self, measure: str, key: str) -> ColumnElement[int]:
        """Return 1 if the person counts for ``measure`` under ``key`` (a type or ANY), else 0."""
        return flag(_has(self.masks[measure], key))

    def join(self, query: Select[Any]) -> Select[Any]:
        """Return the query with the summary outer-joined to ``enrolment``."""
        return query.outerjoin(self.summary, self.summary.c.enrolment_id == Enrolment.id)


def activities_of(enrolment_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return a WHERE clause on activities keeping those of the enrolments the condition keeps."""
    return Activity.enrolment_id.in_(select(Enrolment.id).where(enrolment_condition))


def in_population(facts: "EnrolmentFacts") -> ColumnElement[bool]:
    """Return whether an enrolment is in an activity population at the as-of date."""
    return and_(
        facts.started,
        not_(facts.withdrawn),
        or_(*(population.member() for population in ACTIVITY_POPULATIONS)),
    )


# The types (values) in each set of types as the SQL above writes it, worked out once.
TYPES_OF = {
    mask: tuple(k for k, bit in BITS.items() if mask & bit) for mask in range(1 << len(BITS))
}


def groups_statement(
    facts: "EnrolmentFacts", in_scope: ColumnElement[bool], narrowed: bool
) -> Select[Any]:
    """Return the statement that counts, among the people of every activity population in
    scope who have an activity that counts, the people by cohort and their two sets of
    types (a few thousand combinations at most): :func:`counted_groups` reads its rows.

    ``narrowed`` says whether the scope leaves out anyone (then only the activities of
    the people in scope are read).
    """
    found = ActivitySets(
        facts.as_of, activities_of(in_scope) if narrowed else None, replay=facts.replay
    )
    summary = found.summary.c
    # The populations' kinds differ, so a person is in one population at most.
    which = case(
        *((population.member(), index) for index, population in enumerate(ACTIVITY_POPULATIONS)),
        else_=None,
    )
    year = year_of(Enrolment.start_date)
    done = func.coalesce(summary.done_types, 0)
    counted = func.coalesce(summary.planned_or_done_types, 0)
    return (
        select(
            which.label("population"),
            year.label("year"),
            done.label("done"),
            counted.label("planned_or_done"),
            func.count().label("people"),
        )
        .select_from(found.summary)
        .join(Enrolment, Enrolment.id == summary.enrolment_id)
        .where(in_scope, in_population(facts))
        .group_by(which, year, done, counted)
    )


def counted_groups(
    rows: Iterable[Any], cohorts: dict["ActivityPopulation", dict[int, int]]
) -> dict[ActivityPopulation, list[ActivityCounts]]:
    """Return the counts of every activity population and start cohort, from the rows of
    :func:`groups_statement`.

    ``cohorts`` are the populations' start cohorts with their sizes, as the document's
    populations have counted them (the same people: started, not withdrawn); the people
    per type are summed here from the people per set of types.
    """
    # People by cohort, measure and set of types; then by type, one set at a time.
    by_set: Counter[tuple[int, int, str, int]] = Counter()
    for population, cohort_year, done, planned_or_done, people in rows:
        by_set[(population, cohort_year, "done", done)] += people
        by_set[(population, cohort_year, "planned_or_done", planned_or_done)] += people
    figures: dict[tuple[int, int, str], Counter[str]] = defaultdict(Counter)
    for (population, cohort_year, measure, mask), people in by_set.items():
        counts = figures[(population, cohort_year, measure)]
        for key in TYPES_OF[mask]:
            counts[key] += people
        if mask:
            counts[ANY] += people
    keys = (ANY, *BITS)
    counted_by_population: dict[ActivityPopulation, list[ActivityCounts]] = {}
    for index, population in enumerate(ACTIVITY_POPULATIONS):
        counted_by_population[population] = []
        for cohort_year, n in cohorts.get(population, {}).items():
            done = figures[(index, cohort_year, "done")]
            planned_or_done = figures[(index, cohort_year, "planned_or_done")]
            counted_by_population[population].append(
                ActivityCounts(
                    year=int(cohort_year),
                    n=int(n),
                    planned_or_done={k: planned_or_done[k] for k in keys},
                    done={k: done[k] for k in keys},
                )
            )
    return counted_by_population


def section(
    counted: dict[ActivityPopulation, list[ActivityCounts]], settings: TargetSettings
) -> dict[str, Any]:
    """Return the ``activities`` section of the statistics document."""
    found: dict[str, Any] = {}
    for population in ACTIVITY_POPULATIONS:
        found.setdefault(population.section, {})[population.key] = groups(
            counted[population], population.target(settings)
        )
    return found
