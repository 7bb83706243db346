"""Funding and destinations of DESIGN §4 in SQL: qualifying stays and stays still ahead.

Both read the stays of every enrolment in scope through :class:`StayRules`, the
expressions the statistics and the lists share: the qualifying stays done by the
as-of date, and the stays ahead by the projection's rule (of an enrolment active
then with an approved plan). The database counts; ``tracker.domain.abroad`` turns
the counts into the document's sections (the host names through its normaliser).
"""

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from tracker.domain.abroad import FundingYear, HostCount, destinations_section, funding_section
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Stay
from tracker.queries.sql import flag, year_of
from tracker.queries.stay_rules import StayRules

if TYPE_CHECKING:
    from tracker.queries.stats import EnrolmentFacts


def planned_stay(facts: "EnrolmentFacts", rules: StayRules) -> ColumnElement[bool]:
    """Return whether a stay is ahead at the as-of date by the projection's rule.

    Needs ``stay``, ``enrolment`` and ``plan`` in the FROM clause.
    """
    return and_(facts.active, facts.approved, rules.ahead)


def _stays(in_scope: ColumnElement[bool], *columns: Any) -> Select[Any]:
    """Return a select of these columns over the stays of the enrolments in scope."""
    return (
        select(*columns)
        .select_from(Stay)
        .join(Enrolment, Enrolment.id == Stay.enrolment_id)
        .where(in_scope)
    )


def funding(
    facts: "EnrolmentFacts", rules: StayRules, in_scope: ColumnElement[bool]
) -> dict[str, Any]:
    """Return the ``funding`` section: qualifying stays by year and source, stays ahead."""
    year = year_of(Stay.end_date)
    rows = db.session.execute(
        _stays(in_scope, year.label("year"), Stay.funding, func.count().label("stays"))
        .where(rules.qualifying)
        .group_by(year, Stay.funding)
    )
    by_year: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        by_year[int(row.year)][str(row.funding)] += int(row.stays)
    planned, unfunded = db.session.execute(
        _stays(
            in_scope,
            func.count().label("planned"),
            func.coalesce(func.sum(flag(rules.unfunded)), 0).label("unfunded"),
        )
        .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
        .where(planned_stay(facts, rules))
    ).one()
    return funding_section(
        [FundingYear(year, counts) for year, counts in by_year.items()],
        int(planned),
        int(unfunded),
    )


def destinations(rules: StayRules, in_scope: ColumnElement[bool]) -> dict[str, Any]:
    """Return the ``destinations`` section: qualifying stays by country and by host."""
    country = func.upper(Stay.country)
    host = Stay.host_institution
    rows = db.session.execute(
        _stays(in_scope, host, country.label("country"), func.count().label("stays"))
        .where(rules.qualifying)
        .group_by(host, country)
    ).all()
    by_country: Counter[str] = Counter()
    for row in rows:
        by_country[row.country] += int(row.stays)
    return destinations_section(
        by_country, [HostCount(row.host_institution, row.country, int(row.stays)) for row in rows]
    )
