"""What a new user meets, walked in Chromium: errors that take the focus, a plan being
revised, withdrawing and discarding, removing with a question, reporting a stay once it
has ended, the import's preview and invitations, the top bar on a phone, and every page
of each role in both languages, axe-clean and reflowing at 320 px (assert_accessible)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tracker.domain.vocabulary import Funding, StayPurpose
from tracker.extensions import db
from tracker.models import Activity, Stay, User
from tracker.services import plans, stays

TODAY = date.today()


def stay_fields(host: str, start: date, end: date, country: str = "DE") -> dict:
    return {
        "host_institution": host,
        "host_contact": "",
        "city": "",
        "country": country,
        "start_date": start,
        "end_date": end,
        "purpose": StayPurpose.RESEARCH_STAY,
        "funding": Funding.ERASMUS_PLUS,
        "notes": "",
    }


@pytest.fixture()
def world(make_user, make_programme, make_enrolment):
    """A programme with a candidate whose plan is approved (a stay ended, one ahead, an
    approval comment), another whose plan waits for the supervisor, a coordinator, an
    administrator."""
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    co = make_user("co@example.org", "Carl Medveileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    waiting = make_user("waiting@example.org", "Vera Venter")
    start = TODAY - timedelta(days=700)
    enrolment = make_enrolment(
        candidate, programme=programme, supervisor=supervisor, co_supervisors=[co],
        start_date=start, expected_end_date=start + timedelta(days=4 * 365),
    )  # fmt: skip
    plan = plans.start_plan(enrolment, candidate)
    plan.narrative = "Two stays in Europe."
    ended = stays.add_stay(enrolment, candidate, **stay_fields(
        "Technische Universität München", TODAY - timedelta(days=200),
        TODAY - timedelta(days=100)))  # fmt: skip
    ahead = stays.add_stay(enrolment, candidate, **stay_fields(
        "ETH Zürich", TODAY + timedelta(days=100), TODAY + timedelta(days=200), "CH"))  # fmt: skip
    db.session.add(Activity(enrolment=enrolment, type="conference", title="ICRA"))
    plans.submit_plan(plan, candidate)
    plans.approve_plan(plan, supervisor, "Well planned; go in spring.")

    other = make_enrolment(
        waiting, programme=programme, supervisor=supervisor, start_date=start,
        expected_end_date=start + timedelta(days=4 * 365),
    )  # fmt: skip
    other_plan = plans.start_plan(other, waiting)
    for n in range(6):  # a long page: the decision forms are far below the top
        stays.add_stay(other, waiting, **stay_fields(
            f"Host {n}", TODAY + timedelta(days=30 + 40 * n),
            TODAY + timedelta(days=60 + 40 * n)))  # fmt: skip
    plans.submit_plan(other_plan, waiting)
    db.session.commit()
    return {
        "programme": programme,
        "supervisor": supervisor,
        "co": co,
        "candidate": candidate,
        "enrolment": enrolment,
        "ended": ended,
        "ahead": ahead,
        "other": other,
        "coordinator": make_user(
            "coordinator@example.org", "Kari Koordinator", coordinator_of=[programme]
        ),
        "admin": make_user("admin@example.org", "Arne Admin", admin=True),
    }


def see(page, text):
    # Wait for the page a click leads to; a loaded machine may take a while.
    page.get_by_text(text).first.wait_for(state="visible", timeout=20_000)


def log_in_as(page, browser_login, user):
    page.context.clear_cookies()  # whatever the language of the "Log out" button
    browser_login(user)


# --- 1: errors take the focus ------------------------------------------------------------


def test_a_refused_decision_shows_its_error_where_the_eye_is(
    world, page, browser_login, assert_accessible
):
    browser_login(world["supervisor"])
    page.goto(f"/review/plans/{world['other'].id}")
    page.get_by_role("button", name="Request changes").scroll_into_view_if_needed()
    page.get_by_role("button", name="Request changes").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
    text = summary.inner_text()
    assert "Write a comment so the candidate knows what to change." in text
    assert "?:" not in text
    assert_accessible(page)
    # The link takes the reader to the field.
    summary.get_by_role("link").click()
    page.wait_for_function("document.activeElement.id === 'changes-comment'")


# --- 14, 7, 8, 2: the candidate's plan -----------------------------------------------------


def test_the_candidate_revises_discards_and_withdraws(
    world, page, browser_login, assert_accessible
):
    eid = world["enrolment"].id
    browser_login(world["candidate"])
    see(page, "Well planned; go in spring.")  # the approval comment, on the home page
    page.get_by_role("link", name="Approved — report stays when they are done").click()
    see(page, "Your supervisor's comment on the approval")
    # 8: the ended stay can be reported; the one ahead says from when.
    report = page.get_by_role("link", name="Report as done stay at Technische Universität München")
    expect(report).to_be_visible()
    assert not page.get_by_role("link", name="Report as done stay at ETH Zürich").count()
    see(page, "You can report this stay as done from")
    assert_accessible(page)

    # 2: a revision reads as approved, on the plan and the home page.
    page.get_by_role("button", name="Start a revision").click()
    see(page, "A revision is started.")
    assert page.locator("#plan-status").inner_text() == "Approved — revision in progress"
    page.get_by_role("link", name="Home").click()
    see(page, "The approved version of your plan still holds")
    expect(page.get_by_role("cell", name="Approved — revision in progress")).to_be_visible()
    assert not page.get_by_role("cell", name="Draft", exact=True).count()
    assert_accessible(page)

    # 7: removing asks first; "no" keeps the stay.
    page.goto(f"/plans/{eid}/stays/new")
    page.get_by_label("Host institution").fill("KTH")
    page.get_by_label("Country").select_option(label="Sweden")
    page.get_by_label("Start date").fill((TODAY + timedelta(days=300)).isoformat())
    page.get_by_label("End date").fill((TODAY + timedelta(days=360)).isoformat())
    page.get_by_role("button", name="Save stay").click()
    see(page, "The stay is saved.")
    page.get_by_role("link", name="Remove stay at KTH").click()
    see(page, "Remove the stay at KTH?")
    assert_accessible(page)
    page.get_by_role("link", name="No, back to the plan").click()
    page.wait_for_url(f"**/plans/{eid}")
    expect(page.get_by_role("cell", name="KTH", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove stay at KTH").click()
    page.get_by_role("button", name="Remove the stay").click()
    see(page, "The stay is removed from the plan.")
    page.get_by_role("link", name="Remove activity ICRA").click()
    see(page, "Remove the activity “ICRA”?")
    page.get_by_role("button", name="Remove the activity").click()
    see(page, "The activity is removed from the plan.")

    # 14: discarding the revision brings the activity back and the plan is approved again.
    page.get_by_role("link", name="Discard the revision").click()
    see(page, "Discard your revision?")
    assert_accessible(page)
    page.get_by_role("button", name="Discard the revision").click()
    see(page, "The revision is discarded.")
    assert page.locator("#plan-status").inner_text() == "Approved"
    expect(page.get_by_role("cell", name="ICRA", exact=True)).to_be_visible()
    assert_accessible(page)

    # 6: adding to the approved plan explains the revision, with its button.
    page.goto(f"/plans/{eid}/stays/new")
    see(page, "An approved plan changes through a revision")
    assert_accessible(page)
    page.get_by_role("button", name="Start a revision").click()
    see(page, "A revision is started.")

    # 14: a submitted revision can be taken back before the decision.
    page.get_by_role("button", name="Submit plan to supervisor").click()
    see(page, "Your plan is submitted.")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw the plan").click()
    see(page, "Your plan is withdrawn")
    expect(page.get_by_role("button", name="Submit plan to supervisor")).to_be_visible()
    page.get_by_role("link", name="Version history").click()
    see(page, "Withdrawn by the candidate")
    assert_accessible(page)


def test_a_coordinator_finds_plans_being_revised(world, page, browser_login, assert_accessible):
    plan = world["enrolment"].plan
    plans.start_revision(plan, world["candidate"])
    db.session.commit()
    browser_login(world["coordinator"])
    page.goto("/coordinator/lists/candidates")
    page.get_by_label("Plan status").select_option(label="Approved — revision in progress")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**plan_status=revision**")
    rows = page.locator("#candidate-table tbody tr")
    assert rows.count() == 1 and "Ola Kandidat" in rows.first.inner_text()
    assert "Approved — revision in progress" in rows.first.inner_text()
    assert_accessible(page)


# --- 15: the import says what it will do, and invites on request ------------------------


def test_an_import_preview_names_people_and_changes_then_invites(
    world, page, browser_login, assert_accessible
):
    browser_login(world["coordinator"])
    page.goto("/coordinator/import")
    assert page.get_by_role("link", name="Download a template to fill in (CSV) — Enrolments")
    expect(page.get_by_role("cell", name="Erasmus+").first).to_be_visible()
    assert_accessible(page)
    start = world["enrolment"].start_date.isoformat()
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "enrolments.csv", "mimeType": "text/csv",
        "buffer": (
            "kind;email;name;programme;start_date;expected_end_date;supervisor_email\n"
            "Ph.d.;nina@example.org;Nina Ny;PHD-CS;2026-08-15;;new.sup@example.org\n"
            f"phd;candidate@example.org;Ola Kandidat;PHD-CS;{start};2031-01-01;\n"
        ).encode(),
    }])  # fmt: skip
    page.get_by_role("button", name="Check the file").click()
    see(page, "2 people get an account.")
    see(page, "Nina Ny <nina@example.org>")
    see(page, "new.sup@example.org <new.sup@example.org>")
    see(page, f"{world['enrolment'].expected_end_date.isoformat()} → 2031-01-01")
    assert_accessible(page)
    page.get_by_label("E-mail an invitation to choose a password").check()
    page.get_by_role("button", name="Import now").click()
    see(page, "Imported: 1 created, 1 updated, 0 unchanged.")
    see(page, "2 people were created and e-mailed an invitation")
    assert_accessible(page)


# --- 16: choosing a supervisor by name --------------------------------------------------


def test_a_supervisor_is_chosen_by_name_with_the_keyboard(
    world, page, browser_login, assert_accessible
):
    browser_login(world["coordinator"])
    page.goto("/coordinator/enrolments/new")
    box = page.get_by_role("combobox", name="Main supervisor's e-mail")
    box.fill("Siri")
    options = page.get_by_role("listbox", name="People found").get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")
    assert box.input_value() == "supervisor@example.org"
    assert box.get_attribute("aria-expanded") == "false"


# --- 18, 11: the top bar --------------------------------------------------------------------


def test_the_top_bar_counts_what_waits_and_folds_into_a_menu_on_a_phone(
    world, page, browser_login, assert_accessible
):
    browser_login(world["supervisor"])
    review = page.get_by_role("link", name="Review 1 waits for your decision")
    expect(review).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 700})
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(review).not_to_be_visible()
    # The bar is one line: the brand and the menu button.
    assert page.locator("nav.navbar").bounding_box()["height"] < 100
    menu.click()
    review.wait_for(state="visible")
    log_out = page.get_by_role("button", name="Log out").bounding_box()
    assert log_out["height"] < 40  # one line, not "Log / out"
    assert_accessible(page)
    review.click()
    see(page, "Plans waiting for your decision")
    assert_accessible(page)


# --- Every page of each role, in both languages ------------------------------------------


@pytest.mark.parametrize("language", ["en", "nb"])
def test_every_page_is_accessible_and_reflows(
    world, page, browser, live_server, browser_login, assert_accessible, language
):
    for user in db.session.scalars(db.select(User)):
        user.locale = language
    reported = db.session.get(Stay, world["ended"].id)
    stays.report_stay(reported, world["candidate"], start_date=reported.start_date,
                      end_date=reported.end_date, report="Done.",
                      lock_version=reported.lock_version)  # fmt: skip
    db.session.commit()
    eid, other = world["enrolment"].id, world["other"].id
    version = world["enrolment"].plan.approved_version_id
    activity = db.session.scalar(db.select(Activity)).id
    pages = {
        "candidate": ["/", f"/plans/{eid}", f"/plans/{eid}/history",
                      f"/plans/{eid}/versions/{version}", f"/plans/{eid}/stays/new",
                      f"/plans/activities/{activity}/remove", "/auth/password"],
        "supervisor": ["/", "/review/", f"/review/plans/{other}", f"/plans/{other}",
                       f"/review/stays/{world['ended'].id}"],
        "co": ["/", f"/review/plans/{eid}"],
        "coordinator": ["/", "/coordinator/", "/coordinator/lists/candidates",
                        "/coordinator/lists/at-risk", "/coordinator/lists/waiting",
                        f"/coordinator/enrolments/{eid}", "/coordinator/enrolments/new",
                        "/coordinator/import"],
        "admin": ["/", "/admin/users", "/admin/users?role=supervisor",
                  f"/admin/users/{world['supervisor'].id}", "/admin/users/new",
                  "/admin/programmes", "/admin/faculties", "/admin/mail",
                  "/auth/preferences"],
    }  # fmt: skip
    for role, urls in pages.items():
        log_in_as(page, browser_login, world[role])
        for url in urls:
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language, url
            assert_accessible(page)
    # Before logging in, the pages follow the browser's language.
    context = browser.new_context(base_url=live_server, locale=f"{language}-NO")
    try:
        visitor = context.new_page()
        for url in ("/auth/login", "/auth/forgot"):
            visitor.goto(url)
            assert_accessible(visitor)
    finally:
        context.close()
