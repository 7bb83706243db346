"""Forms of the coordinator area: GET filters (no CSRF: they change nothing) and POST forms."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanState
from tracker.forms import BaseForm, EmailAddressField, GetForm, IsoDateField, read_day
from tracker.labels import choices
from tracker.queries.candidates import NO_PLAN
from tracker.queries.scope import Choices

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _scope_choices(options: Choices, no_faculty: Any, no_programme: Any) -> tuple[list, list]:
    faculties = [("", no_faculty)] + [(f.code, f"{f.code} — {f.name}") for f in options.faculties]
    # Each programme names its faculty, so that choosing a faculty can narrow the list; only
    # a faculty the user may choose, so that the page names no faculty outside their scope.
    choosable = {f.code for f in options.faculties}
    programmes = [("", no_programme)] + [
        (
            p.code,
            f"{p.code} — {p.name}",
            {"data-faculty": p.faculty.code} if p.faculty.code in choosable else {},
        )
        for p in options.programmes
    ]
    return faculties, programmes


class StatisticsFilterForm(GetForm):
    as_of = StringField(
        _l("As of"), description=_l("Leave empty for today."), render_kw={"type": "date"}
    )
    # Codes are parsed by the view (unknown or outside the scope: 404), not checked as choices.
    faculty = SelectField(_l("Faculty"), validate_choice=False, default="")
    programme = SelectField(_l("Programme"), validate_choice=False, default="")
    submit = SubmitField(_l("Show figures"))

    def set_choices(self, options: Choices, no_faculty: Any, no_programme: Any) -> None:
        """Offer the faculties and programmes the user may see, after the "none chosen" labels."""
        self.faculty.choices, self.programme.choices = _scope_choices(
            options, no_faculty, no_programme
        )

    def validate_as_of(self, field: StringField) -> None:
        if field.data and field.data.strip():
            try:
                read_day(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    def as_of_date(self) -> date:
        """Return the as-of date (today when empty); call after validation."""
        text = self.as_of.data
        return read_day(text) if text and text.strip() else date.today()


def _optional_choices(values: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    return [("", _l("Any"))] + values


class ListFilterForm(StatisticsFilterForm):
    kind = SelectField(
        _l("Kind"), choices=lambda: _optional_choices(choices(EnrolmentKind)), default=""
    )
    status = SelectField(
        _l("Enrolment status"),
        choices=lambda: _optional_choices(choices(EnrolmentStatus)),
        default="",
    )
    plan_status = SelectField(
        _l("Plan status"),
        default="",
        choices=lambda: _optional_choices([(NO_PLAN, str(_l("No plan yet"))), *choices(PlanState)]),
    )
    q = StringField(_l("Name or e-mail contains"), validators=[Optional(), Length(max=100)])
    sort = HiddenField()
    dir = HiddenField()
    submit = SubmitField(_l("Filter"))


class PeopleSearchForm(GetForm):
    """The text a supervisor search sends (the combobox of the enrolment forms)."""

    q = StringField(validators=[Optional(), Length(max=100)])


class EnrolmentFieldsForm(BaseForm):
    """The fields of an enrolment record that both the new and the edit form have."""

    kind = SelectField(_l("Kind"), choices=lambda: choices(EnrolmentKind))
    programme = SelectField(_l("Programme"), validators=[DataRequired()])
    start_date = IsoDateField(
        _l("Start date"),
        validators=[InputRequired()],
        description=_l("For new permanent staff: the appointment date."),
    )
    expected_end_date = IsoDateField(_l("Expected end date"), validators=[Optional()])
    international_experience = BooleanField(
        _l("International experience (a foreign degree or research work abroad)"),
        description=_l(
            "Postdocs and new permanent staff with international experience are outside "
            "their targets."
        ),
    )
    main_supervisor_email = EmailAddressField(
        _l("Main supervisor's e-mail"), validators=[Optional(), Length(max=254)]
    )
    co_supervisor_emails = TextAreaField(
        _l("Co-supervisors' e-mail addresses"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line. Supervisors must already have an account."),
    )


class NewEnrolmentForm(EnrolmentFieldsForm):
    email = EmailAddressField(
        _l("Candidate's e-mail"), validators=[DataRequired(), Length(max=254)]
    )
    name = StringField(
        _l("Candidate's name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Needed only for a person who has no account yet."),
    )
    invite = BooleanField(
        _l("E-mail a person who has no account yet an invitation to choose a password"),
        default=True,
    )
    submit = SubmitField(_l("Create enrolment"))


class EditEnrolmentForm(EnrolmentFieldsForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Save changes"))


class EndEnrolmentForm(BaseForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    end_date = IsoDateField(_l("End date"), validators=[InputRequired()])


class CompleteForm(EndEnrolmentForm):
    submit = SubmitField(_l("Mark completed"))


class WithdrawForm(EndEnrolmentForm):
    submit = SubmitField(_l("Mark withdrawn"))


class ReopenForm(BaseForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Make active again"))


class UploadForm(BaseForm):
    kind = SelectField(_l("What the file holds"))
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        description=_l("UTF-8, comma or semicolon separated, with a header row; at most 5 MB."),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    invite = BooleanField(
        _l("E-mail an invitation to choose a password to each person the import creates"),
        description=_l(
            "Without one they can still get a link with “Forgot password?” on the log-in page."
        ),
    )
    submit = SubmitField(_l("Import now"))
