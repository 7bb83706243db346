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


def _post_bytes(client, data: bytes, kind: str = "enrolments"):
    """Upload ``data`` in a multipart body built here.

    The test client would spool a large body through a temporary file that it never
    closes (a ResourceWarning, an error in this suite).
    """
    boundary = "----tracker-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/coordinator/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_file_that_is_too_large(org, login, client):
    login(org["coordinator"])
    response = _post_bytes(client, (HEADER + "x" * (5 * 1024 * 1024)).encode())
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


# -- limits (DESIGN §5) -------------------------------------------------------------------

PROBLEM_ROW = re.compile(r'<tr><th scope="row">(\d+)</th><td>([^<]*)</td></tr>')


def _rows_in(programme: str, n: int) -> str:
    return "".join(f"phd,p{i}@example.org,P {i},{programme},2025-08-15,,\n" for i in range(n))


def test_a_file_over_the_row_cap_is_one_problem(org, login, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    login(org["coordinator"])
    response = _upload(client, HEADER + _rows_in("PHD-CS", 5))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert PROBLEM_ROW.findall(html) == [
        (
            "5",
            "The file has more than 3 rows after the header, so it was not read past line 5. "
            "Split it into files of at most 3 rows and import them one after the other.",
        )
    ]
    assert "Nothing was imported: 1 problem was found." in html
    assert _uploads(app) == [] and _count(Enrolment) == 0
    assert "at most 3 data rows" in client.get("/coordinator/import").get_data(as_text=True)


@pytest.mark.parametrize(
    ("programme", "message"),
    [
        ("NOPE", "Unknown programme NOPE."),
        ("PHD-MATH", "You do not coordinate programme PHD-MATH."),
    ],
    ids=["import", "scope"],
)
def test_the_first_200_problems_are_shown_and_the_rest_counted(
    org, login, client, programme, message
):
    login(org["coordinator"])
    response = _upload(client, HEADER + _rows_in(programme, 500))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert PROBLEM_ROW.findall(html) == [(str(line), message) for line in range(2, 202)]
    assert "Nothing was imported: 500 problems were found." in html
    assert "… and 300 more problems, not listed here." in html
    assert _count(Enrolment) == 0


def test_a_5_mb_junk_file_gets_a_short_page(org, login, client, app):
    login(org["coordinator"])
    junk = (HEADER + "x\n" * ((5 * 1024 * 1024 - 2 * len(HEADER)) // 2)).encode()
    assert len(junk) > 5_000_000
    response = _post_bytes(client, junk)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert len(response.data) < 1_000_000
    problems = PROBLEM_ROW.findall(html)
    assert len(problems) == 200
    assert problems[0] == ("2", "kind “x” is not one of: phd, postdoc, staff.")
    assert re.search(r"There are so many that the file was not read past line \d+", html)
    assert _uploads(app) == [] and _count(User) == 3


def test_a_new_upload_replaces_the_one_waiting(org, login, client, app):
    login(org["coordinator"])
    first = _token(_upload(client, HEADER + _rows_in("PHD-CS", 1)))
    second = _token(_upload(client, HEADER + _rows_in("PHD-CS", 2)))
    assert [upload.token for upload in _uploads(app)] == [second]
    client.post("/coordinator/import/confirm", data={"token": first})
    assert _count(Enrolment) == 0
    assert "you uploaded another file since" in client.get("/coordinator/import").get_data(
        as_text=True
    )
    client.post("/coordinator/import/confirm", data={"token": second})
    assert _count(Enrolment) == 2


# -- what the preview says, templates, values, invitations (issue: a new user's trips) -----


def test_the_preview_names_the_people_created_and_each_change(org, login, client):
    ours = data.Builder(org["cs"])
    ours.person("liv", data.PHD, date(2025, 1, 10), expected_end=date(2029, 1, 9))
    db.session.commit()
    login(org["coordinator"])
    text = (
        "kind,email,name,programme,start_date,expected_end_date,supervisor_email\n"
        "phd,ola@example.org,Ola Nordmann,PHD-CS,2025-08-15,,new.sup@example.org\n"
        "phd,liv@example.org,Liv,PHD-CS,2025-01-10,2029-06-30,\n"
    )
    preview = _upload(client, text)
    assert preview.status_code == 200
    page = re.sub(r"\s+", " ", preview.get_data(as_text=True))
    assert "2 people get an account." in page
    assert "Ola Nordmann &lt;ola@example.org&gt;" in page
    # A supervisor named by address only goes by the address.
    assert "new.sup@example.org &lt;new.sup@example.org&gt;" in page
    assert "ola@example.org, phd, 2025-08-15 (PHD-CS)</td> <td>created" in page
    assert "<code>expected_end_date</code>: 2029-01-09 → 2029-06-30" in page


def test_each_kind_has_a_template_that_imports_as_it_is(org, login, client):
    login(org["admin"])
    for kind in ("programmes", "enrolments", "stays"):
        response = client.get(f"/coordinator/import/template/{kind}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f"{kind}-template.csv" in response.headers["Content-Disposition"]
        header = response.get_data(as_text=True).splitlines()[0]
        from tracker.services.importing import IMPORTERS

        assert tuple(header.split(",")) == IMPORTERS[kind].columns
        preview = _upload(client, response.get_data(as_text=True), kind=kind)
        assert preview.status_code == 200, preview.get_data(as_text=True)[-3000:]
        client.post("/coordinator/import/confirm", data={"token": _token(preview)})
    assert db.session.scalar(db.select(Stay)).host_institution == "Technische Universität München"
    client.post("/auth/logout")
    login(org["coordinator"])
    assert client.get("/coordinator/import/template/programmes.csv").status_code == 404


def test_the_page_lists_the_values_with_their_names_in_both_languages(org, login, client):
    login(org["coordinator"])
    page = client.get("/coordinator/import").get_data(as_text=True)
    assert "<td><code>erasmus_plus</code></td>" in page
    assert '<td lang="en">Erasmus+</td>' in page
    assert '<td lang="nb">Overseas research grant</td>' not in page
    assert '<td lang="nb">Utenlandsstipend (Forskningsrådet)</td>' in page
    assert 'href="/coordinator/import/template/stays.csv"' in page
    assert "programmes.csv" not in page  # not the coordinator's to import


def test_names_of_values_are_accepted_as_well_as_codes(org, login, client):
    own = data.Builder(org["cs"])
    own.person("mine", data.PHD, date(2024, 1, 1))
    db.session.commit()
    login(org["coordinator"])
    header = "email,kind,host_institution,country,start_date,end_date,status,funding\n"
    rows = (
        "mine@example.org,PhD,ETH Zürich,CH,2025-01-01,2025-03-01,Fullført,Erasmus+\n"
        "mine@example.org,doctorate,KTH,SE,2025-04-01,2025-06-01,planned,"
        "UTENLANDSSTIPEND (FORSKNINGSRÅDET)\n"
    )
    preview = _upload(client, header + rows, kind="stays")
    assert preview.status_code == 422  # neither a code nor a name
    assert "kind “doctorate” is not one of: phd, postdoc, staff." in preview.get_data(as_text=True)
    preview = _upload(client, header + rows.replace("doctorate", "Ph.d."), kind="stays")
    assert preview.status_code == 200, preview.get_data(as_text=True)[-2000:]
    client.post("/coordinator/import/confirm", data={"token": _token(preview)})
    stays = {s.host_institution: s for s in db.session.scalars(db.select(Stay))}
    assert stays["ETH Zürich"].status == StayStatus.COMPLETED
    assert stays["ETH Zürich"].funding.value == "erasmus_plus"
    assert stays["KTH"].funding.value == "overseas_research_grant"


def _invitations() -> list[str]:
    from tracker.models import OutboxMessage

    db.session.expire_all()
    return sorted(
        m.to_address
        for m in db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "invitation")
        )
    )


@pytest.mark.parametrize("invite", [True, False])
def test_the_import_invites_the_people_it_creates_if_asked(org, login, client, invite):
    login(org["coordinator"])
    preview = _upload(
        client, HEADER + "phd,ola@example.org,Ola,PHD-CS,2025-08-15,sup@example.org,\n"
    )
    html = preview.get_data(as_text=True)
    assert 'name="invite"' in html
    form = {"token": _token(preview)} | ({"invite": "y"} if invite else {})
    client.post("/coordinator/import/confirm", data=form)
    flashed = client.get("/coordinator/import").get_data(as_text=True)
    if invite:
        assert _invitations() == ["ola@example.org", "sup@example.org"]
        assert "2 people were created and e-mailed an invitation" in flashed
    else:
        assert _invitations() == []
        assert "2 people were created and sent no invitation" in flashed
        assert "Forgot password?" in flashed


def test_no_invitation_is_offered_when_nobody_is_created(org, login, client):
    login(org["coordinator"])
    preview = _upload(client, HEADER + "phd,coord@example.org,C,PHD-CS,2025-08-15,,\n")
    assert 'name="invite"' not in preview.get_data(as_text=True)
