"""The coordinator's area: progress toward the targets, candidate lists, enrolments, imports."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

from tracker.coordinator import routes  # noqa: E402, F401
