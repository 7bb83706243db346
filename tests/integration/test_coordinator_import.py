"""CSV upload by coordinators: a preview that writes nothing, then a confirmed import in scope."""

import io
import re
from datetime import date

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.vocabulary import StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, PendingUpload, Programme, Stay, User

HEADER = "kind,email,name,programme,start_date,supervisor_email,supervisor_name\n"


@pytest.fixture()
def org(app, make_user, make_programme):
    cs = make_programme("PHD-CS", "IE")
    math = make_programme("PHD-MATH", "NV")
    return {
        "cs": cs,
        "math": math,
        "coordinator": make_user("coord@example.org", coordinator_of=[cs]),
        "admin": make_user("admin@example.org", admin=True),
        "other": make_user("other@example.org", coordinator_of=[cs]),
    }


def _upload(client, text: str, kind: str = "enrolments", name: str = "file.csv"):
    return client.post(
        "/coordinator/import",
        data={"kind": kind, "file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def _token(response) -> str:
    match = re.search(
        r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    assert match, response.get_data(as_text=True)[:3000]
    return match.group(1)


def _uploads(app) -> list[PendingUpload]:
    return list(db.session.scalars(db.select(PendingUpload)))


def _count(model) -> int:
    return len(db.session.scalars(db.select(model)).all())


def test_preview_then_confirm(org, login, client, app):
    login(org["coordinator"])
    text = HEADER + (
        "phd,ola@example.org,Ola Nordmann,PHD-CS,2025-08-15,sup@example.org,Siri Veileder\n"
        "postdoc,kari@example.org,Kari Nordmann,PHD-CS,2025-09-01,,\n"
    )
    preview = _upload(client, text)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "2 rows will be created." in html
    assert _count(Enrolment) == 0 and _count(User) == 3  # nothing written yet
    token = _token(preview)
    (pending,) = _uploads(app)  # kept on the server, in the database
    assert pending.data == text.encode("utf-8")
    assert token not in str(client.get_cookie("session"))

    done = client.post("/coordinator/import/confirm", data={"token": token})
    assert done.status_code == 302
    assert _count(Enrolment) == 2
    assert db.session.scalar(db.select(User).where(User.email == "sup@example.org")) is not None
    assert _uploads(app) == []
    flashed = client.get("/coordinator/import").get_data(as_text=True)
    assert "Imported: 2 created, 0 updated, 0 unchanged." in flashed

    # The token was used: confirming again imports nothing.
    again = client.post("/coordinator/import/confirm", data={"token": token})
    assert again.status_code == 302
    assert "expired or was imported already" in client.get("/coordinator/import").get_data(
        as_text=True
    )
    # The same file twice changes nothing.
    assert "2 rows are unchanged." in _upload(client, text).get_data(as_text=True)


def test_rows_outside_the_scope_are_errors_and_nothing_is_written(org, login, client, app):
    login(org["coordinator"])
    text = HEADER + (
        "phd,ola@example.org,Ola,PHD-CS,2025-08-15,,\n"
        "phd,per@example.org,Per,PHD-MATH,2025-08-15,,\n"
        "phd,liv@example.org,Liv,NOPE,2025-08-15,,\n"
    )
    response = _upload(client, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<th scope="row">3</th><td>You do not coordinate programme PHD-MATH.</td>' in html
    assert re.search(r'<th scope="row">4</th><td>[^<]*NOPE', html)  # the import's own message
    assert 'name="token"' not in html
    assert _uploads(app) == []
    assert _count(Enrolment) == 0


def test_an_existing_enrolment_elsewhere_cannot_be_moved_in(org, login, client):
    elsewhere = data.Builder(org["math"])
    elsewhere.person("ola", data.PHD, date(2025, 8, 15))
    db.session.commit()
    login(org["coordinator"])
    response = _upload(client, HEADER + "phd,ola@example.org,Ola,PHD-CS,2025-08-15,,\n")
    assert response.status_code == 422
    assert "exists already in a programme you do not coordinate" in response.get_data(as_text=True)
    enrolment = db.session.scalar(db.select(Enrolment))
    assert db.session.get(Programme, enrolment.programme_id).code == "PHD-MATH"


def test_the_administrator_imports_anywhere_and_programmes_too(org, login, client):
    login(org["admin"])
    preview = _upload(client, HEADER + "phd,per@example.org,Per,PHD-MATH,2025-08-15,,\n")
    assert preview.status_code == 200
    client.post("/coordinator/import/confirm", data={"token": _token(preview)})
    assert _count(Enrolment) == 1
    programmes = _upload(
        client, "code,name,faculty_code,faculty_name\nPHD-X,X,NV,Nat\n", kind="programmes"
    )
    assert programmes.status_code == 200


def test_a_coordinator_cannot_import_programmes(org, login, client):
    login(org["coordinator"])
    response = _upload(
        client, "code,name,faculty_code,faculty_name\nPHD-X,X,NV,Nat\n", kind="programmes"
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_stays_for_people_outside_the_scope(org, login, client):
    own = data.Builder(org["cs"])
    own.person("mine", data.PHD, date(2024, 1, 1))
    theirs = data.Builder(org["math"])
    theirs.person("theirs", data.PHD, date(2024, 1, 1))
    db.session.commit()
    login(org["coordinator"])
    header = "email,host_institution,country,start_date,end_date,status\n"
    rows = (
        "mine@example.org,ETH Zürich,CH,2025-01-01,2025-03-01,completed\n"
        "theirs@example.org,ETH Zürich,CH,2025-01-01,2025-03-01,completed\n"
        "nobody@example.org,ETH Zürich,CH,2025-01-01,2025-03-01,completed\n"
    )
    response = _upload(client, header + rows, kind="stays")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Someone else's candidate and a stranger answer alike: nothing leaks about either.
    assert "theirs@example.org has no enrolment in a programme you coordinate." in page
    assert "nobody@example.org has no enrolment in a programme you coordinate." in page
    assert "Unknown person" not in page
    preview = _upload(client, header + rows.splitlines()[0] + "\n", kind="stays")
    assert preview.status_code == 200
    client.post("/coordinator/import/confirm", data={"token": _token(preview)})
    stay = db.session.scalar(db.select(Stay))
    assert stay.status == StayStatus.COMPLETED and stay.country == "CH"


def test_errors_of_the_import_are_shown_with_their_lines(org, login, client):
    login(org["coordinator"])
    response = _upload(client, HEADER + "phd,ola@example.org,Ola,PHD-CS,15.08.2025,,\n")
    assert response.status_code == 422
    assert re.search(r'<th scope="row">2</th><td>[^<]*15.08.2025', response.get_data(as_text=True))


def test_someone_elses_token_does_nothing(org, login, client, app):
    login(org["coordinator"])
    token = _token(_upload(client, HEADER + "phd,ola@example.org,Ola,PHD-CS,2025-08-15,,\n"))
    client.post("/auth/logout")
    login(org["other"])
    response = client.post("/coordinator/import/confirm", data={"token": token})
    assert response.status_code == 302
    assert _count(Enrolment) == 0
    for bad in ("../../etc/passwd", "x" * 10, ""):
        assert client.post("/coordinator/import/confirm", data={"token": bad}).status_code in (
            302,
            400,
        )
    assert _count(Enrolment) == 0


def test_a_file_that_is_too_large(org, login, client):
    login(org["coordinator"])
    big = (HEADER + "x" * (5 * 1024 * 1024)).encode()
    # The body is built here: the test client would spool it through a temporary file
    # that it never closes (a ResourceWarning, an error in this suite).
    boundary = "----tracker-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nenrolments\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/coordinator/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 422
    assert "larger than 5 MB" in response.get_data(as_text=True)


def test_an_upload_expires_after_an_hour_and_only_its_uploader_may_confirm_it(org, login, client):
    from datetime import timedelta

    from tracker.models.base import utcnow

    login(org["coordinator"])
    text = HEADER + "phd,ola@example.org,Ola,PHD-CS,2025-08-15,,\n"
    token = _token(_upload(client, text))

    client.post("/auth/logout")
    login(org["other"])  # coordinates the same programme, but did not upload the file
    client.post("/coordinator/import/confirm", data={"token": token})
    assert _count(Enrolment) == 0

    client.post("/auth/logout")
    login(org["coordinator"])
    db.session.execute(db.update(PendingUpload).values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    client.post("/coordinator/import/confirm", data={"token": token})
    assert _count(Enrolment) == 0
    assert "expired" in client.get("/coordinator/import").get_data(as_text=True)
