"""The activities of DESIGN §4 in SQL: per activity, per person, per population and cohort.

:class:`ActivityRules` says what an activity counts as at the as-of date;
:class:`ActivityFacts` summarises each person's activities in one grouped subquery
(one pass over the activities, no query per person); :func:`count_groups` counts
the start cohorts of every population in :data:`ACTIVITY_POPULATIONS`. The
statistics document and the list "No international activity yet" read the same
expressions. The rules in Python are ``tracker.domain.activities``.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, case, func, not_, or_, select

from tracker.domain.activities import ANY, MEASURES, TYPES, ActivityCounts, groups
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import ActivityStatus, EnrolmentKind
from tracker.extensions import db
from tracker.models import Activity, Enrolment
from tracker.queries.sql import flag, year_of

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

    def __init__(self, as_of: date) -> None:
        self.done = and_(Activity.status == ActivityStatus.DONE, Activity.done_on <= as_of)
        # Not done on the day; done_on is never NULL on a done activity (a CHECK says so).
        not_done = or_(Activity.status != ActivityStatus.DONE, Activity.done_on > as_of)
        self.planned = and_(Activity.approved_type.is_not(None), not_done)

    def of_type(self, measure: str, key: str) -> ColumnElement[bool]:
        """Return when an activity makes its person count for ``measure`` under ``key``."""
        if key == ANY:
            return self.done if measure == "done" else or_(self.done, self.planned)
        done = and_(self.done, Activity.type == key)
        if measure == "done":
            return done
        return or_(done, and_(self.planned, Activity.approved_type == key))


def _column(measure: str, key: str) -> str:
    return f"{measure}_{key}"


# Every figure a person has: (measure, ANY or a type's value).
MEASURE_KEYS = [(measure, key) for measure in MEASURES for key in (ANY, *(t.value for t in TYPES))]


class ActivityFacts:
    """What each person's activities count for at one as-of date, one row per enrolment.

    Use :meth:`join` on a select with ``enrolment`` in its FROM clause; ``condition``
    narrows the activities read (to a scope, to a page of a list).
    """

    def __init__(self, as_of: date, condition: ColumnElement[bool] | None = None) -> None:
        self.rules = ActivityRules(as_of)
        self.summary = self._summary(condition)
        self.none_done = func.coalesce(self.summary.c[_column("done", ANY)], 0) == 0
        self.planned = func.coalesce(self.summary.c.planned, 0)

    def _summary(self, condition: ColumnElement[bool] | None) -> FromClause:
        columns = [
            func.max(flag(self.rules.of_type(measure, key))).label(_column(measure, key))
            for measure, key in MEASURE_KEYS
        ]
        query = select(
            Activity.enrolment_id.label("enrolment_id"),
            *columns,
            func.sum(flag(self.rules.planned)).label("planned"),
        ).group_by(Activity.enrolment_id)
        if condition is not None:
            query = query.where(condition)
        return query.subquery("activity_summary")

    def measure(self, measure: str, key: str) -> ColumnElement[int]:
        """Return 1 if the person counts for ``measure`` under ``key`` (a type or ANY), else 0."""
        return func.coalesce(self.summary.c[_column(measure, key)], 0)

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


def count_groups(
    facts: "EnrolmentFacts", in_scope: ColumnElement[bool], narrowed: bool
) -> dict[ActivityPopulation, list[ActivityCounts]]:
    """Return the counts of every activity population and start cohort, in one statement.

    ``narrowed`` says whether the scope leaves out anyone (then only the activities of
    the people in scope are read).
    """
    found = ActivityFacts(facts.as_of, activities_of(in_scope) if narrowed else None)
    # The populations' kinds differ, so a person is in one population at most.
    which = case(
        *((population.member(), index) for index, population in enumerate(ACTIVITY_POPULATIONS)),
        else_=None,
    )
    person = (
        found.join(
            select(
                which.label("population"),
                year_of(Enrolment.start_date).label("year"),
                *(found.measure(m, k).label(_column(m, k)) for m, k in MEASURE_KEYS),
            ).select_from(Enrolment)
        )
        .where(in_scope, in_population(facts))
        .subquery("activity_facts")
    )
    statement = select(
        person.c.population,
        person.c.year,
        func.count().label("n"),
        *(func.sum(person.c[_column(m, k)]).label(_column(m, k)) for m, k in MEASURE_KEYS),
    ).group_by(person.c.population, person.c.year)
    counted: dict[ActivityPopulation, list[ActivityCounts]] = {p: [] for p in ACTIVITY_POPULATIONS}
    for row in db.session.execute(statement).mappings():
        figures: dict[str, dict[str, int]] = {measure: {} for measure in MEASURES}
        for measure, key in MEASURE_KEYS:
            figures[measure][key] = int(row[_column(measure, key)])
        counted[ACTIVITY_POPULATIONS[int(row["population"])]].append(
            ActivityCounts(
                year=int(row["year"]),
                n=int(row["n"]),
                planned_or_done=figures["planned_or_done"],
                done=figures["done"],
            )
        )
    return counted


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
