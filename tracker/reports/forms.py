"""Forms of the reports area."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField

from tracker.forms import BaseForm


class SummaryJobForm(BaseForm):
    """Ask for a large summary PDF to be made in the background (the scope rides along)."""

    faculty = HiddenField()
    programme = HiddenField()
    as_of = HiddenField()
    submit = SubmitField(_l("Prepare the PDF"))
