"""How the as-of date applies: what a coordinator would have seen that day (docs/STATISTICS.md)."""

from datetime import date

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import PlanStatus
from tracker.extensions import db
from tracker.queries.scope import Filters
from tracker.queries.stats import build_statistics

g = data.group
EARLY, LATE = date(2025, 6, 30), date(2026, 6, 30)


@pytest.fixture()
def people(app):
    b = data.Builder(data.programme())
    # Finishes 1 Sep 2025, achieved in 2024: active (in the 2021 cohort) before that.
    b.person(
        "E1",
        data.PHD,
        date(2021, 8, 15),
        status=data.COMPLETED,
        end=date(2025, 9, 1),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("E1", date(2024, 1, 10), date(2024, 3, 10), data.DONE)
    # A completed stay that ends after 30 June 2025: projected then, achieved later.
    b.person("E2", data.PHD, date(2024, 9, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("E2", date(2025, 6, 1), date(2025, 7, 15), data.DONE, in_approved_plan=True)
    # Starts 1 July 2025: not in the 2025 cohort before that day.
    b.person("E3", data.PHD, date(2025, 7, 1))
    # Withdrew on 1 Aug 2025: active (and overdue) before that, gone after.
    b.person("E4", data.PHD, date(2024, 1, 10), status=data.WITHDRAWN, end=date(2025, 8, 1))
    # Withdrawn on an unknown date: out at every date.
    b.person("E5", data.PHD, date(2024, 1, 10), status=data.WITHDRAWN)
    # Finishes in 2026: no 2026 completion year before it happens.
    b.person("E6", data.PHD, date(2022, 1, 1), status=data.COMPLETED, end=date(2026, 3, 1))
    b.person("E7", data.POSTDOC, date(2024, 2, 1), status=data.COMPLETED, end=date(2025, 5, 31))
    db.session.commit()
    return b


def _document(as_of: date) -> dict:
    return build_statistics(as_of, Filters(), TargetSettings())


def test_figures_as_they_stood_on_an_earlier_date(people):
    document = _document(EARLY)
    assert document["as_of"] == "2025-06-30"
    assert document["phd"]["by_completion_year"] == []
    assert document["phd"]["by_admission_year"] == [
        g(2021, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),  # E1, still active
        g(2022, 1, 0, 0, 0, 1, 0.0, 0.0, 40, 1),  # E6, active without a plan: overdue
        g(2024, 2, 0, 1, 1, 1, 0.0, 0.5, 40, 1),  # E2 projected; E4 not yet withdrawn
    ]
    assert document["postdoc"]["by_end_year"] == [g(2025, 1, 0, 0, 0, 0, 0.0, 0.0, 30, 1)]
    assert document["postdoc"]["by_start_year"] == [g(2024, 1, 0, 0, 0, 0, 0.0, 0.0, 30, 1)]


def test_figures_a_year_later(people):
    document = _document(LATE)
    assert document["phd"]["by_completion_year"] == [
        g(2025, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),  # E1
        g(2026, 1, 0, 0, 0, 0, 0.0, 0.0, 40, 1),  # E6
    ]
    assert document["phd"]["by_admission_year"] == [
        g(2021, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),
        g(2022, 1, 0, 0, 0, 0, 0.0, 0.0, 40, 1),  # completed: no longer overdue
        g(2024, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),  # E2 achieved; E4 withdrawn
        g(2025, 1, 0, 0, 0, 1, 0.0, 0.0, 40, 1),  # E3
    ]


def test_no_year_after_the_as_of_date_appears(people):
    for as_of in (date(2024, 12, 31), EARLY, LATE):
        document = _document(as_of)
        for section in (document["phd"], document["postdoc"]):
            for groups in section.values():
                assert all(group["year"] <= as_of.year for group in groups)


def test_before_anyone_started_the_document_is_empty(people):
    document = _document(date(2020, 1, 1))
    assert document["phd"] == {"by_completion_year": [], "by_admission_year": []}
    assert document["postdoc"] == {"by_end_year": [], "by_start_year": []}
