"""Every way an address enters the tracker reads every spelling of it as the same person.

A coordinator of PHD-CS must not reach an enrolment of another faculty by spelling
its candidate's address differently (full-width letters, look-alike dots, case,
spaces, a trailing dot): not through the CSV import, the enrolment form, the
command line, log-in or password links.
"""

import io
import re
from datetime import date

import pytest

from tracker.domain.vocabulary import EnrolmentKind
from tracker.extensions import db
from tracker.models import Enrolment, Programme, User
from tracker.services import accounts

VICTIM = "candidate.approved@example.org"
SPELLINGS = [
    "candidate.approved@example\u3002org",
    "candidate.approved@example\uff0eorg",
    "candidate.approved@example\uff61org",
    "candidate\u3002approved@example.org",
    "ＣＡＮＤＩＤＡＴＥ.approved@ｅｘａｍｐｌｅ.ｏｒｇ",
    "Candidate.Approved@EXAMPLE.org",
    "  candidate.approved@example.org\u3000",
    "candidate.approved@example.org.",
]
START = date(2024, 1, 15)


@pytest.fixture()
def world(app, make_user, make_programme, make_enrolment):
    cs = make_programme("PHD-CS", "IE")
    hist = make_programme("PHD-HIST", "HF")
    supervisor = make_user("supervisor.hist@example.org", "Hedda Historiker")
    victim = make_user(VICTIM, "Vera Offer")
    enrolment = make_enrolment(victim, programme=hist, supervisor=supervisor, start_date=START)
    coordinator = make_user("coord.cs@example.org", "Kari Koordinator", coordinator_of=[cs])
    return {"cs": cs, "hist": hist, "victim": victim, "enrolment": enrolment,
            "coordinator": coordinator, "supervisor": supervisor}  # fmt: skip


def _state() -> list[tuple]:
    """Return every enrolment and user as plain values, to see that nothing changed."""
    enrolments = db.session.execute(
        db.select(Enrolment.id, Enrolment.person_id, Enrolment.programme_id,
                  Enrolment.main_supervisor_id, Enrolment.start_date, Enrolment.status)
        .order_by(Enrolment.id)
    ).all()  # fmt: skip
    users = db.session.execute(db.select(User.id, User.email).order_by(User.id)).all()
    return [tuple(row) for row in [*enrolments, *users]]


def _upload(client, text: str, kind: str):
    return client.post(
        "/coordinator/import",
        data={"kind": kind, "file": (io.BytesIO(text.encode("utf-8")), "file.csv")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_enrolment_import_cannot_move_another_faculty_s_enrolment(
    world, login, client, spelling
):
    before = _state()
    login(world["coordinator"])
    text = (
        "kind,email,name,programme,start_date,supervisor_email\n"
        f"phd,{spelling},Vera Offer,PHD-CS,{START.isoformat()},coord.cs@example.org\n"
    )
    response = _upload(client, text, "enrolments")
    assert response.status_code == 422
    assert "exists already in a programme you do not coordinate" in response.get_data(
        as_text=True
    )
    assert 'name="token"' not in response.get_data(as_text=True)  # nothing to confirm
    db.session.expire_all()
    assert _state() == before


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_stay_import_cannot_reach_another_faculty_s_candidate(world, login, client, spelling):
    before = _state()
    login(world["coordinator"])
    text = (
        "email,host_institution,country,start_date,end_date,status\n"
        f"{spelling},ETH Zürich,CH,2025-01-01,2025-03-01,planned\n"
    )
    response = _upload(client, text, "stays")
    assert response.status_code == 422
    assert "has no enrolment in a programme you coordinate" in response.get_data(as_text=True)
    assert not world["enrolment"].stays
    assert _state() == before


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_new_enrolment_in_scope_finds_the_same_person(world, login, client, spelling):
    """Enrolling the person in one's own programme is allowed; it must not mint a twin."""
    login(world["coordinator"])
    response = client.post(
        "/coordinator/enrolments/new",
        data={"email": spelling, "name": "Vera Offer", "kind": "postdoc",
              "programme": "PHD-CS", "start_date": "2026-08-15",
              "main_supervisor_email": "SUPERVISOR.HIST@example\u3002org"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    users = db.session.scalars(db.select(User).where(User.name == "Vera Offer")).all()
    assert [u.email for u in users] == [VICTIM]
    new = db.session.scalar(db.select(Enrolment).where(Enrolment.kind == EnrolmentKind.POSTDOC))
    assert new.person_id == world["victim"].id and new.programme_id == world["cs"].id
    assert new.main_supervisor_id == world["supervisor"].id
    # The other faculty's enrolment is as it was.
    db.session.refresh(world["enrolment"])
    assert world["enrolment"].programme_id == world["hist"].id


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_command_line_import_matches_the_existing_enrolment(world, runner, tmp_path, spelling):
    path = tmp_path / "enrolments.csv"
    path.write_text(
        "kind,email,name,programme,start_date,expected_end_date\n"
        f"phd,{spelling},Vera Offer,PHD-HIST,{START.isoformat()},2029-06-30\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_log_in_and_password_links_know_every_spelling(world, client, app, caplog, spelling):
    world["victim"].set_password("correct horse battery staple", method="pbkdf2:sha256:1000")
    db.session.commit()
    response = client.post(
        "/auth/login", data={"email": spelling, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    client.post("/auth/logout")
    with caplog.at_level("INFO", logger="tracker.mail"):
        client.post("/auth/forgot", data={"email": spelling})
    # The link goes to the stored address, never to the spelling typed in the form.
    assert f"To: {VICTIM}" in caplog.text
    assert spelling.strip() == VICTIM or spelling not in caplog.text


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_second_account_for_a_spelling(world, login, client, runner, make_user, spelling):
    login(make_user("admin@example.org", admin=True))
    response = client.post("/admin/users/new", data={"email": spelling, "name": "Twin"})
    assert "Another account already uses this e-mail address." in response.get_data(
        as_text=True
    )
    result = runner.invoke(args=["create-user", spelling, "--name", "Twin", "--admin"])
    assert result.exit_code == 0, result.output
    assert f"User {VICTIM} already exists" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.name == "Twin")) == 0  # fmt: skip
    with pytest.raises(accounts.AccountError):
        accounts.update_user(None, world["coordinator"], email=spelling, name="Kari",
                             active=True, is_admin=False, faculties=[], programmes=[])  # fmt: skip


@pytest.mark.parametrize("spelling", SPELLINGS[:3])
def test_the_plan_report_command_finds_the_person(world, runner, tmp_path, spelling):
    output = tmp_path / "plan.pdf"
    result = runner.invoke(args=["report", "plan", "--email", spelling, "--output", str(output)])
    # No plan yet: the command found the person and says so, rather than "no user".
    assert "There is no user" not in result.output
    assert re.search(r"plan|PDF|wrote", result.output, re.IGNORECASE), result.output


def test_a_programme_list_does_not_change(world):
    assert db.session.scalar(db.select(db.func.count()).select_from(Programme)) == 2
