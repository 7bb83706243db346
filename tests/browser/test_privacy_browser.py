"""The personal-data pages in Chromium, in English and bokmål, each checked with axe-core;
and an erasure confirmed with the keyboard alone."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.integration import privacy_story as story
from tracker.extensions import db

LANGUAGES = {"en": "en-GB", "nb": "nb-NO"}
HEADINGS = {
    "en": ("Privacy notice", "Accessibility statement", "My data", "Audit log"),
    "nb": ("Personvernerklæring", "Tilgjengelighetserklæring", "Mine data", "Revisjonslogg"),
}


@pytest.fixture()
def told(client, login, make_user, make_programme, make_enrolment):
    told = story.build(client, login, make_user, make_programme, make_enrolment)
    client.post("/auth/logout")
    return told


@pytest.fixture()
def page_in(browser, live_server) -> Iterator:
    """Return a factory of pages whose browser asks for a language ("en" or "nb")."""
    contexts = []

    def make(language: str):
        context = browser.new_context(base_url=live_server, locale=LANGUAGES[language])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_notice_and_statement_read_without_logging_in(page_in, assert_accessible, language):
    page = page_in(language)
    notice, statement, _, _ = HEADINGS[language]
    page.goto("/auth/login")
    page.get_by_role("link", name=notice).click()
    assert page.locator("html").get_attribute("lang") == language
    page.get_by_role("heading", level=1, name=notice).wait_for()  # the page the click opens
    assert_accessible(page)
    page.get_by_role("link", name=statement).click()
    page.get_by_role("heading", level=1, name=statement).wait_for()  # the page the click opens
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "nb"])
def test_my_data_and_the_administrators_pages(
    told, page, browser_login, assert_accessible, language
):
    _, _, my_data, audit_log = HEADINGS[language]
    kari, admin = told["kari"], told["admin"]
    kari.locale = admin.locale = language
    db.session.commit()

    browser_login(kari)
    page.get_by_role("link", name=my_data).click()
    page.get_by_role("heading", level=1, name=my_data).wait_for()  # the page the click opens
    expect(page.get_by_text("University of Western Australia").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Log out" if language == "en" else "Logg ut").click()

    browser_login(admin)
    page.goto("/admin/users")
    assert_accessible(page)
    page.goto(f"/admin/users/{kari.id}")
    assert_accessible(page)
    page.goto(f"/admin/users/{kari.id}/data")
    assert_accessible(page)
    page.goto(f"/admin/users/{kari.id}/erase")
    assert_accessible(page)
    page.goto(f"/admin/users/{told['supervisor'].id}/erase")  # refused: the reasons
    assert_accessible(page)
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", name=audit_log)).to_be_visible()
    assert_accessible(page)
    page.goto(f"/admin/audit?person={kari.id}&since=2026-02-30")  # an error to show
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)


def test_an_erasure_confirmed_with_the_keyboard_alone(told, page, browser_login, assert_accessible):
    kari, admin = told["kari"], told["admin"]
    browser_login(admin)
    page.goto(f"/admin/users/{kari.id}")
    page.get_by_role("link", name="Erase their personal data…").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/users/{kari.id}/erase")
    field = page.get_by_label("The person's e-mail address")
    field.focus()
    page.keyboard.type(story.EMAIL)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "Erase the personal data"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/users/{kari.id}")
    expect(page.get_by_text(f"The personal data of account {kari.id} was erased.")).to_be_visible()
    assert_accessible(page)
    assert story.reload(kari).erased_at is not None
