"""What makes a stay count toward the targets (DESIGN §4)."""

import enum
from dataclasses import dataclass
from datetime import date

from tracker.domain.vocabulary import StayStatus


@dataclass(frozen=True)
class CountingRules:
    """The settings of DESIGN §4 that decide whether a stay counts."""

    home_country: str = "NO"
    min_stay_days: int = 28


class NotCounted(enum.StrEnum):
    """Why a stay does not count (yet)."""

    HOME_COUNTRY = "home_country"
    TOO_SHORT = "too_short"
    NOT_CONFIRMED = "not_confirmed"
    CANCELLED = "cancelled"


def stay_length(start_date: date, end_date: date) -> int:
    """Return the stay's length in days, both the first and the last day included."""
    return (end_date - start_date).days + 1


def is_abroad_and_long_enough(
    country: str, start_date: date, end_date: date, rules: CountingRules
) -> bool:
    """Return whether a stay with these dates and country would count once completed."""
    return (
        country.upper() != rules.home_country.upper()
        and stay_length(start_date, end_date) >= rules.min_stay_days
    )


def reasons_not_counted(
    status: StayStatus, country: str, start_date: date, end_date: date, rules: CountingRules
) -> list[NotCounted]:
    """Return every reason the stay does not qualify; an empty list means it qualifies."""
    reasons = []
    if status == StayStatus.CANCELLED:
        reasons.append(NotCounted.CANCELLED)
    elif status != StayStatus.COMPLETED:
        reasons.append(NotCounted.NOT_CONFIRMED)
    if country.upper() == rules.home_country.upper():
        reasons.append(NotCounted.HOME_COUNTRY)
    if stay_length(start_date, end_date) < rules.min_stay_days:
        reasons.append(NotCounted.TOO_SHORT)
    return reasons


def is_qualifying(
    status: StayStatus, country: str, start_date: date, end_date: date, rules: CountingRules
) -> bool:
    """Return whether the stay is completed (confirmed), abroad and long enough."""
    return not reasons_not_counted(status, country, start_date, end_date, rules)


def is_qualifying_at(
    status: StayStatus,
    country: str,
    start_date: date,
    end_date: date,
    as_of: date,
    rules: CountingRules,
) -> bool:
    """Return whether the stay qualifies and was done by ``as_of`` (it ends on or before)."""
    return end_date <= as_of and is_qualifying(status, country, start_date, end_date, rules)


def is_ahead(
    status: StayStatus,
    end_date: date,
    approved: tuple[str, date, date] | None,
    as_of: date,
    rules: CountingRules,
) -> bool:
    """Return whether the stay is still ahead at ``as_of`` and would count, as approved.

    ``approved`` is (country, start, end) as the approved version in force has the
    stay, or None when it is in no approved version. A completed stay that ends after
    the as-of date was still ahead on that day.
    """
    if approved is None:
        return False
    still_ahead = status == StayStatus.PLANNED or (
        status == StayStatus.COMPLETED and end_date > as_of
    )
    return still_ahead and is_abroad_and_long_enough(*approved, rules)
