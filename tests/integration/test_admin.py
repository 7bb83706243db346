"""Administration pages and the create-user command."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tracker.domain.vocabulary import MailStatus
from tracker.extensions import db
from tracker.models import AuditEntry, CoordinatorScope, Faculty, OutboxMessage, Programme, User
from tracker.services import accounts


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


@pytest.fixture()
def admin(make_user):
    return make_user("admin@example.org", "Arne Admin", admin=True)


@pytest.fixture()
def as_admin(client, login, admin):
    login(admin)
    return client


def fresh(model, obj_id):
    db.session.expire_all()
    return db.session.get(model, obj_id)


def audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def field_error(page: str, field: str) -> str:
    """Return the error text shown next to a field (tied to it by aria-describedby)."""
    found = re.search(rf'<div id="{field}-error"[^>]*>([^<]*)</div>', page)
    assert found is not None, f"no error next to {field}"
    control = re.search(rf'<(input|select)[^>]*id="{field}"[^>]*>', page).group(0)
    assert f"{field}-error" in control
    return found.group(1)


# --- Who gets in -------------------------------------------------------------------------

ADMIN_PAGES = [
    ("GET", "/admin/"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{admin}"),
    ("POST", "/admin/users/{admin}"),
    ("POST", "/admin/users/{admin}/password-link"),
    ("GET", "/admin/faculties"),
    ("GET", "/admin/faculties/new"),
    ("POST", "/admin/faculties/new"),
    ("GET", "/admin/faculties/{faculty}"),
    ("POST", "/admin/faculties/{faculty}"),
    ("GET", "/admin/programmes"),
    ("GET", "/admin/programmes/new"),
    ("POST", "/admin/programmes/new"),
    ("GET", "/admin/programmes/{programme}"),
    ("POST", "/admin/programmes/{programme}"),
]


@pytest.fixture()
def everyone(make_user, make_programme, make_enrolment, admin):
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org")
    candidate = make_user("candidate@example.org")
    make_enrolment(candidate, programme=programme, supervisor=supervisor)
    return {
        "admin": admin,
        "candidate": candidate,
        "supervisor": supervisor,
        "programme_coordinator": make_user("pc@example.org", coordinator_of=[programme]),
        "faculty_coordinator": make_user("fc@example.org", coordinator_of=[programme.faculty]),
        "programme": programme,
    }


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("candidate", 403),
        ("supervisor", 403),
        ("programme_coordinator", 403),
        ("faculty_coordinator", 403),
        ("admin", None),
    ],
)
def test_only_administrators_get_in(client, login, everyone, role, status, method, path):
    if role != "anonymous":
        login(everyone[role])
    programme = everyone["programme"]
    url = path.format(
        admin=everyone["admin"].id, faculty=programme.faculty_id, programme=programme.id
    )
    before = snapshot_counts()
    response = client.open(url, method=method, data={})
    if status is None:
        assert response.status_code in {200, 302}
        return
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/auth/login")
    else:
        assert [e.path for e in refusals()] == [url]
    assert snapshot_counts() == before


def snapshot_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Faculty, Programme, CoordinatorScope)
    }


def refusals():
    return [type("Refusal", (), {"path": e.detail.get("path")}) for e in audit("access_refused")]


def test_home_page_of_an_administrator_still_works(as_admin):
    assert as_admin.get("/").status_code == 200


# --- Users: list, search, pages ----------------------------------------------------------


def test_user_list_shows_roles(as_admin, make_user, make_programme, make_enrolment, admin):
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    make_enrolment(candidate, programme=programme, supervisor=supervisor)
    make_user("kari@example.org", "Kari Koordinator", coordinator_of=[programme, programme.faculty])
    make_user("invited@example.org", "Ivar Invitert", password=None)
    make_user("plain@example.org", "Per Plain")
    gone = make_user("gone@example.org", "Gunn Gått")
    gone.active = False
    db.session.commit()

    page = as_admin.get("/admin/users").get_data(as_text=True)
    rows = {
        re.sub(r"<[^>]+>", "", m.group(1)).strip(): re.sub(r"\s+", " ", m.group(0))
        for m in re.finditer(r'<tr>\s*<th scope="row">(.*?)</th>.*?</tr>', page, re.S)
    }
    assert set(rows) == {
        "Arne Admin",
        "Siri Veileder",
        "Ola Kandidat",
        "Kari Koordinator",
        "Ivar Invitert",
        "Gunn Gått",
        "Per Plain",
    }
    assert "No role yet" in rows["Per Plain"]
    assert "Administrator" in rows["Arne Admin"]
    assert "Supervisor" in rows["Siri Veileder"]
    assert "Candidate" in rows["Ola Kandidat"]
    assert "Coordinator of IE, PHD-CS" in rows["Kari Koordinator"]
    assert "Invited, no password yet" in rows["Ivar Invitert"]
    assert "Deactivated" in rows["Gunn Gått"]
    assert '<th scope="col">' in page


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("kari", {"Kari Nordmann"}),
        ("NORD", {"Kari Nordmann", "Ola Nordby"}),
        ("@uni.example", {"Ola Nordby"}),
        ("%", set()),
        ("_", set()),
        ("", {"Arne Admin", "Kari Nordmann", "Ola Nordby"}),
    ],
)
def test_user_search_by_name_or_email(as_admin, make_user, text, names):
    make_user("kari@example.org", "Kari Nordmann")
    make_user("ola@uni.example", "Ola Nordby")
    page = as_admin.get("/admin/users", query_string={"q": text}).get_data(as_text=True)
    shown = set(re.findall(r'<th scope="row"><a href="/admin/users/\d+">([^<]+)</a>', page))
    assert shown == names


@pytest.fixture()
def roles(make_user, make_programme, make_enrolment, admin):
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    co = make_user("co@example.org", "Carl Medveileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    enrolment = make_enrolment(
        candidate, programme=programme, supervisor=supervisor, co_supervisors=[co]
    )
    coordinator = make_user("kari@example.org", "Kari Koordinator", coordinator_of=[programme])
    make_user("plain@example.org", "Per Plain")
    return {"programme": programme, "supervisor": supervisor, "co": co,
            "candidate": candidate, "enrolment": enrolment, "coordinator": coordinator}  # fmt: skip


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("admin", {"Arne Admin"}),
        ("coordinator", {"Kari Koordinator"}),
        ("supervisor", {"Siri Veileder", "Carl Medveileder"}),
        ("candidate", {"Ola Kandidat"}),
        ("none", {"Per Plain"}),
        ("", {"Arne Admin", "Kari Koordinator", "Siri Veileder", "Carl Medveileder",
              "Ola Kandidat", "Per Plain"}),  # fmt: skip
        ("wizard", {"Arne Admin", "Kari Koordinator", "Siri Veileder", "Carl Medveileder",
                    "Ola Kandidat", "Per Plain"}),  # fmt: skip
    ],
)
def test_users_can_be_filtered_by_role(as_admin, roles, role, names):
    page = as_admin.get("/admin/users", query_string={"role": role}).get_data(as_text=True)
    shown = set(re.findall(r'<th scope="row"><a href="/admin/users/\d+">([^<]+)</a>', page))
    assert shown == names


def test_a_role_filter_is_kept_in_page_links(app, as_admin, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    for n in range(5):
        make_user(f"p{n}@example.org", f"Plain {n}")
    page = as_admin.get("/admin/users", query_string={"role": "none"}).get_data(as_text=True)
    assert "5 users have this role." in page
    assert "/admin/users?page=2&amp;role=none" in page


def test_a_user_page_shows_whom_they_supervise_and_what_they_coordinate(as_admin, roles):
    enrolment = roles["enrolment"]
    page = as_admin.get(f"/admin/users/{roles['supervisor'].id}").get_data(as_text=True)
    assert f'<a href="/coordinator/enrolments/{enrolment.id}">Ola Kandidat</a>' in page
    assert "Main supervisor" in page
    co_page = as_admin.get(f"/admin/users/{roles['co'].id}").get_data(as_text=True)
    assert "Co-supervisor" in co_page
    coordinator = as_admin.get(f"/admin/users/{roles['coordinator'].id}").get_data(as_text=True)
    assert 'href="/coordinator/?programme=PHD-CS"' in coordinator
    candidate = as_admin.get(f"/admin/users/{roles['candidate'].id}").get_data(as_text=True)
    assert f'href="/coordinator/enrolments/{enrolment.id}">PhD, PHD-CS,' in candidate


def test_programme_rows_link_to_their_figures(as_admin, roles):
    page = as_admin.get("/admin/programmes").get_data(as_text=True)
    assert 'href="/coordinator/?programme=PHD-CS"' in page
    home = as_admin.get("/").get_data(as_text=True)
    assert 'href="/coordinator/?programme=PHD-CS">PHD-CS' in home


def test_user_list_is_paginated(app, as_admin, make_user):
    for n in range(7):
        make_user(f"p{n}@example.org", f"Person {n}")
    old = app.config["PER_PAGE"]
    app.config["PER_PAGE"] = 3
    try:
        first = as_admin.get("/admin/users").get_data(as_text=True)
        third = as_admin.get("/admin/users", query_string={"page": 3}).get_data(as_text=True)
        beyond = as_admin.get("/admin/users", query_string={"page": 99})
        bad = as_admin.get("/admin/users", query_string={"page": "x"})
    finally:
        app.config["PER_PAGE"] = old
    assert first.count('<th scope="row">') == 3
    assert "8 users." in first
    assert 'aria-current="page"' in first and 'href="/admin/users?page=2"' in first
    assert third.count('<th scope="row">') == 2
    assert beyond.status_code == 200
    assert bad.status_code == 200


def test_search_keeps_its_text_in_page_links(app, as_admin, make_user):
    for n in range(4):
        make_user(f"n{n}@example.org", f"Nina {n}")
    old = app.config["PER_PAGE"]
    app.config["PER_PAGE"] = 2
    try:
        page = as_admin.get("/admin/users", query_string={"q": "nina"}).get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = old
    assert "/admin/users?page=2&amp;q=nina" in page


def count_queries(app, fn) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_user_list_query_count_does_not_grow_with_rows(
    app, as_admin, make_user, make_programme, make_enrolment
):
    programme = make_programme()

    def add_people(n, start):
        for i in range(start, start + n):
            person = make_user(f"c{i}@example.org", coordinator_of=[programme])
            make_enrolment(person, programme=programme, supervisor=person)

    add_people(2, 0)
    few = count_queries(app, lambda: as_admin.get("/admin/users"))
    add_people(15, 100)
    many = count_queries(app, lambda: as_admin.get("/admin/users"))
    assert many == few


# --- Users: create -----------------------------------------------------------------------


def test_new_user_form_renders_labelled_fields(as_admin, make_programme):
    make_programme("PHD-CS", "IE")
    page = as_admin.get("/admin/users/new").get_data(as_text=True)
    for field in ("name", "email", "is_admin", "faculties", "programmes"):
        assert '<label class="form-' in page and f'for="{field}"' in page
    assert "PHD-CS — Programme PHD-CS" in page
    assert 'id="active"' not in page


def test_create_user_sends_an_invitation(as_admin, admin, make_programme, caplog):
    programme = make_programme("PHD-CS", "IE")
    with caplog.at_level("INFO", logger="tracker.mail"):
        response = as_admin.post(
            "/admin/users/new",
            data={
                "name": "  Nora Ny ",
                "email": "Nora.Ny@Example.org",
                "programmes": [str(programme.id)],
                "faculties": [str(programme.faculty_id)],
            },
        )
    assert response.status_code == 302
    user = accounts.get_user_by_email("nora.ny@example.org")
    assert user.name == "Nora Ny"
    assert user.password_hash is None and not user.is_admin and user.active
    assert accounts.describe_scopes(user) == ["IE", "PHD-CS"]
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert "To: nora.ny@example.org" in caplog.text
    assert "/auth/set-password/" in caplog.text
    (created,) = audit("user_created")
    assert created.actor_id == admin.id and created.object_id == user.id
    (sent,) = audit("password_link_sent")
    assert sent.detail == {"purpose": "invite"}
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account created for Nora Ny." in page
    assert "A link to set the password was sent to nora.ny@example.org." in page


def test_create_user_with_a_taken_address_keeps_the_input(as_admin, make_user, make_programme):
    programme = make_programme()
    make_user("taken@example.org")
    response = as_admin.post(
        "/admin/users/new",
        data={
            "name": "Tor Tatt",
            "email": "TAKEN@example.org",
            "is_admin": "y",
            "programmes": [str(programme.id)],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "already uses this e-mail" in field_error(page, "email")
    assert 'value="Tor Tatt"' in page
    assert re.search(
        r'<input[^>]*checked[^>]*id="is_admin"|<input[^>]*id="is_admin"[^>]*checked', page
    )
    assert f'<option selected value="{programme.id}">' in page
    assert snapshot_counts()["User"] == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "email": "a@example.org"}, "name"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "x" * 201, "email": "a@example.org"}, "name"),
        ({"name": "A", "email": "a@example.org", "programmes": ["999"]}, "programmes"),
        ({"name": "A", "email": "a@example.org", "faculties": ["abc"]}, "faculties"),
    ],
)
def test_create_user_with_bad_input_explains_next_to_the_field(as_admin, data, field):
    response = as_admin.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field)
    assert snapshot_counts()["User"] == 1


def test_create_user_when_the_mail_server_is_down(app, as_admin):
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens on "discard"
    try:
        response = as_admin.post(
            "/admin/users/new",
            data={"name": "Ny", "email": "ny@example.org"},
            follow_redirects=True,
        )
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    assert response.status_code == 200
    assert accounts.get_user_by_email("ny@example.org") is not None
    # The invitation waits in the outbox for the server to come back.
    (waiting,) = db.session.scalars(db.select(OutboxMessage)).all()
    assert waiting.to_address == "ny@example.org" and waiting.status == MailStatus.QUEUED
    assert waiting.attempts == 1 and "Connection refused" in waiting.last_error


# --- Users: edit -------------------------------------------------------------------------


def test_edit_user_changes_details_roles_and_scopes(as_admin, admin, make_user, make_programme):
    programme = make_programme("PHD-CS", "IE")
    other = make_programme("PHD-HIST", "HF")
    user = make_user("old@example.org", "Old Name", coordinator_of=[programme])
    page = as_admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="Old Name"' in page
    assert f'<option selected value="{programme.id}">' in page

    response = as_admin.post(
        f"/admin/users/{user.id}",
        data={
            "name": "New Name",
            "email": "new@example.org",
            "active": "y",
            "is_admin": "y",
            "faculties": [str(other.faculty_id)],
        },
    )
    assert response.status_code == 302
    user = fresh(User, user.id)
    assert (user.name, user.email, user.is_admin, user.active) == (
        "New Name",
        "new@example.org",
        True,
        True,
    )
    assert accounts.describe_scopes(user) == ["HF"]
    (entry,) = audit("user_updated")
    assert entry.actor_id == admin.id
    assert entry.detail["changes"]["email"] == ["old@example.org", "new@example.org"]
    assert entry.detail["changes"]["is_admin"] == [False, True]


def test_saving_without_changes_writes_no_audit_entry(as_admin, make_user):
    user = make_user("same@example.org", "Same", password=None)
    as_admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Same", "email": "same@example.org", "active": "y"},
    )
    assert audit("user_updated") == []


def test_edit_user_with_a_taken_address(as_admin, make_user):
    make_user("taken@example.org")
    user = make_user("mine@example.org", "Mine")
    response = as_admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Mine Changed", "email": "taken@example.org", "active": "y"},
    )
    page = response.get_data(as_text=True)
    assert "already uses this e-mail" in field_error(page, "email")
    assert 'value="Mine Changed"' in page
    assert fresh(User, user.id).name == "Mine"


def test_keeping_ones_own_address_is_fine(as_admin, admin):
    response = as_admin.post(
        f"/admin/users/{admin.id}",
        data={"name": "Arne A.", "email": "ADMIN@example.org", "active": "y", "is_admin": "y"},
    )
    assert response.status_code == 302
    assert fresh(User, admin.id).name == "Arne A."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"active": "y"}, "is_admin", "cannot remove your own administrator role"),
        ({"is_admin": "y"}, "active", "cannot deactivate your own account"),
    ],
)
def test_administrators_cannot_lock_themselves_out(as_admin, admin, data, field, message):
    response = as_admin.post(
        f"/admin/users/{admin.id}",
        data={"name": "Arne Admin", "email": "admin@example.org", **data},
    )
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), field)
    admin = fresh(User, admin.id)
    assert admin.is_admin and admin.active
    assert as_admin.get("/admin/users").status_code == 200


def test_another_administrator_can_be_demoted(as_admin, make_user):
    other = make_user("other-admin@example.org", "Other", admin=True)
    as_admin.post(
        f"/admin/users/{other.id}",
        data={"name": "Other", "email": "other-admin@example.org", "active": "y"},
    )
    assert not fresh(User, other.id).is_admin


def test_deactivating_a_user_ends_their_sessions(as_admin, isolated_client, make_user):
    user = make_user("leaving@example.org", "Leaving")
    theirs = isolated_client()
    theirs.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert theirs.get("/").status_code == 200
    as_admin.post(
        f"/admin/users/{user.id}", data={"name": "Leaving", "email": "leaving@example.org"}
    )
    assert not fresh(User, user.id).active
    assert theirs.get("/").status_code == 302
    assert (
        theirs.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 200
    )


def test_edit_missing_user_is_404(as_admin):
    assert as_admin.get("/admin/users/4242").status_code == 404


# --- Users: password links ---------------------------------------------------------------


@pytest.mark.parametrize(("has_password", "purpose"), [(True, "reset"), (False, "invite")])
def test_send_a_new_password_link(as_admin, admin, make_user, mailbox, has_password, purpose):
    user = make_user(password=PASSWORD if has_password else None)
    response = as_admin.post(f"/admin/users/{user.id}/password-link", follow_redirects=True)
    assert "A link to set the password was sent" in response.get_data(as_text=True)
    (entry,) = audit("password_link_sent")
    assert (entry.actor_id, entry.object_id, entry.detail) == (
        admin.id,
        user.id,
        {"purpose": purpose},
    )
    (message,) = mailbox.to(user.email)
    (link,) = re.findall(r"/auth/set-password/(\S+)", message.get_payload(decode=True).decode())
    assert accounts.user_for_token(link) == fresh(User, user.id)


def test_no_link_for_a_deactivated_user(as_admin, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = as_admin.post(f"/admin/users/{user.id}/password-link", follow_redirects=True)
    assert "not active" in response.get_data(as_text=True)
    assert audit("password_link_sent") == []


def test_password_link_is_post_only(as_admin, make_user):
    user = make_user()
    assert as_admin.get(f"/admin/users/{user.id}/password-link").status_code == 405


# --- Faculties and programmes ------------------------------------------------------------


def test_create_and_edit_a_faculty(as_admin, admin):
    response = as_admin.post("/admin/faculties/new", data={"code": " IE ", "name": "Engineering"})
    assert response.status_code == 302
    faculty = db.session.scalar(db.select(Faculty))
    assert (faculty.code, faculty.name) == ("IE", "Engineering")
    listing = as_admin.get("/admin/faculties").get_data(as_text=True)
    assert "Engineering" in listing

    as_admin.post(f"/admin/faculties/{faculty.id}", data={"code": "IE", "name": "Technology"})
    assert fresh(Faculty, faculty.id).name == "Technology"
    assert [e.actor_id for e in audit("faculty_created")] == [admin.id]
    (updated,) = audit("faculty_updated")
    assert updated.detail == {"changes": {"name": ["Engineering", "Technology"]}}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ie", "Another faculty already has the code IE."),
        ("", "required"),
        ("I E", "without spaces"),
        ("x" * 33, "32"),
    ],
)
def test_bad_faculty_code_is_explained(as_admin, make_programme, code, message):
    make_programme("PHD-CS", "IE")
    response = as_admin.post("/admin/faculties/new", data={"code": code, "name": "Dup"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in field_error(page, "code")
    assert 'value="Dup"' in page
    assert snapshot_counts()["Faculty"] == 1


def test_create_and_edit_a_programme(as_admin, make_programme):
    first = make_programme("PHD-CS", "IE")
    other_faculty = make_programme("PHD-HIST", "HF").faculty
    page = as_admin.get("/admin/programmes/new").get_data(as_text=True)
    assert "HF — Faculty HF" in page

    response = as_admin.post(
        "/admin/programmes/new",
        data={"code": "PHD-EE", "name": "Electronics", "faculty_id": str(first.faculty_id)},
    )
    assert response.status_code == 302
    created = db.session.scalar(db.select(Programme).where(Programme.code == "PHD-EE"))
    assert created.faculty_id == first.faculty_id

    as_admin.post(
        f"/admin/programmes/{created.id}",
        data={"code": "PHD-EE", "name": "Electronics", "faculty_id": str(other_faculty.id)},
    )
    assert fresh(Programme, created.id).faculty_id == other_faculty.id
    (updated,) = audit("programme_updated")
    assert updated.detail == {"changes": {"faculty": ["IE", "HF"]}}
    listing = as_admin.get("/admin/programmes").get_data(as_text=True)
    assert "PHD-EE" in listing and "HF — Faculty HF" in listing


def test_duplicate_programme_code_is_explained(as_admin, make_programme):
    existing = make_programme("PHD-CS", "IE")
    other = make_programme("PHD-EE", "IE")
    response = as_admin.post(
        f"/admin/programmes/{other.id}",
        data={"code": "phd-cs", "name": "Renamed", "faculty_id": str(existing.faculty_id)},
    )
    page = response.get_data(as_text=True)
    assert "Another programme already has the code PHD-CS." in field_error(page, "code")
    assert 'value="Renamed"' in page
    assert fresh(Programme, other.id).code == "PHD-EE"


def test_programme_needs_a_known_faculty(as_admin, make_programme):
    make_programme("PHD-CS", "IE")
    response = as_admin.post(
        "/admin/programmes/new", data={"code": "NEW", "name": "New", "faculty_id": "999"}
    )
    assert field_error(response.get_data(as_text=True), "faculty_id")
    assert snapshot_counts()["Programme"] == 1


def test_programme_form_without_faculties_says_what_to_do(as_admin):
    page = as_admin.get("/admin/programmes/new").get_data(as_text=True)
    assert "Create a faculty first" in page


# --- create-user command -----------------------------------------------------------------


def test_cli_creates_a_user_with_a_password(runner, make_programme):
    programme = make_programme("PHD-CS", "IE")
    result = runner.invoke(
        args=[
            "create-user",
            "Ada@Example.org",
            "--name",
            "Ada Admin",
            "--admin",
            "--coordinator-of",
            "phd-cs",
            "--coordinator-of",
            "IE",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created user ada@example.org." in result.output
    assert PASSWORD not in result.output
    user = accounts.get_user_by_email("ada@example.org")
    assert user.is_admin and user.check_password(PASSWORD)
    assert accounts.describe_scopes(user) == ["IE", "PHD-CS"]
    assert programme.id in accounts.scope_ids(user)["programmes"]
    assert len(audit("user_created")) == 1


def test_cli_without_password_sends_an_invitation(runner, mailbox):
    result = runner.invoke(args=["create-user", "nils@example.org", "--name", "Nils"], input="\n\n")
    assert result.exit_code == 0, result.output
    assert "invitation link" in result.output
    user = accounts.get_user_by_email("nils@example.org")
    assert user.password_hash is None
    (message,) = mailbox.to("nils@example.org")
    text = message.get_payload(decode=True).decode()
    (token,) = re.findall(r"/auth/set-password/(\S+)", text)
    assert accounts.user_for_token(token) == user
    assert text.count("http://127.0.0.1:5000/auth/set-password/") == 1


def test_cli_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "s@example.org", "--name", "S"], input="short\nshort\n"
    )
    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    assert accounts.get_user_by_email("s@example.org") is None


def test_cli_asks_again_when_the_passwords_differ(runner):
    result = runner.invoke(
        args=["create-user", "d@example.org", "--name", "D"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert accounts.get_user_by_email("d@example.org").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coordinator-of", "NOPE"], "no faculty or programme has the code 'NOPE'"),
        (["--coordinator-of", "IE", "--coordinator-of", "X"], "code 'X'"),
        (["--coordinator-of", "SAME"], "both a faculty and a programme code"),
    ],
)
def test_cli_refuses_unknown_codes_before_asking(runner, make_programme, args, message):
    make_programme("SAME", "SAME")
    make_programme("PHD-CS", "IE")
    result = runner.invoke(args=["create-user", "u@example.org", "--name", "U", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Password" not in result.output
    assert accounts.get_user_by_email("u@example.org") is None


def test_cli_refuses_a_bad_address(runner):
    result = runner.invoke(args=["create-user", "not-an-address", "--name", "X"])
    assert result.exit_code == 2
    assert "EMAIL" in result.output


def test_cli_requires_a_name(runner):
    result = runner.invoke(args=["create-user", "x@example.org"])
    assert result.exit_code == 2


def test_cli_adds_roles_to_an_existing_user(runner, make_user, make_programme):
    programme = make_programme("PHD-CS", "IE")
    user = make_user("kari@example.org", "Kari", coordinator_of=[programme])
    result = runner.invoke(
        args=[
            "create-user",
            "KARI@example.org",
            "--name",
            "Kari",
            "--admin",
            "--coordinator-of",
            "IE",
            "--coordinator-of",
            "PHD-CS",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "already exists; roles updated" in result.output
    user = fresh(User, user.id)
    assert user.is_admin and user.check_password(PASSWORD)
    assert accounts.describe_scopes(user) == ["IE", "PHD-CS"]
    (entry,) = audit("user_updated")
    assert entry.actor_id is None


def test_cli_existing_user_without_changes(runner, make_user):
    make_user("kari@example.org", "Kari")
    result = runner.invoke(args=["create-user", "kari@example.org", "--name", "Kari"])
    assert result.exit_code == 0
    assert "nothing new" in result.output
