"""Forms of the review area: decisions on plans and on reported stays."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.plans.forms import TEXT_LIMIT, LockForm


class ApproveForm(LockForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Approve plan"))


class RequestChangesForm(LockForm):
    comment = TextAreaField(
        _l("What should the candidate change?"),
        validators=[
            DataRequired(message=_l("Write a comment so the candidate knows what to change.")),
            Length(max=TEXT_LIMIT),
        ],
    )
    submit = SubmitField(_l("Request changes"))


class ConfirmStayForm(LockForm):
    submit = SubmitField(_l("Confirm stay"))


class ReturnStayForm(LockForm):
    comment = TextAreaField(
        _l("Why is the report returned?"),
        validators=[
            DataRequired(message=_l("Write a comment so the candidate knows what to correct.")),
            Length(max=TEXT_LIMIT),
        ],
    )
    submit = SubmitField(_l("Return to candidate"))
