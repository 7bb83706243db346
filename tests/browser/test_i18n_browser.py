"""A user who chose Norwegian bokmål sees the home page in it, switches language from the top
bar's menu in one click, and every page stays accessible."""

from datetime import date

from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", name="Velkommen, Ola Kandidat")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine mobilitetsplaner")).to_be_visible()
    assert_accessible(page)

    # The menu opens in place, says which language is chosen, and is accessible open.
    page.get_by_text("Språk", exact=True).click()
    chosen = page.get_by_role("button", name="Norsk bokmål")
    assert chosen.get_attribute("aria-current") == "true"
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Welcome, Ola Kandidat").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_text("Your language is saved.")).to_be_visible()
    assert_accessible(page)
    # Escape closes the menu again, and focus goes back to it.
    page.get_by_text("Language", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Norsk bokmål")).not_to_be_visible()
