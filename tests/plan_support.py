"""Builders shared by the plan workflow tests (the fixtures stay in tests/conftest.py)."""

import html
import re
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import event

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import Plan, Stay, User

STAY_FORM = {
    "host_institution": "Technische Universität München",
    "host_contact": "Prof. Weber, robotics group",
    "city": "München",
    "country": "DE",
    "start_date": "2025-03-01",
    "end_date": "2025-05-31",
    "purpose": "research_stay",
    "funding": "erasmus_plus",
    "notes": "",
    "lock_version": "0",
}


def people(make_user, make_programme, make_enrolment, *, co_supervisor: bool = True) -> dict:
    """Build a programme with a candidate, a main supervisor, a co-supervisor, a coordinator."""
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    co = make_user("co@example.org", "Carl Medveileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    enrolment = make_enrolment(
        candidate,
        programme=programme,
        supervisor=supervisor,
        co_supervisors=[co] if co_supervisor else [],
        start_date=date(2025, 1, 15),
        expected_end_date=date(2029, 1, 14),
    )
    return {
        "programme": programme,
        "candidate": candidate,
        "supervisor": supervisor,
        "co": co,
        "enrolment": enrolment,
        "coordinator": make_user(
            "coordinator@example.org", "Kari Koordinator", coordinator_of=[programme]
        ),
        "stranger": make_user("stranger@example.org", "Per Fremmed"),
    }


def signed_in(isolated_client, user: User) -> FlaskClient:
    """Return a client of its own, logged in as ``user`` through the login form."""
    client = isolated_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def reload(model, ident):
    """Return a row as the database has it now (the requests commit in their own sessions)."""
    db.session.rollback()
    return db.session.get(model, ident)


def plan_of(enrolment_id: int) -> Plan:
    """Return the enrolment's plan as stored now."""
    db.session.rollback()
    return db.session.scalar(db.select(Plan).where(Plan.enrolment_id == enrolment_id))


def stays_of(enrolment_id: int) -> list[Stay]:
    """Return the enrolment's stays as stored now."""
    db.session.rollback()
    return list(db.session.scalars(db.select(Stay).where(Stay.enrolment_id == enrolment_id)))


def text(response) -> str:
    """Return the page text with tags removed and white space collapsed, for assertions."""
    page = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def body(message) -> str:
    """Return the decoded text of a received e-mail."""
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def count_queries(client, url: str) -> int:
    """Return how many SQL statements one GET of ``url`` runs."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)
