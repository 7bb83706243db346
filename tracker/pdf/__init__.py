"""PDF reports (DESIGN §6), one module per concern.

* ``fetcher``: the URL fetcher that serves the app's static files and nothing else;
* ``render``: the one way a template becomes a PDF (and documents are joined);
* ``plan``: the plan PDF of one enrolment;
* ``summary``: the summary PDF of a programme, a faculty or the institution;
* ``listing`` and ``measure``: the summary's lists as ruled tables, set by the tracker.

The names below are what the rest of the tracker uses.
"""

from tracker.pdf.fetcher import FetchRefused, StaticOnlyFetcher, static_fetcher
from tracker.pdf.plan import (
    NoSuchVersion,
    approved_versions,
    build_plan_document,
    default_version,
    find_approved_version,
    plan_filename,
    plan_pdf,
)
from tracker.pdf.render import PDF_VARIANT, TAGGED_VARIANT, reader_locale, render_pdf
from tracker.pdf.summary import build_summary_document, summary_filename, summary_pdf

__all__ = [
    "PDF_VARIANT",
    "TAGGED_VARIANT",
    "FetchRefused",
    "NoSuchVersion",
    "StaticOnlyFetcher",
    "approved_versions",
    "build_plan_document",
    "build_summary_document",
    "default_version",
    "find_approved_version",
    "plan_filename",
    "plan_pdf",
    "reader_locale",
    "render_pdf",
    "static_fetcher",
    "summary_filename",
    "summary_pdf",
]
