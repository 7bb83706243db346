"""Each role logs in and sees its home page; axe-core finds no WCAG A/AA violation."""

from datetime import date

import pytest
from playwright.sync_api import expect


@pytest.fixture()
def people(make_user, make_programme, make_enrolment):
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    make_enrolment(
        candidate, programme=programme, supervisor=supervisor, start_date=date(2025, 8, 15)
    )
    coordinator = make_user(
        "coordinator@example.org", "Kari Koordinator", coordinator_of=[programme]
    )
    admin = make_user("admin@example.org", "Arne Admin", admin=True)
    return {
        "candidate": candidate,
        "supervisor": supervisor,
        "coordinator": coordinator,
        "admin": admin,
    }


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("candidate", "My mobility plans"),
        ("supervisor", "Candidates I supervise"),
        ("coordinator", "Programmes I coordinate"),
        ("admin", "Administration"),
    ],
)
def test_home_page_per_role(people, page, browser_login, assert_accessible, role, heading):
    browser_login(people[role])
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert_accessible(page)


def test_login_page_is_accessible(page, assert_accessible):
    page.goto("/auth/login")
    assert_accessible(page)
