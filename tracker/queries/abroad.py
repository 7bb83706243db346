"""Funding and destinations of DESIGN §4 in SQL: qualifying stays and stays still ahead.

Both read the stays of every enrolment in scope through :class:`StayRules`, the
expressions the statistics and the lists share: the qualifying stays done by the
as-of date, and the stays ahead by the projection's rule (of an enrolment active
then with an approved plan). The database counts; ``tracker.domain.abroad`` turns
the counts into the document's sections (the host names through its normaliser).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    String,
    and_,
    func,
    literal,
    null,
    select,
    union_all,
)

from tracker.domain.abroad import (
    FundingYear,
    HostCount,
    destinations_section,
    funding_section,
    is_unfunded,
)
from tracker.models import Enrolment, Stay
from tracker.queries.sql import year_of
from tracker.queries.stay_rules import StayRules, stays_of

if TYPE_CHECKING:
    from tracker.queries.stats import EnrolmentFacts


# The three parts of the statement of sections().
FUNDING, HOSTS, AHEAD = "funding", "hosts", "ahead"


def planned_stay(facts: "EnrolmentFacts", rules: StayRules) -> ColumnElement[bool]:
    """Return whether a stay is ahead at the as-of date by the projection's rule.

    Needs ``stay`` with its approval in force (``StayRules.join_approval``), and
    ``enrolment`` with its plan and history (``EnrolmentFacts.join_plan``) in the FROM clause.
    """
    return and_(facts.active, facts.approved, rules.ahead)


def sections_statement(
    facts: "EnrolmentFacts",
    rules: StayRules,
    in_scope: ColumnElement[bool],
    narrowed: bool,
) -> CompoundSelect:
    """Return the one statement of the ``funding`` and ``destinations`` sections
    (:func:`sections` reads its rows).

    The qualifying stays of the scope are read once (a CTE) and grouped twice: by year
    and funding source, and by host and country; the stays ahead, whose rule needs the
    enrolment and its plan, are grouped by funding source. ``narrowed`` says whether the
    scope leaves anyone out (if not, the stays are not joined to their enrolments).
    """
    done = select(
        year_of(Stay.end_date).label("year"),
        Stay.funding.label("funding"),
        Stay.host_institution.label("host"),
        func.upper(Stay.country).label("country"),
    ).where(rules.qualifying)
    if narrowed:
        done = done.where(stays_of(in_scope))
    qualifying = done.cte("qualifying")
    by_funding = select(
        literal(FUNDING, String).label("part"),
        qualifying.c.year,
        qualifying.c.funding,
        null().label("host"),
        null().label("country"),
        func.count().label("stays"),
    ).group_by(qualifying.c.year, qualifying.c.funding)
    by_host = select(
        literal(HOSTS, String).label("part"),
        null().label("year"),
        null().label("funding"),
        qualifying.c.host,
        qualifying.c.country,
        func.count().label("stays"),
    ).group_by(qualifying.c.host, qualifying.c.country)
    ahead_stays = select(
        literal(AHEAD, String).label("part"),
        null().label("year"),
        Stay.funding.label("funding"),
        null().label("host"),
        null().label("country"),
        func.count().label("stays"),
    ).select_from(Stay)
    ahead = (
        facts.join_plan(
            rules.join_approval(ahead_stays).join(Enrolment, Enrolment.id == Stay.enrolment_id)
        )
        .where(in_scope, planned_stay(facts, rules))
        .group_by(Stay.funding)
    )
    return union_all(by_funding, by_host, ahead)


def sections(rows: Iterable[Any]) -> dict[str, Any]:
    """Return the ``funding`` and ``destinations`` sections from the rows of
    :func:`sections_statement`."""
    by_year: dict[int, Counter[str]] = defaultdict(Counter)
    by_country: Counter[str] = Counter()
    hosts: list[HostCount] = []
    planned = unfunded = 0
    for part, year, funding, host, country, stays in rows:
        if part == HOSTS:  # most rows: a few thousand spellings of host names
            by_country[country] += stays
            hosts.append(HostCount(host, country, stays))
        elif part == FUNDING:
            by_year[int(year)][str(funding)] += stays
        else:
            planned += stays
            unfunded += stays if is_unfunded(funding) else 0
    return {
        "funding": funding_section(
            [FundingYear(y, counts) for y, counts in by_year.items()], planned, unfunded
        ),
        "destinations": destinations_section(by_country, hosts),
    }
