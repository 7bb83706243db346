"""Enrolment management by coordinators: create, edit, supervisors, complete, withdraw, reopen."""

from datetime import date, timedelta

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.extensions import db
from tracker.models import AuditEntry, Enrolment, User


@pytest.fixture()
def org(app, make_user, make_programme):
    cs = make_programme("PHD-CS", "IE")
    ee = make_programme("PHD-EE", "IE")
    math = make_programme("PHD-MATH", "NV")
    coordinator = make_user("coord@example.org", "Kari Koordinator", coordinator_of=[cs.faculty])
    return {
        "cs": cs,
        "ee": ee,
        "math": math,
        "coordinator": coordinator,
        "supervisor": make_user("sup@example.org", "Siri Veileder"),
        "co": make_user("co@example.org", "Carl Co"),
        "co2": make_user("co2@example.org", "Cora Co"),
        "math_coord": make_user("math@example.org", coordinator_of=[math]),
    }


def _form(**values):
    base = {
        "email": "new.person@example.org",
        "name": "Nora Ny",
        "kind": "phd",
        "programme": "PHD-CS",
        "start_date": "2026-08-15",
        "expected_end_date": "2030-08-14",
        "main_supervisor_email": "SUP@example.org",
        "co_supervisor_emails": "co@example.org\nco2@example.org, co@example.org",
    }
    base.update(values)
    return {k: v for k, v in base.items() if v is not None}


def _actions():
    return [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]


def test_create_an_enrolment_for_a_new_person(org, login, client):
    login(org["coordinator"])
    assert client.get("/coordinator/enrolments/new").status_code == 200
    response = client.post("/coordinator/enrolments/new", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    enrolment = db.session.scalar(db.select(Enrolment))
    assert response.headers["Location"].endswith(f"/coordinator/enrolments/{enrolment.id}")
    person = enrolment.person
    assert (person.email, person.name, person.password_hash) == (
        "new.person@example.org",
        "Nora Ny",
        None,
    )
    assert enrolment.kind == EnrolmentKind.PHD and enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.programme.code == "PHD-CS"
    assert enrolment.main_supervisor.email == "sup@example.org"
    assert sorted(u.email for u in enrolment.co_supervisors) == [
        "co2@example.org",
        "co@example.org",
    ]
    assert "enrolment_created" in _actions() and "user_created" in _actions()


@pytest.mark.parametrize("invite", [True, False])
def test_the_coordinator_chooses_whether_a_new_person_is_invited(org, login, client, invite):
    from tracker.models import OutboxMessage

    login(org["coordinator"])
    page = client.get("/coordinator/enrolments/new").get_data(as_text=True)
    assert '<input checked class="form-check-input" id="invite" name="invite"' in page
    form = _form(invite="y" if invite else None)
    client.post("/coordinator/enrolments/new", data=form)
    sent = db.session.scalars(
        db.select(OutboxMessage.to_address).where(OutboxMessage.kind == "invitation")
    ).all()
    flashed = client.get("/coordinator/enrolments/new").get_data(as_text=True)
    if invite:
        assert sent == ["new.person@example.org"]
        assert "Nora Ny was e-mailed a link to choose a password." in flashed
    else:
        assert sent == []
        assert "No invitation was sent: Nora Ny can get a link" in flashed


def test_create_for_an_existing_person_needs_no_name(org, login, client, make_user):
    make_user("known@example.org", "Known Person")
    login(org["coordinator"])
    response = client.post(
        "/coordinator/enrolments/new",
        data=_form(email="known@example.org", name="", kind="postdoc", programme="PHD-EE"),
    )
    assert response.status_code == 302
    enrolment = db.session.scalar(db.select(Enrolment))
    assert enrolment.person.name == "Known Person" and enrolment.programme.code == "PHD-EE"
    # The same person, kind and start again: a clear error, not a crash.
    again = client.post(
        "/coordinator/enrolments/new",
        data=_form(email="known@example.org", name="", kind="postdoc", programme="PHD-EE"),
    )
    assert again.status_code == 422
    assert "already has a Postdoc enrolment starting on this date" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"main_supervisor_email": "ghost@example.org"},
            "Nobody in the tracker has the e-mail address ghost@example.org",
        ),
        (
            {"co_supervisor_emails": "co@example.org\nnobody@example.org"},
            "Nobody in the tracker has the e-mail address nobody@example.org",
        ),
        (
            {"main_supervisor_email": "new.person@example.org"},
            "A person cannot be their own supervisor.",
        ),
        ({"name": ""}, "give the person&#39;s name"),
        ({"expected_end_date": "2026-01-01"}, "The expected end cannot be before the start date."),
        ({"start_date": "15.08.2026"}, "Enter the date as 30 Nov 2026 or as YYYY-MM-DD."),
        ({"programme": "PHD-MATH"}, "Not a valid choice"),  # outside the scope
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
    ],
)
def test_create_errors_are_shown_next_to_the_field(org, login, client, values, message):
    login(org["coordinator"])
    response = client.post("/coordinator/enrolments/new", data=_form(**values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Enrolment)) is None
    assert db.session.scalar(db.select(User).where(User.email == "new.person@example.org")) is None


@pytest.fixture()
def enrolment(org):
    built = data.Builder(org["cs"])
    built.person("E", data.PHD, date(2024, 1, 15), expected_end=date(2028, 1, 14))
    db.session.commit()
    return built.enrolments["E"]


def test_edit_the_enrolment(org, enrolment, login, client):
    login(org["coordinator"])
    page = client.get(f"/coordinator/enrolments/{enrolment.id}")
    assert page.status_code == 200
    assert 'name="lock_version" type="hidden" value="1"' in page.get_data(as_text=True)
    response = client.post(
        f"/coordinator/enrolments/{enrolment.id}",
        data={
            "kind": "phd",
            "programme": "PHD-EE",
            "start_date": "2024-01-15",
            "expected_end_date": "2028-06-30",
            "international_experience": "y",
            "main_supervisor_email": "sup@example.org",
            "co_supervisor_emails": "co@example.org",
            "lock_version": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.programme.code == "PHD-EE"
    assert enrolment.expected_end_date == date(2028, 6, 30)
    assert enrolment.international_experience is True
    assert enrolment.main_supervisor.email == "sup@example.org"
    assert [u.email for u in enrolment.co_supervisors] == ["co@example.org"]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "enrolment_updated"))
    assert entry.detail["changes"]["programme"] == ["PHD-CS", "PHD-EE"]


def test_a_stale_form_is_refused(org, enrolment, login, client):
    login(org["coordinator"])
    response = client.post(
        f"/coordinator/enrolments/{enrolment.id}",
        data={
            "kind": "phd",
            "programme": "PHD-CS",
            "start_date": "2024-01-15",
            "lock_version": "0",
        },
    )
    assert response.status_code == 422
    assert "Someone else changed this enrolment" in response.get_data(as_text=True)


def test_complete_then_reopen(org, enrolment, login, client):
    login(org["coordinator"])
    future = (date.today() + timedelta(days=1)).isoformat()
    refused = client.post(
        f"/coordinator/enrolments/{enrolment.id}/complete",
        data={"complete-end_date": future, "complete-lock_version": "1"},
    )
    assert refused.status_code == 422
    assert "cannot be in the future" in refused.get_data(as_text=True)
    before_start = client.post(
        f"/coordinator/enrolments/{enrolment.id}/complete",
        data={"complete-end_date": "2023-12-31", "complete-lock_version": "1"},
    )
    assert "cannot be before the start date" in before_start.get_data(as_text=True)
    done = client.post(
        f"/coordinator/enrolments/{enrolment.id}/complete",
        data={"complete-end_date": "2025-06-01", "complete-lock_version": "1"},
    )
    assert done.status_code == 302
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.end_date) == (EnrolmentStatus.COMPLETED, date(2025, 6, 1))
    reopened = client.post(
        f"/coordinator/enrolments/{enrolment.id}/reopen",
        data={"reopen-lock_version": str(enrolment.lock_version)},
    )
    assert reopened.status_code == 302
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.end_date) == (EnrolmentStatus.ACTIVE, None)
    assert {"enrolment_completed", "enrolment_reopened"} <= set(_actions())


def test_withdraw(org, enrolment, login, client):
    login(org["coordinator"])
    response = client.post(
        f"/coordinator/enrolments/{enrolment.id}/withdraw",
        data={"withdraw-end_date": "2025-03-01", "withdraw-lock_version": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    # Ending it twice is refused with a message, not a crash.
    again = client.post(
        f"/coordinator/enrolments/{enrolment.id}/complete",
        data={
            "complete-end_date": "2025-03-01",
            "complete-lock_version": str(enrolment.lock_version),
        },
    )
    assert again.status_code == 422


def test_objects_load_404_then_403(org, enrolment, login, client):
    login(org["math_coord"])
    assert client.get("/coordinator/enrolments/999999").status_code == 404
    assert client.get(f"/coordinator/enrolments/{enrolment.id}").status_code == 403
    for action in ("complete", "withdraw", "reopen"):
        response = client.post(
            f"/coordinator/enrolments/{enrolment.id}/{action}",
            data={f"{action}-end_date": "2025-01-01", f"{action}-lock_version": "1"},
        )
        assert response.status_code == 403
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert "access_refused" in _actions()


def test_state_changes_need_a_csrf_token(org, enrolment, app, login, client):
    login(org["coordinator"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"/coordinator/enrolments/{enrolment.id}/withdraw",
            data={"withdraw-end_date": "2025-03-01", "withdraw-lock_version": "1"},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_supervisors_can_be_found_by_name_or_address(org, login, client, make_user):
    gone = make_user("siri.gone@example.org", "Siri Gone")
    gone.active = False
    db.session.commit()
    login(org["coordinator"])

    def found(text):
        response = client.get("/coordinator/people", query_string={"q": text})
        assert response.status_code == 200 and response.mimetype == "application/json"
        return [(p["name"], p["email"]) for p in response.get_json()["people"]]

    assert found("siri") == [("Siri Veileder", "sup@example.org")]  # not the deactivated one
    assert found("CO2@EX") == [("Cora Co", "co2@example.org")]
    assert found("s") == []  # one letter would list half the institution
    assert found("%") == [] and found("x" * 500) == []
    for n in range(12):
        make_user(f"many{n}@example.org", f"Many {n}")
    assert len(found("many")) == 10
    # The form offers the search to script; without script the field is a plain address.
    page = client.get("/coordinator/enrolments/new").get_data(as_text=True)
    assert 'data-person-search="/coordinator/people"' in page
    assert 'type="email"' in page and 'name="main_supervisor_email"' in page


def test_only_coordinators_search_for_people(org, login, client):
    login(org["supervisor"])
    assert client.get("/coordinator/people?q=siri").status_code == 403
