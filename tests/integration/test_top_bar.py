"""What every page has: the top bar's review badge and language menu, the icon, and a
friendly word (or none) to someone not logged in."""

from datetime import UTC, date, datetime

import pytest

from tests.plan_support import people, signed_in, text
from tracker.domain.vocabulary import PlanStatus
from tracker.extensions import db
from tracker.models import Plan, Stay, User


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


def test_the_first_visit_is_not_scolded(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'class="alert' not in page


@pytest.mark.parametrize(
    ("language", "message"),
    [("en-GB", "Log in to see this page."), ("nb-NO", "Logg inn for å se denne siden.")],
)
def test_a_deeper_page_asks_kindly_in_the_reader_s_language(client, language, message):
    headers = {"Accept-Language": language}
    response = client.get("/plans/1", headers=headers)
    assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"], headers=headers).get_data(as_text=True)
    assert message in page
    assert "Please log in to access this page." not in page


def test_the_icon_is_served_and_linked(client, cast, login):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    login(cast["candidate"])
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_the_review_link_counts_what_waits(cast, isolated_client, make_stay):
    enrolment = cast["enrolment"]
    db.session.add(Plan(enrolment=enrolment, status=PlanStatus.SUBMITTED,
                        submitted_at=datetime(2026, 1, 5, tzinfo=UTC)))  # fmt: skip
    stay = make_stay(enrolment, in_approved_plan=True)
    stay.reported_at = datetime(2026, 1, 6, tzinfo=UTC)
    stay.reported_start_date, stay.reported_end_date = date(2025, 3, 1), date(2025, 5, 31)
    db.session.commit()
    supervisor = signed_in(isolated_client, cast["supervisor"])
    page = supervisor.get("/").get_data(as_text=True)
    assert '<span class="badge rounded-pill text-bg-warning" id="review-badge">2' in page
    assert "2 wait for your decision" in text(supervisor.get("/"))
    # The co-supervisor decides nothing: the link has no badge.
    co = signed_in(isolated_client, cast["co"])
    assert "review-badge" not in co.get("/").get_data(as_text=True)
    db.session.delete(db.session.get(Stay, stay.id))
    db.session.commit()
    assert "1 waits for your decision" in text(supervisor.get("/"))


def test_the_language_menu_switches_in_one_click_and_stays_on_the_page(cast, isolated_client):
    client = signed_in(isolated_client, cast["candidate"])
    eid = cast["enrolment"].id
    page = client.get(f"/plans/{eid}").get_data(as_text=True)
    # One form per language in the menu, each sending the page it is on.
    assert page.count(f'name="next" value="/plans/{eid}"') == 3
    assert 'lang="nb"' in page
    response = client.post("/auth/preferences", data={"locale": "nb", "next": f"/plans/{eid}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{eid}"
    db.session.expire_all()
    assert db.session.get(User, cast["candidate"].id).locale == "nb"
    assert "Mobilitetsplan" in text(client.get(f"/plans/{eid}"))
    # Nowhere but here: a foreign "next" goes home.
    elsewhere = client.post("/auth/preferences", data={"locale": "en", "next": "//evil.example"})
    assert elsewhere.headers["Location"] == "/"
