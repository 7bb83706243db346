"""A plan's approval and submission at any date, read from its version history (DESIGN §4).

Each entry of the history has an effective time: when it was made in the tracker, or
for a status moved in by the CSV import, 00:00 UTC of the day from which it holds. An
entry has happened by a date when its effective time is before the next day begins
(UTC), so the figures of a date never depend on when they are computed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from tracker.domain.dates import add_days
from tracker.domain.vocabulary import PlanEvent

APPROVING = frozenset({PlanEvent.APPROVED, PlanEvent.IMPORTED})
# What ends a submission: a decision on it, or the candidate taking it back.
CLOSING = frozenset({PlanEvent.APPROVED, PlanEvent.CHANGES_REQUESTED, PlanEvent.WITHDRAWN})


@dataclass(frozen=True)
class Entry:
    """One entry of a plan's version history: what happened, and from when it holds."""

    event: PlanEvent
    effective_at: datetime


def start_of_day(day: date) -> datetime:
    """Return 00:00 UTC of ``day``: when a status moved in for that day takes effect."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    """Return the first moment after ``day`` (00:00 UTC of the next day)."""
    return start_of_day(add_days(day, 1))


def happened_by(entry: Entry, day: date) -> bool:
    """Return whether the entry had taken effect by the end of ``day``."""
    return entry.effective_at < end_of_day(day)


def approved_by(entries: Iterable[Entry], day: date) -> bool:
    """Return whether some version of the plan had been approved by ``day``."""
    return any(e.event in APPROVING and happened_by(e, day) for e in entries)


def open_submission(entries: Iterable[Entry], day: date) -> Entry | None:
    """Return the submission waiting for a decision on ``day``, if there was one.

    A plan has at most one submission open at a time, so the latest submission by
    ``day`` is open exactly when fewer decisions and withdrawals than submissions had
    happened by then.
    """
    happened = [e for e in entries if happened_by(e, day)]
    submissions = [e for e in happened if e.event == PlanEvent.SUBMITTED]
    closed = sum(1 for e in happened if e.event in CLOSING)
    if len(submissions) <= closed:
        return None
    return max(submissions, key=lambda e: e.effective_at)


def submitted_on(entries: Iterable[Entry], day: date) -> bool:
    """Return whether the plan was waiting for a decision on ``day``."""
    return open_submission(entries, day) is not None


def holds_on(valid_from: datetime, valid_until: datetime | None, day: date) -> bool:
    """Return whether a record valid from ``valid_from`` until ``valid_until`` held on ``day``.

    It holds at the end of the day: taken effect by then, not yet replaced (the record
    of a stay in the approved version in force, DESIGN §4).
    """
    end = end_of_day(day)
    return valid_from < end and (valid_until is None or valid_until >= end)
