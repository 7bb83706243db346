"""A user who chose Norwegian bokmål sees the home page in it, and it stays accessible."""

from datetime import date

from tracker.extensions import db


def test_home_page_in_norwegian(
    make_user, make_programme, make_enrolment, page, browser_login, assert_accessible
):
    programme = make_programme("PHD-CS", "IE")
    candidate = make_user("kandidat@example.org", "Ola Kandidat")
    candidate.locale = "nb"
    db.session.commit()
    make_enrolment(candidate, programme=programme, start_date=date(2025, 8, 15))

    # The login page is still in the browser's language (en-GB); the user's applies after.
    browser_login(candidate)
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("heading", name="Velkommen, Ola Kandidat").is_visible()
    assert page.get_by_role("heading", name="Mine mobilitetsplaner").is_visible()
    assert page.get_by_role("link", name="Språk").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Språk").click()
    assert page.get_by_label("Språk").input_value() == "nb"
    assert_accessible(page)
