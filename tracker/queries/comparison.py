"""What a programme comparison reads (DESIGN §4): each programme of a scope, in four queries.

Whether the histories are replayed is asked once (tracker.queries.recorded). The
figures are the statistics document's, grouped by programme as well
(stats.programme_blocks); the list counts are the lists' own rules
(candidates.count_on_lists). tracker.figures.comparisons puts them side by side.
A page that shows the scope's document too gets both from :func:`get_compared_statistics`,
which counts the populations once, by programme, and sums the scope's from those.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.targets import GroupCounts, TargetSettings
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
    viewer: Any,
    as_of: date,
    filters: Filters,
    settings: TargetSettings,
    *,
    replay: bool | None = None,
    by_programme: dict[str, list[GroupCounts]] | None = None,
) -> ComparisonData | None:
    """Return what comparing the scope's programmes needs; None for a single programme.

    ``by_programme``: the populations counted by programme already (stats.count_groups).
    """
    if filters.programme is not None:
        return None
    replay = replay_needed(as_of) if replay is None else replay
    if by_programme is None:
        by_programme = stats.count_groups(
            as_of, settings, filters, by_programme=True, replay=replay
        )
    return ComparisonData(
        programmes=get_programmes(filters),
        by_programme=stats.programme_blocks(by_programme, settings),
        on_lists=candidates.count_on_lists(viewer, as_of, filters, settings, replay=replay),
    )


def get_compared_statistics(
    viewer: Any,
    as_of: date,
    filters: Filters,
    settings: TargetSettings,
    *,
    international: bool = True,
) -> tuple[dict[str, Any], ComparisonData | None]:
    """Return the scope's statistics document and its programmes compared, for one page.

    The populations are counted once, by programme; the document's are their sums (the
    same figures as :func:`stats.build_statistics`, one statement fewer); the statements
    are sent together (stats.build_compared). Without ``international`` the document
    stops at the populations (stats.build_populations).
    """
    replay = replay_needed(as_of)
    document, by_programme = stats.build_compared(
        as_of,
        filters,
        settings,
        by_programme=filters.programme is None,
        international=international,
        replay=replay,
    )
    compared = get_comparison_data(
        viewer, as_of, filters, settings, replay=replay, by_programme=by_programme
    )
    return document, compared
