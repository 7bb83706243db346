"""The personal-data pages: who reaches what, the downloads, erasure on the web, the audit log."""

import csv
import io
import json
import re

import pytest
from flask_login import current_user, login_user
from sqlalchemy import select

from tests.integration import privacy_story as story
from tests.plan_support import signed_in
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services import privacy
from tracker.services.audit import record


@pytest.fixture()
def told(client, login, make_user, make_programme, make_enrolment):
    return story.build(client, login, make_user, make_programme, make_enrolment)


def _entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- The pages the law asks for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "notice", "statement"),
    [("en", "Privacy notice", "Accessibility statement"),
     ("nb", "Personvernerklæring", "Tilgjengelighetserklæring")],
)  # fmt: skip
def test_notice_and_statement_are_public_in_both_languages(client, language, notice, statement):
    headers = {"Accept-Language": language}
    login_page = client.get("/auth/login", headers=headers).get_data(as_text=True)
    assert 'href="/privacy"' in login_page and 'href="/accessibility"' in login_page
    for url, heading in (("/privacy", notice), ("/accessibility", statement)):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in page
        assert f">{heading}</h1>" in page


def test_the_institution_fills_in_its_own_parts(app, client):
    app.config.update(
        CONTROLLER_NAME="Example University",
        PRIVACY_CONTACT="personvern@example.edu",
        ACCESSIBILITY_CONTACT="uu@example.edu",
        RETENTION_YEARS=7,
    )
    try:
        notice = client.get("/privacy").get_data(as_text=True)
        statement = client.get("/accessibility").get_data(as_text=True)
    finally:
        app.config.update(
            CONTROLLER_NAME=None, PRIVACY_CONTACT=None, ACCESSIBILITY_CONTACT=None,
            RETENTION_YEARS=5,
        )  # fmt: skip
    assert "Example University is the controller" in notice
    assert "personvern@example.edu" in notice
    assert "for 7 years after your last enrolment" in notice
    assert "Example University wants everyone" in statement
    assert "uu@example.edu" in statement
    defaults = client.get("/privacy").get_data(as_text=True)
    assert "The university that runs this service is the controller" in defaults
    assert "for 5 years after" in defaults


# --- My data ------------------------------------------------------------------------------


def test_my_data_needs_a_log_in(client):
    for url in ("/my-data", "/my-data.json", "/my-data.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location


def test_a_person_sees_and_downloads_everything_about_them(told, client, login):
    kari = told["kari"]
    login(kari)
    page = client.get("/")
    assert 'href="/my-data"' in page.get_data(as_text=True)
    response = client.get("/my-data")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for expected in (story.NAME, "University of Western Australia", "visa worries",
                     "A talk on marsupial robotics", "Which marsupial lab exactly?",
                     "login_failed", "Your mobility plan is approved"):  # fmt: skip
        assert expected in text
    assert not _entries("personal_data_exported")  # reading one's own page is not logged

    download = client.get("/my-data.json")
    assert download.mimetype == "application/json"
    assert 'filename="personal-data-' in download.headers["Content-Disposition"]
    document = json.loads(download.get_data(as_text=True))
    assert (document["format"], document["version"]) == ("mobility-tracker/personal-data", 1)
    assert document["person"]["email"] == story.EMAIL
    assert document["person"]["has_password"] is True
    assert [s["host_institution"] for s in document["stays"]] == ["University of Western Australia"]
    assert len(document["plan_versions"]) == 4
    assert any(e["detail"].get("email") == story.EMAIL for e in document["audit_entries"])
    # Her former name and address, as the administrator's change recorded them.
    renamed = next(e for e in document["audit_entries"] if e["action"] == "user_updated")
    assert renamed["detail"]["changes"]["name"] == [story.OLD_NAME, story.NAME]
    assert renamed["ip"] is None  # the administrator's network address is not hers
    # Her own network address, where she acted on the web (the others ran without one).
    own = [e for e in document["audit_entries"] if e["actor_id"] == kari.id]
    assert {e["ip"] for e in own} == {"127.0.0.1", None}
    assert {m["to_address"] for m in document["emails"]} == {story.EMAIL}

    pdf = client.get("/my-data.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert [(e.actor_id, e.object_id, e.detail["format"]) for e in
            _entries("personal_data_exported")] == [(kari.id, kari.id, "json"),
                                                    (kari.id, kari.id, "pdf")]  # fmt: skip


def test_a_supervisor_sees_their_decisions_but_not_the_candidates_plan(told, client, login):
    login(told["supervisor"])
    document = json.loads(client.get("/my-data.json").get_data(as_text=True))
    assert [d["event"] for d in document["decisions"]] == ["changes_requested", "approved"]
    assert all("snapshot" not in d for d in document["decisions"])
    assert document["supervision"][0]["role"] == "main"
    assert story.NAME not in json.dumps(document["supervision"])
    assert len(document["stay_confirmations"]) == 1


@pytest.mark.parametrize(
    "url",
    ["/admin/users/{id}/data", "/admin/users/{id}/data.json", "/admin/users/{id}/data.pdf",
     "/admin/users/{id}/erase", "/admin/audit", "/admin/audit.csv"],
)  # fmt: skip
@pytest.mark.parametrize("role", ["supervisor", "coordinator"])
def test_only_administrators_reach_others_data_erasure_and_the_audit_log(
    told, client, login, role, url
):
    login(told[role])
    assert client.get(url.format(id=told["kari"].id)).status_code == 403
    if url.endswith("/erase"):
        response = client.post(url.format(id=told["kari"].id), data={"confirm_email": story.EMAIL})
        assert response.status_code == 403
    assert story.reload(told["kari"]).erased_at is None


def test_an_administrator_sees_anyones_data_and_that_is_recorded(told, client, login):
    admin, kari = told["admin"], told["kari"]
    login(admin)
    user_page = client.get(f"/admin/users/{kari.id}").get_data(as_text=True)
    assert f'href="/admin/users/{kari.id}/data"' in user_page
    assert f'href="/admin/users/{kari.id}/erase"' in user_page
    assert f'href="/admin/audit?person={kari.id}"' in user_page
    page = client.get(f"/admin/users/{kari.id}/data")
    assert page.status_code == 200 and "visa worries" in page.get_data(as_text=True)
    document = json.loads(client.get(f"/admin/users/{kari.id}/data.json").get_data(as_text=True))
    assert document["person"]["id"] == kari.id
    assert [(e.actor_id, e.object_id, e.detail["format"]) for e in
            _entries("personal_data_exported")] == [(admin.id, kari.id, "page"),
                                                    (admin.id, kari.id, "json")]  # fmt: skip
    assert client.get("/admin/users/2147483647/data").status_code == 404


# --- Erasure on the web -------------------------------------------------------------------


def test_erasure_asks_for_the_address_then_erases(told, client, login):
    admin, kari = told["admin"], told["kari"]
    login(admin)
    url = f"/admin/users/{kari.id}/erase"
    confirm = client.get(url).get_data(as_text=True)
    assert "What will change" in confirm and "Stays" in confirm

    wrong = client.post(url, data={"confirm_email": "someone.else@example.org"})
    assert wrong.status_code == 200
    assert "This is not the address of the account to erase." in wrong.get_data(as_text=True)
    assert story.reload(kari).erased_at is None

    # Any spelling of her address will do.
    done = client.post(url, data={"confirm_email": " KARI.NORDQVIST@example.org "})
    assert done.status_code == 302 and done.location.endswith(f"/admin/users/{kari.id}")
    kari = story.reload(kari)
    assert kari.erased_at is not None and kari.email == f"erased-{kari.id}@invalid"
    page = client.get(done.location).get_data(as_text=True)
    assert f"The personal data of account {kari.id} was erased." in page
    assert "was erased on" in page
    assert f'href="/admin/users/{kari.id}/erase"' not in page
    assert "already been erased" in client.get(url).get_data(as_text=True)


def test_an_erased_persons_sessions_end(told, isolated_client):
    kari = told["kari"]
    her = signed_in(isolated_client, kari)
    assert her.get("/my-data").status_code == 200
    privacy.erase_person(kari, told["admin"])
    db.session.commit()
    response = her.get("/my-data")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_erasure_on_the_web_refuses_roles_and_oneself(told, client, login):
    admin, supervisor = told["admin"], told["supervisor"]
    login(admin)
    url = f"/admin/users/{supervisor.id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "supervises 1 active enrolment: hand it over" in page
    assert 'name="confirm_email"' not in page
    response = client.post(url, data={"confirm_email": supervisor.email})
    assert response.status_code == 409
    assert story.reload(supervisor).erased_at is None
    assert client.get(f"/admin/users/{admin.id}/erase").status_code == 403


# --- The audit log ------------------------------------------------------------------------


def test_the_audit_log_filters_pages_and_records_its_reading(told, client, login, app):
    admin, kari = told["admin"], told["kari"]
    login(admin)
    everything = client.get("/admin/audit")
    assert everything.status_code == 200
    text = everything.get_data(as_text=True)
    assert "<code>login_failed</code>" in text and "127.0.0.1" in text

    by_person = client.get(f"/admin/audit?person={story.EMAIL}").get_data(as_text=True)
    assert "password_reset_requested" in by_person  # named in the details only
    assert "plan_approved" in by_person  # her plan, by her supervisor
    assert "coordinator@example.org" not in by_person
    by_number = client.get(f"/admin/audit?person=%23{kari.id}").get_data(as_text=True)
    assert "password_reset_requested" in by_number
    by_action = client.get("/admin/audit?action=stay_returned").get_data(as_text=True)
    assert "Which marsupial lab exactly?" in by_action
    assert "<code>login_failed</code>" not in by_action
    stay = told["stay"]
    by_record = client.get(f"/admin/audit?record_type=stay&record_id={stay.id}")
    assert "stay_confirmed" in by_record.get_data(as_text=True)
    since = client.get("/admin/audit?since=2000-01-01").get_data(as_text=True)
    assert int(re.search(r"(\d+) entries\.", since).group(1)) > 20
    assert "0 entries." in client.get("/admin/audit?until=2000-01-01").get_data(as_text=True)

    readings = _entries("audit_log_read")
    assert readings[1].detail["filters"]["person"] == kari.id
    assert readings[3].detail["filters"]["action"] == "stay_returned"
    assert all(r.actor_id == admin.id and r.ip == "127.0.0.1" for r in readings)

    app.config["PER_PAGE"], per_page = 3, app.config["PER_PAGE"]
    try:
        second = client.get(f"/admin/audit?person={kari.id}&page=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = per_page
    assert "Page 3" in second or 'aria-current="page">2<' in second


@pytest.mark.parametrize(
    ("query", "message"),
    [("person=nobody@example.org", "No account has this e-mail address or number."),
     ("person=%2399999", "No account has this e-mail address or number."),
     ("action=no_such_action", "Not a valid choice"),
     ("record_type=spaceship", "Not a valid choice"),
     ("record_id=-4", "Number must be between"),
     ("since=2026-02-30", "Enter the date as 30 Nov 2026 or as YYYY-MM-DD."),
     ("since=2026-05-01&until=2026-04-30", "The period ends before it starts."),
     ("page=0", "Number must be between")],
)  # fmt: skip
def test_bad_filters_are_explained_not_failed(told, client, login, query, message):
    login(told["admin"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    csv_response = client.get(f"/admin/audit.csv?{query}")
    assert csv_response.status_code == 302


def test_the_csv_holds_the_filtered_entries_with_formulas_defused(told, client, login):
    admin, kari = told["admin"], told["kari"]
    admin.name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    record("note", admin, kari, comment="@SUM(1+1)")
    db.session.commit()
    login(admin)
    response = client.get(f"/admin/audit.csv?person={kari.id}")
    assert response.mimetype == "text/csv"
    assert 'filename="audit-log.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][1])
    assert rows[0] == ["id", "time_utc", "actor_id", "actor", "action", "record_type",
                       "record_id", "detail", "ip"]  # fmt: skip
    note = next(row for row in rows if row[4] == "note")
    assert note[3] == "'=HYPERLINK(\"http://evil.example\")"
    assert json.loads(note[7]) == {"comment": "@SUM(1+1)"}
    assert {row[4] for row in rows[1:]} >= {"login_failed", "password_reset_requested"}
    assert "coordinator@example.org" not in response.get_data(as_text=True)
    assert _entries("audit_log_read")[-1].detail["format"] == "csv"


def test_the_current_user_is_recorded_as_a_user_not_as_its_proxy(told, app):
    """Flask-Login's current_user is a proxy: an entry about it must name a "user" record."""
    kari = told["kari"]
    with app.test_request_context():
        login_user(kari)
        entry = record("personal_data_exported", current_user, current_user, format="page")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (kari.id, "user", kari.id)
