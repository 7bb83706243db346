"""Which part of the institution a statistics request or a list covers, and who may see it."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import selectinload

from tracker.domain import policy
from tracker.extensions import db
from tracker.models import CoordinatorScope, Faculty, Programme, User
from tracker.queries.home import scope_programme_ids


class UnknownCode(LookupError):
    """A faculty or programme code that names nothing."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"Unknown {kind} code {code!r}.")
        self.kind = kind
        self.code = code


class ProgrammeNotInFaculty(ValueError):
    """Both filters were given, but the programme belongs to another faculty."""

    def __init__(self, programme: Programme, faculty: Faculty) -> None:
        super().__init__(f"Programme {programme.code!r} is not in faculty {faculty.code!r}.")
        self.programme = programme
        self.faculty = faculty


@dataclass(frozen=True)
class Filters:
    """The faculty and/or programme a statistics document is narrowed to (none: institution)."""

    faculty: Faculty | None = None
    programme: Programme | None = None

    @property
    def is_institution(self) -> bool:
        """Return whether nothing narrows the figures."""
        return self.faculty is None and self.programme is None

    def as_document(self) -> dict[str, str | None]:
        """Return the ``filters`` block of the statistics document."""
        return {
            "faculty": self.faculty.code if self.faculty else None,
            "programme": self.programme.code if self.programme else None,
        }

    def condition(self, programme_id: Any) -> ColumnElement[bool]:
        """Return a WHERE clause on a programme id column that keeps what the filters cover."""
        if self.programme is not None:
            return programme_id == self.programme.id
        if self.faculty is not None:
            return programme_id.in_(
                db.select(Programme.id).where(Programme.faculty_id == self.faculty.id)
            )
        return true()

    def label(self) -> str:
        """Return a short name of what is covered, for headings (institution: empty)."""
        if self.programme is not None:
            return f"{self.programme.code} — {self.programme.name}"
        if self.faculty is not None:
            return f"{self.faculty.code} — {self.faculty.name}"
        return ""


def resolve_filters(faculty_code: str | None, programme_code: str | None) -> Filters:
    """Return the filters named by these codes; raise UnknownCode or ProgrammeNotInFaculty."""
    faculty = programme = None
    if faculty_code:
        faculty = db.session.scalar(db.select(Faculty).where(Faculty.code == faculty_code))
        if faculty is None:
            raise UnknownCode("faculty", faculty_code)
    if programme_code:
        programme = db.session.scalar(db.select(Programme).where(Programme.code == programme_code))
        if programme is None:
            raise UnknownCode("programme", programme_code)
        if faculty is not None and programme.faculty_id != faculty.id:
            raise ProgrammeNotInFaculty(programme, faculty)
    return Filters(faculty=faculty, programme=programme)


def may_view(user: Any, filters: Filters) -> bool:
    """Return whether the user may see the figures and candidates these filters cover."""
    if filters.programme is not None:
        return policy.can_view_programme(user, filters.programme)
    if filters.faculty is not None:
        return policy.can_view_faculty(user, filters.faculty)
    return policy.can_view_institution(user)


def user_scope_condition(user: User, programme_id: Any) -> ColumnElement[bool]:
    """Return a WHERE clause keeping only programmes the user may follow (admin: all)."""
    if policy.is_admin(user):
        return true()
    return programme_id.in_(scope_programme_ids(user))


def default_filters(user: User) -> Filters | None:
    """Return the filters to use when none are asked for; None when the user must choose.

    An administrator sees the institution; a coordinator with exactly one scope sees
    that faculty or programme; a coordinator with several scopes must pick one,
    because one statistics document describes one part of the institution.
    """
    if policy.is_admin(user):
        return Filters()
    scopes = list(user.coordinator_scopes)
    if len(scopes) != 1:
        return None
    scope = scopes[0]
    if scope.faculty_id is not None:
        return Filters(faculty=db.session.get(Faculty, scope.faculty_id))
    return Filters(programme=db.session.get(Programme, scope.programme_id))


@dataclass(frozen=True)
class Choices:
    """The faculties and programmes a user may pick, and whether the institution is one."""

    institution: bool
    faculties: list[Faculty]
    programmes: list[Programme]

    def filters(self) -> list[Filters]:
        """Return every choice as filters: institution, faculties, then programmes."""
        found = [Filters()] if self.institution else []
        found += [Filters(faculty=f) for f in self.faculties]
        found += [Filters(programme=p) for p in self.programmes]
        return found


def get_choices(user: User) -> Choices:
    """Return the faculties and programmes the user may narrow figures and lists to."""
    programmes = db.select(Programme).options(selectinload(Programme.faculty))
    faculties = db.select(Faculty)
    if not policy.is_admin(user):
        programmes = programmes.where(Programme.id.in_(scope_programme_ids(user)))
        faculties = faculties.where(
            Faculty.id.in_(
                db.select(CoordinatorScope.faculty_id).where(
                    CoordinatorScope.user_id == user.id,
                    CoordinatorScope.faculty_id.is_not(None),
                )
            )
        )
    return Choices(
        institution=policy.can_view_institution(user),
        faculties=list(db.session.scalars(faculties.order_by(Faculty.code))),
        programmes=list(db.session.scalars(programmes.order_by(Programme.code))),
    )
