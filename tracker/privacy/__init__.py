"""Personal data: "My data", erasure, the audit log, the privacy and accessibility pages."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from tracker.privacy import routes  # noqa: E402, F401
