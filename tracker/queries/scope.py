"""Which part of the institution a statistics request or a list covers, and who may see it."""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import selectinload

from tracker.domain import policy
from tracker.extensions import db
from tracker.models import CoordinatorScope, Faculty, Programme, User
from tracker.queries.home import scope_programme_ids
from tracker.services.organisation import get_faculty_by_code, get_programme_by_code


@dataclass(frozen=True)
class Filters:
    """The faculty and/or programme a statistics document is narrowed to (none: institution)."""

    faculty: Faculty | None = None
    programme: Programme | None = None

    @property
    def key(self) -> tuple[int | None, int | None]:
        """Return the ids of the faculty and programme: what :meth:`condition` depends on."""
        return (
            self.faculty.id if self.faculty else None,
            self.programme.id if self.programme else None,
        )

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


def get_programmes(filters: Filters) -> list[Programme]:
    """Return the programmes the filters cover, by code (the rows of a programme comparison)."""
    return list(
        db.session.scalars(
            db.select(Programme).where(filters.condition(Programme.id)).order_by(Programme.code)
        )
    )


def user_scope_condition(user: User, programme_id: Any) -> ColumnElement[bool]:
    """Return a WHERE clause keeping only programmes the user may follow (admin: all)."""
    if policy.is_admin(user):
        return true()
    return programme_id.in_(scope_programme_ids(user))


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


# --- Parsing a request's faculty and programme codes ------------------------------------------


class FilterError(Exception):
    """Faculty or programme codes that cannot be used; ``str()`` says why in English (CLI, logs).

    Each surface maps the kinds below to its own answer: a message next to the form
    field, a JSON error, an HTTP status, an exit status.
    """


class UnknownCode(FilterError):
    """A code that names nothing: said only to those who may see every faculty and programme."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"There is no {kind} with the code {code!r}.")
        self.kind = kind
        self.code = code

    @property
    def message(self) -> str:
        """Return the reader's-language text for pages and the API."""
        if self.kind == "faculty":
            return _("There is no faculty with the code %(code)s.", code=self.code)
        return _("There is no programme with the code %(code)s.", code=self.code)


class NotVisible(FilterError):
    """A code that names nothing the user may see: unknown or outside their scope, told alike.

    Telling the two apart would let a coordinator learn which codes exist elsewhere.
    The code is kept as it was typed, since its stored spelling would give that away too.
    """

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"There is no {kind} with the code {code!r} that the user may see.")
        self.kind = kind
        self.code = code

    @property
    def message(self) -> str:
        """Return the reader's-language text for pages and the API."""
        if self.kind == "faculty":
            return _("There is no faculty with the code %(code)s that you may see.", code=self.code)
        return _("There is no programme with the code %(code)s that you may see.", code=self.code)


class ProgrammeNotInFaculty(FilterError):
    """Both codes name something the user may see, but the programme is in another faculty."""

    def __init__(self, programme: Programme, faculty: Faculty) -> None:
        super().__init__(f"Programme {programme.code!r} is not in faculty {faculty.code!r}.")
        self.programme = programme
        self.faculty = faculty

    @property
    def message(self) -> str:
        """Return the reader's-language text for pages and the API."""
        return _(
            "Programme %(programme)s is not in faculty %(faculty)s.",
            programme=self.programme.code,
            faculty=self.faculty.code,
        )


class MustChoose(FilterError):
    """A statistics document was asked for without codes by someone with several scopes.

    One document describes one part of the institution, so they must name one of ``choices``.
    """

    def __init__(self, choices: Choices) -> None:
        super().__init__("Several faculties or programmes are followed: choose one.")
        self.choices = choices


def parse_filters(
    faculty_code: str | None,
    programme_code: str | None,
    user: Any = None,
    *,
    whole_scope: bool = False,
) -> Filters:
    """Return the filters that a request's raw codes name for ``user``; raise a FilterError.

    ``user`` None is the operator at the command line, who sees everything. Codes
    match ignoring case and surrounding spaces, as everywhere in the app. Without
    codes, a statistics document covers the institution (administrators, the
    operator) or the user's one scope (MustChoose when there are several); with
    ``whole_scope`` (the lists, which narrow to the user's scope themselves) it
    covers everything the user follows.
    """
    faculty_code = (faculty_code or "").strip()
    programme_code = (programme_code or "").strip()
    if not faculty_code and not programme_code:
        return Filters() if whole_scope else _default_filters(user)
    faculty = _visible_faculty(faculty_code, user) if faculty_code else None
    programme = _visible_programme(programme_code, user) if programme_code else None
    if faculty is not None and programme is not None and programme.faculty_id != faculty.id:
        raise ProgrammeNotInFaculty(programme, faculty)
    return Filters(faculty=faculty, programme=programme)


def _sees_everything(user: Any) -> bool:
    return user is None or policy.can_view_institution(user)


def _visible_faculty(code: str, user: Any) -> Faculty:
    faculty = get_faculty_by_code(code)
    if _sees_everything(user):
        if faculty is None:
            raise UnknownCode("faculty", code)
    elif faculty is None or not policy.can_view_faculty(user, faculty):
        raise NotVisible("faculty", code)
    return faculty


def _visible_programme(code: str, user: Any) -> Programme:
    programme = get_programme_by_code(code)
    if _sees_everything(user):
        if programme is None:
            raise UnknownCode("programme", code)
    elif programme is None or not policy.can_view_programme(user, programme):
        raise NotVisible("programme", code)
    return programme


def _default_filters(user: Any) -> Filters:
    if _sees_everything(user):
        return Filters()
    scopes = list(user.coordinator_scopes)
    if len(scopes) != 1:
        raise MustChoose(get_choices(user))
    scope = scopes[0]
    if scope.faculty_id is not None:
        return Filters(faculty=db.session.get(Faculty, scope.faculty_id))
    return Filters(programme=db.session.get(Programme, scope.programme_id))
