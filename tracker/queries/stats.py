"""The statistics of DESIGN §4, computed in the database with grouped aggregates.

Every figure an enrolment contributes (achieved, projected, plan approved, plan
overdue, and the state it was in at the as-of date) is one SQL expression in
:class:`EnrolmentFacts`. The statistics document and the coordinator's lists
both read those expressions, so a list and a count can never disagree.

How the as-of date applies (docs/STATISTICS.md explains the why):

* an enrolment counts from its ``start_date``; one that starts after as-of is in no
  population;
* ``completed`` or ``withdrawn`` takes effect on the enrolment's ``end_date``
  (a withdrawal without an end date is treated as always in effect); before that
  day the enrolment was active;
* a completed stay counts as done from its ``end_date``; before that it was still
  ahead (planned);
* the plan's approval and submission are taken as they are recorded now;
* a stay ahead is judged by its country and dates in the approved version in force
  (``approved_*``), so a revision's edits count only once the revision is approved;
  its status is read live: a cancellation or completion is a fact, not a plan change.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.domain import targets
from tracker.domain.targets import GroupCounts, TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Stay
from tracker.queries.scope import Filters


class days_between(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """``end − start`` in whole days, for two DATE expressions, on every database we run on."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    # PostgreSQL (and standard SQL): date − date is an integer number of days.
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    # SQLite stores dates as ISO text; julianday() of two dates differs by a whole number.
    start, end = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Return 1 where the condition holds and 0 elsewhere (NULL counts as false)."""
    return case((condition, 1), else_=0)


def _year(column: Any) -> ColumnElement[int]:
    return cast(extract("year", column), Integer)


def stays_of(enrolment_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return a WHERE clause on stays keeping those of the enrolments the condition keeps."""
    return Stay.enrolment_id.in_(select(Enrolment.id).where(enrolment_condition))


class EnrolmentFacts:
    """SQL expressions for what DESIGN §4 says about each enrolment at one as-of date.

    Use :meth:`join` on a select that has ``enrolment`` in its FROM clause, then
    put the attributes in its columns or WHERE clause. ``stay_condition`` narrows
    the stays summarised (to a scope, or to one page of a list) so that work on
    stays is not done for enrolments nobody asked about.
    """

    def __init__(
        self,
        as_of: date,
        settings: TargetSettings,
        stay_condition: ColumnElement[bool] | None = None,
        *,
        with_counts: bool = True,
    ) -> None:
        self.as_of = as_of
        self.settings = settings
        self.stays = self._stay_summary(stay_condition, with_counts)
        stays = self.stays.c

        self.started = Enrolment.start_date <= as_of
        self.completed = and_(
            Enrolment.status == EnrolmentStatus.COMPLETED, Enrolment.end_date <= as_of
        )
        self.withdrawn = and_(
            Enrolment.status == EnrolmentStatus.WITHDRAWN,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date <= as_of),
        )
        self.active = and_(self.started, not_(self.completed), not_(self.withdrawn))
        self.approved = Plan.approved_version_id.is_not(None)
        self.achieved = func.coalesce(stays.qualifying, 0) > 0
        self.projected = or_(
            self.achieved,
            and_(self.active, self.approved, func.coalesce(stays.ahead, 0) > 0),
        )
        # as_of > start + PLAN_DUE_DAYS  ⇔  start < as_of − PLAN_DUE_DAYS (exact date arithmetic).
        self.overdue = and_(
            self.active,
            Plan.approved_version_id.is_(None),
            func.coalesce(Plan.status, "none") != PlanStatus.SUBMITTED.value,
            Enrolment.start_date < as_of - timedelta(days=settings.plan_due_days),
        )
        if with_counts:
            self.stays_done = func.coalesce(stays.done, 0)
            self.stays_planned = func.coalesce(stays.planned, 0)

    def _stay_summary(
        self, stay_condition: ColumnElement[bool] | None, with_counts: bool
    ) -> FromClause:
        """Return one row per enrolment with stays: the §4 flags (and counts) at the as-of date.

        Without counts only the stays that count are read (done or still ahead by the
        rules): the statistics need no more, and the covering index ix_stay_counting
        answers that without touching the table.
        """
        settings = self.settings
        home = settings.home_country.upper()
        min_days = settings.min_stay_days
        done = and_(Stay.status == StayStatus.COMPLETED, Stay.end_date <= self.as_of)
        # What was done is read from the stay as it is: confirmed country and actual dates.
        qualifying = and_(
            done,
            func.upper(Stay.country) != home,
            days_between(Stay.start_date, Stay.end_date) + 1 >= min_days,
        )
        # What is ahead is read from the approved version in force: a revision edits the
        # live columns, and those edits must not count before the supervisor approves them.
        ahead = and_(
            Stay.approved_country.is_not(None),
            or_(
                Stay.status == StayStatus.PLANNED,
                # Completed since: on the as-of date it was still a planned stay.
                and_(Stay.status == StayStatus.COMPLETED, Stay.end_date > self.as_of),
            ),
            func.upper(Stay.approved_country) != home,
            days_between(Stay.approved_start_date, Stay.approved_end_date) + 1 >= min_days,
        )
        columns = [
            func.sum(_flag(qualifying)).label("qualifying"),
            func.sum(_flag(ahead)).label("ahead"),
        ]
        if with_counts:
            columns += [
                func.sum(_flag(done)).label("done"),
                func.sum(_flag(Stay.status == StayStatus.PLANNED)).label("planned"),
            ]
        query = select(Stay.enrolment_id.label("enrolment_id"), *columns).group_by(
            Stay.enrolment_id
        )
        if not with_counts:
            query = query.where(or_(qualifying, ahead))
        if stay_condition is not None:
            query = query.where(stay_condition)
        return query.subquery("stay_summary")

    def join(self, query: Select[Any]) -> Select[Any]:
        """Return the query with the plan and the stay summary outer-joined to ``enrolment``."""
        return query.outerjoin(Plan, Plan.enrolment_id == Enrolment.id).outerjoin(
            self.stays, self.stays.c.enrolment_id == Enrolment.id
        )


# The four populations of DESIGN §4: (document section, key, kind, year column, membership).
PHD_COMPLETION = "phd_completion"
PHD_ADMISSION = "phd_admission"
POSTDOC_END = "postdoc_end"
POSTDOC_START = "postdoc_start"


def count_groups(
    as_of: date, settings: TargetSettings, filters: Filters, *, by_programme: bool = False
) -> dict[str, list[GroupCounts]]:
    """Return the counts of every population and year, in one grouped SQL statement.

    ``by_programme`` counts each programme of the scope on its own (the programme
    comparison): the same statement, grouped by programme as well as by year.
    """
    in_scope = filters.condition(Enrolment.programme_id)
    facts = EnrolmentFacts(
        as_of,
        settings,
        None if filters.is_institution else stays_of(in_scope),
        with_counts=False,
    )
    per_enrolment = facts.join(
        select(
            Enrolment.kind.label("kind"),
            Enrolment.programme_id.label("programme_id"),
            _year(Enrolment.start_date).label("start_year"),
            _year(Enrolment.end_date).label("end_year"),
            _flag(facts.completed).label("completed"),
            _flag(facts.withdrawn).label("withdrawn"),
            _flag(facts.achieved).label("achieved"),
            _flag(facts.projected).label("projected"),
            _flag(facts.approved).label("approved"),
            _flag(facts.overdue).label("overdue"),
        ).select_from(Enrolment)
    ).where(
        in_scope,
        facts.started,
        or_(
            Enrolment.kind == EnrolmentKind.PHD,
            # Postdocs with international experience are outside the 30 % population.
            Enrolment.international_experience.is_(False),
        ),
    )
    e = per_enrolment.cte("facts")

    def population(name: str, kind: EnrolmentKind, year: Any, member: Any) -> Select[Any]:
        programme = e.c.programme_id if by_programme else literal(None, Integer)
        groups = (e.c.programme_id, year) if by_programme else (year,)
        return (
            select(
                literal(name, String).label("population"),
                programme.label("programme_id"),
                year.label("year"),
                func.count().label("n"),
                func.sum(e.c.achieved).label("achieved"),
                func.sum(e.c.projected).label("projected"),
                func.sum(e.c.approved).label("approved_plans"),
                func.sum(e.c.overdue).label("overdue_plans"),
            )
            .where(e.c.kind == kind, member)
            .group_by(*groups)
        )

    statement = union_all(
        population(PHD_COMPLETION, EnrolmentKind.PHD, e.c.end_year, e.c.completed == 1),
        population(PHD_ADMISSION, EnrolmentKind.PHD, e.c.start_year, e.c.withdrawn == 0),
        population(POSTDOC_END, EnrolmentKind.POSTDOC, e.c.end_year, e.c.completed == 1),
        population(POSTDOC_START, EnrolmentKind.POSTDOC, e.c.start_year, e.c.withdrawn == 0),
    )
    found: dict[str, list[GroupCounts]] = {
        PHD_COMPLETION: [],
        PHD_ADMISSION: [],
        POSTDOC_END: [],
        POSTDOC_START: [],
    }
    for row in db.session.execute(statement):
        found[row.population].append(
            GroupCounts(
                year=int(row.year),
                n=int(row.n),
                achieved=int(row.achieved),
                projected=int(row.projected),
                approved_plans=int(row.approved_plans),
                overdue_plans=int(row.overdue_plans),
                programme_id=row.programme_id,
            )
        )
    return found


def _populations(rows: dict[str, list[GroupCounts]], settings: TargetSettings) -> dict[str, Any]:
    """Return the document's population blocks (``phd``, ``postdoc``) from grouped counts."""
    phd, postdoc = settings.phd_target_percent, settings.postdoc_target_percent
    return {
        "phd": {
            "by_completion_year": targets.groups(rows[PHD_COMPLETION], phd),
            "by_admission_year": targets.groups(rows[PHD_ADMISSION], phd),
        },
        "postdoc": {
            "by_end_year": targets.groups(rows[POSTDOC_END], postdoc),
            "by_start_year": targets.groups(rows[POSTDOC_START], postdoc),
        },
    }


def build_statistics(as_of: date, filters: Filters, settings: TargetSettings) -> dict[str, Any]:
    """Return the statistics document of DESIGN §4 for these filters at this date."""
    rows = count_groups(as_of, settings, filters)
    return {
        "as_of": as_of.isoformat(),
        "filters": filters.as_document(),
        "settings": settings.as_document(),
        **_populations(rows, settings),
    }


def get_programme_statistics(as_of: date, filters: Filters) -> dict[int, dict[str, Any]]:
    """Return, by programme id, each programme's population blocks as its own document has them.

    One statement for every programme of the scope; a programme with nobody in any
    population is left out. Each block equals ``get_statistics`` of that programme.
    """
    settings = current_settings()
    rows = count_groups(as_of, settings, filters, by_programme=True)
    per_programme: dict[int, dict[str, list[GroupCounts]]] = {}
    for population, groups in rows.items():
        for group in groups:
            blocks = per_programme.setdefault(
                int(group.programme_id or 0), {name: [] for name in rows}
            )
            blocks[population].append(group)
    return {pid: _populations(blocks, settings) for pid, blocks in per_programme.items()}


@dataclass(frozen=True)
class Section:
    """One list of the document, with where it lives and which kind and target it is about."""

    kind: EnrolmentKind
    key: str
    year_basis: str  # "completion" or "start": which date puts a person in a year


SECTIONS = (
    Section(EnrolmentKind.PHD, "by_completion_year", "completion"),
    Section(EnrolmentKind.PHD, "by_admission_year", "start"),
    Section(EnrolmentKind.POSTDOC, "by_end_year", "completion"),
    Section(EnrolmentKind.POSTDOC, "by_start_year", "start"),
)


def statistics_csv_rows(document: dict[str, Any]) -> list[list[Any]]:
    """Return the document as CSV rows: a header, then one row per population and year."""
    header = ["as_of", "faculty", "programme", "population", "grouping", *targets.GROUP_KEYS]
    rows: list[list[Any]] = [header]
    filters = document["filters"]
    for section in SECTIONS:
        for group in document[section.kind.value][section.key]:
            rows.append(
                [
                    document["as_of"],
                    filters["faculty"] or "",
                    filters["programme"] or "",
                    section.kind.value,
                    section.key,
                    *(group[key] for key in targets.GROUP_KEYS),
                ]
            )
    return rows


def current_settings() -> TargetSettings:
    """Return the counting settings of the running app."""
    return TargetSettings.from_mapping(current_app.config)


def get_statistics(as_of: date, filters: Filters) -> dict[str, Any]:
    """Return the statistics document with the app's settings: what CLI, API and pages show."""
    return build_statistics(as_of, filters, current_settings())
