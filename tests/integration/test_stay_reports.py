"""Reporting a stay as done, and the supervisor's confirmation, through the test client."""

from datetime import date, timedelta

import pytest

from tests.plan_support import STAY_FORM, body, people, plan_of, signed_in, stays_of, text
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import AuditEntry

REPORT = {"start_date": "2025-03-03", "end_date": "2025-05-30", "report": "Built the rig."}


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def supervisor(cast, isolated_client):
    return signed_in(isolated_client, cast["supervisor"])


@pytest.fixture()
def candidate(cast, isolated_client, supervisor):
    """The candidate's client, with an approved plan holding one stay abroad."""
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    client.post(f"/plans/{eid}/submit", data={"lock_version": plan_of(eid).lock_version})
    supervisor.post(
        f"/review/plans/{eid}/approve",
        data={"approve-lock_version": plan_of(eid).lock_version},
    )
    assert plan_of(eid).status == PlanStatus.APPROVED
    return client


def the_stay(cast):
    (stay,) = stays_of(cast["enrolment"].id)
    return stay


def report(client, stay, **changes):
    data = REPORT | {"lock_version": stay.lock_version} | changes
    return client.post(f"/plans/stays/{stay.id}/report", data=data)


def decide(client, stay, action, comment=None, lock_version=None):
    prefix = "confirm" if action == "confirm" else "return"
    data = {f"{prefix}-lock_version": stay.lock_version if lock_version is None else lock_version}
    if comment is not None:
        data[f"{prefix}-comment"] = comment
    return client.post(f"/review/stays/{stay.id}/{action}", data=data)


def audit_actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_reporting_waits_for_confirmation_and_does_not_reopen_the_plan(
    cast, candidate, supervisor, mailbox
):
    stay = the_stay(cast)
    form = candidate.get(f"/plans/stays/{stay.id}/report").get_data(as_text=True)
    assert 'value="2025-03-01"' in form  # the planned dates are the starting point
    assert report(candidate, stay).status_code == 302
    stay = the_stay(cast)
    assert stay.awaiting_confirmation
    assert (stay.reported_start_date, stay.reported_end_date) == (
        date(2025, 3, 3),
        date(2025, 5, 30),
    )
    assert (stay.start_date, stay.end_date) == (date(2025, 3, 1), date(2025, 5, 31))
    assert stay.report == "Built the rig."
    assert plan_of(cast["enrolment"].id).status == PlanStatus.APPROVED
    assert "stay_reported" in audit_actions()
    (message,) = mailbox
    assert message["To"] == "supervisor@example.org"
    assert f"http://127.0.0.1:5000/review/stays/{stay.id}" in body(message)
    page = text(candidate.get(f"/plans/{cast['enrolment'].id}"))
    assert "waiting for the supervisor's confirmation" in page
    assert "Report as done" not in page
    queue = text(supervisor.get("/review/"))
    assert "Technische Universität München" in queue and "3 Mar 2025 – 30 May 2025" in queue
    assert "1 stay waits for your confirmation" in text(supervisor.get("/"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2025-03-02"}, "The end date is before the start date."),
        (
            # Two days ahead: still not over for a run that crosses midnight.
            {"end_date": (date.today() + timedelta(days=2)).isoformat()},
            "The stay has not ended yet: report it when it is over.",
        ),
        ({"start_date": "2025-01-01"}, "The stay starts before the enrolment starts"),
        ({"start_date": ""}, "This field is required."),
    ],
)
def test_bad_report_is_refused_next_to_the_field(cast, candidate, changes, message):
    stay = the_stay(cast)
    response = report(candidate, stay, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Built the rig." in response.get_data(as_text=True)
    assert not the_stay(cast).awaiting_confirmation


def test_a_stay_is_reported_only_on_an_approved_plan_by_its_candidate(
    cast, make_user, make_enrolment, isolated_client, supervisor
):
    person = make_user("draft@example.org")
    enrolment = make_enrolment(person, supervisor=cast["supervisor"])
    client = signed_in(isolated_client, person)
    client.post(f"/plans/{enrolment.id}/start")
    client.post(f"/plans/{enrolment.id}/stays/new", data=STAY_FORM)
    (stay,) = stays_of(enrolment.id)
    assert client.get(f"/plans/stays/{stay.id}/report").status_code == 409
    assert report(client, stay).status_code == 409
    assert report(supervisor, stay).status_code == 403
    assert not stays_of(enrolment.id)[0].awaiting_confirmation


def test_confirming_completes_the_stay_with_the_actual_dates(cast, candidate, supervisor, mailbox):
    report(candidate, the_stay(cast))
    stay = the_stay(cast)
    page = text(supervisor.get(f"/review/stays/{stay.id}"))
    assert "Built the rig." in page and "3 Mar 2025 – 30 May 2025" in page
    assert decide(supervisor, stay, "confirm").status_code == 302
    stay = the_stay(cast)
    assert stay.status == StayStatus.COMPLETED
    assert (stay.start_date, stay.end_date) == (date(2025, 3, 3), date(2025, 5, 30))
    assert stay.confirmed_by_id == cast["supervisor"].id and stay.confirmed_at is not None
    assert stay.in_approved_plan
    # The approved snapshot keeps the planned dates.
    approved = plan_of(cast["enrolment"].id).approved_version.snapshot
    assert approved["stays"][0]["start_date"] == "2025-03-01"
    assert "stay_confirmed" in audit_actions()
    message = mailbox.to("candidate@example.org")[-1]
    assert "confirmed" in message["Subject"]
    assert f"http://127.0.0.1:5000/plans/{cast['enrolment'].id}" in body(message)
    assert "Counted: a confirmed stay abroad." in text(candidate.get(f"/plans/{stay.enrolment_id}"))
    assert "No stays are waiting" in text(supervisor.get("/review/"))


def test_a_stay_reported_before_the_enrolment_ended_waits_in_the_queue(
    cast, candidate, supervisor
):
    """The policy lets the supervisor confirm it, so the queue must show it: it counts."""
    report(candidate, the_stay(cast))
    enrolment = cast["enrolment"]
    enrolment.status, enrolment.end_date = EnrolmentStatus.COMPLETED, date(2025, 12, 1)
    db.session.commit()
    stay = the_stay(cast)
    assert f"/review/stays/{stay.id}" in supervisor.get("/review/").get_data(as_text=True)
    assert decide(supervisor, stay, "confirm").status_code == 302
    assert the_stay(cast).status == StayStatus.COMPLETED


def test_a_short_confirmed_stay_says_why_it_does_not_count(cast, candidate, supervisor):
    report(candidate, the_stay(cast), end_date="2025-03-20")
    decide(supervisor, the_stay(cast), "confirm")
    page = text(candidate.get(f"/plans/{cast['enrolment'].id}"))
    assert "Does not count: it is shorter than 28 days." in page


def test_returning_a_report_needs_a_comment_and_lets_the_candidate_report_again(
    cast, candidate, supervisor, mailbox
):
    report(candidate, the_stay(cast))
    stay = the_stay(cast)
    response = decide(supervisor, stay, "return", comment="")
    assert response.status_code == 422
    assert "Write a comment so the candidate knows what to correct." in text(response)
    assert the_stay(cast).awaiting_confirmation

    assert (
        decide(
            supervisor, stay, "return", comment="The dates differ from the contract."
        ).status_code
        == 302
    )
    stay = the_stay(cast)
    assert stay.status == StayStatus.PLANNED and not stay.awaiting_confirmation
    assert stay.reported_start_date is None and stay.reported_end_date is None
    assert stay.return_comment == "The dates differ from the contract."
    message = mailbox.to("candidate@example.org")[-1]
    assert "returned" in message["Subject"]
    assert "The dates differ from the contract." in body(message)
    assert "The dates differ from the contract." in text(
        candidate.get(f"/plans/{stay.enrolment_id}")
    )

    assert report(candidate, stay, start_date="2025-03-01").status_code == 302
    assert the_stay(cast).awaiting_confirmation and the_stay(cast).return_comment == ""


def test_confirming_twice_or_on_a_stale_page_is_refused(cast, candidate, supervisor):
    report(candidate, the_stay(cast))
    stay = the_stay(cast)
    opened_with = stay.lock_version
    assert decide(supervisor, stay, "return", comment="Wrong dates").status_code == 302
    response = decide(supervisor, stay, "confirm", lock_version=opened_with)
    assert response.status_code == 409
    assert "changed by someone else since you opened it" in text(response)
    assert the_stay(cast).status == StayStatus.PLANNED

    report(candidate, the_stay(cast))
    assert decide(supervisor, the_stay(cast), "confirm").status_code == 302
    assert decide(supervisor, the_stay(cast), "confirm").status_code == 409
    assert decide(supervisor, the_stay(cast), "return", comment="Oops").status_code == 409
    assert the_stay(cast).status == StayStatus.COMPLETED


@pytest.mark.parametrize("who", ["candidate", "co", "coordinator", "stranger"])
def test_only_the_deciding_supervisor_confirms(cast, candidate, isolated_client, who):
    report(candidate, the_stay(cast))
    stay = the_stay(cast)
    client = candidate if who == "candidate" else signed_in(isolated_client, cast[who])
    assert decide(client, stay, "confirm").status_code == 403
    assert client.get(f"/review/stays/{stay.id}").status_code == 403
    assert the_stay(cast).awaiting_confirmation
