"""Where a population stands: headline year, on target, runs, trend and programme ranking."""

from datetime import date
from fractions import Fraction
from types import SimpleNamespace

import pytest

from tracker.domain import headlines
from tracker.domain.headlines import (
    APPOINTMENT,
    COMPLETION,
    DEADLINE,
    START,
    Standing,
    headline,
    is_outcome,
    measure_key,
    open_year,
    rank,
)
from tracker.domain.targets import GroupCounts, group_figures

AS_OF = date(2026, 11, 26)


def group(year: int, n: int, achieved: int, projected: int | None = None, target: int = 40):
    """Return one group of the statistics document, computed as the document computes it."""
    counts = GroupCounts(year, n, achieved, achieved if projected is None else projected, 0, 0)
    return group_figures(counts, target)


def test_the_measure_is_the_outcome_for_completion_and_the_projection_for_cohorts() -> None:
    assert measure_key(COMPLETION) == "achieved"
    assert measure_key(START) == "projected"


def test_staff_are_judged_by_what_they_achieved_in_both_groupings() -> None:
    # Counted only once their three years are up: there is nothing left to project.
    assert measure_key(DEADLINE) == measure_key(APPOINTMENT) == "achieved"
    # The year their three years ended is the target's outcome figure; the appointment
    # year sorts the same people another way.
    assert is_outcome(COMPLETION) and is_outcome(DEADLINE)
    assert not is_outcome(START) and not is_outcome(APPOINTMENT)


def test_staff_by_appointment_year_are_so_far_three_years_back() -> None:
    assert open_year(COMPLETION, AS_OF) == open_year(DEADLINE, AS_OF) == 2026
    assert open_year(APPOINTMENT, AS_OF) == 2023
    # Appointed in 2023: only those appointed by 26 November counted so far.
    rows = [group(2022, 4, 4, target=100), group(2023, 3, 1, target=100)]
    found = headline(rows, APPOINTMENT, AS_OF)
    assert found is not None
    assert found.year == 2022 and found.on_target and found.so_far == rows[1]
    assert headline([group(2023, 3, 1, target=100)], APPOINTMENT, AS_OF) is None


def test_the_headline_year_is_the_latest_finished_year_with_people() -> None:
    rows = [group(2023, 10, 4), group(2025, 10, 3), group(2026, 5, 5)]
    found = headline(rows, COMPLETION, AS_OF)
    assert found is not None
    assert found.year == 2025  # 2026 is the as-of year: so far, never the headline
    assert found.so_far == rows[2]
    assert headline([group(2026, 5, 5)], COMPLETION, AS_OF) is None
    assert headline([], COMPLETION, AS_OF) is None


@pytest.mark.parametrize(
    ("n", "achieved", "needed", "on_target"),
    [(10, 4, 0, True), (10, 3, 1, False), (7, 2, 1, False), (5, 2, 0, True), (1, 0, 1, False)],
)
def test_on_target_is_exact(n, achieved, needed, on_target) -> None:
    found = headline([group(2025, n, achieved)], COMPLETION, AS_OF)
    assert found is not None
    assert (found.needed, found.on_target) == (needed, on_target)
    # For people who finished, needed is the document's own.
    assert found.needed == found.group["needed"]


def test_a_cohort_is_judged_by_its_projection() -> None:
    found = headline([group(2025, 10, 1, projected=5)], START, AS_OF)
    assert found is not None
    assert found.measured == 5 and found.on_target and found.needed == 0
    assert found.group["needed"] == 3  # what is achieved alone is still far from 40 %


def test_the_run_counts_consecutive_years_with_the_same_answer() -> None:
    rows = [
        group(2020, 10, 5),  # on target
        group(2021, 10, 3),  # below
        group(2022, 10, 2),  # below
        group(2024, 10, 1),  # below, but 2023 had nobody: the run starts again
        group(2025, 10, 2),  # below
    ]
    found = headline(rows, COMPLETION, AS_OF)
    assert found is not None and not found.on_target
    assert found.run == 2
    rows[3] = group(2023, 10, 1)
    rows.append(group(2024, 10, 0))
    rows.sort(key=lambda g: g["year"])
    found = headline(rows, COMPLETION, AS_OF)
    assert found is not None and found.run == 5  # 2021 to 2025, all below


def test_the_trend_shows_the_four_years_before_and_years_with_nobody() -> None:
    rows = [group(2019, 4, 1), group(2021, 10, 3), group(2023, 10, 4), group(2024, 8, 2)]
    found = headline(rows, COMPLETION, date(2025, 3, 1))
    assert found is not None and found.year == 2024
    assert [(year, g is not None) for year, g in found.trend] == [
        (2020, False),
        (2021, True),
        (2022, False),
        (2023, True),
    ]
    # 2/8 against 4/10: 25 % against 40 %, 15 points down, exactly.
    assert found.change == Fraction(-15)


def test_the_trend_does_not_reach_before_the_first_year() -> None:
    found = headline([group(2024, 10, 4), group(2025, 10, 4)], COMPLETION, AS_OF)
    assert found is not None
    assert [year for year, _g in found.trend] == [2024]
    assert found.change == 0


def test_a_share_on_few_people_is_small() -> None:
    small = headline([group(2025, headlines.SMALL_N - 1, 2)], COMPLETION, AS_OF)
    large = headline([group(2025, headlines.SMALL_N, 2)], COMPLETION, AS_OF)
    assert small is not None and small.small
    assert large is not None and not large.small


def programme(code: str) -> SimpleNamespace:
    return SimpleNamespace(code=code)


def test_programmes_furthest_below_the_target_come_first_and_nobody_last() -> None:
    standings = [
        Standing(programme("C"), group(2025, 10, 4), 0, 0),  # at target: distance 0
        Standing(programme("B"), None, 2, 1),  # nobody that year
        Standing(programme("E"), group(2025, 4, 0), 0, 0),  # 0 %: furthest below
        Standing(programme("A"), None, 0, 0),
        Standing(programme("D"), group(2025, 3, 1), 0, 0),  # 33.3 %
        Standing(programme("F"), group(2025, 5, 4), 0, 0),  # 80 %: furthest above
    ]
    assert [s.programme.code for s in rank(standings, COMPLETION)] == [
        "E",
        "D",
        "C",
        "F",
        "A",
        "B",
    ]


def test_cohorts_are_ranked_by_their_projection() -> None:
    standings = [
        Standing(programme("A"), group(2025, 10, 0, projected=6), 0, 0),
        Standing(programme("B"), group(2025, 10, 3, projected=3), 0, 0),
    ]
    assert [s.programme.code for s in rank(standings, START)] == ["B", "A"]
    assert [s.programme.code for s in rank(standings, COMPLETION)] == ["A", "B"]
