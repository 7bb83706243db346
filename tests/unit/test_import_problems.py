"""The problems of an import: every one counted, the first ones by line kept to show."""

import random

from tracker.services.importing.common import RowError
from tracker.services.importing.problems import COUNTED, LISTED, Problems


def test_the_first_by_line_are_kept_whatever_the_order_found():
    lines = list(range(2, 1002))
    random.Random(7).shuffle(lines)
    problems = Problems()
    for line in lines:
        problems.append(RowError(line, f"problem on line {line}"))
    assert len(problems) == 1000 and problems
    assert [error.line for error in problems.listed()] == list(range(2, 2 + LISTED))
    assert problems.unlisted == 1000 - LISTED


def test_problems_on_one_line_keep_the_order_they_were_found_in():
    problems = Problems(limit=3)
    for message in ("b", "a", "c", "d"):
        problems.append(RowError(5, message))
    problems.append(RowError(2, "first"))
    assert [(e.line, e.message) for e in problems.listed()] == [(2, "first"), (5, "b"), (5, "a")]
    assert (len(problems), problems.unlisted) == (5, 2)


def test_merging_keeps_the_first_of_both_and_counts_all():
    found_first = Problems(RowError(line, "import") for line in range(100, 400))
    found_later = Problems(RowError(line, "scope") for line in range(2, 302, 2))
    found_later.stop(301)
    merged = Problems()
    merged.merge(found_first)
    merged.merge(found_later)
    expected = sorted(
        [(line, "import") for line in range(100, 400)]
        + [(line, "scope") for line in range(2, 302, 2)],
        key=lambda pair: (pair[0], pair[1] == "scope"),
    )[:LISTED]
    assert [(e.line, e.message) for e in merged.listed()] == expected
    assert len(merged) == 300 + 150
    assert merged.unlisted == 450 - LISTED
    assert merged.stopped_at == 301


def test_no_problem_is_falsy_and_a_limit_of_zero_only_counts():
    assert not Problems() and len(Problems()) == 0 and Problems().listed() == []
    counting = Problems(limit=0)
    counting.append(RowError(3, "x"))
    assert counting and counting.listed() == [] and counting.unlisted == 1


def test_too_many_is_reached_at_the_counted_bound():
    problems = Problems(RowError(2, "x") for _ in range(COUNTED - 1))
    assert not problems.too_many
    problems.append(RowError(3, "x"))
    assert problems.too_many and len(problems.listed()) == LISTED
