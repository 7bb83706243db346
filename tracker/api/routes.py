"""Routes of the API: GET only, JSON in every answer including errors."""

from datetime import date
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.api import bp
from tracker.domain.targets import parse_as_of
from tracker.queries import scope, stats
from tracker.reads import reads_only
from tracker.web import can, note_refusal, require


def json_response(document: Any, status: int = 200, headers: dict[str, str] | None = None):
    """Return ``document`` as JSON, keys in the order they were built (the contract's order)."""
    body = current_app.json.dumps(document, sort_keys=False, ensure_ascii=False)
    response = current_app.response_class(body + "\n", status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def json_error(status: int, message: str, **extra: Any):
    """Return the API's error document: ``{"error": {"status", "message", ...}}``."""
    return json_response({"error": {"status": status, "message": message, **extra}}, status)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Log in first."),
        403: _("You do not have access to these figures."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        429: _("Too many requests. Wait a minute and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def _http_error(error: HTTPException):
    status = error.code or 500
    return json_error(status, _messages().get(status, error.name))


def _server_error(error: Exception):
    return json_error(500, _messages()[500])


# By code as well as by class: Flask looks for handlers of the exact code first (in the
# blueprint, then the app's HTML pages) before it looks for handlers of a class.
bp.register_error_handler(HTTPException, _http_error)
for _code in (400, 401, 403, 404, 405, 409, 413, 429):
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(InternalServerError, _server_error)
bp.register_error_handler(500, _server_error)


@bp.before_request
def _require_login():
    # The API answers 401 in JSON instead of redirecting to the log-in page.
    if not current_user.is_authenticated:
        return json_error(401, _messages()[401])
    return None


@bp.get("/stats")
@reads_only
def get_stats():
    require(can("view_statistics"))
    try:
        as_of = parse_as_of(request.args.get("as_of"), date.today())
    except ValueError:
        return json_error(400, _("as_of must be a date in the form YYYY-MM-DD."))
    try:
        filters = scope.parse_filters(
            request.args.get("faculty"), request.args.get("programme"), current_user
        )
    except scope.FilterError as error:
        return _filter_error(error)
    return json_response(stats.get_statistics(as_of, filters))


def _filter_error(error: scope.FilterError):
    """Answer a filter error: 404 for a code one may not see, 400 for the rest."""
    if isinstance(error, scope.NotVisible):
        note_refusal()
    if isinstance(error, scope.UnknownCode | scope.NotVisible):
        return json_error(404, error.message)
    if isinstance(error, scope.ProgrammeNotInFaculty):
        return json_error(400, error.message)
    if isinstance(error, scope.MustChoose):
        return json_error(
            400,
            _(
                "You coordinate several faculties or programmes: "
                "choose one with faculty= or programme=."
            ),
            faculties=[f.code for f in error.choices.faculties],
            programmes=[p.code for p in error.choices.programmes],
        )
    raise error


@bp.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(path: str):
    """Answer unknown API paths with a JSON 404 rather than the HTML error page."""
    if path.rstrip("/") == "stats":
        response = json_error(405, _messages()[405])
        response.headers["Allow"] = "GET, HEAD"
        return response
    return json_error(404, _("There is no such API endpoint."))
