from datetime import date

import pytest

from tracker.domain.stays import (
    CountingRules,
    NotCounted,
    is_abroad_and_long_enough,
    is_qualifying,
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
