"""The summary PDF (DESIGN §6) of a programme, a faculty or the institution.

Its parts: the answer on the first page, the programmes compared (a faculty or the
institution), the figures of each population with their charts, then the lists
(plans overdue, at risk, everyone) as ruled tables on landscape pages. The figures
are the statistics document's and the lists the coordinator's own queries: nothing
is counted a second time here.

The front part is one WeasyPrint document and the lists another, laid out by
tracker.pdf.listing into pages of known number and rows; the two are joined into one
file. The lists are numbered as an appendix of their own ("Lists: page 3 of 165"), so
that every number is known when it is printed and nothing is rendered twice. While
WeasyPrint lays the lists out, page by page, the background job hears how many rows
are done (tracker.pdf.render.pages_laid_out).
"""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from weasyprint.text.fonts import FontConfiguration

from tracker import figures
from tracker.domain.countries import country_name
from tracker.domain.headlines import SMALL_N
from tracker.labels import label
from tracker.models.base import utcnow
from tracker.pdf.listing import (
    BODY_PT,
    FONT_FAMILIES,
    GAP_PX,
    HEAD_PT,
    NOTE_PT,
    PAGE_WIDTH_PX,
    UNIT_PX,
    Column,
    ListLayout,
    ListPage,
    clean,
)
from tracker.pdf.measure import TextMeasure
from tracker.pdf.render import (
    PDF_VARIANT,
    TAGGED_VARIANT,
    page_label,
    pages_laid_out,
    reader_locale,
    render_document,
    write_pdf,
)
from tracker.presentation import format_day, format_moment, locale_name
from tracker.queries import candidates, stats
from tracker.queries.comparison import get_compared_statistics
from tracker.queries.scope import Filters

# Progress is reported after every this many pages of the lists (about 500 rows).
PROGRESS_PAGES = 10

# The most a list column may take, in units of listing.UNIT_PX (keys of the coordinator's
# list rows); longer text wraps inside it. Below that, a column is as wide as nearly all
# its cells or its heading's longest word, as a table's automatic layout would make it:
# every pixel a column is wider than its text is filled with space characters, every row.
MOST_UNITS = {
    "name": 11,
    "programme_code": 4,
    "kind": 3,
    "status": 4,
    "plan_state": 6,
    "start_date": 4,
    "plan_due": 4,
    "expected_end_date": 4,
    "ends": 4,  # the at-risk list's end: the expected end, or staff's end of three years
    "submitted_at": 4,
    "days_waiting": 3,
    "stays": 4,
    "counts": 6,
    "supervisor": 9,
    "flags": 6,
}
# The share of a column's cells that fit on one line; the widest others wrap.
FITTING = 0.97
# The columns that give up room when the others take the whole page.
FLEXIBLE = ("name", "supervisor")
MIN_FLEXIBLE_UNITS = 5
PAGE_UNITS = int(PAGE_WIDTH_PX // UNIT_PX)


def fit_units(
    keys: Sequence[str],
    headings: Sequence[str],
    cells: Sequence[Sequence[str]],
    body: TextMeasure,
    head: TextMeasure,
) -> dict[str, int]:
    """Return each column's width in units: wide enough for nearly all its cells, up to its
    most, never narrower than its heading's longest word; the last column takes whatever
    the page has left."""
    units = {}
    for index, (key, heading) in enumerate(zip(keys, headings, strict=True)):
        word = max((head.width(w) for w in heading.split()), default=0.0)
        widths = sorted(body.width(row[index]) for row in cells if row[index])
        # Wide enough for all but the widest few cells: a rare long one wraps instead.
        widest = widths[math.ceil(FITTING * len(widths)) - 1] if widths else 0.0
        wanted = min(math.ceil((widest + GAP_PX) / UNIT_PX), MOST_UNITS[key])
        units[key] = max(1, wanted, math.ceil((word + GAP_PX) / UNIT_PX))
    flexible = [key for key in FLEXIBLE if key in units]
    last = keys[-1]
    least_last = units[last] if last not in flexible else MIN_FLEXIBLE_UNITS
    while sum(units.values()) - units[last] + least_last > PAGE_UNITS and any(
        units[key] > MIN_FLEXIBLE_UNITS for key in flexible if key != last
    ):
        widest = max((key for key in flexible if key != last), key=lambda key: units[key])
        units[widest] -= 1
    # Long codes or headings everywhere: the widest columns give up room, down to two units
    # (their text wraps, a heading's word too), so that the table always fits the page.
    while sum(units.values()) - units[last] + least_last > PAGE_UNITS:
        widest = max((key for key in keys if key != last), key=lambda key: units[key])
        if units[widest] <= 2:
            break
        units[widest] -= 1
    units[last] = max(least_last, PAGE_UNITS - (sum(units.values()) - units[last]))
    return units


class Cells:
    """Turns list values into cell text, remembering labels: thousands of rows, few values."""

    def __init__(self) -> None:
        self._labels: dict[Any, str] = {}
        self.yes, self.no = _("Yes"), _("No")

    def label(self, value: Enum | None) -> str:
        """Return a value's label in the reader's language, once per value."""
        if value not in self._labels:
            self._labels[value] = label(value)
        return self._labels[value]

    def __call__(self, key: str, value: Any) -> str:
        """Return the text of one cell."""
        if key in ("plan_status", "plan_state"):
            return self.label(value)  # None reads "No plan yet"
        if value is None:
            return "–"
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, Enum):
            return self.label(value)
        if isinstance(value, date):
            return format_day(value)
        return clean(value)


@dataclass
class Listing:
    """One list of the summary: title, who is on it, and its pages."""

    key: str
    title: str
    explanation: str
    total: int
    pages: list[ListPage]
    first_page: int = 0  # its first page's number among the lists' pages


@dataclass
class SummaryDocument:
    """Everything the summary PDF shows."""

    scope_label: str
    as_of: date
    generated_at: str
    generated_by: str
    statistics: dict[str, Any]
    counting: str
    answers: list[figures.Answer]
    sentences: list[str]
    comparisons: list[figures.Comparison]
    panels: list[figures.Panel]
    international: figures.International
    listings: list[Listing]

    @property
    def list_rows(self) -> int:
        """Return how many rows the lists hold together."""
        return sum(listing.total for listing in self.listings)

    @property
    def list_pages(self) -> int:
        """Return how many pages the lists take."""
        return sum(len(listing.pages) for listing in self.listings)


def counting_line(settings: dict[str, Any]) -> str:
    """Return how the figures are counted: the stay rule, the targets and the baselines set."""
    stays = _(
        "A stay counts when it is completed and confirmed, outside %(country)s and at least "
        "%(days)d days long. Targets: %(phd)d %% of PhD candidates, %(postdoc)d %% of "
        "postdocs without international experience and %(staff)d %% of new permanent staff "
        "without international experience (a stay within three years of the appointment).",
        country=country_name(settings["home_country"], locale_name()),
        days=settings["min_stay_days"],
        phd=settings["phd_target_percent"],
        postdoc=settings["postdoc_target_percent"],
        staff=settings["staff_target_percent"],
    )
    activities = _(
        "International activities: %(target)d %% of PhD candidates with at least one done.",
        target=settings["activity_target_percent"],
    )
    baselines = [
        _(
            "%(who)s %(baseline)s",
            who=figures.KIND_NOUNS[kind],
            baseline=figures.baseline_value(settings, kind),
        )
        for kind in figures.KIND_NOUNS
        if settings.get(f"{kind}_baseline")
    ]
    parts = [stays, activities]
    if baselines:
        parts.append(_("Baselines: %(baselines)s.", baselines="; ".join(baselines)))
    return " ".join(parts)


def _measures(font_config: FontConfiguration) -> tuple[TextMeasure, TextMeasure, TextMeasure]:
    language = locale_name()
    return (
        TextMeasure(FONT_FAMILIES, BODY_PT, language, font_config=font_config),
        TextMeasure(FONT_FAMILIES, HEAD_PT, language, bold=True, font_config=font_config),
        TextMeasure(FONT_FAMILIES, NOTE_PT, language, font_config=font_config),
    )


def _listing(
    key: str,
    rows: list[dict[str, Any]],
    settings: dict[str, Any],
    cells: Cells,
    measures: tuple[TextMeasure, TextMeasure, TextMeasure],
    extra: Sequence[tuple[str, str]] = (),
) -> Listing:
    """Return one of the coordinator's lists laid out in pages."""
    keys, headings = [], []
    for column in figures.list_columns(key):
        if column.key == "stays_planned":
            continue  # one column for both counts: a cell less in every row
        if column.key == "stays_done":
            keys.append("stays")
            headings.append(_("Stays done / planned"))
        else:
            keys.append(column.key)
            headings.append(str(column.label))
    # Extra columns (the flags) go before the supervisor: the last column takes the room
    # left, with no spaces after it, so the longest texts go last.
    at = keys.index("supervisor") if "supervisor" in keys else len(keys)
    keys[at:at] = [k for k, _h in extra]
    headings[at:at] = [h for _k, h in extra]
    body, head, note = measures
    values = [[cells(k, row.get(k)) for k in keys] for row in rows]
    units = fit_units(keys, headings, values, body, head)
    layout = ListLayout(
        [Column(k, h, units[k]) for k, h in zip(keys, headings, strict=True)], body, head, note
    )
    explanation = figures.list_explanation(key, settings)
    return Listing(
        key=key,
        title=str(figures.LIST_TITLES[key]),
        explanation=explanation,
        total=len(rows),
        pages=list(layout.pages(values, explanation)),
    )


def build_summary_document(
    filters: Filters,
    as_of: date,
    *,
    viewer: Any,
    generated_by: str,
    font_config: FontConfiguration | None = None,
) -> SummaryDocument:
    """Return what the summary PDF shows, from the statistics document and the lists.

    The same number of queries whatever the number of candidates: the document with the
    programme comparison (its populations counted once, by programme), and the three lists.
    """
    settings = stats.current_settings()
    document, compared = get_compared_statistics(viewer, as_of, filters, settings)
    comparisons = figures.comparisons_of(document, compared) if compared is not None else []
    answers = figures.answers(document)

    def rows(name: str) -> list[dict[str, Any]]:
        query = candidates.ListQuery(name=name, as_of=as_of, filters=filters)
        found = candidates.get_all(viewer, query, settings)
        return figures.list_rows(found, as_of, settings.plan_due_days)

    overdue, at_risk, everyone = rows("overdue"), rows("at-risk"), rows("candidates")
    for row in (*overdue, *at_risk, *everyone):
        row["stays"] = f"{row['stays_done']} / {row['stays_planned']}"
    at_risk_ids = {row["enrolment_id"] for row in at_risk}
    overdue_text, at_risk_text = _("Plan overdue"), _("At risk")
    for row in everyone:
        flags = [overdue_text] if row["plan_overdue"] else []
        if row["enrolment_id"] in at_risk_ids:
            flags.append(at_risk_text)
        row["flags"] = " · ".join(flags)

    cells = Cells()
    measures = _measures(font_config or FontConfiguration())
    doc_settings = document["settings"]
    return SummaryDocument(
        scope_label=filters.label() or _("The whole institution"),
        as_of=as_of,
        generated_at=format_moment(utcnow()),
        generated_by=generated_by,
        statistics=document,
        counting=counting_line(doc_settings),
        answers=answers,
        sentences=figures.sentences(document, answers, comparisons),
        comparisons=comparisons,
        panels=figures.panels(document),
        # The map is drawn here, once per PDF: it costs about a second the first time.
        international=figures.international(document),
        listings=[
            _listing("overdue", overdue, doc_settings, cells, measures),
            _listing("at-risk", at_risk, doc_settings, cells, measures),
            _listing(
                "candidates", everyone, doc_settings, cells, measures, [("flags", _("Flags"))]
            ),
        ],
    )


def number_list_pages(listings: Iterable[Listing]) -> list[tuple[Listing, ListPage]]:
    """Return the lists' pages in order, noting where each list starts.

    The lists are numbered on their own, as an appendix ("Lists: page 3 of 165"), so the
    contents on the first page can name their pages before anything is rendered.
    """
    pages = []
    for listing in listings:
        listing.first_page = len(pages) + 1
        pages.extend((listing, page) for page in listing.pages)
    return pages


def render_summary(
    document: SummaryDocument,
    *,
    pdf_variant: str | None = PDF_VARIANT,
    font_config: FontConfiguration | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Return the summary as PDF bytes, telling ``progress`` how many list rows are laid out.

    Two documents, joined: the front, then the lists. While the lists are laid out,
    ``progress(done, total)`` hears after every PROGRESS_PAGES pages how many of their
    rows are done; the drawing of the file follows, then ``progress(total, total)``.
    """
    font_config = font_config or FontConfiguration()
    pages = number_list_pages(document.listings)
    total = document.list_rows
    # Rows laid out once page i of the lists has been started: all rows before it.
    before = [0]
    for _listing, page in pages:
        before.append(before[-1] + len(page.rows))

    def page_started(number: int) -> None:
        if progress is not None and number > 1 and (number - 1) % PROGRESS_PAGES == 0:
            progress(before[min(number - 1, len(pages))], total)

    if progress is not None:
        progress(0, total)
    context = {
        "doc": document,
        "locale": locale_name(),
        "font_config": font_config,
        "pdf_variant": pdf_variant,
        "layout": ListLayout.css(),
        "small_n": SMALL_N,
    }
    front = render_document("summary.html", **context)
    with pages_laid_out(page_started):
        lists = render_document(
            "summary_lists.html",
            pages=pages,
            page_label=page_label(_("Lists: page %(page)s of %(pages)s")),
            **context,
        )
    data = write_pdf([front, lists], pdf_variant)
    if progress is not None:
        progress(total, total)
    return data


def summary_pdf(
    filters: Filters,
    as_of: date,
    *,
    viewer: Any,
    locale: str | None = None,
    generated_by: str | None = None,
    tagged: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Return the summary PDF of a programme, a faculty or the institution at ``as_of``.

    ``progress(done, total)`` is told how many rows of the lists are laid out so far,
    every few pages. ``tagged`` makes a tagged PDF/A-3a for assistive
    technology (docs/PERFORMANCE.md says what it costs).
    """
    with force_locale(locale or reader_locale()):
        font_config = FontConfiguration()
        document = build_summary_document(
            filters,
            as_of,
            viewer=viewer,
            generated_by=generated_by or _("the command line"),
            font_config=font_config,
        )
        return render_summary(
            document,
            pdf_variant=TAGGED_VARIANT if tagged else PDF_VARIANT,
            font_config=font_config,
            progress=progress,
        )


def summary_filename(filters: Filters, as_of: date) -> str:
    """Return a download name such as ``summary-PHD-CS-2026-11-26.pdf``."""
    codes = filters.as_document()
    scope = codes["programme"] or codes["faculty"] or "institution"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scope)
    return f"summary-{safe}-{as_of.isoformat()}.pdf"
