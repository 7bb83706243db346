"""Faculties and programmes: create and rename them, look them up by code."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from tracker.domain.codes import code_key
from tracker.extensions import db
from tracker.models import Faculty, Programme
from tracker.services.audit import record


class OrganisationError(ValueError):
    """A change was refused; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def get_faculty_by_code(code: str) -> Faculty | None:
    """Return the faculty with this code (ignoring case), or None."""
    return db.session.scalar(
        db.select(Faculty).where(func.lower(Faculty.code) == code_key(code))
    )


def get_programme_by_code(code: str) -> Programme | None:
    """Return the programme with this code (ignoring case), or None."""
    return db.session.scalar(
        db.select(Programme).where(func.lower(Programme.code) == code_key(code))
    )


def get_faculties(*, with_programmes: bool = False) -> list[Faculty]:
    """Return every faculty, by code (with its programmes loaded in one more query)."""
    query = db.select(Faculty).order_by(Faculty.code)
    if with_programmes:
        query = query.options(selectinload(Faculty.programmes))
    return list(db.session.scalars(query))


def get_programmes(*, with_faculty: bool = False) -> list[Programme]:
    """Return every programme, by code (with its faculty loaded in one more query)."""
    query = db.select(Programme).order_by(Programme.code)
    if with_faculty:
        query = query.options(selectinload(Programme.faculty))
    return list(db.session.scalars(query))


def _check_code_free(model: type[Faculty] | type[Programme], code: str, obj: Any) -> None:
    other = (get_faculty_by_code if model is Faculty else get_programme_by_code)(code)
    if other is not None and other is not obj:
        if model is Faculty:
            message = _("Another faculty already has the code %(code)s.", code=other.code)
        else:
            message = _("Another programme already has the code %(code)s.", code=other.code)
        raise OrganisationError("code", message)


def create_faculty(actor: Any, *, code: str, name: str) -> Faculty:
    """Create a faculty with a unique code."""
    _check_code_free(Faculty, code, None)
    faculty = Faculty(code=code.strip(), name=name.strip())
    db.session.add(faculty)
    db.session.flush()
    record("faculty_created", actor, faculty, code=faculty.code, name=faculty.name)
    return faculty


def update_faculty(actor: Any, faculty: Faculty, *, code: str, name: str) -> dict[str, Any]:
    """Change a faculty's code or name; return what changed."""
    _check_code_free(Faculty, code, faculty)
    before = {"code": faculty.code, "name": faculty.name}
    faculty.code, faculty.name = code.strip(), name.strip()
    db.session.flush()
    changes = {k: [v, getattr(faculty, k)] for k, v in before.items() if v != getattr(faculty, k)}
    if changes:
        record("faculty_updated", actor, faculty, changes=changes)
    return changes


def create_programme(actor: Any, *, code: str, name: str, faculty: Faculty) -> Programme:
    """Create a programme with a unique code in a faculty."""
    _check_code_free(Programme, code, None)
    programme = Programme(code=code.strip(), name=name.strip(), faculty=faculty)
    db.session.add(programme)
    db.session.flush()
    record("programme_created", actor, programme, code=programme.code, faculty=faculty.code)
    return programme


def update_programme(
    actor: Any, programme: Programme, *, code: str, name: str, faculty: Faculty
) -> dict[str, Any]:
    """Change a programme's code, name or faculty; return what changed."""
    _check_code_free(Programme, code, programme)
    before = {"code": programme.code, "name": programme.name, "faculty": programme.faculty.code}
    programme.code, programme.name, programme.faculty = code.strip(), name.strip(), faculty
    db.session.flush()
    after = {"code": programme.code, "name": programme.name, "faculty": faculty.code}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record("programme_updated", actor, programme, changes=changes)
    return changes
