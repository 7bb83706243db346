"""Control characters never reach a single-line field: not from forms, not from CSV files."""

from datetime import date

import pytest

from tests.plan_support import STAY_FORM, people, plan_of, signed_in, stays_of
from tracker.extensions import db
from tracker.models import Stay, User

HOSTILE = "ETH\r\nBcc: everyone@example.org\x00\x1b[2J\u2028Zürich\t"
CLEAN = "ETH Bcc: everyone@example.org[2J Zürich"


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def started(cast, isolated_client):
    client = signed_in(isolated_client, cast["candidate"])
    assert client.post(f"/plans/{cast['enrolment'].id}/start").status_code == 302
    return client


def test_a_stay_form_keeps_every_field_on_one_line(cast, started):
    eid = cast["enrolment"].id
    data = STAY_FORM | {"host_institution": HOSTILE, "city": "Zü\nrich", "host_contact": "a\rb"}
    response = started.post(f"/plans/{eid}/stays/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (stay,) = stays_of(eid)
    assert stay.host_institution == CLEAN
    assert (stay.city, stay.host_contact) == ("Zü rich", "a b")


def test_a_text_area_keeps_its_lines_and_loses_other_controls(cast, started):
    eid = cast["enrolment"].id
    response = started.post(
        f"/plans/{eid}/edit",
        data={"narrative": "One\r\nTwo\x00\x07\n\tThree", "no_stay_justification": "",
              "lock_version": plan_of(eid).lock_version},
    )  # fmt: skip
    assert response.status_code == 302
    assert plan_of(eid).narrative == "One\nTwo\n\tThree"


def test_a_user_name_from_the_administration_is_one_line(login, client, make_user):
    login(make_user("admin@example.org", admin=True))
    response = client.post(
        "/admin/users/new", data={"email": "new@example.org", "name": "Nora\r\nBcc: x"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert user.name == "Nora Bcc: x"


def test_a_csv_cell_with_line_breaks_becomes_one_line(cast, runner, tmp_path):
    path = tmp_path / "stays.csv"
    path.write_text(
        "email,host_institution,country,start_date,end_date,status\n"
        f'candidate@example.org,"{HOSTILE}",DE,2025-03-01,2025-05-31,planned\n',
        encoding="utf-8",
        newline="",
    )
    result = runner.invoke(args=["import", "stays", str(path)])
    assert result.exit_code == 0, result.output
    stay = db.session.scalar(db.select(Stay))
    assert stay.host_institution == CLEAN
    assert stay.start_date == date(2025, 3, 1)


def test_an_old_value_with_a_line_break_still_makes_a_deliverable_e_mail(cast, mailbox):
    """Rows written before input was cleaned may hold line breaks; headers never carry them."""
    from tracker import jobs
    from tracker.services import outbox

    outbox.queue_mail(cast["candidate"], "Your stay at ETH\r\nBcc: all@example.org is confirmed",
                      "Body", kind="notification")  # fmt: skip
    db.session.commit()
    jobs.run_pending()
    (message,) = mailbox
    assert message["Subject"] == "Your stay at ETH Bcc: all@example.org is confirmed"
    assert message["Bcc"] is None

