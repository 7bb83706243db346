"""Two people (or two runs) doing the same thing at the same moment end in one consistent
state: the loser is told clearly, nothing is lost, and the audit log shows every change.

Each side runs in its own thread with its own app context, session and database
connection, released together by a barrier, against the database under test (SQLite
or PostgreSQL).
"""

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.plan_support import STAY_FORM, people, plan_of, signed_in
from tracker.domain.vocabulary import PlanStatus
from tracker.extensions import db, limiter
from tracker.models import AuditEntry, Enrolment, OutboxMessage, PlanVersion, User
from tracker.services import importing
from tracker.services.reminders import send_reminders


def together(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released at the same moment; return their results."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except BaseException as error:  # the test looks at it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture()
def submitted(app, make_user, make_programme, make_enrolment, isolated_client):
    """A submitted plan that both the main supervisor and the co-supervisor may decide."""
    app.config["ANY_SUPERVISOR_MAY_APPROVE"] = True
    cast = people(make_user, make_programme, make_enrolment)
    eid = cast["enrolment"].id
    candidate = signed_in(isolated_client, cast["candidate"])
    candidate.post(f"/plans/{eid}/start")
    candidate.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    candidate.post(f"/plans/{eid}/submit", data={"lock_version": plan_of(eid).lock_version})
    assert plan_of(eid).status == PlanStatus.SUBMITTED
    yield cast
    app.config["ANY_SUPERVISOR_MAY_APPROVE"] = False


def test_two_supervisors_deciding_at_once_give_one_decision(submitted, isolated_client):
    eid = submitted["enrolment"].id
    lock = plan_of(eid).lock_version
    main = signed_in(isolated_client, submitted["supervisor"])
    co = signed_in(isolated_client, submitted["co"])
    approve, changes = together(
        lambda: main.post(f"/review/plans/{eid}/approve",
                          data={"approve-lock_version": lock, "approve-comment": "Fine."}),
        lambda: co.post(f"/review/plans/{eid}/request-changes",
                        data={"changes-lock_version": lock, "changes-comment": "Add a month."}),
    )  # fmt: skip
    statuses = sorted([approve.status_code, changes.status_code])
    assert statuses == [302, 409], statuses
    loser = approve if approve.status_code == 409 else changes
    page = loser.get_data(as_text=True)
    assert "changed by someone else" in page or "Someone else" in page
    typed = "Fine." if loser is approve else "Add a month."
    assert typed in page  # what the loser typed is kept
    plan = plan_of(eid)
    decisions = [v for v in plan.versions if v.event.value in ("approved", "changes_requested")]
    assert len(decisions) == 1
    expected = PlanStatus.APPROVED if approve.status_code == 302 else PlanStatus.CHANGES_REQUESTED
    assert plan.status == expected
    actions = _actions()
    assert actions.count("plan_approved") + actions.count("plan_changes_requested") == 1


def test_a_candidate_editing_while_an_import_changes_the_enrolment(submitted, isolated_client,
                                                                   make_user):  # fmt: skip
    eid = submitted["enrolment"].id
    plan_lock = plan_of(eid).lock_version
    candidate = signed_in(isolated_client, submitted["candidate"])
    # Changes requested, so the candidate may edit the plan again.
    supervisor = signed_in(isolated_client, submitted["supervisor"])
    changes = {"changes-lock_version": plan_lock, "changes-comment": "More."}
    supervisor.post(f"/review/plans/{eid}/request-changes", data=changes)
    plan_lock = plan_of(eid).lock_version
    text = (
        "kind,email,name,programme,start_date,expected_end_date\n"
        "phd,candidate@example.org,Ola Kandidat,PHD-CS,2025-01-15,2029-06-30\n"
    )

    def import_file() -> importing.ImportResult:
        result = importing.import_csv("enrolments", text)
        db.session.commit()
        return result

    def edit() -> Any:
        return candidate.post(f"/plans/{eid}/edit", data={
            "narrative": "Two conferences and a stay.", "no_stay_justification": "",
            "lock_version": plan_lock})  # fmt: skip

    result, response = together(_in_context(import_file), edit)
    assert isinstance(result, importing.ImportResult) and result.ok, result
    assert response.status_code == 302
    db.session.rollback()
    enrolment = db.session.get(Enrolment, eid)
    assert enrolment.expected_end_date == date(2029, 6, 30)
    assert plan_of(eid).narrative == "Two conferences and a stay."
    actions = _actions()
    assert "import" in actions and "plan_saved" in actions


def test_the_same_file_imported_twice_at_once(app, make_programme):
    make_programme("PHD-CS", "IE")
    rows = "".join(
        f"phd,new{n}@example.org,New {n},PHD-CS,2025-08-15,sup{n % 3}@example.org,Sup {n % 3}\n"
        for n in range(40)
    )
    text = "kind,email,name,programme,start_date,supervisor_email,supervisor_name\n" + rows

    def import_file() -> importing.ImportResult:
        result = importing.import_csv("enrolments", text)
        if result.ok:
            db.session.commit()
        else:
            db.session.rollback()
        return result

    first, second = together(_in_context(import_file), _in_context(import_file))
    results = [first, second]
    assert all(isinstance(r, importing.ImportResult) for r in results), results
    assert any(r.ok and r.created == 40 for r in results)
    for result in results:
        if not result.ok:  # the loser wrote nothing and says why
            assert "at the same time" in result.errors[0].message
        else:
            assert result.created in (0, 40)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 40
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 43


def test_two_reminder_runs_at_once_send_each_reminder_once(app, make_user, make_programme,
                                                          make_enrolment):  # fmt: skip
    programme = make_programme("PHD-CS", "IE")
    for n in range(12):  # plans overdue: every candidate gets a reminder
        make_enrolment(make_user(f"late{n}@example.org", f"Late {n}"), programme=programme,
                       start_date=date(2025, 1, 1))  # fmt: skip
    runs = together(_in_context(lambda: send_reminders(date(2025, 6, 1))),
                    _in_context(lambda: send_reminders(date(2025, 6, 1))))  # fmt: skip
    assert all(not isinstance(r, BaseException) for r in runs), runs
    # Each reminder is queued by one run; the other skips it or never sees it as due.
    assert sum(r.counts[k] for r in runs for k in r.counts) == 12
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 12
    assert not db.session.scalars(
        db.select(PlanVersion)
    ).all()  # nothing else was touched


def _in_context(action: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``action`` in an app context (and session) of its own, as a command would."""
    from flask import current_app

    app = current_app._get_current_object()

    def run() -> Any:
        from tracker.sqlite import writing

        with app.app_context(), writing():
            limiter.reset()
            return action()

    return run
