"""Forms of the personal-data pages: the erasure's confirmation and the audit log's filters."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from tracker.domain.addresses import lookup_key
from tracker.extensions import db
from tracker.forms import BaseForm, GetForm, IsoDateField
from tracker.models import User
from tracker.queries.audit_log import RECORD_TYPES, AuditFilters
from tracker.services import accounts

MAX_ID = 2**31 - 1


class EraseForm(BaseForm):
    """Erasing cannot be undone: the administrator types the person's address to confirm."""

    confirm_email = StringField(
        _l("The person's e-mail address"), validators=[DataRequired(), Length(max=300)]
    )
    submit = SubmitField(_l("Erase the personal data"))

    def __init__(self, person: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_confirm_email(self, field: Any) -> None:
        """Accept only the person's own address (in any of its spellings)."""
        if lookup_key(field.data or "") != self.person.email:
            raise ValidationError(_l("This is not the address of the account to erase."))


def find_person(text: str) -> User | None:
    """Return the account an administrator names by address or by number ("42", "#42")."""
    text = text.strip()
    number = text.removeprefix("#")
    if number.isdigit():
        return db.session.get(User, int(number)) if 0 < int(number) <= MAX_ID else None
    return accounts.get_user_by_email(text)


class AuditFilterForm(GetForm):
    """Narrow the audit log to a person, a record, an action and a period."""

    person = StringField(
        _l("Person (e-mail address or account number)"),
        validators=[Optional(), Length(max=254)],
    )
    record_type = SelectField(_l("Record"), validators=[Optional()])
    record_id = IntegerField(
        _l("Record number"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
    action = SelectField(_l("Action"), validators=[Optional()])
    since = IsoDateField(_l("From (UTC)"), validators=[Optional()])
    until = IsoDateField(_l("To (UTC)"), validators=[Optional()])
    # Bounded so a hand-typed page number cannot overflow the database's OFFSET.
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
    submit = SubmitField(_l("Filter"))

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_type.choices = [("", _l("Any record")), *((k, k) for k in RECORD_TYPES)]
        self.action.choices = [("", _l("Any action")), *((a, a) for a in actions)]
        self.found_person: User | None = None

    def validate_person(self, field: Any) -> None:
        """Find the account named; say so when there is none."""
        if field.data:
            self.found_person = find_person(field.data)
            if self.found_person is None:
                raise ValidationError(_l("No account has this e-mail address or number."))

    def validate_until(self, field: Any) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The period ends before it starts."))

    def filters(self) -> AuditFilters:
        """Return the filters the valid form asks for."""
        return AuditFilters(
            person=self.found_person,
            record_type=self.record_type.data or None,
            record_id=self.record_id.data,
            action=self.action.data or None,
            since=self.since.data,
            until=self.until.data,
        )

    def query_args(self) -> dict[str, Any]:
        """Return the filters as query parameters, for page links and the CSV link."""
        names = ("person", "record_type", "record_id", "action", "since", "until")
        return {
            name: self[name].raw_data[0]
            for name in names
            if self[name].raw_data and self[name].raw_data[0]
        }
