"""The lists a coordinator acts on: every candidate, overdue plans, at risk, waiting,
no international activity yet, and planned stays without funding.

Each list is one SELECT of flat columns (no objects, so nothing loads lazily)
plus one COUNT, whatever the number of rows: the §4 facts come from
:class:`~tracker.queries.stats.EnrolmentFacts`, :class:`~tracker.queries.activities.ActivityFacts`
and :class:`~tracker.queries.stay_rules.StayRules`, so a list and the statistics
document always agree on who is overdue, projected, without an activity or funding.
Every list has a row per enrolment, but "planned stays without funding", which has a
row per stay.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from tracker.domain import policy
from tracker.domain.dates import add_days, add_months
from tracker.domain.staff import latest_counted_appointment
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanState, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Programme, Stay, User
from tracker.queries.abroad import planned_stay
from tracker.queries.activities import ActivityFacts, in_population
from tracker.queries.recorded import replay_needed
from tracker.queries.scope import Filters, user_scope_condition
from tracker.queries.sql import BuiltStatements, staff_deadline
from tracker.queries.stats import EnrolmentFacts, enrolments_where
from tracker.queries.stay_rules import StayRules

# A submitted plan waits "too long" for its supervisor after this many days.
WAITING_DAYS = 14
# An active candidate whose expected end is this close and who is not projected is at risk.
AT_RISK_MONTHS = 12

NO_PLAN = "none"  # the plan-status filter's value for "no plan yet"


def plan_state_column() -> ColumnElement[str]:
    """Return the plan's state (tracker.domain.plan_rules.plan_state) in SQL; NO_PLAN if none.

    Needs ``plan`` outer-joined. The Python rule and this one are checked against each
    other in tests/integration/test_coordinator_lists.py.
    """
    return case(
        (Plan.id.is_(None), NO_PLAN),
        (
            and_(Plan.approved_version_id.is_not(None), Plan.status != PlanStatus.APPROVED),
            PlanState.REVISION.value,
        ),
        else_=cast(Plan.status, String(32)),
    )


LIST_NAMES = ("candidates", "overdue", "at-risk", "waiting", "no-activity", "unfunded-stays")
# The lists with a row per stay rather than per enrolment.
STAY_LISTS = frozenset({"unfunded-stays"})

Supervisor = aliased(User, name="supervisor")


def waiting_cutoff(as_of: date) -> datetime:
    """Return the moment before which a submission has waited more than WAITING_DAYS days.

    Days are counted by calendar date (UTC): submitted on 1 June, as of 16 June is
    15 days of waiting.
    """
    return datetime.combine(as_of - timedelta(days=WAITING_DAYS), time(0, 0), tzinfo=UTC)


@dataclass(frozen=True)
class ListQuery:
    """What one list request asks for: which list, narrowed how, sorted how, which page."""

    name: str = "candidates"
    as_of: date = field(default_factory=date.today)
    filters: Filters = field(default_factory=Filters)
    kind: EnrolmentKind | None = None
    status: EnrolmentStatus | None = None
    plan_status: str | None = None  # a PlanState value or NO_PLAN
    search: str = ""
    sort: str = ""
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class Page:
    """One page of a list, and where it sits among the others."""

    rows: Sequence[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one, even when empty)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        """Return the 1-based position of the first row on this page (0 when empty)."""
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        """Return the 1-based position of the last row on this page."""
        return min(self.total, self.page * self.per_page)


# Default sort of each list: the people who need attention first.
DEFAULT_SORT = {
    "candidates": ("name", False),
    "overdue": ("start", False),
    "at-risk": ("expected_end", False),
    "waiting": ("submitted", False),
    "no-activity": ("start", False),
    "unfunded-stays": ("stay_start", False),
}


@dataclass(frozen=True)
class ListSql:
    """The SQL expressions one list request reads: enrolment facts, activities, stay rules."""

    facts: EnrolmentFacts
    activities: ActivityFacts
    stays: StayRules


def _sort_column(sql: ListSql, key: str) -> Any:
    """Return what a list is sorted by for a sort key (the stay counts only where summarised)."""
    if key in ("stays_done", "stays_planned", "submitted"):
        return getattr(sql.facts, "submitted_at" if key == "submitted" else key)
    return {
        "name": func.lower(User.name),
        "email": User.email,
        "programme": Programme.code,
        "kind": Enrolment.kind,
        "status": Enrolment.status,
        "plan_status": plan_state_column(),
        "start": Enrolment.start_date,
        # New permanent staff are sorted by the end of their three years, as the list shows.
        "expected_end": case(
            (Enrolment.kind == EnrolmentKind.STAFF, staff_deadline(Enrolment.start_date)),
            else_=Enrolment.expected_end_date,
        ),
        "supervisor": func.lower(Supervisor.name),
        "activities_planned": sql.activities.planned,
        "host": func.lower(Stay.host_institution),
        "stay_start": sql.stays.approved_start,
    }[key]


SORT_KEYS = (
    "name",
    "email",
    "programme",
    "kind",
    "status",
    "plan_status",
    "start",
    "expected_end",
    "supervisor",
    "stays_done",
    "stays_planned",
    "submitted",
)
# The sort keys of a list's own columns, beyond those every list has.
OWN_SORT_KEYS = {"no-activity": ("activities_planned",), "unfunded-stays": ("host", "stay_start")}


def sort_key(query: ListQuery) -> tuple[str, bool]:
    """Return the (column, descending) the list is sorted by: the asked one if known."""
    if query.sort in SORT_KEYS or query.sort in OWN_SORT_KEYS.get(query.name, ()):
        return query.sort, query.descending
    return DEFAULT_SORT[query.name]


def _list_condition(name: str, sql: ListSql) -> ColumnElement[bool] | None:
    facts = sql.facts
    as_of = facts.as_of
    if name == "no-activity":
        return and_(in_population(facts), sql.activities.none_done)
    if name == "unfunded-stays":
        return and_(planned_stay(facts, sql.stays), sql.stays.unfunded)
    if name == "overdue":
        return facts.overdue
    if name == "at-risk":
        horizon = add_months(as_of, AT_RISK_MONTHS)
        return and_(
            facts.active,
            or_(
                and_(
                    Enrolment.kind != EnrolmentKind.STAFF,
                    Enrolment.expected_end_date.is_not(None),
                    Enrolment.expected_end_date <= horizon,
                ),
                and_(Enrolment.kind == EnrolmentKind.STAFF, _staff_deadline_within(as_of, horizon)),
            ),
            ~facts.projected,
            # Only people who count toward a target can put it at risk.
            or_(
                Enrolment.kind == EnrolmentKind.PHD,
                Enrolment.international_experience.is_(False),
            ),
        )
    if name == "waiting":
        return and_(
            facts.active,
            facts.submitted,
            facts.submitted_at < waiting_cutoff(as_of),
        )
    return None


def _staff_deadline_within(first: date, last: date) -> ColumnElement[bool]:
    """Return whether a staff member's three years end between ``first`` and ``last``.

    Their deadline (tracker.domain.staff) is on or after ``first`` exactly when they are
    not yet counted on ``first``, and on or before ``last`` when they are counted the day
    after: plain comparisons of the appointment date.
    """
    not_before = latest_counted_appointment(first)
    up_to = latest_counted_appointment(add_days(last, 1))
    return and_(
        Enrolment.start_date > not_before if not_before else true(),
        Enrolment.start_date <= up_to if up_to else false(),
    )


def _scope(user: User, query: ListQuery) -> tuple[ColumnElement[bool], bool]:
    """Return the scope condition and whether it narrows anything (admin, no filters: no)."""
    narrowed = not (policy.is_admin(user) and query.filters.is_institution)
    condition = and_(
        user_scope_condition(user, Enrolment.programme_id),
        query.filters.condition(Enrolment.programme_id),
    )
    return condition, narrowed


def _conditions(user: User, query: ListQuery, sql: ListSql) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses of the list: scope, the list's own rule, and the filters."""
    if query.name not in LIST_NAMES:
        raise ValueError(f"unknown list {query.name!r}")
    conditions = [_scope(user, query)[0]]
    rule = _list_condition(query.name, sql)
    if rule is not None:
        conditions.append(rule)
    if query.kind is not None:
        conditions.append(Enrolment.kind == query.kind)
    if query.status is not None:
        conditions.append(Enrolment.status == query.status)
    if query.plan_status:
        conditions.append(plan_state_column() == query.plan_status)
    if query.search.strip():
        text = query.search.strip()
        conditions.append(
            or_(
                User.name.icontains(text, autoescape=True),
                User.email.icontains(text, autoescape=True),
            )
        )
    return conditions


def _select(name: str, sql: ListSql, *columns: Any) -> Select[Any]:
    """Return a select of the columns over the list's rows: enrolments, or stays.

    A stay comes with its approval in force at the as-of date, which its rule reads.
    """
    if name in STAY_LISTS:
        stays = sql.stays.join_approval(select(*columns).select_from(Stay))
        return stays.join(Enrolment, Enrolment.id == Stay.enrolment_id)
    return select(*columns).select_from(Enrolment)


def _key(name: str) -> Any:
    """Return the column that identifies a row of the list."""
    return Stay.id if name in STAY_LISTS else Enrolment.id


def _joined(
    statement: Select[Any], sql: ListSql, *, stays: bool, history: bool = True
) -> Select[Any]:
    """Join what the columns, filters and sort keys of a list may refer to."""
    statement = (
        statement.join(User, User.id == Enrolment.person_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .outerjoin(Supervisor, Supervisor.id == Enrolment.main_supervisor_id)
    )
    if history:
        statement = sql.facts.join_plan(statement)
    else:
        statement = statement.outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
    if stays:
        statement = statement.outerjoin(
            sql.facts.stays, sql.facts.stays.c.enrolment_id == Enrolment.id
        )
    return statement


def _sql(
    user: User,
    query: ListQuery,
    settings: TargetSettings,
    page: list[int] | None = None,
    *,
    with_counts: bool = True,
    replay: bool | None = None,
) -> ListSql:
    """Return the expressions of the list, summarising the stays and histories of its scope.

    ``page`` narrows them to the enrolments of one page's rows. A person's
    activities are read per row (ActivityFacts), so they need no narrowing.
    """
    condition, narrowed = _scope(user, query)
    if page is not None:
        enrolments: Any = page
    elif narrowed:
        enrolments = enrolments_where(condition)
    else:
        enrolments = None
    facts = EnrolmentFacts(
        query.as_of, settings, enrolments, with_counts=with_counts, replay=replay
    )
    return ListSql(
        facts=facts,
        activities=ActivityFacts(query.as_of, replay=facts.replay),
        stays=facts.stay_rules,
    )


def _row_columns(name: str, sql: ListSql) -> list[Any]:
    facts = sql.facts
    columns = [
        _key(name).label("key"),
        Enrolment.id.label("enrolment_id"),
        User.name.label("name"),
        User.email.label("email"),
        Programme.code.label("programme_code"),
        Programme.name.label("programme_name"),
        Enrolment.kind.label("kind"),
        Enrolment.status.label("status"),
        Plan.status.label("plan_status"),
        plan_state_column().label("plan_state"),
        facts.submitted_at.label("submitted_at"),
        Enrolment.start_date.label("start_date"),
        Enrolment.expected_end_date.label("expected_end_date"),
        Enrolment.end_date.label("end_date"),
        Enrolment.international_experience.label("international_experience"),
        Supervisor.name.label("supervisor"),
        facts.stays_done.label("stays_done"),
        facts.stays_planned.label("stays_planned"),
        facts.achieved.label("achieved"),
        facts.projected.label("projected"),
        facts.overdue.label("overdue"),
    ]
    if name == "no-activity":
        columns.append(sql.activities.planned.label("activities_planned"))
    if name in STAY_LISTS:
        # The stay as the approved version in force has it: what the rule judged.
        columns += [
            Stay.id.label("stay_id"),
            Stay.host_institution.label("host_institution"),
            sql.stays.approved_country.label("stay_country"),
            sql.stays.approved_start.label("stay_start_date"),
            sql.stays.approved_end.label("stay_end_date"),
            Stay.funding.label("funding"),
        ]
    return columns


def _order(query: ListQuery, sql: ListSql) -> list[Any]:
    key, descending = sort_key(query)
    column = _sort_column(sql, key)
    # NULLs last either way, then a stable tie-break so pages never overlap.
    ties = [Enrolment.id, Stay.id] if query.name in STAY_LISTS else [Enrolment.id]
    return [column.is_(None), column.desc() if descending else column.asc(), *ties]


def _needs_stays(query: ListQuery) -> bool:
    """Return whether choosing the rows (not showing them) needs the stay summary."""
    return query.name == "at-risk" or sort_key(query)[0] in ("stays_done", "stays_planned")


def _needs_history(query: ListQuery) -> bool:
    """Return whether choosing the rows needs the plans' history at the as-of date."""
    return (
        query.name in ("overdue", "at-risk", "waiting", "unfunded-stays")
        or sort_key(query)[0] == "submitted"
    )


def get_page(user: User, query: ListQuery, settings: TargetSettings, per_page: int) -> Page:
    """Return one page of the list in four queries, whatever the size.

    Whether the histories are replayed (tracker.queries.recorded), the count, the page's
    ids, its rows.

    The stays of every enrolment in scope are summarised only when choosing the rows
    needs them (the at-risk rule, a sort by stays); the columns of the page are then
    computed for its rows alone. A person's activities are read per row.
    """
    # Choosing the rows needs the stay counts and submission times only to sort by them or
    # for the waiting list: without, the covering indexes alone answer.
    by_counts = query.name == "waiting" or sort_key(query)[0] in (
        "stays_done",
        "stays_planned",
        "submitted",
    )
    sql = _sql(user, query, settings, with_counts=by_counts)
    conditions = _conditions(user, query, sql)
    needs = {"stays": _needs_stays(query), "history": _needs_history(query)}
    total = (
        db.session.scalar(
            _joined(_select(query.name, sql, func.count()), sql, **needs).where(*conditions)
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, query.page), pages)
    found_ids = db.session.execute(
        _joined(_select(query.name, sql, _key(query.name), Enrolment.id), sql, **needs)
        .where(*conditions)
        .order_by(*_order(query, sql))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not found_ids:
        return Page(rows=[], total=total, page=page, per_page=per_page)
    keys = [row[0] for row in found_ids]
    page_sql = _sql(
        user,
        query,
        settings,
        page=sorted({row[1] for row in found_ids}),
        replay=sql.facts.replay,
    )
    found = db.session.execute(
        _joined(
            _select(query.name, page_sql, *_row_columns(query.name, page_sql)),
            page_sql,
            stays=True,
        ).where(_key(query.name).in_(keys))
    ).all()
    position = {key: index for index, key in enumerate(keys)}
    rows = sorted(found, key=lambda row: position[row.key])
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def get_all(user: User, query: ListQuery, settings: TargetSettings) -> list[Any]:
    """Return every row of the list, sorted as on screen, in one query (for CSV and PDF)."""
    sql = _sql(user, query, settings)
    statement = (
        _joined(
            _select(query.name, sql, *_row_columns(query.name, sql)),
            sql,
            stays=True,
        )
        .where(*_conditions(user, query, sql))
        .order_by(*_order(query, sql))
    )
    return db.session.execute(statement).all()


def count_in_scope(filters: Filters) -> int:
    """Return how many enrolments the filters cover (what a summary PDF lists in full)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(filters.condition(Enrolment.programme_id))
        )
        or 0
    )


# A dashboard asks for the same few counts again and again: today's, of its viewer's scopes.
_ON_LISTS = BuiltStatements(64)


def on_lists_statement(
    user: User,
    as_of: date,
    filters: Filters,
    settings: TargetSettings,
    *,
    replay: bool | None = None,
) -> Executable:
    """Return the one grouped statement that counts, by programme and kind, the people on
    Plans overdue and on At risk (read by :func:`on_lists`).

    The same rules and scope as the lists themselves (``get_all``), so a programme's
    counts add up to the lists' lengths. Built once per date, scope, settings and viewer:
    the viewer's scope is a subquery of their id, or nothing for an administrator.
    """
    replay = replay_needed(as_of) if replay is None else replay
    admin = policy.is_admin(user)
    key = (as_of, filters.key, settings, replay, admin, None if admin else user.id)
    (statement,) = _ON_LISTS.get(
        key, lambda: [_build_on_lists(user, as_of, filters, settings, replay)]
    )
    return statement


def _build_on_lists(
    user: User, as_of: date, filters: Filters, settings: TargetSettings, replay: bool
) -> Select[Any]:
    query = ListQuery(name="candidates", as_of=as_of, filters=filters)
    sql = _sql(user, query, settings, with_counts=False, replay=replay)

    def flag(name: str) -> Any:
        rule = _list_condition(name, sql)
        return func.sum(case((rule, 1), else_=0))

    return (
        sql.facts.join(
            select(
                Enrolment.programme_id,
                Enrolment.kind,
                flag("overdue").label("overdue"),
                flag("at-risk").label("at_risk"),
            ).select_from(Enrolment)
        )
        .where(_scope(user, query)[0])
        .group_by(Enrolment.programme_id, Enrolment.kind)
    )


def on_lists(rows: Iterable[Any]) -> dict[tuple[int, EnrolmentKind], tuple[int, int]]:
    """Return (on Plans overdue, on At risk) by programme and kind, from the rows of
    :func:`on_lists_statement`."""
    return {
        (row.programme_id, EnrolmentKind(row.kind)): (int(row.overdue or 0), int(row.at_risk or 0))
        for row in rows
    }


def count_on_lists(
    user: User,
    as_of: date,
    filters: Filters,
    settings: TargetSettings,
    *,
    replay: bool | None = None,
) -> dict[tuple[int, EnrolmentKind], tuple[int, int]]:
    """Return (on Plans overdue, on At risk) by programme and kind, in one grouped query."""
    statement = on_lists_statement(user, as_of, filters, settings, replay=replay)
    return on_lists(db.session.execute(statement))
