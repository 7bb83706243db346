"""The lists a coordinator acts on: every candidate, overdue plans, at risk, waiting.

Each list is one SELECT of flat columns (no objects, so nothing loads lazily)
plus one COUNT, whatever the number of rows: the §4 facts come from
:class:`~tracker.queries.stats.EnrolmentFacts`, so a list and the statistics
document always agree on who is overdue or projected.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from tracker.domain import policy
from tracker.domain.dates import add_months
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanState, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Programme, Stay, User
from tracker.queries.scope import Filters, user_scope_condition
from tracker.queries.stats import EnrolmentFacts, stays_of

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


LIST_NAMES = ("candidates", "overdue", "at-risk", "waiting")

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
}


def _sort_columns(facts: EnrolmentFacts) -> dict[str, Any]:
    return {
        "name": func.lower(User.name),
        "email": User.email,
        "programme": Programme.code,
        "kind": Enrolment.kind,
        "status": Enrolment.status,
        "plan_status": plan_state_column(),
        "start": Enrolment.start_date,
        "expected_end": Enrolment.expected_end_date,
        "supervisor": func.lower(Supervisor.name),
        "stays_done": facts.stays_done,
        "stays_planned": facts.stays_planned,
        "submitted": Plan.submitted_at,
    }


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


def sort_key(query: ListQuery) -> tuple[str, bool]:
    """Return the (column, descending) the list is sorted by: the asked one if known."""
    if query.sort in SORT_KEYS:
        return query.sort, query.descending
    return DEFAULT_SORT[query.name]


def _list_condition(
    name: str, facts: EnrolmentFacts, settings: TargetSettings
) -> ColumnElement[bool] | None:
    as_of = facts.as_of
    if name == "overdue":
        return facts.overdue
    if name == "at-risk":
        return and_(
            facts.active,
            Enrolment.expected_end_date.is_not(None),
            Enrolment.expected_end_date <= add_months(as_of, AT_RISK_MONTHS),
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
            Plan.status == PlanStatus.SUBMITTED,
            Plan.submitted_at < waiting_cutoff(as_of),
        )
    return None


def _scope(user: User, query: ListQuery) -> tuple[ColumnElement[bool], bool]:
    """Return the scope condition and whether it narrows anything (admin, no filters: no)."""
    narrowed = not (policy.is_admin(user) and query.filters.is_institution)
    condition = and_(
        user_scope_condition(user, Enrolment.programme_id),
        query.filters.condition(Enrolment.programme_id),
    )
    return condition, narrowed


def _conditions(
    user: User, query: ListQuery, facts: EnrolmentFacts, settings: TargetSettings
) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses of the list: scope, the list's own rule, and the filters."""
    if query.name not in LIST_NAMES:
        raise ValueError(f"unknown list {query.name!r}")
    conditions = [_scope(user, query)[0]]
    rule = _list_condition(query.name, facts, settings)
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


def _joined(statement: Select[Any], facts: EnrolmentFacts, *, stays: bool) -> Select[Any]:
    """Join what the columns, filters and sort keys of a list may refer to."""
    statement = (
        statement.join(User, User.id == Enrolment.person_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .outerjoin(Supervisor, Supervisor.id == Enrolment.main_supervisor_id)
        .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
    )
    if stays:
        statement = statement.outerjoin(facts.stays, facts.stays.c.enrolment_id == Enrolment.id)
    return statement


def _facts(user: User, query: ListQuery, settings: TargetSettings) -> EnrolmentFacts:
    condition, narrowed = _scope(user, query)
    return EnrolmentFacts(query.as_of, settings, stays_of(condition) if narrowed else None)


def _row_columns(facts: EnrolmentFacts) -> list[Any]:
    return [
        Enrolment.id.label("enrolment_id"),
        User.name.label("name"),
        User.email.label("email"),
        Programme.code.label("programme_code"),
        Programme.name.label("programme_name"),
        Enrolment.kind.label("kind"),
        Enrolment.status.label("status"),
        Plan.status.label("plan_status"),
        plan_state_column().label("plan_state"),
        Plan.submitted_at.label("submitted_at"),
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


def _order(query: ListQuery, facts: EnrolmentFacts) -> list[Any]:
    key, descending = sort_key(query)
    column = _sort_columns(facts)[key]
    # NULLs last either way, then a stable tie-break so pages never overlap.
    return [column.is_(None), column.desc() if descending else column.asc(), Enrolment.id]


def _needs_stays(query: ListQuery) -> bool:
    """Return whether choosing the rows (not showing them) needs the stay summary."""
    return query.name == "at-risk" or sort_key(query)[0] in ("stays_done", "stays_planned")


def get_page(user: User, query: ListQuery, settings: TargetSettings, per_page: int) -> Page:
    """Return one page of the list in three queries (count, page ids, rows), whatever the size.

    The stays of every enrolment in scope are summarised only when choosing the
    rows needs them (the at-risk rule, a sort by stays); the columns of the page
    are then computed for its rows alone.
    """
    facts = _facts(user, query, settings)
    conditions = _conditions(user, query, facts, settings)
    stays = _needs_stays(query)
    total = (
        db.session.scalar(
            _joined(select(func.count()).select_from(Enrolment), facts, stays=stays).where(
                *conditions
            )
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, query.page), pages)
    ids = list(
        db.session.scalars(
            _joined(select(Enrolment.id).select_from(Enrolment), facts, stays=stays)
            .where(*conditions)
            .order_by(*_order(query, facts))
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    if not ids:
        return Page(rows=[], total=total, page=page, per_page=per_page)
    page_facts = EnrolmentFacts(query.as_of, settings, Stay.enrolment_id.in_(ids))
    found = db.session.execute(
        _joined(
            select(*_row_columns(page_facts)).select_from(Enrolment), page_facts, stays=True
        ).where(Enrolment.id.in_(ids))
    ).all()
    position = {enrolment_id: index for index, enrolment_id in enumerate(ids)}
    rows = sorted(found, key=lambda row: position[row.enrolment_id])
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def get_all(user: User, query: ListQuery, settings: TargetSettings) -> list[Any]:
    """Return every row of the list, sorted as on screen, in one query (for CSV and PDF)."""
    facts = _facts(user, query, settings)
    statement = (
        _joined(select(*_row_columns(facts)).select_from(Enrolment), facts, stays=True)
        .where(*_conditions(user, query, facts, settings))
        .order_by(*_order(query, facts))
    )
    return db.session.execute(statement).all()


def count_in_scope(filters: Filters) -> int:
    """Return how many enrolments the filters cover (what a summary PDF lists in full)."""
    return (
        db.session.scalar(
            select(func.count()).select_from(Enrolment).where(
                filters.condition(Enrolment.programme_id)
            )
        )
        or 0
    )


def count_on_lists(
    user: User, as_of: date, filters: Filters, settings: TargetSettings
) -> dict[tuple[int, EnrolmentKind], tuple[int, int]]:
    """Return (on Plans overdue, on At risk) by programme and kind, in one grouped query.

    The same rules and scope as the lists themselves (``get_all``), so a programme's
    counts add up to the lists' lengths.
    """
    query = ListQuery(name="candidates", as_of=as_of, filters=filters)
    facts = _facts(user, query, settings)

    def flag(name: str) -> Any:
        rule = _list_condition(name, facts, settings)
        return func.sum(case((rule, 1), else_=0))

    statement = facts.join(
        select(
            Enrolment.programme_id,
            Enrolment.kind,
            flag("overdue").label("overdue"),
            flag("at-risk").label("at_risk"),
        ).select_from(Enrolment)
    ).where(_scope(user, query)[0]).group_by(Enrolment.programme_id, Enrolment.kind)
    return {
        (row.programme_id, EnrolmentKind(row.kind)): (int(row.overdue or 0), int(row.at_risk or 0))
        for row in db.session.execute(statement)
    }
