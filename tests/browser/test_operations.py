"""What operators and coordinators meet in the background work: a large summary PDF made
by a job, and the outbox's failed e-mails resent. Every page is checked with axe-core."""

from datetime import date

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tracker.domain.vocabulary import MailStatus
from tracker.extensions import db
from tracker.services import outbox


@pytest.fixture()
def background_over_one(live_app):
    before = live_app.config["PDF_BACKGROUND_OVER"]
    live_app.config["PDF_BACKGROUND_OVER"] = 1
    yield
    live_app.config["PDF_BACKGROUND_OVER"] = before


def test_a_large_summary_is_prepared_then_downloaded(
    make_user, make_programme, make_enrolment, page, browser_login, assert_accessible,
    background_over_one,
):  # fmt: skip
    programme = make_programme("PHD-CS", "IE")
    for n in range(3):
        make_enrolment(make_user(f"c{n}@example.org", f"Cand {n}"), programme=programme,
                       start_date=date(2024, 1, 15))  # fmt: skip
    browser_login(make_user("admin@example.org", "Ada Admin", admin=True))
    page.goto("/reports/summary.pdf?programme=PHD-CS")
    assert page.get_by_role("heading", name="This summary is prepared in the background")
    assert_accessible(page)
    page.get_by_role("button", name="Prepare the PDF").click()
    # The page reloads itself until the file is ready.
    try:
        page.get_by_role("link", name="Download the PDF").wait_for(timeout=30_000)
    except PlaywrightTimeout:
        raise AssertionError(f"{page.url}: {page.inner_text('main')}") from None
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.startswith("summary-PHD-CS-")


def test_failed_e_mails_are_shown_and_resent(make_user, page, browser_login, assert_accessible):
    user = make_user("kari@example.org", "Kari")
    message = outbox.queue_mail(user, "Your plan is approved", "Body", kind="notification")
    message.status, message.last_error = MailStatus.FAILED, "550 5.1.1 No such user"
    db.session.commit()
    db.session.info.clear()
    browser_login(make_user("admin@example.org", "Ada Admin", admin=True))
    page.goto("/admin/mail")
    expect(page.get_by_text("550 5.1.1 No such user")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Resend to kari@example.org").click()
    page.get_by_text("1 e-mail is queued again.").wait_for()
    assert_accessible(page)
