from datetime import date

import pytest

from tracker.domain.stays import (
    CountingRules,
    NotCounted,
    is_abroad_and_long_enough,
    is_ahead,
    is_qualifying,
    is_qualifying_at,
    reasons_not_counted,
    stay_length,
)
from tracker.domain.vocabulary import StayStatus

RULES = CountingRules(home_country="NO", min_stay_days=28)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 1, 1), date(2025, 1, 1), 1),
        (date(2025, 1, 1), date(2025, 1, 28), 28),
        (date(2024, 2, 1), date(2024, 2, 28), 28),
        (date(2024, 2, 15), date(2024, 3, 13), 28),  # across 29 February
        (date(2023, 2, 15), date(2023, 3, 13), 27),
    ],
)
def test_stay_length_counts_both_days(start, end, days):
    assert stay_length(start, end) == days


@pytest.mark.parametrize("status", list(StayStatus))
@pytest.mark.parametrize("country", ["DE", "NO", "no"])
@pytest.mark.parametrize("days", [27, 28])
def test_qualifying_matrix(status, country, days):
    start = date(2025, 3, 1)
    end = date.fromordinal(start.toordinal() + days - 1)
    expected = status == StayStatus.COMPLETED and country.upper() != "NO" and days >= 28
    assert is_qualifying(status, country, start, end, RULES) is expected
    assert is_abroad_and_long_enough(country, start, end, RULES) is (
        country.upper() != "NO" and days >= 28
    )


def test_reasons_are_all_listed():
    reasons = reasons_not_counted(
        StayStatus.PLANNED, "NO", date(2025, 1, 1), date(2025, 1, 10), RULES
    )
    assert reasons == [NotCounted.NOT_CONFIRMED, NotCounted.HOME_COUNTRY, NotCounted.TOO_SHORT]
    cancelled = reasons_not_counted(
        StayStatus.CANCELLED, "SE", date(2025, 1, 1), date(2025, 3, 1), RULES
    )
    assert cancelled == [NotCounted.CANCELLED]


AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize("status", list(StayStatus))
@pytest.mark.parametrize("country", ["DE", "NO"])
@pytest.mark.parametrize("days", [27, 28])
@pytest.mark.parametrize("end_offset", [-1, 0, 1])
def test_qualifying_at_needs_the_stay_done_by_the_day(status, country, days, end_offset):
    end = date.fromordinal(AS_OF.toordinal() + end_offset)
    start = date.fromordinal(end.toordinal() - days + 1)
    expected = status == StayStatus.COMPLETED and country != "NO" and days >= 28 and end <= AS_OF
    assert is_qualifying_at(status, country, start, end, AS_OF, RULES) is expected


@pytest.mark.parametrize("status", list(StayStatus))
@pytest.mark.parametrize("approved_country", [None, "DE", "NO"])
@pytest.mark.parametrize("approved_days", [27, 28])
@pytest.mark.parametrize("end_offset", [-1, 0, 1])
def test_ahead_reads_the_approved_values(status, approved_country, approved_days, end_offset):
    """Live dates say when a completed stay ended; country and length come from approval."""
    end = date.fromordinal(AS_OF.toordinal() + end_offset)
    start = date(2026, 9, 1)
    approved = (
        None
        if approved_country is None
        else (approved_country, start, date.fromordinal(start.toordinal() + approved_days - 1))
    )
    expected = (
        approved_country == "DE"
        and approved_days >= 28
        and (status == StayStatus.PLANNED or (status == StayStatus.COMPLETED and end > AS_OF))
    )
    assert is_ahead(status, end, approved, AS_OF, RULES) is expected
