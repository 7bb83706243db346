"""Rules of a mobility plan: what is wrong with a stay, what deserves a warning,
when a plan may be submitted, and what the candidate should do next.

Errors stop a save; warnings are shown but the stay is saved (DESIGN §3, §4).
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.domain.countries import is_country
from tracker.domain.dates import add_months
from tracker.domain.stays import CountingRules, stay_length
from tracker.domain.vocabulary import EnrolmentStatus, Funding, PlanState, PlanStatus, StayStatus

# The research council's overseas research grant funds stays of 3 to 12 months that
# end at least 6 months before the end of the PhD or postdoc period.
GRANT_MIN_MONTHS = 3
GRANT_MAX_MONTHS = 12
GRANT_MONTHS_BEFORE_END = 6


@dataclass(frozen=True)
class StayContext:
    """What a stay is checked against: the enrolment's dates and the counting rules."""

    enrolment_start: date
    expected_end: date | None
    rules: CountingRules = CountingRules()


class StayError(enum.StrEnum):
    """Why a stay cannot be saved (or reported) as entered."""

    END_BEFORE_START = "end_before_start"
    BEFORE_ENROLMENT = "before_enrolment"
    UNKNOWN_COUNTRY = "unknown_country"
    END_IN_FUTURE = "end_in_future"


class StayWarning(enum.StrEnum):
    """Something about a stay the candidate and supervisor should know; it is saved anyway."""

    HOME_COUNTRY = "home_country"
    TOO_SHORT = "too_short"
    ENDS_AFTER_EXPECTED_END = "ends_after_expected_end"
    GRANT_LENGTH = "grant_length"
    GRANT_TOO_LATE = "grant_too_late"


class SubmitProblem(enum.StrEnum):
    """Why a plan is not complete enough to submit."""

    NO_STAY_OR_JUSTIFICATION = "no_stay_or_justification"


class NextStep(enum.StrEnum):
    """The one thing the candidate should do next with a plan."""

    START_PLAN = "start_plan"
    CONTINUE_DRAFT = "continue_draft"
    CONTINUE_REVISION = "continue_revision"
    WAITING_FOR_SUPERVISOR = "waiting_for_supervisor"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    INACTIVE = "inactive"


def _normal_country(country: str | None) -> str:
    return (country or "").strip().upper()


def stay_errors(
    country: str | None, start_date: date, end_date: date, context: StayContext
) -> dict[str, list[StayError]]:
    """Return the errors of a planned stay, by the name of the field they belong to."""
    errors: dict[str, list[StayError]] = {}
    if not is_country(_normal_country(country)):
        errors.setdefault("country", []).append(StayError.UNKNOWN_COUNTRY)
    if start_date < context.enrolment_start:
        errors.setdefault("start_date", []).append(StayError.BEFORE_ENROLMENT)
    if end_date < start_date:
        errors.setdefault("end_date", []).append(StayError.END_BEFORE_START)
    return errors


def report_errors(
    start_date: date, end_date: date, context: StayContext, today: date
) -> dict[str, list[StayError]]:
    """Return the errors of a stay reported as done with these actual dates."""
    errors: dict[str, list[StayError]] = {}
    if start_date < context.enrolment_start:
        errors.setdefault("start_date", []).append(StayError.BEFORE_ENROLMENT)
    if end_date < start_date:
        errors.setdefault("end_date", []).append(StayError.END_BEFORE_START)
    elif end_date > today:
        errors.setdefault("end_date", []).append(StayError.END_IN_FUTURE)
    return errors


def grant_fits_length(start_date: date, end_date: date) -> bool:
    """Return whether a stay lasts between 3 and 12 calendar months, both included."""
    # The day after the last day is where a whole number of months would end:
    # 1 March to 31 May is exactly three months.
    after_end = date.fromordinal(end_date.toordinal() + 1)
    return (
        add_months(start_date, GRANT_MIN_MONTHS)
        <= after_end
        <= add_months(start_date, GRANT_MAX_MONTHS)
    )


def grant_ends_in_time(end_date: date, expected_end: date) -> bool:
    """Return whether a stay ends at least 6 months before the expected end date."""
    return end_date <= add_months(expected_end, -GRANT_MONTHS_BEFORE_END)


def stay_warnings(
    country: str | None,
    start_date: date,
    end_date: date,
    funding: Funding | str | None,
    context: StayContext,
) -> list[StayWarning]:
    """Return the warnings for a planned stay without errors, in a stable order."""
    warnings: list[StayWarning] = []
    if end_date < start_date:
        return warnings  # an error, reported by stay_errors
    if _normal_country(country) == context.rules.home_country.upper():
        warnings.append(StayWarning.HOME_COUNTRY)
    if stay_length(start_date, end_date) < context.rules.min_stay_days:
        warnings.append(StayWarning.TOO_SHORT)
    if context.expected_end is not None and end_date > context.expected_end:
        warnings.append(StayWarning.ENDS_AFTER_EXPECTED_END)
    if funding == Funding.OVERSEAS_RESEARCH_GRANT:
        if not grant_fits_length(start_date, end_date):
            warnings.append(StayWarning.GRANT_LENGTH)
        if context.expected_end is not None and not grant_ends_in_time(
            end_date, context.expected_end
        ):
            warnings.append(StayWarning.GRANT_TOO_LATE)
    return warnings


def submit_problems(
    stays: Iterable[tuple[str, StayStatus | str]], justification: str, home_country: str
) -> list[SubmitProblem]:
    """Return why a plan cannot be submitted; ``stays`` are (country, status) pairs.

    A plan needs at least one stay abroad that is not cancelled, or a written
    justification for having none.
    """
    abroad = any(
        status != StayStatus.CANCELLED and _normal_country(country) != home_country.upper()
        for country, status in stays
    )
    if abroad or justification.strip():
        return []
    return [SubmitProblem.NO_STAY_OR_JUSTIFICATION]


def plan_state(status: PlanStatus | None, has_approved_version: bool) -> PlanState | None:
    """Return how a plan with this status reads; None when there is no plan.

    A plan with an approved version that is not approved itself is being revised.
    """
    if status is None:
        return None
    if has_approved_version and status != PlanStatus.APPROVED:
        return PlanState.REVISION
    return PlanState(status.value)


def next_step(
    enrolment_status: EnrolmentStatus,
    plan_status: PlanStatus | None,
    has_approved_version: bool = False,
) -> NextStep:
    """Return the candidate's next step for an enrolment's plan."""
    if enrolment_status != EnrolmentStatus.ACTIVE:
        return NextStep.INACTIVE
    if plan_status == PlanStatus.DRAFT and has_approved_version:
        return NextStep.CONTINUE_REVISION
    return {
        None: NextStep.START_PLAN,
        PlanStatus.DRAFT: NextStep.CONTINUE_DRAFT,
        PlanStatus.SUBMITTED: NextStep.WAITING_FOR_SUPERVISOR,
        PlanStatus.CHANGES_REQUESTED: NextStep.CHANGES_REQUESTED,
        PlanStatus.APPROVED: NextStep.APPROVED,
    }[plan_status]
