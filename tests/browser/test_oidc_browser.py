"""Log in through the institution's provider in Chromium, on the provider's own page, and out."""

import re

import pytest
from playwright.sync_api import expect

from tests.oidc_support import CLIENT_SECRET, PASSWORD
from tracker.extensions import db
from tracker.models import ExternalIdentity

CLIENT_ID = "tracker-browser"


@pytest.fixture()
def provider(live_app, live_server, oidc_provider, monkeypatch):
    """Point the live app at the test provider for one test."""
    oidc_provider.register_client(CLIENT_ID, live_server)
    settings = {
        "OIDC_ISSUER": oidc_provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_LABEL": "Log in with Test ID",
        "OIDC_LABEL_NB": "Logg inn med Test-ID",
        "BASE_URL": live_server,
    }
    for key, value in settings.items():
        monkeypatch.setitem(live_app.config, key, value)
    yield oidc_provider
    oidc_provider.reset()
    live_app.extensions.pop("tracker.oidc", None)


def test_log_in_and_out_through_the_provider(
    provider, live_server, make_user, page, assert_accessible
):
    make_user("kari.nordmann@example.org", "Kari Nordmann", password=None)
    page.goto("/auth/login")
    # The provider's button is the first control of the page's content, before the form.
    main_controls = page.locator("main a, main input:not([type=hidden]), main button")
    assert main_controls.first.inner_text() == "Log in with Test ID"
    assert_accessible(page)

    page.get_by_role("link", name="Log in with Test ID").click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/interaction/"))
    page.get_by_label("Username").fill("kari")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Welcome, Kari Nordmann")).to_be_visible()
    assert db.session.scalar(db.select(db.func.count(ExternalIdentity.id))) == 1
    assert_accessible(page)

    # Logging out here logs out at the provider too (its page asks to confirm), then returns.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(live_server) + r"/auth/login"))
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    # The provider asks for the password again.
    page.get_by_role("link", name="Log in with Test ID").click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/interaction/"))
    expect(page.get_by_label("Password")).to_be_visible()


def test_someone_unknown_gets_a_clear_page_in_norwegian(
    provider, live_server, browser, assert_accessible
):
    context = browser.new_context(base_url=live_server, locale="nb-NO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        assert page.locator("html").get_attribute("lang") == "nb"
        assert_accessible(page)
        page.get_by_role("link", name="Logg inn med Test-ID").click()
        page.get_by_label("Username").fill("nina")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(re.escape(live_server) + r"/auth/oidc/callback"))
        no_account = page.get_by_role("heading", name="Du har ingen konto i verktøyet ennå")
        expect(no_account).to_be_visible()
        expect(page.get_by_text("nina.berg@example.net")).to_be_visible()
        assert_accessible(page)
    finally:
        context.close()
