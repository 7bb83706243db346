"""Forms of the plan area. Every state change posts one of these (CSRF included)."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.domain.activities import done_date_errors
from tracker.domain.countries import country_choices, is_country
from tracker.domain.plan_rules import StayContext, StayError, report_errors, stay_errors
from tracker.domain.vocabulary import ActivityStatus, ActivityType, Funding, StayPurpose
from tracker.forms import BaseForm, IsoDateField
from tracker.labels import choices
from tracker.plans.display import DOI
from tracker.plans.messages import done_date_text, error_text
from tracker.presentation import locale_name

TEXT_LIMIT = 10_000
UNKNOWN = StayError.UNKNOWN_COUNTRY


class ButtonForm(BaseForm):
    """A bare POST: a button whose form carries only the CSRF token."""


class LockForm(ButtonForm):
    """A bare POST that carries the version of the record it acts on."""

    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()], default=0)


class PlanForm(LockForm):
    narrative = TextAreaField(
        _l("Narrative"),
        validators=[Length(max=TEXT_LIMIT)],
        description=_l("A few sentences on how you will take part in international research."),
    )
    no_stay_justification = TextAreaField(
        _l("Justification for no stay abroad"),
        validators=[Length(max=TEXT_LIMIT)],
        description=_l("Required only if you plan no research stay abroad."),
    )
    submit = SubmitField(_l("Save plan"))


def _add_rule_errors(form: FlaskForm, errors: dict, context: StayContext) -> bool:
    for name, codes in errors.items():
        form[name].errors = list(form[name].errors) + [error_text(c, context) for c in codes]
    return not errors


class StayForm(LockForm):
    host_institution = StringField(
        _l("Host institution"), validators=[DataRequired(), Length(max=300)]
    )
    host_contact = StringField(
        _l("Host research group or contact person"), validators=[Length(max=300)]
    )
    city = StringField(_l("City"), validators=[Length(max=200)])
    country = SelectField(
        _l("Country"),
        validators=[DataRequired(message=_l("Choose a country from the list."))],
        validate_choice=False,  # an unknown code gets the rule's own message below
    )
    start_date = IsoDateField(_l("Start date"), validators=[InputRequired()])
    end_date = IsoDateField(_l("End date"), validators=[InputRequired()])
    purpose = SelectField(
        _l("Purpose"), choices=lambda: choices(StayPurpose), validate_choice=False
    )
    funding = SelectField(
        _l("Funding source"), choices=lambda: choices(Funding), validate_choice=False
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Save stay"))

    def __init__(self, *args: Any, context: StayContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.country.choices = [("", _l("Choose a country"))] + country_choices(locale_name())

    def validate_purpose(self, field: SelectField) -> None:
        if field.data not in set(StayPurpose):
            raise ValidationError(_l("Choose a purpose from the list."))

    def validate_funding(self, field: SelectField) -> None:
        if field.data not in set(Funding):
            raise ValidationError(_l("Choose a funding source from the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then the stay rules that involve several fields."""
        valid = super().validate(extra_validators)
        if self.start_date.data is not None and self.end_date.data is not None:
            errors = stay_errors(
                self.country.data, self.start_date.data, self.end_date.data, self.context
            )
        else:
            valid = False
            errors = {} if is_country(self.country.data or "") else {"country": [UNKNOWN]}
        if self.country.errors:
            errors.pop("country", None)  # already says to choose from the list
        return _add_rule_errors(self, errors, self.context) and valid

    def stay_fields(self) -> dict[str, Any]:
        """Return the stay's values for the service."""
        return {
            "host_institution": self.host_institution.data.strip(),
            "host_contact": (self.host_contact.data or "").strip(),
            "city": (self.city.data or "").strip(),
            "country": self.country.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "purpose": StayPurpose(self.purpose.data),
            "funding": Funding(self.funding.data),
            "notes": (self.notes.data or "").strip(),
        }


class ActivityForm(LockForm):
    type = SelectField(_l("Type"), choices=lambda: choices(ActivityType), validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    planned_term = StringField(
        _l("Planned term or date"),
        validators=[Length(max=50)],
        description=_l("For example 2027 spring or 2027-06-12."),
    )
    status = SelectField(
        _l("Status"), choices=lambda: choices(ActivityStatus), validate_choice=False
    )
    done_on = IsoDateField(
        _l("Done on"),
        validators=[Optional()],
        description=_l("The date the activity was done; needed when its status is done."),
    )
    evidence = StringField(
        _l("Link or DOI"),
        validators=[Optional(), Length(max=500)],
        description=_l("A web address starting with https:// or a DOI such as 10.1000/xyz123."),
    )
    submit = SubmitField(_l("Save activity"))

    def __init__(self, *args: Any, enrolment_start: date, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolment_start = enrolment_start
        self.today = today

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then that a done activity has a date it can have been done on."""
        valid = super().validate(extra_validators)
        if self.status.data == ActivityStatus.DONE and not self.done_on.errors:
            valid = check_done_on(self.done_on, self.enrolment_start, self.today) and valid
        return valid

    def validate_type(self, field: SelectField) -> None:
        if field.data not in set(ActivityType):
            raise ValidationError(_l("Choose a type from the list."))

    def validate_status(self, field: SelectField) -> None:
        if field.data not in set(ActivityStatus):
            raise ValidationError(_l("Choose a status from the list."))

    def validate_evidence(self, field: StringField) -> None:
        text = field.data.strip()
        if not (text.lower().startswith(("https://", "http://")) or DOI.match(text)):
            raise ValidationError(
                _l("Enter a web address starting with https:// or a DOI such as 10.1000/xyz123.")
            )

    def activity_fields(self) -> dict[str, Any]:
        """Return the activity's values for the service."""
        return {
            "type": ActivityType(self.type.data),
            "title": self.title.data.strip(),
            "planned_term": (self.planned_term.data or "").strip(),
            "status": ActivityStatus(self.status.data),
            "done_on": self.done_on.data if self.status.data == ActivityStatus.DONE else None,
            "evidence": (self.evidence.data or "").strip(),
        }


def check_done_on(field: IsoDateField, enrolment_start: date, today: date) -> bool:
    """Put what is wrong with the date an activity was done next to its field; True if nothing."""
    if field.data is None:
        field.errors = [*field.errors, done_date_text(None, enrolment_start)]
        return False
    errors = done_date_errors(field.data, enrolment_start, today)
    field.errors = [*field.errors, *(done_date_text(e, enrolment_start) for e in errors)]
    return not errors


class ActivityDoneForm(LockForm):
    # Optional here: a missing date gets check_done_on's message, which says what to enter.
    done_on = IsoDateField(_l("Done on"), validators=[Optional()])
    submit = SubmitField(_l("Mark as done"))

    def __init__(self, *args: Any, enrolment_start: date, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolment_start = enrolment_start
        self.today = today

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the date: given, not in the future, not before the enrolment started."""
        valid = super().validate(extra_validators)
        if self.done_on.errors:
            return False
        return check_done_on(self.done_on, self.enrolment_start, self.today) and valid


class ReportStayForm(LockForm):
    start_date = IsoDateField(_l("Actual start date"), validators=[InputRequired()])
    end_date = IsoDateField(_l("Actual end date"), validators=[InputRequired()])
    report = TextAreaField(
        _l("Short report"),
        validators=[Length(max=TEXT_LIMIT)],
        description=_l("What you did during the stay, in a few sentences."),
    )
    submit = SubmitField(_l("Report stay as done"))

    def __init__(self, *args: Any, context: StayContext, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.today = today

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then that the dates make sense for a finished stay."""
        valid = super().validate(extra_validators)
        if self.start_date.data is None or self.end_date.data is None:
            return False
        errors = report_errors(self.start_date.data, self.end_date.data, self.context, self.today)
        return _add_rule_errors(self, errors, self.context) and valid
