"""Translated sentences for the codes the plan rules return."""

from datetime import date

from flask_babel import gettext as _

from tracker.domain.activities import DoneDateError
from tracker.domain.countries import country_name
from tracker.domain.dates import EARLIEST, LATEST, add_months
from tracker.domain.plan_rules import (
    GRANT_MAX_MONTHS,
    GRANT_MIN_MONTHS,
    GRANT_MONTHS_BEFORE_END,
    NextStep,
    StayContext,
    StayError,
    StayWarning,
    SubmitProblem,
)
from tracker.presentation import day_example, format_day


def error_text(code: StayError, context: StayContext) -> str:
    """Return the message shown next to a field for a stay error."""
    if code == StayError.END_BEFORE_START:
        return _("The end date is before the start date.")
    if code == StayError.BEFORE_ENROLMENT:
        return _(
            "The stay starts before the enrolment starts (%(date)s).",
            date=format_day(context.enrolment_start),
        )
    if code == StayError.UNKNOWN_COUNTRY:
        return _("Choose a country from the list.")
    return _("The stay has not ended yet: report it when it is over.")


def done_date_text(code: DoneDateError | None, enrolment_start: date) -> str:
    """Return the message shown next to the date an activity was done (None: it is missing)."""
    if code is None:
        return _(
            "Enter the date the activity was done, as %(example)s or as YYYY-MM-DD.",
            example=day_example(),
        )
    if code == DoneDateError.IN_FUTURE:
        return _("The date is in the future: mark the activity done once it has happened.")
    if code == DoneDateError.BEFORE_ENROLMENT:
        return _(
            "The date is before the enrolment started (%(date)s).",
            date=format_day(enrolment_start),
        )
    return _(
        "Enter a date between %(earliest)s and %(latest)s.",
        earliest=format_day(EARLIEST),
        latest=format_day(LATEST),
    )


def warning_text(code: StayWarning, context: StayContext, locale: str) -> str:
    """Return the sentence that explains a stay warning."""
    if code == StayWarning.HOME_COUNTRY:
        return _(
            "The stay is in %(country)s, the home country: it will not count toward the target.",
            country=country_name(context.rules.home_country, locale),
        )
    if code == StayWarning.TOO_SHORT:
        return _(
            "The stay is shorter than %(days)d days: it will not count toward the target.",
            days=context.rules.min_stay_days,
        )
    expected = format_day(context.expected_end, "")
    if code == StayWarning.ENDS_AFTER_EXPECTED_END:
        return _(
            "The stay ends after the expected end date of the enrolment (%(date)s).",
            date=expected,
        )
    if code == StayWarning.GRANT_LENGTH:
        return _(
            "The overseas research grant funds stays of %(min)d to %(max)d months.",
            min=GRANT_MIN_MONTHS,
            max=GRANT_MAX_MONTHS,
        )
    latest = (
        format_day(add_months(context.expected_end, -GRANT_MONTHS_BEFORE_END))
        if context.expected_end
        else ""
    )
    return _(
        "With the overseas research grant the stay must end at least %(months)d months "
        "before the expected end date, that is by %(date)s.",
        months=GRANT_MONTHS_BEFORE_END,
        date=latest,
    )


def submit_problem_text(code: SubmitProblem) -> str:
    """Return why the plan cannot be submitted yet."""
    return _(
        "Add at least one planned stay abroad, or explain in the plan why you plan none, "
        "before you submit."
    )


def next_step_text(step: NextStep) -> str:
    """Return the candidate's next step as a short instruction."""
    texts = {
        NextStep.START_PLAN: _("Start your plan"),
        NextStep.CONTINUE_DRAFT: _("Continue your draft and submit it"),
        NextStep.CONTINUE_REVISION: _("Continue your revision and submit it"),
        NextStep.WAITING_FOR_SUPERVISOR: _("Waiting for your supervisor's decision"),
        NextStep.CHANGES_REQUESTED: _("Make the changes your supervisor asked for and resubmit"),
        NextStep.APPROVED: _("Approved — report stays when they are done"),
        NextStep.INACTIVE: _("Enrolment is no longer active"),
    }
    return texts[step]
