"""The statistics of DESIGN §4, computed in the database with grouped aggregates.

Every figure an enrolment contributes (achieved, projected, plan approved, plan
submitted, plan overdue, and the state it was in at the as-of date) is one SQL
expression in :class:`EnrolmentFacts`. The statistics document and the coordinator's
lists both read those expressions, so a list and a count can never disagree.

How the as-of date applies (docs/STATISTICS.md explains the why):

* an enrolment counts from its ``start_date``; one that starts after as-of is in no
  population;
* ``completed`` or ``withdrawn`` takes effect on the enrolment's ``end_date``
  (a withdrawal without an end date is treated as always in effect); before that
  day the enrolment was active;
* a completed stay counts as done from its ``end_date``; before that it was still
  ahead (planned);
* the plan's approval and submission are read from its version history as it stood
  at the end of the as-of day (``PlanVersion.effective_at``), never from the plan's
  current state, so the figures of a date do not change when plans move on later;
* a stay ahead is judged by its country and dates in the approved version in force on
  the as-of date (``StayApproval``), so a revision's edits count only from the
  revision's approval on; its status is read live: a cancellation or completion is a
  fact, not a plan change;
* new permanent staff count a stay only when it ends within three years of the
  appointment (tracker.domain.staff), and are counted once those three years are up.

The document's ``activities``, ``funding`` and ``destinations`` sections come from
:mod:`tracker.queries.activities` and :mod:`tracker.queries.abroad`
(:func:`international_statements`), which read the same rules (:class:`StayRules`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    false,
    func,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy.sql import Executable

from tracker.domain import targets
from tracker.domain.plan_history import APPROVING, CLOSING, end_of_day
from tracker.domain.staff import STAFF_YEARS, latest_counted_appointment
from tracker.domain.targets import GroupCounts, TargetSettings
from tracker.domain.vocabulary import (
    EnrolmentKind,
    EnrolmentStatus,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, Stay
from tracker.queries import abroad, activities, together
from tracker.queries.recorded import replay_needed
from tracker.queries.scope import Filters
from tracker.queries.sql import BuiltStatements, KeptReadings, date_number
from tracker.queries.sql import flag as _flag
from tracker.queries.sql import year_of as _year
from tracker.queries.stay_rules import StayRules


def within_three_years(day: Any, appointed: Any) -> ColumnElement[bool]:
    """Return ``day`` ≤ the deadline of an appointment on ``appointed`` (tracker.domain.staff).

    The deadline is the day before the third anniversary, so this is ``day`` < (year + 3,
    month, day of ``appointed``) as numbers YYYYMMDD. For an appointment on 29 February
    that number names no date, and no date lies between it and 1 March, the anniversary:
    the comparison is the same.
    """
    return date_number(day) < date_number(appointed) + STAFF_YEARS * 10000


def enrolments_where(condition: ColumnElement[bool]) -> Select[Any]:
    """Return the ids of the enrolments the condition keeps, to narrow EnrolmentFacts to."""
    return select(Enrolment.id).where(condition)


def counts_for(enrolment_is_staff: ColumnElement[bool], end: Any) -> ColumnElement[bool]:
    """Return whether a stay ending on ``end`` (NULL: there is none) counts for the enrolment.

    For new permanent staff only a stay that ends within three years of the appointment.
    """
    return and_(
        end.is_not(None),
        or_(not_(enrolment_is_staff), within_three_years(end, Enrolment.start_date)),
    )


class EnrolmentFacts:
    """SQL expressions for what DESIGN §4 says about each enrolment at one as-of date.

    Use :meth:`join` on a select that has ``enrolment`` in its FROM clause, then
    put the attributes in its columns or WHERE clause. ``enrolment_ids`` (a list, or a
    select of ids) narrows the stays and plan histories summarised (to a scope, or to
    one page of a list) so that no work is done for enrolments nobody asked about. The
    statistics document needs neither the stay counts nor when a waiting plan was
    submitted (``with_counts=False``): the lists do. ``replay`` says whether the plans'
    histories and the stays' approvals are replayed to the as-of date or, when nothing in
    them holds from after it, read as they stand (tracker.queries.recorded; None: ask).
    """

    def __init__(
        self,
        as_of: date,
        settings: TargetSettings,
        enrolment_ids: Any = None,
        *,
        with_counts: bool = True,
        replay: bool | None = None,
    ) -> None:
        self.as_of = as_of
        self.settings = settings
        self.replay = replay_needed(as_of) if replay is None else replay
        # Everything that had happened by the end of the as-of day (UTC) counts.
        self.cutoff = end_of_day(as_of)
        self.stay_rules = StayRules(as_of, settings.counting_rules, replay=self.replay)
        self.stays = self._stay_summary(enrolment_ids, with_counts)
        stays = self.stays.c
        staff = Enrolment.kind == EnrolmentKind.STAFF

        self.started = Enrolment.start_date <= as_of
        self.completed = and_(
            Enrolment.status == EnrolmentStatus.COMPLETED, Enrolment.end_date <= as_of
        )
        self.withdrawn = and_(
            Enrolment.status == EnrolmentStatus.WITHDRAWN,
            or_(Enrolment.end_date.is_(None), Enrolment.end_date <= as_of),
        )
        self.active = and_(self.started, not_(self.completed), not_(self.withdrawn))
        # tracker.domain.plan_history: approved by the day; a submission open on it.
        if self.replay:
            self.history: FromClause | None = self._plan_history(enrolment_ids, with_counts)
            history = self.history.c
            self.approved = func.coalesce(history.approved, 0) > 0
            self.submitted = func.coalesce(history.submissions, 0) > func.coalesce(
                history.closings, 0
            )
            last_submission: Any = history.last_submission if with_counts else None
        else:
            # Approved once: a plan keeps its approved version through revisions.
            self.history = None
            self.approved = Plan.approved_version_id.is_not(None)
            self.submitted = func.coalesce(Plan.status, "none") == PlanStatus.SUBMITTED.value
            # From the history as the replay reads it (an imported status has its time
            # there only); one seek per row on ix_plan_version_history.
            last_submission = (
                select(func.max(PlanVersion.effective_at))
                .where(PlanVersion.plan_id == Plan.id, PlanVersion.event == PlanEvent.SUBMITTED)
                .scalar_subquery()
            )
        self.achieved = counts_for(staff, stays.qualifying_end)
        self.projected = or_(
            self.achieved,
            and_(self.active, self.approved, counts_for(staff, stays.ahead_end)),
        )
        # as_of > start + PLAN_DUE_DAYS  ⇔  start < as_of − PLAN_DUE_DAYS (exact date arithmetic).
        self.overdue = and_(
            self.active,
            not_(self.approved),
            not_(self.submitted),
            Enrolment.start_date < as_of - timedelta(days=settings.plan_due_days),
        )
        if with_counts:
            self.stays_done = func.coalesce(stays.done, 0)
            self.stays_planned = func.coalesce(stays.planned, 0)
            # When the submission open on the as-of date was made; NULL when none was open.
            self.submitted_at = case((self.submitted, last_submission))

    def _plan_history(self, enrolment_ids: Any, with_times: bool) -> FromClause:
        """Return one row per plan with history: what had happened to it by the as-of date.

        Approved at least once; how many submissions, and how many decisions and
        withdrawals closing one, so that a submission is open when there are more of the
        first; and, ``with_times``, the time of the latest submission. The covering index
        ix_plan_version_history answers it without touching the table.
        """
        event = PlanVersion.event
        submission = event == PlanEvent.SUBMITTED
        columns = [
            PlanVersion.plan_id.label("plan_id"),
            func.max(_flag(event.in_(APPROVING))).label("approved"),
            func.sum(_flag(submission)).label("submissions"),
            func.sum(_flag(event.in_(CLOSING))).label("closings"),
        ]
        if with_times:
            last = func.max(case((submission, PlanVersion.effective_at)))
            columns.append(last.label("last_submission"))
        query = (
            select(*columns)
            .where(PlanVersion.effective_at < self.cutoff)
            .group_by(PlanVersion.plan_id)
        )
        if enrolment_ids is not None:
            query = query.where(
                PlanVersion.plan_id.in_(select(Plan.id).where(Plan.enrolment_id.in_(enrolment_ids)))
            )
        return query.subquery("plan_history")

    def _stay_summary(self, enrolment_ids: Any, with_counts: bool) -> FromClause:
        """Return one row per enrolment with stays: what counts (and counts) at the as-of date.

        ``qualifying_end`` and ``ahead_end`` are the earliest end date of a qualifying stay
        and of a stay still ahead in the approved version in force (NULL: none), so that
        the three-year rule of new permanent staff needs no more than the others. Without
        counts only the stays that count are read (done or still ahead by the rules): the
        statistics need no more, and the covering indexes ix_stay_counting and
        ix_stay_approval_counting answer that without touching the tables.
        """
        rules = self.stay_rules
        done, qualifying, ahead = rules.done, rules.qualifying, rules.ahead
        columns = [
            func.min(case((qualifying, Stay.end_date))).label("qualifying_end"),
            func.min(case((ahead, rules.approved_end))).label("ahead_end"),
        ]
        if with_counts:
            columns += [
                func.sum(_flag(done)).label("done"),
                func.sum(_flag(Stay.status == StayStatus.PLANNED)).label("planned"),
            ]
        query = rules.join_approval(
            select(Stay.enrolment_id.label("enrolment_id"), *columns).select_from(Stay)
        ).group_by(Stay.enrolment_id)
        if not with_counts:
            query = query.where(or_(qualifying, ahead))
        if enrolment_ids is not None:
            query = query.where(Stay.enrolment_id.in_(enrolment_ids))
        return query.subquery("stay_summary")

    def join_plan(self, query: Select[Any]) -> Select[Any]:
        """Return the query with the plan and its history at the as-of date outer-joined."""
        query = query.outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
        if self.history is None:
            return query
        return query.outerjoin(self.history, self.history.c.plan_id == Plan.id)

    def join(self, query: Select[Any]) -> Select[Any]:
        """Return the query with the plan, its history and the stay summary outer-joined."""
        return self.join_plan(query).outerjoin(
            self.stays, self.stays.c.enrolment_id == Enrolment.id
        )


# The populations of DESIGN §4, one list of the document each.
PHD_COMPLETION = "phd_completion"
PHD_ADMISSION = "phd_admission"
POSTDOC_END = "postdoc_end"
POSTDOC_START = "postdoc_start"
STAFF_DEADLINE = "staff_deadline"
STAFF_START = "staff_start"
POPULATIONS = (
    PHD_COMPLETION,
    PHD_ADMISSION,
    POSTDOC_END,
    POSTDOC_START,
    STAFF_DEADLINE,
    STAFF_START,
)


def counted_staff(as_of: date) -> ColumnElement[bool]:
    """Return the staff population at ``as_of`` (DESIGN §4) as a WHERE clause on enrolments.

    Without international experience; three years up (third anniversary ≤ as-of); not
    gone by the deadline: completed or withdrawn with an end date within the three years,
    or withdrawn on a day unknown (tracker.domain.staff.left_before_deadline).
    """
    latest = latest_counted_appointment(as_of)
    if latest is None:
        return false()
    left = or_(
        and_(
            Enrolment.status.in_([EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN]),
            Enrolment.end_date.is_not(None),
            within_three_years(Enrolment.end_date, Enrolment.start_date),
        ),
        and_(Enrolment.status == EnrolmentStatus.WITHDRAWN, Enrolment.end_date.is_(None)),
    )
    return and_(
        Enrolment.kind == EnrolmentKind.STAFF,
        Enrolment.international_experience.is_(False),
        Enrolment.start_date <= latest,
        not_(left),
    )


def groups_statement(
    as_of: date,
    settings: TargetSettings,
    filters: Filters,
    *,
    by_programme: bool = False,
    replay: bool | None = None,
) -> Select[Any]:
    """Return the one grouped statement that counts every population and year (read by
    :func:`counted_groups`).

    ``by_programme`` counts each programme of the scope on its own (the programme
    comparison): the same statement, grouped by programme as well as by year.
    """
    in_scope = filters.condition(Enrolment.programme_id)
    facts = EnrolmentFacts(
        as_of,
        settings,
        None if filters.is_institution else enrolments_where(in_scope),
        with_counts=False,
        replay=replay,
    )
    kind = Enrolment.kind
    start_year = _year(Enrolment.start_date)
    end_year = _year(Enrolment.end_date)
    completed, withdrawn = _flag(facts.completed), _flag(facts.withdrawn)
    statement = facts.join(
        select(
            kind.label("kind"),
            (Enrolment.programme_id if by_programme else null()).label("programme_id"),
            start_year.label("start_year"),
            end_year.label("end_year"),
            completed.label("completed"),
            withdrawn.label("withdrawn"),
            func.count().label("n"),
            func.sum(_flag(facts.achieved)).label("achieved"),
            func.sum(_flag(facts.projected)).label("projected"),
            func.sum(_flag(facts.approved)).label("approved_plans"),
            func.sum(_flag(facts.overdue)).label("overdue_plans"),
        ).select_from(Enrolment)
    ).where(
        in_scope,
        facts.started,
        or_(
            kind == EnrolmentKind.PHD,
            # Postdocs with international experience are outside the 30 % population.
            and_(kind == EnrolmentKind.POSTDOC, Enrolment.international_experience.is_(False)),
            counted_staff(as_of),
        ),
    )
    # One grouping by everything that puts a person in a list and a year (a few hundred
    # rows at most, per programme for the comparison); the lists are summed from it.
    groups = [kind, start_year, end_year, completed, withdrawn]
    if by_programme:
        groups.append(Enrolment.programme_id)
    return statement.group_by(*groups)


def counted_groups(rows: Iterable[Any]) -> dict[str, list[GroupCounts]]:
    """Return every population's counts per year (and programme) from the rows of
    :func:`groups_statement`.

    Each row is a group of people of one kind, programme, start and end year, completed
    or not and withdrawn or not: it counts in the lists :data:`_LISTS` gives for those,
    under the year each list goes by.
    """
    totals: dict[tuple[str, int | None, int], list[int]] = {}
    for kind, programme, start_year, end_year, completed, withdrawn, *figures in rows:
        for name, years_after, by_end in _LISTS[kind, bool(completed), bool(withdrawn)]:
            year = (end_year if by_end else start_year) + years_after
            _add(totals, (name, programme, year), figures)
    return _grouped(totals)


def count_groups(
    as_of: date,
    settings: TargetSettings,
    filters: Filters,
    *,
    by_programme: bool = False,
    replay: bool | None = None,
) -> dict[str, list[GroupCounts]]:
    """Return the counts of every population and year, in one grouped SQL statement
    (:func:`groups_statement`)."""
    statement = groups_statement(as_of, settings, filters, by_programme=by_programme, replay=replay)
    return counted_groups(db.session.execute(statement).all())


# The figures of a group: the last columns of groups_statement, the fields of GroupCounts.
FIGURES = ("n", "achieved", "projected", "approved_plans", "overdue_plans")
_figures_of = attrgetter(*FIGURES)


def _lists_counted(
    kind: EnrolmentKind, completed: bool, withdrawn: bool
) -> list[tuple[str, int, bool]]:
    """Return the lists of the document a grouped row of :func:`groups_statement` counts in.

    Each as (list, years after its year, whether that year is the end year rather than
    the start year). PhD candidates and postdocs by the year they completed (if they had)
    and by the year they started (unless withdrawn); staff, who are in the grouping only
    once counted, by the year their three years ended and by the year of appointment.
    """
    if kind == EnrolmentKind.STAFF:
        return [(STAFF_DEADLINE, STAFF_YEARS, False), (STAFF_START, 0, False)]
    by_end, by_start = (
        (PHD_COMPLETION, PHD_ADMISSION)
        if kind == EnrolmentKind.PHD
        else (POSTDOC_END, POSTDOC_START)
    )
    found = []
    if completed:
        found.append((by_end, 0, True))
    if not withdrawn:
        found.append((by_start, 0, False))
    return found


# Worked out once for every kind and state: a dict lookup per row (an enum member and its
# value are the same key).
_LISTS = {
    (kind, completed, withdrawn): _lists_counted(kind, completed, withdrawn)
    for kind in EnrolmentKind
    for completed in (False, True)
    for withdrawn in (False, True)
}


def _add(
    totals: dict[tuple[str, int | None, int], list[int]],
    key: tuple[str, int | None, int],
    figures: Sequence[Any],
) -> None:
    """Add a group's FIGURES' values to those summed under ``key``."""
    found = totals.get(key)
    if found is None:
        totals[key] = [int(value) for value in figures]
    else:
        for index, value in enumerate(figures):
            found[index] += int(value)


def _grouped(totals: dict[tuple[str, int | None, int], list[int]]) -> dict[str, list[GroupCounts]]:
    """Return every population's counts, ordered by programme and year, from the FIGURES'
    values summed per (population, programme or None, year)."""
    found: dict[str, list[GroupCounts]] = {name: [] for name in POPULATIONS}
    for (name, programme, year), figures in sorted(
        totals.items(), key=lambda item: (item[0][1] or 0, item[0][2])
    ):
        found[name].append(GroupCounts(year, *figures, programme_id=programme))
    return found


def international_statements(
    as_of: date, settings: TargetSettings, filters: Filters, *, replay: bool
) -> list[Executable]:
    """Return the statements of the ``activities``, ``funding`` and ``destinations``
    sections of DESIGN §4 (read by :func:`international_sections`)."""
    in_scope = filters.condition(Enrolment.programme_id)
    narrowed = not filters.is_institution
    # The enrolment-level expressions only: these sections summarise stays their own way.
    facts = EnrolmentFacts(as_of, settings, with_counts=False, replay=replay)
    return [
        activities.groups_statement(facts, in_scope, narrowed),
        abroad.sections_statement(facts, facts.stay_rules, in_scope, narrowed),
    ]


def international_sections(
    rows: Sequence[Iterable[Any]], populations: dict[str, Any], settings: TargetSettings
) -> dict[str, Any]:
    """Return the ``activities``, ``funding`` and ``destinations`` sections from the rows
    of :func:`international_statements`.

    ``populations`` are the document's population blocks at the same date and scope:
    the activity populations are cohorts of theirs, whose sizes are taken from there.
    """
    activity_rows, abroad_rows = rows
    cohorts = {
        population: {g["year"]: g["n"] for g in populations[population.section][population.key]}
        for population in activities.ACTIVITY_POPULATIONS
    }
    counted = activities.counted_groups(activity_rows, cohorts)
    return {"activities": activities.section(counted, settings)} | abroad.sections(abroad_rows)


def _populations(rows: dict[str, list[GroupCounts]], settings: TargetSettings) -> dict[str, Any]:
    """Return the document's population blocks (``phd``, ``postdoc``, ``staff``) from counts."""
    phd, postdoc = settings.phd_target_percent, settings.postdoc_target_percent
    staff = settings.staff_target_percent
    return {
        "phd": {
            "by_completion_year": targets.groups(rows[PHD_COMPLETION], phd),
            "by_admission_year": targets.groups(rows[PHD_ADMISSION], phd),
        },
        "postdoc": {
            "by_end_year": targets.groups(rows[POSTDOC_END], postdoc),
            "by_start_year": targets.groups(rows[POSTDOC_START], postdoc),
        },
        "staff": {
            "by_deadline_year": targets.groups(rows[STAFF_DEADLINE], staff),
            "by_start_year": targets.groups(rows[STAFF_START], staff),
        },
    }


# A dashboard asks for the same few documents again and again: today's, of its scopes.
_BUILT = BuiltStatements(64)
# And mostly before anything has changed: the same rows, read into the same document.
_READINGS = KeptReadings(32)


@dataclass(frozen=True)
class DocumentQuery:
    """The statements of one statistics document of DESIGN §4, and the document read from
    their rows: so that a page can send them together with its own (tracker.queries.together).

    ``by_programme`` counts the populations by programme as well (a comparison's:
    :func:`programme_blocks`); the scope's counts are then their programmes' summed, with
    no statement of their own. Without ``international`` the document stops at the
    population blocks.
    """

    as_of: date
    filters: Filters
    settings: TargetSettings
    replay: bool
    by_programme: bool = False
    international: bool = True

    def _key(self) -> tuple[Any, ...]:
        return (
            self.as_of,
            self.filters.key,
            self.settings,
            self.replay,
            self.by_programme,
            self.international,
        )

    def statements(self) -> list[Executable]:
        """Return the statements, which do not depend on one another."""
        return _BUILT.get(self._key(), self._build_statements)

    def _build_statements(self) -> list[Executable]:
        found: list[Executable] = [
            groups_statement(
                self.as_of,
                self.settings,
                self.filters,
                by_programme=self.by_programme,
                replay=self.replay,
            )
        ]
        if self.international:
            found += international_statements(
                self.as_of, self.settings, self.filters, replay=self.replay
            )
        return found

    def read(
        self, rows: Sequence[Sequence[Any]]
    ) -> tuple[dict[str, Any], dict[int, dict[str, Any]] | None]:
        """Return the document and each programme's population blocks (None unless
        ``by_programme``: :func:`programme_blocks`), from the rows of :meth:`statements`,
        in their order.

        The same rows as the last time give the same objects (:class:`KeptReadings`):
        read them, never change them.
        """
        # The scope's codes are in the document too, and a code can change under its id.
        key = (self._key(), *self.filters.as_document().values())
        return _READINGS.get(key, rows, lambda: self._read(rows))

    def _read(
        self, rows: Sequence[Iterable[Any]]
    ) -> tuple[dict[str, Any], dict[int, dict[str, Any]] | None]:
        counts = counted_groups(rows[0])
        scope = scope_counts(counts) if self.by_programme else counts
        document = {
            "as_of": self.as_of.isoformat(),
            "filters": self.filters.as_document(),
            "settings": self.settings.as_document(),
            **_populations(scope, self.settings),
        }
        if self.international:
            document |= international_sections(rows[1:], document, self.settings)
        blocks = programme_blocks(counts, self.settings) if self.by_programme else None
        return document, blocks


def forget_readings() -> None:
    """Forget the documents kept for their rows: the next of each is read afresh."""
    _READINGS.clear()


def _build(
    as_of: date,
    filters: Filters,
    settings: TargetSettings,
    replay: bool | None,
    international: bool,
) -> dict[str, Any]:
    replay = replay_needed(as_of) if replay is None else replay
    query = DocumentQuery(as_of, filters, settings, replay, international=international)
    return query.read(together.fetch_all(query.statements()))[0]


def build_populations(
    as_of: date, filters: Filters, settings: TargetSettings, *, replay: bool | None = None
) -> dict[str, Any]:
    """Return the statistics document without its international sections: its date, filters
    and settings and the population blocks, from one statement."""
    return _build(as_of, filters, settings, replay, international=False)


def scope_counts(by_programme: dict[str, list[GroupCounts]]) -> dict[str, list[GroupCounts]]:
    """Return the counts of a scope from its programmes' (count_groups ``by_programme``).

    Everyone is in one programme, so a year's figures of the scope are its programmes' summed.
    """
    totals: dict[tuple[str, int | None, int], list[int]] = {}
    for name, groups in by_programme.items():
        for group in groups:
            _add(totals, (name, None, group.year), _figures_of(group))
    return _grouped(totals)


def build_statistics(
    as_of: date, filters: Filters, settings: TargetSettings, *, replay: bool | None = None
) -> dict[str, Any]:
    """Return the statistics document of DESIGN §4 for these filters at this date."""
    return _build(as_of, filters, settings, replay, international=True)


def programme_blocks(
    by_programme: dict[str, list[GroupCounts]], settings: TargetSettings
) -> dict[int, dict[str, Any]]:
    """Return each programme's population blocks from counts grouped by programme
    (count_groups ``by_programme``); a programme with nobody in any population is left out.

    Each block equals the population blocks of that programme's own document.
    """
    per_programme: dict[int, dict[str, list[GroupCounts]]] = {}
    for population, groups in by_programme.items():
        for group in groups:
            blocks = per_programme.setdefault(
                int(group.programme_id or 0), {name: [] for name in by_programme}
            )
            blocks[population].append(group)
    return {pid: _populations(blocks, settings) for pid, blocks in per_programme.items()}


@dataclass(frozen=True)
class Section:
    """One list of the document, with where it lives and which kind and target it is about."""

    kind: EnrolmentKind
    key: str
    # Which date puts a person in a year: "completion", "start", or for staff
    # "deadline" (the third anniversary) and "appointment".
    year_basis: str


SECTIONS = (
    Section(EnrolmentKind.PHD, "by_completion_year", "completion"),
    Section(EnrolmentKind.PHD, "by_admission_year", "start"),
    Section(EnrolmentKind.POSTDOC, "by_end_year", "completion"),
    Section(EnrolmentKind.POSTDOC, "by_start_year", "start"),
    Section(EnrolmentKind.STAFF, "by_deadline_year", "deadline"),
    Section(EnrolmentKind.STAFF, "by_start_year", "appointment"),
)


# The CSV's last columns, for the figures of activities, funding and destinations (DESIGN §5).
CSV_MEASURE_KEYS = ("measure", "count", "share")


def statistics_csv_rows(document: dict[str, Any]) -> list[list[Any]]:
    """Return the document as CSV rows: a header, one row per population and year, then
    one row per figure of ``activities``, ``funding`` and ``destinations`` (DESIGN §5)."""
    header = [
        "as_of",
        "faculty",
        "programme",
        "population",
        "grouping",
        *targets.GROUP_KEYS,
        *CSV_MEASURE_KEYS,
    ]
    rows: list[list[Any]] = [header]
    filters = document["filters"]
    scope = [document["as_of"], filters["faculty"] or "", filters["programme"] or ""]
    for section in SECTIONS:
        for group in document[section.kind.value][section.key]:
            rows.append(
                [
                    *scope,
                    section.kind.value,
                    section.key,
                    *(group[key] for key in targets.GROUP_KEYS),
                    *("" for _key in CSV_MEASURE_KEYS),
                ]
            )
    rows.extend([*scope, *row] for row in _measure_rows(document))
    return rows


def _measure_row(population: str, grouping: str, **values: Any) -> list[Any]:
    """Return the cells after the scope: population, grouping, the group columns, the measure."""
    keys = (*targets.GROUP_KEYS, *CSV_MEASURE_KEYS)
    return [population, grouping, *(values.get(key, "") for key in keys)]


def _measure_rows(document: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for population in activities.ACTIVITY_POPULATIONS:
        grouping = f"activities.{population.key}"
        for group in document["activities"][population.section][population.key]:
            measures = [("any", group["any"]), *group["by_type"].items()]
            for name, figures in measures:
                for measure in ("planned_or_done", "done"):
                    rows.append(
                        _measure_row(
                            population.section,
                            grouping,
                            year=group["year"],
                            n=group["n"],
                            target_percent=group["target_percent"],
                            needed=group["needed"],
                            measure=f"{name}.{measure}",
                            count=figures[measure],
                            share=figures[f"{measure}_rate"],
                        )
                    )
    funding = document["funding"]
    for year in funding["by_completion_year"]:
        for source, figures in year["by_source"].items():
            rows.append(
                _measure_row(
                    "",
                    "funding.by_completion_year",
                    year=year["year"],
                    n=year["stays"],
                    measure=source,
                    count=figures["stays"],
                    share=figures["share"],
                )
            )
    rows.append(
        _measure_row(
            "",
            "funding.planned_stays",
            n=funding["planned_stays"],
            measure="without_funding",
            count=funding["planned_stays_without_funding"],
        )
    )
    destinations = document["destinations"]
    for country in destinations["by_country"]:
        rows.append(
            _measure_row(
                "",
                "destinations.by_country",
                n=destinations["stays"],
                measure=country["country"],
                count=country["stays"],
            )
        )
    for host in destinations["by_host"]:
        rows.append(
            _measure_row(
                "",
                "destinations.by_host",
                n=destinations["stays"],
                measure=host["host_institution"],
                count=host["stays"],
            )
        )
    return rows


def current_settings() -> TargetSettings:
    """Return the counting settings of the running app."""
    return TargetSettings.from_mapping(current_app.config)


def get_statistics(as_of: date, filters: Filters) -> dict[str, Any]:
    """Return the statistics document with the app's settings: what CLI, API and pages show."""
    return build_statistics(as_of, filters, current_settings())
