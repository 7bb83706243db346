"""PDF reports (DESIGN §6): the plan PDF, the summary PDF, and the one place they are rendered.

Everything goes through :func:`render_pdf`, whose URL fetcher serves the app's own
static files and refuses everything else, so text a user typed can never make
WeasyPrint open a network connection or read a file elsewhere on the server.
"""

import logging
import mimetypes
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from itertools import zip_longest
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import func
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from tracker.coordinator import display
from tracker.domain.countries import country_name
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.stays import CountingRules, NotCounted, reasons_not_counted, stay_length
from tracker.domain.targets import as_percent
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    Funding,
    PlanEvent,
    PlanStatus,
    StayPurpose,
    StayStatus,
)
from tracker.extensions import db
from tracker.labels import label
from tracker.models import Enrolment, Plan, PlanVersion
from tracker.models.base import utcnow
from tracker.queries import candidates, stats

log = logging.getLogger(__name__)

# Archival PDF for every report: fonts embedded, sRGB output intent, XMP identification.
PDF_VARIANT = "pdf/a-3b"

# Versions that put a plan in force: a supervisor's approval, or an approved plan imported.
APPROVING_EVENTS = (PlanEvent.APPROVED, PlanEvent.IMPORTED)


class FetchRefused(ValueError):
    """WeasyPrint asked for something outside the app's static folder."""


class StaticOnlyFetcher(URLFetcher):
    """A URL fetcher that serves files inside one folder and refuses every other URL.

    Only ``file:`` URLs are considered; the path is resolved (symbolic links and ``..``)
    before it is compared with the folder, so neither can lead outside it. ``data:``
    URLs are refused too: the templates never need them, so allowing them would only
    widen what injected markup could do.
    """

    def __init__(self, root: str | Path) -> None:
        # No protocol but file: even reaches fetch(); fetch() then narrows it to the folder.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root).resolve()

    def resolve(self, url: str) -> Path:
        """Return the file a URL names inside the folder, or raise FetchRefused."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"not a local file: {url[:200]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FetchRefused(f"outside the static folder: {url[:200]}")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return a static file's content; raise FetchRefused for anything else."""
        try:
            path = self.resolve(url)
        except FetchRefused:
            log.warning("PDF rendering: refused to fetch %.200s", url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_fetcher() -> StaticOnlyFetcher:
    """Return a fetcher for the current app's static folder."""
    return StaticOnlyFetcher(current_app.static_folder)


def render_pdf(
    template_name: str, /, *, pdf_variant: str | None = PDF_VARIANT, **context: Any
) -> bytes:
    """Render ``templates/pdf/<template_name>`` and return the PDF bytes."""
    html = render_template(
        f"pdf/{template_name}", page_label=_page_label(), format_day=format_day, **context
    )
    fetcher = static_fetcher()
    document = HTML(
        string=html,
        base_url=fetcher.root.as_uri() + "/",
        url_fetcher=fetcher,
        media_type="print",
    )
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A output and drops the file object
        # unclosed after reading it whole; only that one warning is silenced.
        warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
        return document.write_pdf(pdf_variant=pdf_variant)


def _css_string(text: str) -> str:
    """Return text as a CSS string literal."""
    # "<" escaped as well, so that no text can end the <style> element it is written into.
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    )
    return f'"{escaped}"'


def _page_label() -> str:
    """Return the CSS ``content`` value of "Page x of y" in the current language."""
    # One message with placeholders, so translators can reorder "x" and "y".
    text = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02")
    counters = {"\x01": "counter(page)", "\x02": "counter(pages)"}
    pieces = re.split("([\x01\x02])", text)
    return " ".join(counters.get(piece) or _css_string(piece) for piece in pieces if piece)


def reader_locale() -> str:
    """Return the current user's language in a request, else the default language."""
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_name() -> str:
    """Return the language of the report being rendered (inside the builders' force_locale)."""
    return str(get_locale())


# --------------------------------------------------------------------------------------
# Fixed-width listings: thousands of rows, laid out cheaply.
#
# WeasyPrint spends its time and memory per box: 5,000 rows of nine cells took 27-38 s
# and 820-960 MB whether laid out as a table, inline-blocks, floats, a grid or flex
# boxes, against 2.7 s and 88 MB as preformatted monospaced text (bench/pdf_bench.py
# --layouts). So long lists are set as columns of fixed character widths, one <pre> per
# page-sized chunk, each chunk starting with the column headings and kept on one page.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a fixed-width listing: its heading and width in characters."""

    heading: str
    width: int
    align_right: bool = False


@dataclass(frozen=True)
class ListingChunk:
    """A page's worth of a listing: the heading line and the text of its rows."""

    heading: str
    text: str


def _clean(value: Any) -> str:
    """Return a cell's text on one line, composed so that one character is one column."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return " ".join(text.split())


def _cell_lines(value: Any, column: Column, indent: str = " ") -> list[str]:
    text = _clean(value)
    if not text:
        return [""]
    if len(text) <= column.width:
        return [text]
    # Continuation lines are indented, so a wrapped cell does not read as a new row.
    lines = textwrap.wrap(text, column.width, break_on_hyphens=False, subsequent_indent=indent)
    return lines or [""]


def _line(cells: Iterable[str], columns: Sequence[Column]) -> str:
    out = []
    for text, column in zip(cells, columns, strict=True):
        out.append(text.rjust(column.width) if column.align_right else text.ljust(column.width))
    return "  ".join(out).rstrip()


def _row_lines(values: Sequence[Any], columns: Sequence[Column], indent: str = " ") -> list[str]:
    """Return one row as text lines: each long cell wrapped inside its own column."""
    wrapped = [
        _cell_lines(value, column, indent) for value, column in zip(values, columns, strict=True)
    ]
    return [_line(parts, columns) for parts in zip_longest(*wrapped, fillvalue="")]


def listing_chunks(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    page_lines: int,
    first_page_lines: int | None = None,
) -> list[ListingChunk]:
    """Return rows as fixed-width text in chunks that each fill at most one page.

    Each chunk starts with the column headings, so every page of a listing has them;
    a long cell wraps inside its column, and a row's lines never straddle two chunks.
    """
    heading_lines = _row_lines([c.heading for c in columns], columns, indent="")
    heading = "\n".join(heading_lines)
    chunks: list[ListingChunk] = []
    lines: list[str] = []
    limit = max(1, (first_page_lines or page_lines) - len(heading_lines))
    for row in rows:
        row_lines = _row_lines(row, columns)
        if lines and len(lines) + len(row_lines) > limit:
            chunks.append(ListingChunk(heading, "\n".join(lines)))
            lines = []
            limit = max(1, page_lines - len(heading_lines))
        lines.extend(row_lines)
    if lines:
        chunks.append(ListingChunk(heading, "\n".join(lines)))
    return chunks


# --------------------------------------------------------------------------------------
# Plan PDF
# --------------------------------------------------------------------------------------


class NoSuchVersion(LookupError):
    """The plan has no approved version with that number."""

    def __init__(self, number: int) -> None:
        super().__init__(f"There is no approved version {number} of this plan.")
        self.number = number


def approved_versions(plan: Plan | None) -> list[PlanVersion]:
    """Return the plan's approved versions (imported approvals included), oldest first."""
    if plan is None:
        return []
    return [v for v in plan.versions if v.event in APPROVING_EVENTS]


def find_approved_version(plan: Plan | None, number: int) -> PlanVersion:
    """Return the approved version with this number, or raise NoSuchVersion."""
    for version in approved_versions(plan):
        if version.number == number:
            return version
    raise NoSuchVersion(number)


def _member(enum_class: type[Enum], value: str) -> Enum | None:
    try:
        return enum_class(value)
    except ValueError:
        return None


def _label_of(enum_class: type[Enum], value: str) -> str:
    member = _member(enum_class, value)
    return label(member) if member is not None else value


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def format_day(value: date | None) -> str:
    """Return a date in the reader's language (medium length), or a dash."""
    return format_date(value, "medium") if value else "–"


def reason_text(reason: NotCounted, rules: CountingRules) -> str:
    """Return why a stay does not count, in the reader's language."""
    if reason == NotCounted.HOME_COUNTRY:
        return _(
            "in the home country (%(country)s)",
            country=country_name(rules.home_country, locale_name()),
        )
    if reason == NotCounted.TOO_SHORT:
        return _("shorter than %(days)d days", days=rules.min_stay_days)
    if reason == NotCounted.CANCELLED:
        return _("cancelled")
    return _("not completed and confirmed yet")


@dataclass
class StayLine:
    """One stay as printed: what the plan says, and whether it counts toward the target."""

    host_institution: str
    host_contact: str
    city: str
    country: str
    start: date | None
    end: date | None
    days: int | None
    purpose: str
    funding: str
    status: str
    notes: str
    counts: bool
    reasons: list[str]
    since: str = ""


@dataclass
class ActivityLine:
    """One activity as printed."""

    type: str
    title: str
    planned_term: str
    status: str
    evidence: str


@dataclass
class Stamp:
    """The approval a printout can be matched with: who, when, which version, which digest."""

    number: int
    event: PlanEvent
    approved_by: str
    approved_at: str
    comment: str
    sha256: str
    digest_matches: bool


@dataclass
class PlanDocument:
    """Everything the plan PDF shows."""

    enrolment: Enrolment
    is_approved_version: bool
    status_label: str
    narrative: str
    no_stay_justification: str
    stays: list[StayLine]
    activities: list[ActivityLine]
    stamp: Stamp | None
    in_force: Stamp | None
    generated_at: str
    supervisors: list[Any] = field(default_factory=list)


def _stay_line(row: dict[str, Any], rules: CountingRules, live: dict[str, Any]) -> StayLine:
    start, end = _date(row.get("start_date")), _date(row.get("end_date"))
    status = _member(StayStatus, row.get("status", "")) or StayStatus.PLANNED
    country = (row.get("country") or "").upper()
    reasons = (
        reasons_not_counted(status, country, start, end, rules)
        if start and end
        else [NotCounted.NOT_CONFIRMED]
    )
    line = StayLine(
        host_institution=row.get("host_institution", ""),
        host_contact=row.get("host_contact", ""),
        city=row.get("city", ""),
        country=country_name(country, locale_name()) if country else "",
        start=start,
        end=end,
        days=stay_length(start, end) if start and end else None,
        purpose=_label_of(StayPurpose, row.get("purpose", "")),
        funding=_label_of(Funding, row.get("funding", "")),
        status=label(status),
        notes=row.get("notes", ""),
        counts=not reasons,
        reasons=[reason_text(r, rules) for r in reasons],
    )
    stay = live.get(row.get("id") or "")
    if stay is not None and (
        stay.status != status or stay.start_date != start or stay.end_date != end
    ):
        # The stay moved on since this version (reported done, confirmed, cancelled):
        # say so, without changing what the approved version itself recorded.
        now = reasons_not_counted(stay.status, stay.country, stay.start_date, stay.end_date, rules)
        verdict = (
            _("does not count: %(reasons)s", reasons="; ".join(reason_text(r, rules) for r in now))
            if now
            else _("counts toward the target")
        )
        line.since = _(
            "Now: %(status)s, %(start)s – %(end)s; %(verdict)s",
            status=label(stay.status),
            start=format_day(stay.start_date),
            end=format_day(stay.end_date),
            verdict=verdict,
        )
    return line


def _activity_line(row: dict[str, Any]) -> ActivityLine:
    return ActivityLine(
        type=_label_of(ActivityType, row.get("type", "")),
        title=row.get("title", ""),
        planned_term=row.get("planned_term", ""),
        status=_label_of(ActivityStatus, row.get("status", "")),
        evidence=row.get("evidence", ""),
    )


def _stamp(version: PlanVersion) -> Stamp:
    if version.actor is not None:
        by = version.actor.name
    elif version.event == PlanEvent.IMPORTED:
        by = _("imported as approved; no approver recorded")
    else:
        by = _("unknown (account deleted)")
    return Stamp(
        number=version.number,
        event=version.event,
        approved_by=by,
        approved_at=format_datetime(version.created_at, "long"),
        comment=version.comment or "",
        sha256=version.snapshot_sha256,
        # Recomputed here: a stored snapshot that no longer matches its digest is shown as such.
        digest_matches=snapshot_digest(version.snapshot) == version.snapshot_sha256,
    )


_NO_PLAN = SimpleNamespace(narrative="", no_stay_justification="")


def build_plan_document(enrolment: Enrolment, version: PlanVersion | None) -> PlanDocument:
    """Return what the plan PDF shows: an approved version's snapshot, or the current content."""
    plan = enrolment.plan
    rules = stats.current_settings().counting_rules
    if version is not None:
        content = version.snapshot
        status_label = _("Approved version %(number)d", number=version.number)
    else:
        content = build_snapshot(plan or _NO_PLAN, enrolment.stays, enrolment.activities)
        status_label = label(plan.status if plan else None)
    live = {str(stay.id): stay for stay in enrolment.stays}
    in_force = plan.approved_version if plan is not None else None
    return PlanDocument(
        enrolment=enrolment,
        is_approved_version=version is not None,
        status_label=status_label,
        narrative=content.get("narrative", ""),
        no_stay_justification=content.get("no_stay_justification", ""),
        stays=[_stay_line(row, rules, live if version else {}) for row in content.get("stays", [])],
        activities=[_activity_line(row) for row in content.get("activities", [])],
        stamp=_stamp(version) if version is not None else None,
        in_force=_stamp(in_force) if in_force is not None and version is None else None,
        generated_at=format_datetime(utcnow(), "long"),
        supervisors=enrolment.supervisors,
    )


def default_version(enrolment: Enrolment) -> PlanVersion | None:
    """Return the version a plan PDF shows by default: the approved one while it is current.

    While a plan is approved its content is the version in force; in any other state
    (draft, submitted, changes requested) the current content is printed, marked so.
    """
    plan = enrolment.plan
    if plan is not None and plan.status == PlanStatus.APPROVED:
        return plan.approved_version
    return None


def plan_pdf(
    enrolment: Enrolment, version: int | None = None, *, locale: str | None = None
) -> bytes:
    """Return the plan PDF: approved version ``version``, or by default the current plan."""
    with force_locale(locale or reader_locale()):
        chosen = (
            find_approved_version(enrolment.plan, version)
            if version is not None
            else default_version(enrolment)
        )
        document = build_plan_document(enrolment, chosen)
        rules = stats.current_settings().counting_rules
        return render_pdf(
            "plan.html",
            doc=document,
            locale=locale_name(),
            home_country_name=country_name(rules.home_country, locale_name()),
            min_stay_days=rules.min_stay_days,
        )


def plan_filename(enrolment: Enrolment, version: int | None = None) -> str:
    """Return a download name such as ``plan-42-v3.pdf``."""
    suffix = f"-v{version}" if version is not None else ""
    return f"plan-{enrolment.id}{suffix}.pdf"


# --------------------------------------------------------------------------------------
# Summary PDF
# --------------------------------------------------------------------------------------

# The listings are set on landscape A4 pages (pdf.css, @page listing) in 7.5 pt DejaVu
# Sans Mono (4.5 pt a character) on 9 pt lines: 265 mm of width holds 166 characters,
# and 172 mm of height 54 lines, one of which is left for the heading's rule and rounding.
LISTING_PAGE_LINES = 53
# The first chunk of a listing shares its page with the listing's title and explanation.
LISTING_TITLE_LINES = 7

# Width in characters of each list column (keys of the coordinator's list rows). With two
# spaces between columns a row of the longest list is 164 characters: wide enough that
# few names wrap, since every extra line costs as much to lay out as a row.
LISTING_WIDTHS = {
    "name": 32,
    "programme_code": 10,
    "kind": 9,  # "Postdoc", "New staff", "Nytilsatt"
    "status": 9,
    "plan_status": 17,
    "plan_state": 17,
    "start_date": 10,
    "plan_due": 10,
    "expected_end_date": 10,
    "ends": 10,  # the at-risk list's end: the expected end, or staff's end of three years
    "stays_done": 5,
    "stays_planned": 7,
    "achieved": 7,
    "counts": 7,
    "supervisor": 30,
    "flags": 22,
}
RIGHT_ALIGNED = frozenset({"stays_done", "stays_planned"})
# Long texts that wrap well: they give up room to headings whose words are longer than
# their column (Norwegian "Gjennomførte" in the five characters of "Stays done").
FLEXIBLE = ("name", "supervisor")
MIN_FLEXIBLE_WIDTH = 16


def fit_widths(keys: Sequence[str], headings: Sequence[str]) -> dict[str, int]:
    """Widen columns to their heading's longest word, taking the room from the text columns."""
    widths = {
        key: max(LISTING_WIDTHS[key], *(len(word) for word in heading.split()))
        for key, heading in zip(keys, headings, strict=True)
    }
    excess = sum(widths.values()) - sum(LISTING_WIDTHS[key] for key in keys)
    for key in FLEXIBLE:
        if excess > 0 and key in widths:
            give = min(excess, widths[key] - MIN_FLEXIBLE_WIDTH)
            widths[key] -= give
            excess -= give
    return widths


def count_candidates(filters: Any) -> int:
    """Return how many enrolments the summary of these filters lists."""
    return db.session.scalar(
        db.select(func.count())
        .select_from(Enrolment)
        .where(filters.condition(Enrolment.programme_id))
    )


@dataclass
class Listing:
    """One list of the summary: its title, who is on it, and its rows as fixed-width text."""

    key: str
    title: str
    explanation: str
    total: int
    chunks: list[ListingChunk]


@dataclass
class SummaryDocument:
    """Everything the summary PDF shows."""

    scope_label: str
    as_of: date
    generated_at: str
    generated_by: str
    statistics: dict[str, Any]
    panels: list[Any]
    listings: list[Listing]


class _Cells:
    """Turns list values into listing text, remembering labels: thousands of rows, few values."""

    def __init__(self) -> None:
        self._labels: dict[Any, str] = {}
        self.yes, self.no = _("Yes"), _("No")

    def label(self, value: Enum | None) -> str:
        if value not in self._labels:
            self._labels[value] = label(value)
        return self._labels[value]

    def __call__(self, key: str, value: Any) -> str:
        if key in ("plan_status", "plan_state"):
            return self.label(value)  # None reads "No plan yet"
        if value is None:
            return "–"
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, Enum):
            return self.label(value)
        if isinstance(value, date):
            return format_date(value, "short")
        return str(value)


def _listing(
    key: str,
    rows: list[dict[str, Any]],
    settings: dict[str, Any],
    cells: _Cells,
    extra: Sequence[tuple[str, str]] = (),
) -> Listing:
    """Return one of the coordinator's lists, with its columns, as a fixed-width listing."""
    keys = [column.key for column in display.list_columns(key)] + [k for k, _h in extra]
    headings = [str(column.label) for column in display.list_columns(key)] + [h for _k, h in extra]
    widths = fit_widths(keys, headings)
    columns = [
        Column(heading, widths[k], k in RIGHT_ALIGNED)
        for k, heading in zip(keys, headings, strict=True)
    ]
    values = ([cells(k, row.get(k)) for k in keys] for row in rows)
    return Listing(
        key=key,
        title=str(display.LIST_TITLES[key]),
        explanation=display.list_explanation(key, settings),
        total=len(rows),
        chunks=listing_chunks(
            columns, values, LISTING_PAGE_LINES, LISTING_PAGE_LINES - LISTING_TITLE_LINES
        ),
    )


def build_summary_document(
    filters: Any, as_of: date, *, viewer: Any, generated_by: str
) -> SummaryDocument:
    """Return what the summary PDF shows, from the statistics document and the coordinator's lists.

    The figures are the statistics document's and the lists the dashboard's own queries:
    nothing is counted a second time here. Four queries, whatever the number of candidates.
    """
    document = stats.get_statistics(as_of, filters)
    settings = stats.current_settings()

    def rows(name: str) -> list[dict[str, Any]]:
        query = candidates.ListQuery(name=name, as_of=as_of, filters=filters)
        found = candidates.get_all(viewer, query, settings)
        return display.list_rows(found, as_of, settings.plan_due_days)

    overdue, at_risk, everyone = rows("overdue"), rows("at-risk"), rows("candidates")
    at_risk_ids = {row["enrolment_id"] for row in at_risk}
    overdue_text, at_risk_text = _("Plan overdue"), _("At risk")
    for row in everyone:
        flags = [overdue_text] if row["plan_overdue"] else []
        if row["enrolment_id"] in at_risk_ids:
            flags.append(at_risk_text)
        row["flags"] = " · ".join(flags)

    cells = _Cells()
    doc_settings = document["settings"]
    return SummaryDocument(
        scope_label=filters.label() or _("The whole institution"),
        as_of=as_of,
        generated_at=format_datetime(utcnow(), "long"),
        generated_by=generated_by,
        statistics=document,
        panels=display.panels(document),
        listings=[
            _listing("overdue", overdue, doc_settings, cells),
            _listing("at-risk", at_risk, doc_settings, cells),
            _listing("candidates", everyone, doc_settings, cells, [("flags", _("Flags"))]),
        ],
    )


def format_percent_of(rate_value: float) -> str:
    """Return a document rate as a percentage with two decimals, in the reader's language."""
    return format_decimal(as_percent(rate_value), format="#,##0.00") + "\u00a0%"


def summary_pdf(
    filters: Any,
    as_of: date,
    *,
    viewer: Any,
    locale: str | None = None,
    generated_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Return the summary PDF of a programme, a faculty or the institution at ``as_of``.

    ``progress(done, total)`` is told how many candidate rows are laid out so far.
    """
    with force_locale(locale or reader_locale()):
        document = build_summary_document(
            filters, as_of, viewer=viewer, generated_by=generated_by or _("the command line")
        )
        total = document.listings[-1].total
        if progress is not None:
            progress(0, total)
        data = render_pdf(
            "summary.html",
            doc=document,
            locale=locale_name(),
            percent=format_percent_of,
            home_country_name=country_name(
                document.statistics["settings"]["home_country"], locale_name()
            ),
        )
        if progress is not None:
            progress(total, total)
        return data


def summary_filename(filters: Any, as_of: date) -> str:
    """Return a download name such as ``summary-PHD-CS-2026-11-26.pdf``."""
    codes = filters.as_document()
    scope = codes["programme"] or codes["faculty"] or "institution"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scope)
    return f"summary-{safe}-{as_of.isoformat()}.pdf"
