"""Marking an activity done with its date (and undoing it), through the test client."""

from datetime import date, timedelta

import pytest

from tests.plan_support import STAY_FORM, people, plan_of, reload, signed_in, text
from tracker.domain.vocabulary import ActivityStatus, ActivityType, PlanStatus
from tracker.extensions import db
from tracker.models import Activity, AuditEntry

ACTIVITY = {
    "type": "conference",
    "title": "Talk at ICRA",
    "planned_term": "2026 spring",
    "status": "planned",
    "evidence": "",
    "lock_version": "0",
}
TODAY = date.today()


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def supervisor(cast, isolated_client):
    return signed_in(isolated_client, cast["supervisor"])


def _submit(client, eid):
    return client.post(f"/plans/{eid}/submit", data={"lock_version": plan_of(eid).lock_version})


def _approve(supervisor, eid):
    response = supervisor.post(
        f"/review/plans/{eid}/approve", data={"approve-lock_version": plan_of(eid).lock_version}
    )
    assert response.status_code == 302
    assert plan_of(eid).status == PlanStatus.APPROVED


@pytest.fixture()
def candidate(cast, isolated_client, supervisor):
    """The candidate's client, with an approved plan holding a stay and one activity."""
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    assert client.post(f"/plans/{eid}/activities/new", data=ACTIVITY).status_code == 302
    _submit(client, eid)
    _approve(supervisor, eid)
    return client


def the_activity(cast) -> Activity:
    db.session.rollback()
    return db.session.scalar(
        db.select(Activity).where(Activity.enrolment_id == cast["enrolment"].id)
    )


def mark(client, activity, done_on, **changes):
    data = {"done_on": done_on, "lock_version": activity.lock_version} | changes
    return client.post(f"/plans/activities/{activity.id}/done", data=data)


def audit(action: str) -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_approval_records_the_approved_type(cast, candidate):
    activity = the_activity(cast)
    assert activity.approved_type == ActivityType.CONFERENCE


def test_marking_done_on_an_approved_plan_keeps_it_approved(cast, candidate, supervisor):
    activity = the_activity(cast)
    page = text(candidate.get(f"/plans/{cast['enrolment'].id}"))
    assert "Mark as done activity Talk at ICRA" in page
    form = candidate.get(f"/plans/activities/{activity.id}/done")
    assert form.status_code == 200
    assert f'value="{date.today().isoformat()}"' in form.get_data(as_text=True)  # to start from

    response = mark(candidate, activity, "2025-03-10")
    assert response.status_code == 302
    activity = the_activity(cast)
    assert (activity.status, activity.done_on) == (ActivityStatus.DONE, date(2025, 3, 10))
    assert plan_of(cast["enrolment"].id).status == PlanStatus.APPROVED
    (entry,) = audit("activity_done")
    assert entry.object_id == activity.id and entry.detail["done_on"] == "2025-03-10"

    # The supervisor sees it, with its date, on the plan.
    seen = text(supervisor.get(f"/plans/{cast['enrolment'].id}"))
    assert "Done on 10 Mar 2025" in seen
    # Only the candidate marks activities: the supervisor has no buttons for it.
    assert "Mark as not done" not in seen


def test_undo(cast, candidate):
    mark(candidate, the_activity(cast), "2025-03-10")
    activity = the_activity(cast)
    page = text(candidate.get(f"/plans/{cast['enrolment'].id}"))
    assert "Mark as not done activity Talk at ICRA" in page
    response = candidate.post(
        f"/plans/activities/{activity.id}/not-done", data={"lock_version": activity.lock_version}
    )
    assert response.status_code == 302
    activity = the_activity(cast)
    assert (activity.status, activity.done_on) == (ActivityStatus.PLANNED, None)
    (entry,) = audit("activity_not_done")
    assert entry.detail["done_on"] == "2025-03-10"
    # Not done already: nothing to undo.
    again = candidate.post(
        f"/plans/activities/{activity.id}/not-done", data={"lock_version": activity.lock_version}
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("done_on", "message"),
    [
        # Two days ahead: still in the future for a run that crosses midnight.
        ((TODAY + timedelta(days=2)).isoformat(), "The date is in the future"),
        ("2025-01-14", "The date is before the enrolment started (15 Jan 2025)."),
        ("2025-13-01", "Enter the date as 30 Nov 2026 or as YYYY-MM-DD."),
        ("10.03.2025", "Enter the date as 30 Nov 2026 or as YYYY-MM-DD."),  # bokmål's form
        ("1900-01-01", "Enter a date between 1 Jan 1950 and 31 Dec 2100."),
        ("9999-12-31", "Enter a date between 1 Jan 1950 and 31 Dec 2100."),
        ("", "Enter the date the activity was done, as 30 Nov 2026 or as YYYY-MM-DD."),
        ("x" * 5000, "Enter the date as 30 Nov 2026 or as YYYY-MM-DD."),
    ],
)
def test_a_bad_date_gets_a_clear_message_and_changes_nothing(cast, candidate, done_on, message):
    activity = the_activity(cast)
    response = mark(candidate, activity, done_on)
    assert response.status_code == 422
    assert message in text(response)
    activity = the_activity(cast)
    assert (activity.status, activity.done_on) == (ActivityStatus.PLANNED, None)
    assert audit("activity_done") == []


def test_the_first_day_and_today_are_accepted(cast, candidate):
    assert mark(candidate, the_activity(cast), "2025-01-15").status_code == 302
    activity = the_activity(cast)
    candidate.post(
        f"/plans/activities/{activity.id}/not-done", data={"lock_version": activity.lock_version}
    )
    assert mark(candidate, the_activity(cast), TODAY.isoformat()).status_code == 302
    assert the_activity(cast).done_on == TODAY


def test_a_stale_form_is_a_conflict(cast, candidate):
    activity = the_activity(cast)
    response = mark(candidate, activity, "2025-03-10", lock_version=activity.lock_version - 1)
    assert response.status_code == 409
    assert "changed by someone else" in text(response)
    assert the_activity(cast).status == ActivityStatus.PLANNED


@pytest.mark.parametrize("who", ["supervisor", "co", "coordinator", "stranger"])
def test_nobody_else_marks_it(cast, candidate, isolated_client, who):
    activity = the_activity(cast)
    other = signed_in(isolated_client, cast[who])
    assert other.get(f"/plans/activities/{activity.id}/done").status_code == 403
    assert mark(other, activity, "2025-03-10").status_code == 403
    response = other.post(
        f"/plans/activities/{activity.id}/not-done", data={"lock_version": activity.lock_version}
    )
    assert response.status_code == 403
    assert the_activity(cast).status == ActivityStatus.PLANNED


def test_missing_activity_and_anonymous(cast, candidate, isolated_client):
    assert candidate.get("/plans/activities/999999/done").status_code == 404
    anonymous = isolated_client()
    response = anonymous.get(f"/plans/activities/{the_activity(cast).id}/done")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_draft_takes_the_date_in_the_activity_form_instead(cast, isolated_client):
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/activities/new", data=ACTIVITY)
    activity = the_activity(cast)
    assert "Mark as done" not in text(client.get(f"/plans/{eid}"))
    assert client.get(f"/plans/activities/{activity.id}/done").status_code == 409
    assert mark(client, activity, "2025-03-10").status_code == 409
    added = client.post(
        f"/plans/{eid}/activities/new",
        data=ACTIVITY | {"title": "Paper", "status": "done", "done_on": "2025-06-01"},
    )
    assert added.status_code == 302
    future = client.post(
        f"/plans/{eid}/activities/new",
        data=ACTIVITY
        | {"title": "Later", "status": "done", "done_on": (TODAY + timedelta(2)).isoformat()},
    )
    assert future.status_code == 422
    assert "The date is in the future" in text(future)


def test_the_supervisor_reviews_the_date(cast, candidate, supervisor):
    """A revision submitted after the activity was done shows the date in the review."""
    eid = cast["enrolment"].id
    mark(candidate, the_activity(cast), "2025-03-10")
    candidate.post(f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version})
    candidate.post(f"/plans/{eid}/activities/new", data=ACTIVITY | {"title": "Summer school"})
    _submit(candidate, eid)
    review = text(supervisor.get(f"/review/plans/{eid}"))
    assert "Done on 10 Mar 2025" in review
    # What changed since the approved version: it was planned, it is done.
    assert "Done on: from “” to “10 Mar 2025”" in review


def test_done_is_a_fact_a_discarded_revision_keeps(cast, candidate):
    eid = cast["enrolment"].id
    candidate.post(f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version})
    activity = the_activity(cast)
    # In a revision the form edits it; the type change waits for approval, the date does not.
    response = candidate.post(
        f"/plans/activities/{activity.id}/edit",
        data=ACTIVITY
        | {
            "type": "publication",
            "status": "done",
            "done_on": "2025-04-01",
            "lock_version": activity.lock_version,
        },
    )
    assert response.status_code == 302
    activity = the_activity(cast)
    assert (activity.type, activity.approved_type) == ("publication", "conference")
    page = candidate.get(f"/plans/{eid}/discard-revision")
    assert page.status_code == 200
    lock = {"lock_version": plan_of(eid).lock_version}
    assert candidate.post(f"/plans/{eid}/discard-revision", data=lock).status_code == 302
    activity = the_activity(cast)
    assert (activity.type, activity.approved_type) == ("conference", "conference")
    assert (activity.status, activity.done_on) == (ActivityStatus.DONE, date(2025, 4, 1))


def test_an_activity_added_in_a_revision_counts_as_approved_once_approved(
    cast, candidate, supervisor
):
    eid = cast["enrolment"].id
    candidate.post(f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version})
    paper = ACTIVITY | {"title": "Paper", "type": "publication"}
    assert candidate.post(f"/plans/{eid}/activities/new", data=paper).status_code == 302
    db.session.rollback()
    added = db.session.scalar(db.select(Activity).where(Activity.title == "Paper"))
    assert added.approved_type is None
    _submit(candidate, eid)
    _approve(supervisor, eid)
    assert reload(Activity, added.id).approved_type == ActivityType.PUBLICATION
