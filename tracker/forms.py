"""Building blocks every form of the tracker is made of: cleaning, addresses, dates.

Forms derive from ``BaseForm``, so no text field can bring a control character in:
single-line fields lose them (line breaks become a space), text areas keep only
line breaks and tabs. Addresses go through the one address normaliser and dates
must fall in the domain's accepted range.
"""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from tracker.domain.addresses import InvalidEmail, normalise_email
from tracker.domain.dates import EARLIEST, LATEST, DateOutOfRange
from tracker.domain.text import multi_line, single_line
from tracker.presentation import day_example, format_day, parse_day


def _cleaner(clean: Any) -> Any:
    def apply(value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    return apply


_SINGLE_LINE = _cleaner(single_line)
_MULTI_LINE = _cleaner(multi_line)


class BaseForm(FlaskForm):
    """A form whose text fields are cleaned of control characters as they are read."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict) -> Any:
            """Add the cleaning filter that suits the field: one line, or several."""
            field_class = unbound_field.field_class
            # A password is a secret taken as typed; it is never shown or sent anywhere.
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                clean = _MULTI_LINE if issubclass(field_class, TextAreaField) else _SINGLE_LINE
                options["filters"] = [clean, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)


class GetForm(BaseForm):
    """A filter form submitted with GET: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False


class Address:
    """Validate an e-mail address and replace the field's data by its stored form."""

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_email(field.data)
        except InvalidEmail:
            raise ValidationError(
                _l("Enter a valid e-mail address, such as name@example.org.")
            ) from None


class EmailAddressField(EmailField):
    """An e-mail input whose data, once validated, is the normalised address."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, [*(validators or ()), Address()], **kwargs)


def date_format_message() -> str:
    """Return what to type in a date field, in the reader's language."""
    return _("Enter the date as %(example)s or as YYYY-MM-DD.", example=day_example())


def date_range_message() -> str:
    """Return the range of dates the tracker accepts, as a message for a date field."""
    return _(
        "Enter a date between %(earliest)s and %(latest)s.",
        earliest=format_day(EARLIEST),
        latest=format_day(LATEST),
    )


def read_day(text: str) -> date:
    """Return the day a person typed (ISO or their language's form); raise ValueError.

    The ValueError's message is the one to show next to the field.
    """
    try:
        return parse_day(text)
    except DateOutOfRange:
        raise ValueError(date_range_message()) from None
    except ValueError:
        raise ValueError(date_format_message()) from None


class IsoDateField(DateField):
    """A date input, rendered as ISO for the browser's date picker, limited to accepted dates.

    Typed by hand it also takes what the reader's language writes (30.11.2026 in
    bokmål, 30 Nov 2026 in English), for browsers and people who type dates.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the date; say what to type when it is malformed or out of range."""
        text = " ".join(value for value in valuelist if isinstance(value, str)).strip()
        self.data = None
        if text:
            self.data = read_day(text)
