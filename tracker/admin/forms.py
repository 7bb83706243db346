"""Forms of the administration area."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from tracker.domain import codes
from tracker.extensions import db
from tracker.forms import BaseForm, EmailAddressField
from tracker.models import Faculty, Programme
from tracker.services import organisation


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]
CODE_MESSAGE = _l("Use letters, digits, dots, hyphens and underscores only, without spaces.")


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that change state."""

    submit = SubmitField(_l("Send"))


class UserSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Name or e-mail"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        default="",
        choices=lambda: [
            ("", _l("Any role")),
            ("admin", _l("Administrator")),
            ("coordinator", _l("Coordinator")),
            ("supervisor", _l("Supervisor")),
            ("candidate", _l("Candidate")),
            ("none", _l("No role yet")),
        ],
    )
    # Bounded so a hand-typed page number cannot overflow the database's OFFSET.
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    submit = SubmitField(_l("Search"))


class UserForm(BaseForm):
    """A new account: details, administrator flag and coordinator scopes."""

    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=200)])
    email = EmailAddressField(
        _l("E-mail"), filters=STRIP, validators=[DataRequired(), Length(max=254)]
    )
    is_admin = BooleanField(_l("Administrator"))
    faculties = SelectMultipleField(
        _l("Coordinator of faculties"), coerce=int, render_kw={"size": 5}
    )
    programmes = SelectMultipleField(
        _l("Coordinator of programmes"), coerce=int, render_kw={"size": 8}
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.faculties.choices = [
            (f.id, f"{f.code} — {f.name}") for f in organisation.get_faculties()
        ]
        self.programmes.choices = [
            (p.id, f"{p.code} — {p.name}") for p in organisation.get_programmes()
        ]

    def account_data(self) -> dict:
        """Return the submitted values as keyword arguments for the accounts service."""
        data = {
            "name": self.name.data,
            "email": self.email.data,
            "is_admin": self.is_admin.data,
            "faculties": _by_ids(Faculty, self.faculties.data),
            "programmes": _by_ids(Programme, self.programmes.data),
        }
        if "active" in self:
            data["active"] = self["active"].data
        return data


class EditUserForm(UserForm):
    active = BooleanField(_l("Active (may log in)"))


def _by_ids(model: type[Faculty] | type[Programme], ids: list[int] | None) -> list:
    if not ids:
        return []
    return list(db.session.scalars(db.select(model).where(model.id.in_(ids))))


class FacultyForm(BaseForm):
    code = StringField(
        _l("Code"),
        filters=STRIP,
        validators=[DataRequired(), Length(max=32), Regexp(codes.PATTERN, message=CODE_MESSAGE)],
    )
    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    def faculty_data(self) -> dict:
        """Return the submitted values as keyword arguments for the organisation service."""
        return {"code": self.code.data, "name": self.name.data}


class ProgrammeForm(BaseForm):
    code = StringField(
        _l("Code"),
        filters=STRIP,
        validators=[DataRequired(), Length(max=32), Regexp(codes.PATTERN, message=CODE_MESSAGE)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    faculty_id = SelectField(_l("Faculty"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.faculty_id.choices = [
            (f.id, f"{f.code} — {f.name}") for f in organisation.get_faculties()
        ]

    def programme_data(self) -> dict:
        """Return the submitted values as keyword arguments for the organisation service."""
        return {
            "code": self.code.data,
            "name": self.name.data,
            "faculty": db.session.get(Faculty, self.faculty_id.data),
        }
