"""The coordinator's pages in Chromium: axe-core finds no WCAG 2.1 A/AA violation."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
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
    needed = page.get_by_text("1 more person would have needed a stay to reach the target.")
    expect(needed.first).to_be_visible()
    # The chart takes the width of the page's content, not half of it.
    box, main = chart.bounding_box(), page.locator("main").bounding_box()
    assert box["width"] > 0.85 * main["width"]
    # Activities, funding and destinations, with the map, are on the page axe-core checks.
    activities = page.get_by_role("img", name="International activities: PhD candidates")
    expect(activities).to_be_visible()
    assert page.locator("#table-activities-phd-by-admission-year tbody tr").count() == 4
    expect(page.get_by_text("planned stays ahead,")).to_be_visible()
    world = page.get_by_role("img", name="Stays abroad by country")
    world.scroll_into_view_if_needed()
    expect(world).to_be_visible()
    assert world.bounding_box()["width"] > 0.85 * main["width"]
    expect(page.locator("#table-hosts")).to_contain_text("TU München")
    page.get_by_role("link", name="See the list “No international activity yet”").click()
    page.wait_for_url(f"**/coordinator/lists/no-activity?**as_of={AS_OF}**")
    page.go_back()
    assert_accessible(page)


def test_the_pickers_cannot_contradict_each_other(
    coordinator, make_programme, make_user, page, browser_login, assert_accessible
):
    make_programme("PHD-HIST", "HF", name="History")
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    browser_login(admin)
    page.goto(f"/coordinator/?as_of={AS_OF}")
    programme = page.get_by_label("Programme", exact=True)
    codes = programme.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert "PHD-HIST" in codes and "PHD-CS" in codes
    # Choosing a faculty narrows the programmes to its own.
    page.get_by_label("Faculty", exact=True).select_option("HF")
    page.locator("select[name=programme] option[value=PHD-HIST]").wait_for(state="attached")
    codes = programme.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert codes == ["", "PHD-HIST"]
    # A programme chosen before is dropped when the faculty no longer holds it.
    page.get_by_label("Faculty", exact=True).select_option("")
    programme.select_option("PHD-CS")
    page.get_by_label("Faculty", exact=True).select_option("HF")
    assert programme.input_value() == ""
    assert_accessible(page)


def test_a_mismatch_without_script_shows_the_facultys_figures(
    coordinator, make_programme, make_user, browser, live_server
):
    make_programme("PHD-HIST", "HF", name="History")
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        response = page.goto(f"/coordinator/?as_of={AS_OF}&faculty=HF&programme=PHD-CS")
        assert response.status == 200
        note = page.get_by_role("status").filter(has_text="PHD-CS is not in faculty HF")
        expect(note).to_be_visible()
        assert "The figures are the faculty's" in note.inner_text()
        expect(page.get_by_text("Faculty HF, as of")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_dashboard_reads_at_any_width(
    coordinator, page, browser_login, assert_accessible, width
):
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(coordinator["user"])
    page.goto(f"/coordinator/?as_of={AS_OF}")
    chart = page.get_by_role("img", name="PhD candidates by year of completion")
    chart.wait_for()
    # On a narrow screen the chart keeps a readable size and its frame scrolls sideways;
    # the page itself does not.
    assert chart.bounding_box()["width"] >= 600 or width > 600
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
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
