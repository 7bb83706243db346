"""The candidate's mobility plan: view, edit, submit, revise, report stays, history."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from tracker.plans import display, errors, routes  # noqa: E402, F401

display.install(bp)
errors.install(bp)
