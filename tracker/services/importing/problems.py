"""The problems of one import: counted, the first few hundred kept to show."""

import heapq
from collections.abc import Iterable

from tracker.services.importing.changes import LISTED
from tracker.services.importing.common import RowError

# Reading stops once this many problems are found. Each one is a translated message that
# costs about 20 microseconds; ten thousand are cheap, the millions a file of junk
# yields are not.
COUNTED = 10_000


class Problems:
    """Collect the problems of an import in any order; keep the first ``limit`` by line.

    Problems on the same line keep the order in which they were found. Memory stays
    bounded by ``limit`` whatever the number of problems. Whoever reads the file stops
    once ``too_many`` is true and records where with ``stop``.
    """

    def __init__(self, errors: Iterable[RowError] = (), *, limit: int = LISTED) -> None:
        self.limit = limit
        self.stopped_at: int | None = None  # the last line read, when reading stopped early
        self._count = 0
        # A heap whose root is the kept problem that comes last: (-line, -order, error).
        self._kept: list[tuple[int, int, RowError]] = []
        for error in errors:
            self.append(error)

    def append(self, error: RowError) -> None:
        """Count a problem and keep it if it is among the first ``limit`` by line."""
        self._count += 1
        entry = (-error.line, -self._count, error)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)
        elif self._kept and entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    @property
    def too_many(self) -> bool:
        """Return whether so many problems were found that reading should stop."""
        return self._count >= COUNTED

    def stop(self, line: int) -> None:
        """Record that reading stopped, after ``line``, because of too many problems."""
        if self.stopped_at is None or line < self.stopped_at:
            self.stopped_at = line

    def merge(self, other: "Problems") -> None:
        """Add the problems of ``other``, listed and unlisted, after this one's."""
        for error in other.listed():
            self.append(error)
        self._count += other.unlisted
        if other.stopped_at is not None:
            self.stop(other.stopped_at)

    def listed(self) -> list[RowError]:
        """Return the kept problems in line order."""
        return [error for _line, _order, error in sorted(self._kept, reverse=True)]

    @property
    def unlisted(self) -> int:
        """Return how many problems were counted but not kept."""
        return self._count - len(self._kept)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0
