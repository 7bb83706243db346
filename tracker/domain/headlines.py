"""Where a population stands against its target: the rules of DESIGN §4, "How the figures read".

Pure Python over the groups of the statistics document (one population's list of
years). A population counted by completion year is judged by what was achieved; a
cohort (admission or start year) by what is projected, since few of a recent cohort
can have been abroad yet. New permanent staff are counted only once their three years
are up, so both of their groupings (by deadline year and by appointment year) are
judged by what was achieved. Everything is exact: counts and fractions, no floats.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from tracker.domain.staff import STAFF_YEARS
from tracker.domain.targets import needed

# The year bases of the document's sections (tracker.queries.stats.Section.year_basis).
COMPLETION = "completion"
START = "start"
DEADLINE = "deadline"  # staff: the year their three years ended
APPOINTMENT = "appointment"  # staff: the year they were appointed

# The year a person's time was up: a target's outcome figure, which the sentences speak of.
OUTCOME_YEARS = frozenset({COMPLETION, DEADLINE})
# Judged by what was achieved: everyone whose time is up. Only a cohort by start year is
# judged by its projection.
BY_ACHIEVED = frozenset({COMPLETION, DEADLINE, APPOINTMENT})

# Years before the headline year shown as its trend.
TREND_YEARS = 4
# A share resting on fewer people than this is marked as small numbers.
SMALL_N = 5


def is_outcome(year_basis: str) -> bool:
    """Return whether a population's years are when people's time was up (the outcome figure)."""
    return year_basis in OUTCOME_YEARS


def is_cohort(year_basis: str) -> bool:
    """Return whether a population is judged by its projection (a cohort by start year)."""
    return year_basis not in BY_ACHIEVED


def measure_key(year_basis: str) -> str:
    """Return the count a population is judged by: achieved (time up) or projected (cohort)."""
    return "projected" if is_cohort(year_basis) else "achieved"


def open_year(year_basis: str, as_of: date) -> int:
    """Return the year whose group can still grow at ``as_of``: its figures are "so far".

    That is the as-of date's year, but for staff by appointment year: they are counted
    on their third anniversary, so the year three years back is the one still filling
    (and no later year has anyone yet).
    """
    return as_of.year - STAFF_YEARS if year_basis == APPOINTMENT else as_of.year


def needed_for(group: dict[str, Any], year_basis: str) -> int:
    """Return how many more people of the group need (for a cohort: to plan) a stay."""
    return needed(group["target_percent"], group["n"], group[measure_key(year_basis)])


def share(group: dict[str, Any], year_basis: str) -> Fraction:
    """Return the group's measure as an exact fraction of its people (n > 0)."""
    return Fraction(group[measure_key(year_basis)], group["n"])


@dataclass(frozen=True)
class Headline:
    """One population's answer: the headline year against the target, its run and trend."""

    year_basis: str
    group: dict[str, Any]  # the headline year's group of the document
    needed: int  # more people needed for the measure to reach the target
    on_target: bool
    run: int  # consecutive years up to the headline year with the same on_target
    change: Fraction | None  # the measure's share minus last year's, in percentage points
    trend: list[tuple[int, dict[str, Any] | None]]  # the years before: group, None if nobody
    so_far: dict[str, Any] | None  # the year still open (open_year), unfinished

    @property
    def year(self) -> int:
        """Return the headline year."""
        return int(self.group["year"])

    @property
    def measured(self) -> int:
        """Return the headline year's count of the measure (achieved or projected)."""
        return int(self.group[measure_key(self.year_basis)])

    @property
    def small(self) -> bool:
        """Return whether the headline share rests on fewer than SMALL_N people."""
        return self.group["n"] < SMALL_N


def headline(groups: list[dict[str, Any]], year_basis: str, as_of: date) -> Headline | None:
    """Return where the population stands at ``as_of``; None if no finished year has people."""
    # The document leaves out years with nobody, so the latest finished year has people.
    by_year = {group["year"]: group for group in groups if group["n"] > 0}
    unfinished = open_year(year_basis, as_of)
    finished = [year for year in by_year if year < unfinished]
    if not finished:
        return None
    latest = by_year[max(finished)]
    missing = needed_for(latest, year_basis)
    on_target = missing == 0
    run, year = 0, latest["year"]
    while year in by_year and (needed_for(by_year[year], year_basis) == 0) == on_target:
        run += 1
        year -= 1
    previous = by_year.get(latest["year"] - 1)
    change = (
        (share(latest, year_basis) - share(previous, year_basis)) * 100
        if previous is not None
        else None
    )
    first = latest["year"] - TREND_YEARS
    trend = [(y, by_year.get(y)) for y in range(first, latest["year"])]
    # Years before the population's first one are not "nobody": they are before its time.
    earliest = min(by_year)
    trend = [(y, group) for y, group in trend if y >= earliest]
    return Headline(
        year_basis=year_basis,
        group=latest,
        needed=missing,
        on_target=on_target,
        run=run,
        change=change,
        trend=trend,
        so_far=by_year.get(unfinished),
    )


@dataclass(frozen=True)
class Standing:
    """A programme's place in a comparison: its group of the year (None: nobody that year)."""

    programme: Any
    group: dict[str, Any] | None
    plans_overdue: int
    at_risk: int


def distance(standing: Standing, year_basis: str) -> Fraction | None:
    """Return the programme's measure minus the target, as a fraction (None: nobody)."""
    group = standing.group
    if group is None:
        return None
    return share(group, year_basis) - Fraction(group["target_percent"], 100)


def rank(standings: list[Standing], year_basis: str) -> list[Standing]:
    """Return the programmes furthest below the target first; those with nobody last, by code."""

    def key(standing: Standing) -> tuple[int, Fraction, str]:
        found = distance(standing, year_basis)
        return (found is None, found or Fraction(0), str(standing.programme.code))

    return sorted(standings, key=key)
