"""Submit, decide, revise, history: the plan workflow through the test client."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.plan_support import (
    STAY_FORM,
    body,
    count_queries,
    people,
    plan_of,
    signed_in,
    stays_of,
    text,
)
from tracker.domain.snapshot import snapshot_digest
from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import AuditEntry, Plan, PlanVersion


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def candidate(cast, isolated_client):
    """The candidate's client, with a draft plan holding one stay abroad."""
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    return client


@pytest.fixture()
def supervisor(cast, isolated_client):
    return signed_in(isolated_client, cast["supervisor"])


def submit(client, eid):
    return client.post(f"/plans/{eid}/submit", data={"lock_version": plan_of(eid).lock_version})


def approve(client, eid, comment="", lock_version=None):
    lock = plan_of(eid).lock_version if lock_version is None else lock_version
    return client.post(
        f"/review/plans/{eid}/approve",
        data={"approve-comment": comment, "approve-lock_version": lock},
    )


def ask_changes(client, eid, comment, lock_version=None):
    lock = plan_of(eid).lock_version if lock_version is None else lock_version
    return client.post(
        f"/review/plans/{eid}/request-changes",
        data={"changes-comment": comment, "changes-lock_version": lock},
    )


def versions(eid) -> list[tuple[int, PlanEvent]]:
    plan = plan_of(eid)
    return [(v.number, v.event) for v in plan.versions]


def audit_actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_submitting_needs_a_stay_abroad_or_a_justification(cast, isolated_client):
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    client.post(f"/plans/{eid}/start")
    client.post(f"/plans/{eid}/stays/new", data=STAY_FORM | {"country": "NO"})
    assert "Add at least one planned stay abroad" in text(client.get(f"/plans/{eid}"))
    response = submit(client, eid)
    assert response.status_code == 302
    assert "Add at least one planned stay abroad" in text(client.get(response.location))
    assert plan_of(eid).status == PlanStatus.DRAFT
    assert versions(eid) == []

    client.post(
        f"/plans/{eid}/edit",
        data={
            "narrative": "",
            "no_stay_justification": "My fieldwork is in Finnmark.",
            "lock_version": plan_of(eid).lock_version,
        },
    )
    assert submit(client, eid).status_code == 302
    assert plan_of(eid).status == PlanStatus.SUBMITTED


def test_submission_records_a_snapshot_and_tells_the_deciding_supervisor(cast, candidate, mailbox):
    eid = cast["enrolment"].id
    assert submit(candidate, eid).status_code == 302
    plan = plan_of(eid)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at is not None
    (version,) = plan.versions
    assert (version.number, version.event, version.actor_id) == (
        1,
        PlanEvent.SUBMITTED,
        cast["candidate"].id,
    )
    assert version.snapshot["stays"][0]["host_institution"] == "Technische Universität München"
    assert version.snapshot_sha256 == snapshot_digest(version.snapshot)
    assert "plan_submitted" in audit_actions()
    # Only the main supervisor decides by default, so only they are told.
    (message,) = mailbox
    assert message["To"] == "supervisor@example.org"
    assert "Ola Kandidat" in message["Subject"]
    assert f"http://127.0.0.1:5000/review/plans/{eid}" in body(message)


def test_submitted_plan_is_read_only_for_the_candidate(cast, candidate):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    (stay,) = stays_of(eid)
    page = text(candidate.get(f"/plans/{eid}"))
    assert "cannot be changed until then" in page
    assert "Add a stay" not in page and "Submit plan" not in page
    assert candidate.get(f"/plans/{eid}/edit").status_code == 409
    assert candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM).status_code == 409
    response = candidate.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"city": "Berlin", "lock_version": stay.lock_version},
    )
    assert response.status_code == 409
    assert submit(candidate, eid).status_code == 409
    assert len(stays_of(eid)) == 1 and stays_of(eid)[0].city == "München"
    assert "transition_refused" in audit_actions()


def test_request_changes_needs_a_comment(cast, candidate, supervisor, mailbox):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    response = ask_changes(supervisor, eid, "   ")
    assert response.status_code == 422
    assert "Write a comment so the candidate knows what to change." in text(response)
    assert plan_of(eid).status == PlanStatus.SUBMITTED
    assert len(mailbox) == 1  # only the submission


def test_changes_requested_then_resubmitted_then_approved(cast, candidate, supervisor, mailbox):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    page = supervisor.get(f"/review/plans/{eid}")
    assert page.status_code == 200
    assert "Added: Technische Universität München" in text(page)

    assert ask_changes(supervisor, eid, "Please add the funding plan.").status_code == 302
    assert plan_of(eid).status == PlanStatus.CHANGES_REQUESTED
    message = mailbox.to("candidate@example.org")[-1]
    assert message["Subject"] == "Changes requested to your mobility plan"
    assert "Please add the funding plan." in body(message)
    assert f"http://127.0.0.1:5000/plans/{eid}" in body(message)

    # The candidate sees the comment on the home page and on the plan, and may edit again.
    home = text(candidate.get("/"))
    assert "Make the changes your supervisor asked for and resubmit" in home
    assert "Please add the funding plan." in home
    assert "Please add the funding plan." in text(candidate.get(f"/plans/{eid}"))
    (stay,) = stays_of(eid)
    response = candidate.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"funding": "overseas_research_grant", "lock_version": stay.lock_version},
    )
    assert response.status_code == 302
    assert submit(candidate, eid).status_code == 302

    review = text(supervisor.get(f"/review/plans/{eid}"))
    assert "Submitted version (submission 2" in review
    assert approve(supervisor, eid, "Good plan.").status_code == 302
    plan = plan_of(eid)
    assert plan.status == PlanStatus.APPROVED
    assert versions(eid) == [
        (1, PlanEvent.SUBMITTED),
        (1, PlanEvent.CHANGES_REQUESTED),
        (2, PlanEvent.SUBMITTED),
        (2, PlanEvent.APPROVED),
    ]
    approved = plan.approved_version
    assert approved.event == PlanEvent.APPROVED and approved.comment == "Good plan."
    assert approved.snapshot == plan.versions[2].snapshot
    assert approved.snapshot["stays"][0]["funding"] == "overseas_research_grant"
    assert all(stay.in_approved_plan for stay in stays_of(eid))
    message = mailbox.to("candidate@example.org")[-1]
    assert message["Subject"] == "Your mobility plan is approved"
    assert "Good plan." in body(message)
    assert [a for a in audit_actions() if a.startswith("plan_")] == [
        "plan_started",
        "plan_submitted",
        "plan_changes_requested",
        "plan_submitted",
        "plan_approved",
    ]
    assert "Approved — report stays when they are done" in text(candidate.get("/"))


def test_approving_a_draft_is_refused_and_changes_nothing(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    response = approve(supervisor, eid)
    assert response.status_code == 409
    assert plan_of(eid).status == PlanStatus.DRAFT
    assert versions(eid) == []
    assert "transition_refused" in audit_actions()


def test_candidate_cannot_approve_their_own_plan(cast, candidate, make_enrolment):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    assert candidate.get(f"/review/plans/{eid}").status_code == 403
    assert approve(candidate, eid).status_code == 403
    assert ask_changes(candidate, eid, "Fine by me").status_code == 403
    assert plan_of(eid).status == PlanStatus.SUBMITTED


def test_a_candidate_listed_as_their_own_supervisor_still_cannot_decide(
    cast, make_enrolment, make_user, isolated_client
):
    person = make_user("selfie@example.org")
    enrolment = make_enrolment(person, supervisor=person)
    client = signed_in(isolated_client, person)
    client.post(f"/plans/{enrolment.id}/start")
    client.post(f"/plans/{enrolment.id}/stays/new", data=STAY_FORM)
    submit(client, enrolment.id)
    assert approve(client, enrolment.id).status_code == 403
    assert plan_of(enrolment.id).status == PlanStatus.SUBMITTED


def test_deciding_twice_is_refused(cast, candidate, supervisor, mailbox):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    assert approve(supervisor, eid).status_code == 302
    assert approve(supervisor, eid).status_code == 409
    assert ask_changes(supervisor, eid, "Actually no").status_code == 409
    assert plan_of(eid).status == PlanStatus.APPROVED
    assert versions(eid) == [(1, PlanEvent.SUBMITTED), (1, PlanEvent.APPROVED)]
    assert len(mailbox.to("candidate@example.org")) == 1


def test_a_decision_on_a_stale_page_gets_the_reload_message(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    opened_with = plan_of(eid).lock_version
    assert ask_changes(supervisor, eid, "More detail", lock_version=opened_with).status_code == 302
    # The candidate resubmits; a decision made on the page opened before is refused.
    submit(candidate, eid)
    response = approve(supervisor, eid, "ok", lock_version=opened_with)
    assert response.status_code == 409
    assert "changed by someone else since you opened it" in text(response)
    assert plan_of(eid).status == PlanStatus.SUBMITTED


def test_co_supervisor_decides_only_when_the_institution_allows(
    cast, candidate, isolated_client, app, mailbox
):
    eid = cast["enrolment"].id
    co = signed_in(isolated_client, cast["co"])
    submit(candidate, eid)
    assert co.get(f"/review/plans/{eid}").status_code == 403
    assert approve(co, eid).status_code == 403
    assert "No plans are waiting" in text(co.get("/review/"))
    assert [m["To"] for m in mailbox] == ["supervisor@example.org"]

    app.config["ANY_SUPERVISOR_MAY_APPROVE"] = True
    try:
        assert ask_changes(co, eid, "Add dates").status_code == 302
        submit(candidate, eid)
        assert sorted(m["To"] for m in mailbox[1:] if "decide" in m["Subject"]) == [
            "co@example.org",
            "supervisor@example.org",
        ]
        assert "Ola Kandidat" in text(co.get("/review/"))
        assert approve(co, eid).status_code == 302
    finally:
        app.config["ANY_SUPERVISOR_MAY_APPROVE"] = False
    assert plan_of(eid).approved_version.actor_id == cast["co"].id


@pytest.mark.parametrize("who", ["coordinator", "stranger"])
def test_others_cannot_decide(cast, candidate, isolated_client, who):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    client = signed_in(isolated_client, cast[who])
    assert approve(client, eid).status_code == 403
    assert client.get(f"/review/plans/{eid}").status_code == 403
    assert plan_of(eid).status == PlanStatus.SUBMITTED


def test_revision_keeps_the_approved_version_in_force(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    approve(supervisor, eid)
    approved_id = plan_of(eid).approved_version_id
    (kept,) = stays_of(eid)

    response = candidate.post(
        f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version}
    )
    assert response.status_code == 302
    plan = plan_of(eid)
    assert plan.status == PlanStatus.DRAFT
    assert plan.approved_version_id == approved_id
    assert versions(eid)[-1] == (1, PlanEvent.REVISION_STARTED)
    assert "The approved version stays in force" in text(candidate.get(f"/plans/{eid}"))
    home = text(candidate.get("/"))
    assert "Approved — revision in progress" in home and "Draft" not in home
    assert "Continue your revision and submit it" in home
    assert "The approved version of your plan still holds" in home

    candidate.post(
        f"/plans/{eid}/stays/new", data=STAY_FORM | {"host_institution": "KTH", "country": "SE"}
    )
    new = next(s for s in stays_of(eid) if s.host_institution == "KTH")
    assert not new.in_approved_plan and stays_of(eid)[0].in_approved_plan
    # A stay of the approved version cannot be deleted, only cancelled.
    response = candidate.post(
        f"/plans/stays/{kept.id}/remove", data={"lock_version": kept.lock_version}
    )
    assert response.status_code == 409
    assert len(stays_of(eid)) == 2

    submit(candidate, eid)
    review = text(supervisor.get(f"/review/plans/{eid}"))
    assert "Changes since the approved version (submission 1)" in review
    assert "Added: KTH" in review
    assert "Technische Universität München" in review
    assert approve(supervisor, eid).status_code == 302
    plan = plan_of(eid)
    assert plan.approved_version_id != approved_id
    assert plan.approved_version.number == 2
    assert all(stay.in_approved_plan for stay in stays_of(eid))


def test_revision_only_of_an_approved_plan_by_its_candidate(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    lock = {"lock_version": plan_of(eid).lock_version}
    assert candidate.post(f"/plans/{eid}/revise", data=lock).status_code == 409
    submit(candidate, eid)
    approve(supervisor, eid)
    lock = {"lock_version": plan_of(eid).lock_version}
    assert supervisor.post(f"/plans/{eid}/revise", data=lock).status_code == 403
    assert plan_of(eid).status == PlanStatus.APPROVED


def test_history_lists_every_event_and_any_version_can_be_viewed(
    cast, candidate, supervisor, isolated_client, make_enrolment
):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    ask_changes(supervisor, eid, "Say why München.")
    submit(candidate, eid)
    approve(supervisor, eid, "Thanks.")
    for who in ("candidate", "supervisor", "co", "coordinator"):
        client = candidate if who == "candidate" else signed_in(isolated_client, cast[who])
        page = client.get(f"/plans/{eid}/history")
        assert page.status_code == 200, who
        body = text(page)
        assert "Say why München." in body and "Thanks." in body
        assert "Siri Veileder" in body and "Ola Kandidat" in body
    plan = plan_of(eid)
    for version in plan.versions:
        page = candidate.get(f"/plans/{eid}/versions/{version.id}")
        assert page.status_code == 200
        assert version.snapshot_sha256 in page.get_data(as_text=True)
    stranger = signed_in(isolated_client, cast["stranger"])
    first = plan.versions[0].id
    assert stranger.get(f"/plans/{eid}/history").status_code == 403
    assert stranger.get(f"/plans/{eid}/versions/{first}").status_code == 403
    other = make_enrolment(cast["stranger"], supervisor=cast["supervisor"])
    # A version is only found under its own enrolment.
    assert stranger.get(f"/plans/{other.id}/versions/{first}").status_code == 404
    assert candidate.get(f"/plans/{eid}/versions/99999").status_code == 404


def test_queue_lists_waiting_plans_oldest_first_with_waiting_time(
    cast, candidate, supervisor, make_user, make_enrolment, isolated_client
):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    second = make_enrolment(
        make_user("anne@example.org", "Anne Annen"), supervisor=cast["supervisor"]
    )
    anne = signed_in(isolated_client, second.person)
    anne.post(f"/plans/{second.id}/start")
    anne.post(f"/plans/{second.id}/stays/new", data=STAY_FORM)
    submit(anne, second.id)
    # Anne's plan was submitted 20 days ago, Ola's 3.
    now = datetime.now(UTC)
    db.session.rollback()
    for enrolment_id, days in ((eid, 3), (second.id, 20)):
        plan = db.session.scalar(db.select(Plan).where(Plan.enrolment_id == enrolment_id))
        plan.submitted_at = now - timedelta(days=days)
    db.session.commit()
    page = text(supervisor.get("/review/"))
    assert page.index("Anne Annen") < page.index("Ola Kandidat")
    assert "20 days" in page and "3 days" in page
    home = text(supervisor.get("/"))
    assert "2 plans wait for your decision" in home
    assert "0 stays wait for your confirmation" in home
    # Someone supervising nobody has an empty queue and no Review link.
    stranger = signed_in(isolated_client, cast["stranger"])
    assert "No plans are waiting" in text(stranger.get("/review/"))
    assert 'href="/review/"' not in stranger.get("/").get_data(as_text=True)
    assert 'href="/review/"' in supervisor.get("/").get_data(as_text=True)


def test_version_rows_are_immutable_records(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    approve(supervisor, eid)
    (stay,) = stays_of(eid)
    before = [(v.id, v.snapshot_sha256) for v in plan_of(eid).versions]
    candidate.post(f"/plans/{eid}/revise", data={"lock_version": plan_of(eid).lock_version})
    candidate.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"city": "Garching", "lock_version": stays_of(eid)[0].lock_version},
    )
    after = db.session.scalars(db.select(PlanVersion).order_by(PlanVersion.id)).all()
    assert [(v.id, v.snapshot_sha256) for v in after[: len(before)]] == before
    assert all(snapshot_digest(v.snapshot) == v.snapshot_sha256 for v in after)
    assert after[0].snapshot["stays"][0]["city"] == "München"


def test_queue_and_history_queries_do_not_grow_with_rows(
    cast, candidate, supervisor, make_user, make_enrolment, isolated_client
):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    queue_few = count_queries(supervisor, "/review/")
    history_few = count_queries(supervisor, f"/plans/{eid}/history")
    for n in range(3):
        ask_changes(supervisor, eid, f"Round {n}")
        submit(candidate, eid)
        enrolment = make_enrolment(
            make_user(f"c{n}@example.org", f"Cand {n}"), supervisor=cast["supervisor"]
        )
        client = signed_in(isolated_client, enrolment.person)
        client.post(f"/plans/{enrolment.id}/start")
        client.post(f"/plans/{enrolment.id}/stays/new", data=STAY_FORM)
        submit(client, enrolment.id)
    assert len(plan_of(eid).versions) == 7
    assert count_queries(supervisor, "/review/") == queue_few
    assert count_queries(supervisor, f"/plans/{eid}/history") == history_few


def test_a_stored_snapshot_without_stays_still_shows_the_review_page(cast, candidate, supervisor):
    eid = cast["enrolment"].id
    submit(candidate, eid)
    plan = plan_of(eid)
    empty = {"narrative": "Imported."}
    db.session.add(
        PlanVersion(
            plan_id=plan.id,
            number=2,
            event=PlanEvent.SUBMITTED,
            created_at=datetime.now(UTC),
            effective_at=datetime.now(UTC),
            comment="",
            snapshot=empty,
            snapshot_sha256=snapshot_digest(empty),
        )
    )
    db.session.commit()
    response = supervisor.get(f"/review/plans/{eid}")
    assert response.status_code == 200
    assert "Imported." in text(response)


def test_home_pages_ask_only_what_their_reader_needs(cast, candidate, supervisor):
    # Someone who supervises nobody: their user (with the answer to that), then their
    # enrolments with the supervisor's comments.
    assert count_queries(candidate, "/") == 2
    submit(candidate, cast["enrolment"].id)
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        page = supervisor.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert page.status_code == 200
    assert "1 plan waits for your decision" in " ".join(text(page).split())
    # The waiting plans and stays are counted once, for the page and the navigation's badge.
    assert sum("count(*)" in s for s in statements) == 2
    approve(supervisor, cast["enrolment"].id, comment="Good luck in Munich.")
    assert count_queries(candidate, "/") == 2
    assert "Good luck in Munich." in text(candidate.get("/"))
