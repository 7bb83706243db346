"""The coordinator's pages in Chromium: axe-core finds no WCAG 2.1 A/AA violation."""

import pytest
from playwright.sync_api import expect

from tests.integration import stats_dataset as data

AS_OF = data.AS_OF.isoformat()


@pytest.fixture()
def coordinator(make_user):
    built = data.build()
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    for enrolment in built.enrolments.values():
        enrolment.main_supervisor = supervisor
    from tracker.extensions import db

    db.session.commit()
    user = make_user(
        "coordinator@example.org", "Kari Koordinator", coordinator_of=[data.programme()]
    )
    return {"user": user, "built": built}


def test_dashboard_is_accessible(coordinator, page, browser_login, assert_accessible):
    browser_login(coordinator["user"])
    page.get_by_role("link", name="Targets and candidates").click()
    page.wait_for_url("**/coordinator/")
    expect(page.get_by_role("heading", name="Progress toward the targets")).to_be_visible()
    page.get_by_label("As of").fill(AS_OF)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(f"**as_of={AS_OF}**")
    # The charts are images with a name, and their numbers are in tables.
    chart = page.get_by_role("img", name="PhD candidates by year of completion")
    expect(chart).to_be_visible()
    assert page.locator("#table-phd-by-admission-year tbody tr").count() == 4
    expect(page.get_by_text("1 more person needs a stay to reach the target.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    "name", ["candidates", "overdue", "at-risk", "waiting", "no-activity", "unfunded-stays"]
)
def test_list_pages_are_accessible(coordinator, page, browser_login, assert_accessible, name):
    browser_login(coordinator["user"])
    page.goto(f"/coordinator/lists/{name}?as_of={AS_OF}")
    assert_accessible(page)


def test_sorting_and_paging_by_keyboard(coordinator, page, browser_login, assert_accessible):
    browser_login(coordinator["user"])
    page.goto(f"/coordinator/lists/candidates?as_of={AS_OF}&kind=postdoc")
    header = page.get_by_role("columnheader", name="Name")
    assert header.get_attribute("aria-sort") == "ascending"
    page.get_by_role("link", name="Name").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**dir=desc**")
    assert page.get_by_role("columnheader", name="Name").get_attribute("aria-sort") == "descending"
    first = page.locator("#candidate-table tbody tr th").first.inner_text()
    assert first.startswith("Person Q9")
    assert_accessible(page)


def test_enrolment_pages_are_accessible(coordinator, page, browser_login, assert_accessible):
    browser_login(coordinator["user"])
    enrolment = coordinator["built"].enrolments["A3"]
    page.goto(f"/coordinator/enrolments/{enrolment.id}")
    assert_accessible(page)
    # A mistake is shown next to its field and in the summary, and stays accessible.
    page.get_by_label("Expected end date").fill("2020-01-01")
    page.get_by_role("button", name="Save changes").click()
    mistake = page.get_by_text("The expected end cannot be before the start date.")
    expect(mistake.first).to_be_visible()
    assert_accessible(page)
    page.goto("/coordinator/enrolments/new")
    assert_accessible(page)


def test_import_pages_are_accessible(coordinator, page, browser_login, assert_accessible):
    browser_login(coordinator["user"])
    page.goto("/coordinator/import")
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "enrolments.csv",
                "mimeType": "text/csv",
                "buffer": b"kind,email,name,programme,start_date\n"
                b"phd,new@example.org,New Person,PHD-CS,2026-08-15\n"
                b"phd,bad@example.org,Bad Date,PHD-CS,15.08.2026\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("alert").first.wait_for()
    assert_accessible(page)
