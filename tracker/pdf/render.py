"""The one way a PDF is made: a template under templates/pdf/, WeasyPrint, the static fetcher.

A report is rendered as one document, or as several (the summary's front and its
lists) whose pages are joined into one file by :func:`write_pdf`.
"""

import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration

from tracker.pdf.fetcher import static_fetcher

# Archival PDF for every report: fonts embedded, sRGB output intent, XMP identification.
PDF_VARIANT = "pdf/a-3b"
# The same, tagged for assistive technology (PDF/A-3a: structure tree, Unicode text).
TAGGED_VARIANT = "pdf/a-3a"


def reader_locale() -> str:
    """Return the current user's language in a request, else the default language."""
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def css_string(text: str) -> str:
    """Return text as a CSS string literal."""
    # "<" escaped as well, so that no text can end the <style> element it is written into.
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    )
    return f'"{escaped}"'


def page_label(message: str | None = None) -> str:
    """Return the CSS ``content`` value of "Page x of y" in the current language.

    ``message`` is another translated text with the same placeholders, ``%(page)s``
    and ``%(pages)s`` (the summary's lists: "Lists: page x of y").
    """
    # One message with placeholders, so translators can reorder "x" and "y".
    text = (message or _("Page %(page)s of %(pages)s")) % {"page": "\x01", "pages": "\x02"}
    counters = {"\x01": "counter(page)", "\x02": "counter(pages)"}
    pieces = re.split("([\x01\x02])", text)
    return " ".join(counters.get(piece) or css_string(piece) for piece in pieces if piece)


# WeasyPrint's progress log names each page as it starts laying it out.
_PAGE_MESSAGE = re.compile(r"Creating layout - Page (\d+)")


class _PageWatcher(logging.Handler):
    """Passes the number of each page WeasyPrint starts laying out in one thread to a callback."""

    def __init__(self, callback: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.callback = callback
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return  # another rendering, in another thread of this process
        match = _PAGE_MESSAGE.search(record.getMessage())
        if match:
            self.callback(int(match.group(1)))


@contextmanager
def pages_laid_out(callback: Callable[[int], None]) -> Iterator[None]:
    """Tell ``callback`` the number of each page as WeasyPrint lays it out, inside the block.

    Read from WeasyPrint's progress log (``weasyprint.progress``), which the app keeps at
    WARNING otherwise; its INFO records go to the callback here, not to the app's log.
    """
    logger = logging.getLogger("weasyprint.progress")
    watcher = _PageWatcher(callback)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(watcher)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(level)
        logger.propagate = propagate


def render_document(
    template_name: str,
    /,
    *,
    font_config: FontConfiguration | None = None,
    pdf_variant: str | None = PDF_VARIANT,
    **context: Any,
) -> Document:
    """Lay out ``templates/pdf/<template_name>`` and return WeasyPrint's document."""
    context.setdefault("page_label", page_label())
    html = render_template(f"pdf/{template_name}", **context)
    fetcher = static_fetcher()
    return HTML(
        string=html,
        base_url=fetcher.root.as_uri() + "/",
        url_fetcher=fetcher,
        media_type="print",
    ).render(font_config=font_config, pdf_variant=pdf_variant)


def write_pdf(documents: Sequence[Document], pdf_variant: str | None = PDF_VARIANT) -> bytes:
    """Return the pages of the documents, in order, as one PDF (metadata of the first)."""
    first = documents[0]
    joined = first if len(documents) == 1 else first.copy([p for d in documents for p in d.pages])
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A output and drops the file object
        # unclosed after reading it whole; only that one warning is silenced.
        warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
        return joined.write_pdf(pdf_variant=pdf_variant)


def render_pdf(
    template_name: str, /, *, pdf_variant: str | None = PDF_VARIANT, **context: Any
) -> bytes:
    """Render ``templates/pdf/<template_name>`` and return the PDF bytes."""
    document = render_document(template_name, pdf_variant=pdf_variant, **context)
    return write_pdf([document], pdf_variant)
