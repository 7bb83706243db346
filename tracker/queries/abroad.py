"""Funding and destinations of DESIGN §4 in SQL: qualifying stays and stays still ahead.

Both read the stays of every enrolment in scope through :class:`StayRules`, the
expressions the statistics and the lists share: the qualifying stays done by the
as-of date, and the stays ahead by the projection's rule (of an enrolment active
then with an approved plan). The database counts; ``tracker.domain.abroad`` turns
the counts into the document's sections (the host names through its normaliser).
"""

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, null, select, union_all

from tracker.domain.abroad import (
    FundingYear,
    HostCount,
    destinations_section,
    funding_section,
    is_unfunded,
)
from tracker.extensions import db
from tracker.models import Enrolment, Plan, Stay
from tracker.queries.sql import year_of
from tracker.queries.stay_rules import StayRules

if TYPE_CHECKING:
    from tracker.queries.stats import EnrolmentFacts

DONE, AHEAD = "done", "ahead"  # the two parts of the statement of sections()


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


def sections(
    facts: "EnrolmentFacts", rules: StayRules, in_scope: ColumnElement[bool]
) -> dict[str, Any]:
    """Return the ``funding`` and ``destinations`` sections, from one statement.

    The qualifying stays grouped by year, funding source, host and country, and the
    stays ahead grouped by funding source (a UNION ALL of the two).
    """
    country = func.upper(Stay.country)
    year = year_of(Stay.end_date)
    done = (
        _stays(
            in_scope,
            literal(DONE, String).label("part"),
            year.label("year"),
            Stay.funding.label("funding"),
            Stay.host_institution.label("host"),
            country.label("country"),
            func.count().label("stays"),
        )
        .where(rules.qualifying)
        .group_by(year, Stay.funding, Stay.host_institution, country)
    )
    ahead = (
        _stays(
            in_scope,
            literal(AHEAD, String).label("part"),
            null().label("year"),
            Stay.funding.label("funding"),
            null().label("host"),
            null().label("country"),
            func.count().label("stays"),
        )
        .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
        .where(planned_stay(facts, rules))
        .group_by(Stay.funding)
    )
    by_year: dict[int, Counter[str]] = defaultdict(Counter)
    by_country: Counter[str] = Counter()
    hosts: list[HostCount] = []
    planned = unfunded = 0
    for row in db.session.execute(union_all(done, ahead)):
        stays = int(row.stays)
        if row.part == AHEAD:
            planned += stays
            unfunded += stays if is_unfunded(row.funding) else 0
            continue
        by_year[int(row.year)][str(row.funding)] += stays
        by_country[row.country] += stays
        hosts.append(HostCount(row.host, row.country, stays))
    return {
        "funding": funding_section(
            [FundingYear(y, counts) for y, counts in by_year.items()], planned, unfunded
        ),
        "destinations": destinations_section(by_country, hosts),
    }
