"""A revision's edits count toward the targets only once approved (DESIGN §3, §4).

Everything goes through the pages: the candidate plans and revises, the supervisor
decides, and the coordinator reads the statistics (API) and the at-risk list.
"""

from datetime import date

import pytest

from tests.plan_support import STAY_FORM, people, plan_of, signed_in, stays_of, text
from tracker.domain.vocabulary import PlanStatus, StayStatus

# Within 12 months of the candidate's expected end (2029-01-14): not projected is at risk.
AS_OF = date(2028, 6, 1)
THREE_MONTHS = {"start_date": "2025-03-01", "end_date": "2025-05-31"}
TEN_DAYS = {"start_date": "2025-03-01", "end_date": "2025-03-10"}
SIXTY_DAYS = {"start_date": "2025-03-01", "end_date": "2025-04-29"}


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def candidate(cast, isolated_client):
    return signed_in(isolated_client, cast["candidate"])


@pytest.fixture()
def supervisor(cast, isolated_client):
    return signed_in(isolated_client, cast["supervisor"])


@pytest.fixture()
def coordinator(cast, isolated_client):
    return signed_in(isolated_client, cast["coordinator"])


def submit(client, eid):
    response = client.post(f"/plans/{eid}/submit", data={"lock_version": plan_of(eid).lock_version})
    assert response.status_code == 302
    assert plan_of(eid).status == PlanStatus.SUBMITTED


def approve(client, eid):
    response = client.post(
        f"/review/plans/{eid}/approve", data={"approve-lock_version": plan_of(eid).lock_version}
    )
    assert response.status_code == 302
    assert plan_of(eid).status == PlanStatus.APPROVED


def revise(client, eid):
    response = client.post(f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version})
    assert response.status_code == 302
    assert plan_of(eid).status == PlanStatus.DRAFT


def approved_plan(candidate, supervisor, eid, stay: dict) -> None:
    """Plan one stay in Germany with these dates and have the plan approved."""
    candidate.post(f"/plans/{eid}/start")
    assert candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM | stay).status_code == 302
    submit(candidate, eid)
    approve(supervisor, eid)


def edit_stay(client, eid, **changes):
    (stay,) = stays_of(eid)
    data = STAY_FORM | {"lock_version": stay.lock_version} | changes
    assert client.post(f"/plans/stays/{stay.id}/edit", data=data).status_code == 302


def justify(client, eid):
    """Give the plan a reason for having no stay abroad, so a stay in Norway can be submitted."""
    data = {
        "narrative": "",
        "no_stay_justification": "My fieldwork moved to Finnmark.",
        "lock_version": plan_of(eid).lock_version,
    }
    assert client.post(f"/plans/{eid}/edit", data=data).status_code == 302


def statistics(coordinator) -> dict:
    response = coordinator.get(f"/api/v1/stats?as_of={AS_OF.isoformat()}")
    assert response.status_code == 200
    return response.get_json()


def projected(coordinator) -> int:
    (cohort,) = statistics(coordinator)["phd"]["by_admission_year"]
    assert (cohort["year"], cohort["n"]) == (2025, 1)
    return cohort["projected"]


def at_risk(coordinator) -> bool:
    page = coordinator.get(f"/coordinator/lists/at-risk?as_of={AS_OF.isoformat()}")
    assert page.status_code == 200
    return "Ola Kandidat" in text(page)


@pytest.mark.parametrize(
    "edit",
    [{"country": "NO"}, TEN_DAYS],
    ids=["to Norway", "to ten days"],
)
def test_an_approved_stay_edited_in_a_revision_counts_as_approved_until_approval(
    cast, candidate, supervisor, coordinator, edit
):
    eid = cast["enrolment"].id
    approved_plan(candidate, supervisor, eid, THREE_MONTHS)
    assert projected(coordinator) == 1 and not at_risk(coordinator)
    before = statistics(coordinator)

    revise(candidate, eid)
    edit_stay(candidate, eid, **(THREE_MONTHS | edit))
    justify(candidate, eid)
    (stay,) = stays_of(eid)
    assert (stay.approved_country, stay.approved_end_date) == ("DE", date(2025, 5, 31))
    assert statistics(coordinator) == before
    assert not at_risk(coordinator)

    submit(candidate, eid)
    assert statistics(coordinator) == before

    approve(supervisor, eid)
    assert projected(coordinator) == 0 and at_risk(coordinator)
    (stay,) = stays_of(eid)
    assert (stay.approved_country, stay.approved_start_date, stay.approved_end_date) == (
        stay.country,
        stay.start_date,
        stay.end_date,
    )


def test_a_short_stay_lengthened_in_a_revision_counts_only_once_approved(
    cast, candidate, supervisor, coordinator
):
    eid = cast["enrolment"].id
    approved_plan(candidate, supervisor, eid, TEN_DAYS)
    assert projected(coordinator) == 0 and at_risk(coordinator)
    before = statistics(coordinator)

    revise(candidate, eid)
    edit_stay(candidate, eid, **SIXTY_DAYS)
    assert statistics(coordinator) == before and at_risk(coordinator)
    submit(candidate, eid)
    assert statistics(coordinator) == before

    approve(supervisor, eid)
    assert projected(coordinator) == 1 and not at_risk(coordinator)


def test_changes_requested_on_a_revision_leave_the_approved_version_counting(
    cast, candidate, supervisor, coordinator
):
    eid = cast["enrolment"].id
    approved_plan(candidate, supervisor, eid, THREE_MONTHS)
    before = statistics(coordinator)
    revise(candidate, eid)
    edit_stay(candidate, eid, **TEN_DAYS)
    submit(candidate, eid)
    response = supervisor.post(
        f"/review/plans/{eid}/request-changes",
        data={"changes-comment": "Why shorter?", "changes-lock_version": plan_of(eid).lock_version},
    )
    assert response.status_code == 302
    assert plan_of(eid).status == PlanStatus.CHANGES_REQUESTED
    assert statistics(coordinator) == before


def test_cancelling_an_approved_stay_during_a_revision_takes_effect_at_once(
    cast, candidate, supervisor, coordinator
):
    eid = cast["enrolment"].id
    approved_plan(candidate, supervisor, eid, THREE_MONTHS)
    assert projected(coordinator) == 1
    revise(candidate, eid)

    (stay,) = stays_of(eid)
    response = candidate.post(
        f"/plans/stays/{stay.id}/cancel", data={"lock_version": stay.lock_version}
    )
    assert response.status_code == 302
    (stay,) = stays_of(eid)
    assert stay.status == StayStatus.CANCELLED and stay.in_approved_plan
    # A cancellation is a fact, not a change of plan: no approval needed.
    assert plan_of(eid).status == PlanStatus.DRAFT
    assert projected(coordinator) == 0 and at_risk(coordinator)
