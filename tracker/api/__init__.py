"""The read-only JSON API (``/api/v1``): the statistics document; every error as JSON."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from tracker.api import routes  # noqa: E402, F401
