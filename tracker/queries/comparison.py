"""What a programme comparison reads (DESIGN §4): each programme of a scope, in four queries.

Whether the histories are replayed is asked once (tracker.queries.recorded). The
figures are the statistics document's, grouped by programme as well
(stats.get_programme_statistics); the list counts are the lists' own rules
(candidates.count_on_lists). tracker.figures.comparisons puts them side by side.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind
from tracker.queries import candidates, stats
from tracker.queries.recorded import replay_needed
from tracker.queries.scope import Filters, get_programmes


@dataclass(frozen=True)
class ComparisonData:
    """The programmes of a scope, their population blocks and their people on the lists."""

    programmes: list[Any]
    by_programme: dict[int, dict[str, Any]]
    on_lists: dict[tuple[int, EnrolmentKind], tuple[int, int]]


def get_comparison_data(
    viewer: Any, as_of: date, filters: Filters, settings: TargetSettings
) -> ComparisonData | None:
    """Return what comparing the scope's programmes needs; None for a single programme."""
    if filters.programme is not None:
        return None
    replay = replay_needed(as_of)
    return ComparisonData(
        programmes=get_programmes(filters),
        by_programme=stats.get_programme_statistics(as_of, filters, replay=replay),
        on_lists=candidates.count_on_lists(viewer, as_of, filters, settings, replay=replay),
    )
