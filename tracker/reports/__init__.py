"""PDF downloads (DESIGN §6): a plan, and the summary of a programme, faculty or institution."""

import logging

from flask import Blueprint

# WeasyPrint logs each rendering step, and on import each built-in stylesheet, at INFO (the
# app's level). Set before tracker.pdf imports it, so only its warnings reach the app's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

bp = Blueprint("reports", __name__, url_prefix="/reports")

from tracker.reports import routes  # noqa: E402, F401
