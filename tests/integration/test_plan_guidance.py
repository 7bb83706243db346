"""What the plan pages tell each reader and offer the candidate: withdraw, discard a revision,
confirm before removing, report a stay once it has ended, who decides."""

from datetime import date, timedelta

import pytest

from tests.plan_support import STAY_FORM, people, plan_of, signed_in, stays_of, text
from tracker.domain.vocabulary import PlanEvent, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Activity, AuditEntry, OutboxMessage, Stay

ACTIVITY_FORM = {
    "type": "conference",
    "title": "ICRA 2026",
    "planned_term": "2026 spring",
    "status": "planned",
    "evidence": "",
    "lock_version": "0",
}


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def candidate(cast, isolated_client):
    """The candidate's client, with a draft plan holding one stay abroad and one activity."""
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    client.post(f"/plans/{eid}/activities/new", data=ACTIVITY_FORM)
    return client


@pytest.fixture()
def supervisor(cast, isolated_client):
    return signed_in(isolated_client, cast["supervisor"])


def lock(eid):
    return {"lock_version": plan_of(eid).lock_version}


def submit(client, eid):
    return client.post(f"/plans/{eid}/submit", data=lock(eid))


def approve(client, eid, comment=""):
    return client.post(
        f"/review/plans/{eid}/approve",
        data={"approve-comment": comment, "approve-lock_version": plan_of(eid).lock_version},
    )


def events(eid):
    return [(v.number, v.event) for v in plan_of(eid).versions]


# --- Withdrawing a submission (item 14) ---------------------------------------------------


def test_the_candidate_withdraws_a_submission_and_submits_again(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    page = text(candidate.get(f"/plans/{eid}"))
    assert "to change it now, withdraw it" in page
    response = candidate.post(f"/plans/{eid}/withdraw", data=lock(eid))
    assert response.status_code == 302
    assert "Your plan is withdrawn" in text(candidate.get(f"/plans/{eid}"))
    plan = plan_of(eid)
    assert plan.status == PlanStatus.DRAFT and plan.submitted_at is None
    assert events(eid) == [(1, PlanEvent.SUBMITTED), (1, PlanEvent.WITHDRAWN)]
    # Nothing waits for the supervisor any more, and the supervisor was told.
    assert "No plans are waiting for your decision." in text(supervisor.get("/review/"))
    db.session.rollback()
    subjects = db.session.scalars(db.select(OutboxMessage.subject)).all()
    assert "Mobility plan withdrawn: Ola Kandidat" in subjects
    assert supervisor.post(f"/review/plans/{eid}/approve", data={
        "approve-lock_version": plan_of(eid).lock_version}).status_code == 409  # fmt: skip
    # The plan can be changed and submitted again, as submission 2.
    assert candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM).status_code == 302
    submit(candidate, eid)
    assert events(eid)[-1] == (2, PlanEvent.SUBMITTED)
    assert "Withdrawn by the candidate" in text(candidate.get(f"/plans/{eid}/history"))


def test_only_the_candidate_withdraws_and_only_a_submission(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    assert candidate.post(f"/plans/{eid}/withdraw", data=lock(eid)).status_code == 409  # draft
    submit(candidate, eid)
    assert supervisor.post(f"/plans/{eid}/withdraw", data=lock(eid)).status_code == 403
    assert plan_of(eid).status == PlanStatus.SUBMITTED


# --- Discarding a revision (item 14) ------------------------------------------------------


def test_discarding_a_revision_brings_the_approved_plan_back(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    candidate.post(f"/plans/{eid}/edit", data={"narrative": "Approved text", **lock(eid)})
    submit(candidate, eid)
    approve(supervisor, eid, "Fine.")
    (kept,) = stays_of(eid)
    candidate.post(f"/plans/{eid}/revise", data=lock(eid))
    # The revision changes the text, a stay, adds a stay, removes the activity.
    candidate.post(f"/plans/{eid}/edit", data={"narrative": "Revised text", **lock(eid)})
    edited = STAY_FORM | {"city": "Garching", "lock_version": kept.lock_version}
    candidate.post(f"/plans/stays/{kept.id}/edit", data=edited)
    candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM | {"host_institution": "ETH"})
    activity = db.session.scalar(db.select(Activity))
    candidate.post(f"/plans/activities/{activity.id}/remove",
                   data={"lock_version": activity.lock_version})  # fmt: skip
    assert db.session.scalar(db.select(Activity)) is None

    page = candidate.get(f"/plans/{eid}/discard-revision")
    assert page.status_code == 200 and "Discard your revision?" in text(page)
    response = candidate.post(f"/plans/{eid}/discard-revision", data=lock(eid))
    assert response.status_code == 302

    plan = plan_of(eid)
    assert plan.status == PlanStatus.APPROVED
    assert plan.narrative == "Approved text"
    assert [(s.id, s.city) for s in stays_of(eid)] == [(kept.id, "München")]
    restored = db.session.scalar(db.select(Activity))
    assert (restored.id, restored.title) == (activity.id, "ICRA 2026")
    # No trace in the history; the audit log has it. A new revision can be started again.
    assert events(eid) == [(1, PlanEvent.SUBMITTED), (1, PlanEvent.APPROVED)]
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "plan_revision_discarded" in actions
    assert candidate.post(f"/plans/{eid}/revise", data=lock(eid)).status_code == 302
    assert plan_of(eid).status == PlanStatus.DRAFT


def test_a_discard_keeps_a_stay_reported_meanwhile(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    approve(supervisor, eid)
    candidate.post(f"/plans/{eid}/revise", data=lock(eid))
    (stay,) = stays_of(eid)
    candidate.post(f"/plans/stays/{stay.id}/report", data={
        "start_date": "2025-03-03", "end_date": "2025-05-30", "report": "Done.",
        "lock_version": stay.lock_version})  # fmt: skip
    candidate.post(f"/plans/{eid}/discard-revision", data=lock(eid))
    (stay,) = stays_of(eid)
    assert stay.awaiting_confirmation and stay.reported_end_date == date(2025, 5, 30)


def test_a_plan_never_approved_has_no_revision_to_discard(cast, candidate):
    eid = cast["enrolment"].id
    assert candidate.get(f"/plans/{eid}/discard-revision").status_code == 409
    assert candidate.post(f"/plans/{eid}/discard-revision", data=lock(eid)).status_code == 409
    assert "Discard the revision" not in text(candidate.get(f"/plans/{eid}"))


# --- The approval comment (item 14) -------------------------------------------------------


def test_the_approval_comment_is_on_the_plan_and_the_home_page(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    approve(supervisor, eid, "Well planned; go in spring.")
    plan_page = text(candidate.get(f"/plans/{eid}"))
    assert "Your supervisor's comment on the approval Well planned; go in spring." in plan_page
    assert "Well planned; go in spring." in text(candidate.get("/"))
    # The supervisor reads it as the comment on the approval, not as "your supervisor's".
    other = text(supervisor.get(f"/plans/{eid}"))
    assert "Comment on the approval Well planned; go in spring." in other
    assert "Your supervisor" not in other


# --- Texts follow the reader (item 5) -----------------------------------------------------


def test_the_supervisor_reads_the_plan_in_their_own_terms(cast, candidate, supervisor,
                                                           isolated_client):  # fmt: skip
    eid = cast["enrolment"].id
    submit(candidate, eid)
    returned = {
        "changes-comment": "Longer, please.",
        "changes-lock_version": lock(eid)["lock_version"],
    }
    supervisor.post(f"/review/plans/{eid}/request-changes", data=returned)
    assert "Your supervisor asked for changes" in text(candidate.get(f"/plans/{eid}"))
    page = text(supervisor.get(f"/plans/{eid}"))
    assert "You asked for changes" in page and "Your supervisor" not in page
    # Nobody can act now but the candidate: no empty "What next" for the others.
    assert "What next" not in page
    coordinator = signed_in(isolated_client, cast["coordinator"])
    page = text(coordinator.get(f"/plans/{eid}"))
    assert "Siri Veileder asked for changes" in page and "What next" not in page


# --- Who decides (item 9) -----------------------------------------------------------------


def test_a_co_supervisor_is_told_who_decides(cast, candidate, isolated_client):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    co = signed_in(isolated_client, cast["co"])
    response = co.get(f"/review/plans/{eid}")
    assert response.status_code == 403
    page = text(response)
    assert "Only the main supervisor, Siri Veileder, approves the plan" in page
    assert f'href="/plans/{eid}"' in response.get_data(as_text=True)
    home = text(co.get("/"))
    assert "Siri Veileder decides" in home
    assert "0 plans wait for your decision" in home
    assert "Only the main supervisor, Siri Veileder" in text(co.get(f"/plans/{eid}"))
    # A stranger still learns nothing.
    stranger = signed_in(isolated_client, cast["stranger"])
    assert "Siri" not in text(stranger.get(f"/review/plans/{eid}"))


# --- An approved plan changes through a revision (item 6) ---------------------------------


def test_adding_to_an_approved_plan_offers_a_revision(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    response = candidate.get(f"/plans/{eid}/stays/new")
    assert response.status_code == 409
    assert "withdraw it" in text(response) and "changed by someone else" not in text(response)
    approve(supervisor, eid)
    response = candidate.get(f"/plans/{eid}/stays/new")
    assert response.status_code == 409
    page = text(response)
    assert "An approved plan changes through a revision" in page
    assert "changed by someone else" not in page
    assert f'action="/plans/{eid}/revise"' in response.get_data(as_text=True)


# --- Removing asks first (item 7) ---------------------------------------------------------


def test_removing_a_stay_or_an_activity_asks_first(cast, candidate):
    eid = cast["enrolment"].id
    (stay,) = stays_of(eid)
    activity = db.session.scalar(db.select(Activity))
    page = candidate.get(f"/plans/{eid}").get_data(as_text=True)
    assert f'href="/plans/stays/{stay.id}/remove"' in page
    assert f'href="/plans/activities/{activity.id}/remove"' in page
    confirm = candidate.get(f"/plans/stays/{stay.id}/remove")
    assert "Remove the stay at Technische Universität München?" in text(confirm)
    assert stays_of(eid)  # asking removed nothing
    confirm = candidate.get(f"/plans/activities/{activity.id}/remove")
    assert "Remove the activity “ICRA 2026”?" in text(confirm)
    assert db.session.scalar(db.select(Activity)) is not None
    candidate.post(f"/plans/stays/{stay.id}/remove", data={"lock_version": stay.lock_version})
    assert stays_of(eid) == []


def test_cancelling_an_approved_stay_asks_first(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    approve(supervisor, eid)
    candidate.post(f"/plans/{eid}/revise", data=lock(eid))
    (stay,) = stays_of(eid)
    assert "Cancel the stay at" in text(candidate.get(f"/plans/stays/{stay.id}/cancel"))
    assert stays_of(eid)[0].status == StayStatus.PLANNED


# --- Report a stay from its end date (item 8) ---------------------------------------------


def test_a_stay_ahead_says_when_it_can_be_reported(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    ends = date.today() + timedelta(days=40)
    starts = date.today() + timedelta(days=5)
    candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM | {
        "host_institution": "ETH", "start_date": starts.isoformat(),
        "end_date": ends.isoformat()})  # fmt: skip
    submit(candidate, eid)
    approve(supervisor, eid)
    ahead = db.session.scalar(db.select(Stay).where(Stay.host_institution == "ETH"))
    page = candidate.get(f"/plans/{eid}")
    html = page.get_data(as_text=True)
    assert f"/plans/stays/{ahead.id}/report" not in html
    assert "You can report this stay as done from" in text(page)
    # The ended stay is offered.
    (ended,) = [s for s in stays_of(eid) if s.id != ahead.id]
    assert f"/plans/stays/{ended.id}/report" in html
    response = candidate.get(f"/plans/stays/{ahead.id}/report")
    assert response.status_code == 409
    assert "You can report this one from" in text(response)
