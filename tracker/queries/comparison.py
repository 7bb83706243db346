"""What a programme comparison reads (DESIGN §4): each programme of a scope, in four queries.

Whether the histories are replayed is asked once (tracker.queries.recorded). The
figures are the statistics document's, grouped by programme as well
(stats.programme_blocks); the list counts are the lists' own rules
(candidates.on_lists_statement). tracker.figures.comparisons puts them side by side.
A page that shows the scope's document too gets both from :func:`get_compared_statistics`,
which counts the populations once, by programme, and sums the scope's from those.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind
from tracker.queries import candidates, stats, together
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
    blocks: dict[int, dict[str, Any]] | None = None,
    on_lists: dict[tuple[int, EnrolmentKind], tuple[int, int]] | None = None,
) -> ComparisonData | None:
    """Return what comparing the scope's programmes needs; None for a single programme.

    ``blocks`` and ``on_lists``: each programme's population blocks and the people on the
    lists, read already (stats.programme_blocks, candidates.on_lists).
    """
    if filters.programme is not None:
        return None
    replay = replay_needed(as_of) if replay is None else replay
    if blocks is None:
        counts = stats.count_groups(as_of, settings, filters, by_programme=True, replay=replay)
        blocks = stats.programme_blocks(counts, settings)
    return ComparisonData(
        programmes=get_programmes(filters),
        by_programme=blocks,
        on_lists=candidates.count_on_lists(viewer, as_of, filters, settings, replay=replay)
        if on_lists is None
        else on_lists,
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
    same figures as :func:`stats.build_statistics`, one statement fewer). The document's
    statements and the lists' counts are sent together (tracker.queries.together).
    Without ``international`` the document stops at the populations.
    """
    replay = replay_needed(as_of)
    compare = filters.programme is None
    query = stats.DocumentQuery(as_of, filters, settings, replay, compare, international)
    statements = query.statements()
    of_document = len(statements)
    if compare:
        statements.append(
            candidates.on_lists_statement(viewer, as_of, filters, settings, replay=replay)
        )
    rows = together.fetch_all(statements)
    document, blocks = query.read(rows[:of_document])
    compared = get_comparison_data(
        viewer,
        as_of,
        filters,
        settings,
        replay=replay,
        blocks=blocks,
        on_lists=candidates.on_lists(rows[of_document]) if compare else None,
    )
    return document, compared
