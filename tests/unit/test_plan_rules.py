from datetime import date, timedelta

import pytest

from tracker.domain.dates import add_months
from tracker.domain.plan_rules import (
    NextStep,
    StayContext,
    StayError,
    StayWarning,
    SubmitProblem,
    grant_ends_in_time,
    grant_fits_length,
    next_step,
    report_errors,
    stay_errors,
    stay_warnings,
    submit_problems,
)
from tracker.domain.stays import CountingRules
from tracker.domain.vocabulary import EnrolmentStatus, Funding, PlanStatus, StayStatus

RULES = CountingRules(home_country="NO", min_stay_days=28)
CONTEXT = StayContext(date(2025, 1, 15), date(2029, 1, 14), RULES)
NO_EXPECTED_END = StayContext(date(2025, 1, 15), None, RULES)
GRANT = Funding.OVERSEAS_RESEARCH_GRANT


def days_after(day: date, n: int) -> date:
    return day + timedelta(days=n)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 15), 3, date(2025, 4, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2029, 1, 14), -6, date(2028, 7, 14)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 1), -1, date(2024, 12, 1)),
        (date(2025, 6, 1), 0, date(2025, 6, 1)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


# --- errors -------------------------------------------------------------------


def test_valid_stay_has_no_errors():
    assert stay_errors("DE", date(2025, 3, 1), date(2025, 5, 31), CONTEXT) == {}


def test_one_day_stay_starting_on_enrolment_start_is_valid():
    assert stay_errors("DE", date(2025, 1, 15), date(2025, 1, 15), CONTEXT) == {}


def test_end_before_start_is_an_error_on_the_end_date():
    errors = stay_errors("DE", date(2025, 3, 2), date(2025, 3, 1), CONTEXT)
    assert errors == {"end_date": [StayError.END_BEFORE_START]}


def test_stay_starting_the_day_before_the_enrolment_is_an_error_on_the_start_date():
    errors = stay_errors("DE", date(2025, 1, 14), date(2025, 3, 1), CONTEXT)
    assert errors == {"start_date": [StayError.BEFORE_ENROLMENT]}


@pytest.mark.parametrize("country", ["XX", "", None, "DEU", "EU", "ZZ"])
def test_unknown_country_is_an_error(country):
    errors = stay_errors(country, date(2025, 3, 1), date(2025, 5, 31), CONTEXT)
    assert errors == {"country": [StayError.UNKNOWN_COUNTRY]}


@pytest.mark.parametrize("country", ["de", " DE ", "NO", "XK"])
def test_country_codes_are_normalised(country):
    assert stay_errors(country, date(2025, 3, 1), date(2025, 5, 31), CONTEXT) == {}


def test_every_error_is_reported_at_once():
    errors = stay_errors("XX", date(2025, 1, 10), date(2025, 1, 9), CONTEXT)
    assert errors == {
        "country": [StayError.UNKNOWN_COUNTRY],
        "start_date": [StayError.BEFORE_ENROLMENT],
        "end_date": [StayError.END_BEFORE_START],
    }


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        (date(2025, 3, 1), date(2025, 5, 31), date(2025, 5, 31), {}),
        (date(2025, 3, 1), date(2025, 5, 31), date(2025, 5, 30), {"end_date": ["future"]}),
        (date(2025, 3, 1), date(2025, 2, 28), date(2025, 6, 1), {"end_date": ["before"]}),
        (date(2025, 1, 14), date(2025, 2, 28), date(2025, 6, 1), {"start_date": ["enrol"]}),
        (date(2025, 1, 15), date(2025, 1, 15), date(2025, 1, 15), {}),
    ],
)
def test_report_errors(start, end, today, expected):
    codes = {
        "future": StayError.END_IN_FUTURE,
        "before": StayError.END_BEFORE_START,
        "enrol": StayError.BEFORE_ENROLMENT,
    }
    want = {field: [codes[c] for c in cs] for field, cs in expected.items()}
    assert report_errors(start, end, CONTEXT, today) == want


# --- warnings -----------------------------------------------------------------


def test_ordinary_stay_has_no_warnings():
    assert stay_warnings("DE", date(2025, 3, 1), date(2025, 5, 31), Funding.NONE, CONTEXT) == []


@pytest.mark.parametrize("country", ["NO", "no", " no"])
def test_stay_in_the_home_country_is_warned(country):
    warnings = stay_warnings(country, date(2025, 3, 1), date(2025, 5, 31), Funding.NONE, CONTEXT)
    assert warnings == [StayWarning.HOME_COUNTRY]


@pytest.mark.parametrize(("days", "warned"), [(1, True), (27, True), (28, False), (29, False)])
def test_stay_shorter_than_the_minimum_is_warned(days, warned):
    start = date(2025, 3, 1)
    warnings = stay_warnings("DE", start, days_after(start, days - 1), Funding.NONE, CONTEXT)
    assert (StayWarning.TOO_SHORT in warnings) is warned


def test_minimum_follows_the_settings():
    context = StayContext(date(2025, 1, 15), None, CountingRules("SE", 10))
    assert stay_warnings("NO", date(2025, 3, 1), date(2025, 3, 10), "none", context) == []
    assert stay_warnings("SE", date(2025, 3, 1), date(2025, 3, 9), "none", context) == [
        StayWarning.HOME_COUNTRY,
        StayWarning.TOO_SHORT,
    ]


@pytest.mark.parametrize(
    ("end", "warned"),
    [(date(2029, 1, 13), False), (date(2029, 1, 14), False), (date(2029, 1, 15), True)],
)
def test_stay_ending_after_the_expected_end_is_warned(end, warned):
    warnings = stay_warnings("DE", date(2028, 10, 1), end, Funding.NONE, CONTEXT)
    assert (StayWarning.ENDS_AFTER_EXPECTED_END in warnings) is warned


def test_no_expected_end_means_no_end_warnings():
    warnings = stay_warnings("DE", date(2035, 3, 1), date(2035, 5, 31), GRANT, NO_EXPECTED_END)
    assert warnings == []


def test_end_before_start_gives_no_warnings_only_the_error():
    assert stay_warnings("NO", date(2025, 3, 2), date(2025, 3, 1), GRANT, CONTEXT) == []


@pytest.mark.parametrize(
    ("start", "end", "fits"),
    [
        (date(2025, 3, 1), date(2025, 5, 31), True),  # exactly three months
        (date(2025, 3, 1), date(2025, 5, 30), False),  # one day short
        (date(2025, 3, 15), date(2025, 6, 14), True),
        (date(2025, 3, 15), date(2025, 6, 13), False),
        (date(2025, 3, 1), date(2026, 2, 28), True),  # exactly twelve months
        (date(2025, 3, 1), date(2026, 3, 1), False),  # one day over
        (date(2024, 3, 1), date(2025, 2, 28), True),  # across 29 February 2024
        (date(2025, 11, 30), date(2026, 2, 27), True),  # three months, clamped to February
        (date(2025, 11, 30), date(2026, 2, 26), False),
    ],
)
def test_grant_length_three_to_twelve_months(start, end, fits):
    assert grant_fits_length(start, end) is fits
    warnings = stay_warnings("DE", start, end, GRANT, NO_EXPECTED_END)
    assert (StayWarning.GRANT_LENGTH in warnings) is (not fits)


@pytest.mark.parametrize(
    ("end", "in_time"),
    [(date(2028, 7, 13), True), (date(2028, 7, 14), True), (date(2028, 7, 15), False)],
)
def test_grant_stay_must_end_six_months_before_the_expected_end(end, in_time):
    assert grant_ends_in_time(end, date(2029, 1, 14)) is in_time
    start = add_months(days_after(end, 1), -4)
    warnings = stay_warnings("DE", start, end, GRANT, CONTEXT)
    assert (StayWarning.GRANT_TOO_LATE in warnings) is (not in_time)


@pytest.mark.parametrize("funding", [f for f in Funding if f != GRANT])
def test_grant_rules_apply_only_to_the_grant(funding):
    # Two weeks, ending after the expected end: every grant rule would complain.
    warnings = stay_warnings("DE", date(2029, 1, 10), date(2029, 1, 24), funding, CONTEXT)
    assert warnings == [StayWarning.TOO_SHORT, StayWarning.ENDS_AFTER_EXPECTED_END]


def test_every_warning_at_once_in_a_stable_order():
    warnings = stay_warnings("NO", date(2029, 1, 10), date(2029, 1, 24), GRANT, CONTEXT)
    assert warnings == [
        StayWarning.HOME_COUNTRY,
        StayWarning.TOO_SHORT,
        StayWarning.ENDS_AFTER_EXPECTED_END,
        StayWarning.GRANT_LENGTH,
        StayWarning.GRANT_TOO_LATE,
    ]


def test_grant_value_as_plain_string_is_recognised():
    warnings = stay_warnings("DE", date(2025, 3, 1), date(2025, 3, 31), GRANT.value, CONTEXT)
    assert StayWarning.GRANT_LENGTH in warnings


# --- submitting ---------------------------------------------------------------

NEEDS = [SubmitProblem.NO_STAY_OR_JUSTIFICATION]


@pytest.mark.parametrize(
    ("stays", "justification", "expected"),
    [
        ([], "", NEEDS),
        ([], "   \n ", NEEDS),
        ([], "My fieldwork is local; I go to conferences instead.", []),
        ([("DE", StayStatus.PLANNED)], "", []),
        ([("DE", "planned")], "", []),
        ([("DE", StayStatus.COMPLETED)], "", []),
        ([("DE", StayStatus.CANCELLED)], "", NEEDS),
        ([("NO", StayStatus.PLANNED)], "", NEEDS),
        ([("no", StayStatus.PLANNED)], "", NEEDS),
        ([("NO", StayStatus.PLANNED), ("SE", StayStatus.PLANNED)], "", []),
        ([("NO", StayStatus.PLANNED)], "Family reasons.", []),
    ],
)
def test_submit_needs_a_stay_abroad_or_a_justification(stays, justification, expected):
    assert submit_problems(stays, justification, "NO") == expected


# --- next step ----------------------------------------------------------------

STEPS = {
    None: NextStep.START_PLAN,
    PlanStatus.DRAFT: NextStep.CONTINUE_DRAFT,
    PlanStatus.SUBMITTED: NextStep.WAITING_FOR_SUPERVISOR,
    PlanStatus.CHANGES_REQUESTED: NextStep.CHANGES_REQUESTED,
    PlanStatus.APPROVED: NextStep.APPROVED,
}


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize("plan_status", [None, *PlanStatus])
def test_next_step_for_every_state(enrolment_status, plan_status):
    expected = (
        STEPS[plan_status] if enrolment_status == EnrolmentStatus.ACTIVE else NextStep.INACTIVE
    )
    assert next_step(enrolment_status, plan_status) == expected
