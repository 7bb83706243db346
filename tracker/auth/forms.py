"""Forms of the auth area."""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from tracker.forms import BaseForm, EmailAddressField
from tracker.models.user import MIN_PASSWORD_LENGTH

# Long enough for any passphrase, short enough that hashing it costs nothing extra.
MAX_PASSWORD_LENGTH = 1024


class LoginForm(BaseForm):
    email = EmailAddressField(
        _l("E-mail"), validators=[DataRequired()], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField(_l("Log in"))


class LoginLinkForm(BaseForm):
    """The button that uses a one-time log-in link (a POST, so no link preview uses it)."""

    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(BaseForm):
    email = EmailAddressField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


def _new_password_field() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                # WTForms fills in %(min)d and %(max)d.
                message=_l(
                    "The password must have at least %(min)d and at most %(max)d characters."
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(BaseForm):
    # Asked only of someone created without a name (a supervisor named by address in an import).
    name = StringField(
        _l("Your name"),
        validators=[Optional(), Length(max=200)],
        description=_l("As colleagues will see it in the tracker."),
        render_kw={"autocomplete": "name"},
    )
    password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField(_l("Change password"))


class PreferencesForm(BaseForm):
    """The user's language; the empty choice follows the browser's language."""

    locale = SelectField(_l("Language"), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, languages: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = tuple(languages)
        # Each language is named in itself and marked with its tag, for screen readers.
        self.locale.choices = [("", _l("Browser default"), {})] + [
            (code, language_name(code), {"lang": code}) for code in self.languages
        ]

    def validate_locale(self, field: SelectField) -> None:
        """Accept only the offered languages, or the empty choice for the browser's."""
        if field.data != "" and field.data not in self.languages:
            raise ValidationError(_l("Choose one of the languages in the list."))


@lru_cache(maxsize=32)  # every page's language menu asks for the same few
def language_name(code: str) -> str:
    """Return a language's name in that language, capitalised: "English", "Norsk bokmål"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
