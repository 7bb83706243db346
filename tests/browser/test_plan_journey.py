"""The whole plan journey in Chromium, every page checked with axe-core.

Candidate files a plan with a stay abroad and submits it; the supervisor asks
for changes; the candidate reads the comment, edits and resubmits; the
supervisor approves; the candidate reports the stay done; the supervisor
confirms; the stay shows as counted. The live server checks CSRF tokens.
"""

from datetime import date

import pytest


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    programme = make_programme("PHD-CS", "IE")
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    candidate = make_user("candidate@example.org", "Ola Kandidat")
    make_enrolment(
        candidate,
        programme=programme,
        supervisor=supervisor,
        start_date=date(2024, 1, 15),
        expected_end_date=date(2028, 1, 14),
    )
    return {"candidate": candidate, "supervisor": supervisor}


def test_plan_journey(cast, page, browser_login, assert_accessible):
    def log_in_as(user):
        if page.get_by_role("button", name="Log out").count():
            page.get_by_role("button", name="Log out").click()
        browser_login(user)
        assert_accessible(page)

    def see(text):
        # Wait for the page a click leads to; a moment's delay is not a failure.
        page.get_by_text(text).first.wait_for(state="visible", timeout=10_000)

    # The candidate starts the plan from the home page's next step.
    log_in_as(cast["candidate"])
    page.get_by_role("link", name="Start your plan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start my plan").click()
    see("Your plan is started.")
    assert_accessible(page)

    # A stay abroad; the first try has the dates the wrong way round.
    page.get_by_role("link", name="Add a stay").click()
    assert_accessible(page)
    page.get_by_label("Host institution").fill("Technische Universität München")
    page.get_by_label("Host research group or contact person").fill("Prof. Weber")
    page.get_by_label("City").fill("München")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Start date").fill("2025-05-31")
    page.get_by_label("End date").fill("2025-03-01")
    page.get_by_label("Funding source").select_option(label="Erasmus+")
    page.get_by_role("button", name="Save stay").click()
    see("The end date is before the start date.")
    assert page.get_by_label("Host institution").input_value() == "Technische Universität München"
    assert_accessible(page)
    page.get_by_label("Start date").fill("2025-03-01")
    page.get_by_label("End date").fill("2025-05-31")
    page.get_by_role("button", name="Save stay").click()
    see("The stay is saved.")
    see("Will count once it is done and confirmed.")
    assert_accessible(page)

    page.get_by_role("button", name="Submit plan to supervisor").click()
    see("Your plan is submitted.")
    assert_accessible(page)

    # The supervisor asks for changes.
    log_in_as(cast["supervisor"])
    see("1 plan waits for your decision")
    page.get_by_role("link", name="Open the review queue").click()
    assert_accessible(page)
    page.get_by_role("link", name="Review the plan of Ola Kandidat").click()
    see("Added:")
    assert_accessible(page)
    page.get_by_role("button", name="Request changes").click()
    see("Write a comment so the candidate knows what to change.")
    assert_accessible(page)
    page.get_by_label("What should the candidate change?").fill("Stay until the end of June.")
    page.get_by_role("button", name="Request changes").click()
    see("Changes are requested.")
    assert_accessible(page)

    # The candidate reads the comment, edits the stay and resubmits.
    log_in_as(cast["candidate"])
    see("Stay until the end of June.")
    page.get_by_role("link", name="Make the changes your supervisor asked for and resubmit").click()
    see("Your supervisor asked for changes")
    assert_accessible(page)
    page.get_by_role("link", name="Edit stay at Technische Universität München").click()
    assert_accessible(page)
    page.get_by_label("End date").fill("2025-06-30")
    page.get_by_role("button", name="Save stay").click()
    see("The stay is saved.")
    page.get_by_role("button", name="Submit plan to supervisor").click()
    see("Your plan is submitted.")

    # The supervisor sees what changed and approves.
    log_in_as(cast["supervisor"])
    page.get_by_role("link", name="Open the review queue").click()
    page.get_by_role("link", name="Review the plan of Ola Kandidat").click()
    see("Submitted version (submission 2")
    assert_accessible(page)
    page.get_by_label("Comment (optional)").fill("Good plan.")
    page.get_by_role("button", name="Approve plan").click()
    see("The plan is approved.")
    assert_accessible(page)

    # The candidate reports the stay as done.
    log_in_as(cast["candidate"])
    page.get_by_role("link", name="Approved — report stays when they are done").click()
    assert_accessible(page)
    page.get_by_role("link", name="Report as done stay at Technische Universität München").click()
    assert_accessible(page)
    page.get_by_label("Actual start date").fill("2025-03-03")
    page.get_by_label("Actual end date").fill("2025-06-28")
    page.get_by_label("Short report").fill("Built the test rig with the Weber group.")
    page.get_by_role("button", name="Report stay as done").click()
    see("waiting for the supervisor's confirmation")
    assert_accessible(page)

    # The supervisor confirms.
    log_in_as(cast["supervisor"])
    see("1 stay waits for your confirmation")
    page.get_by_role("link", name="Open the review queue").click()
    assert_accessible(page)
    page.get_by_role(
        "link", name="Confirm or return the stay of Ola Kandidat at Technische Universität München"
    ).click()
    see("Built the test rig with the Weber group.")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm stay").click()
    see("The stay is confirmed.")
    assert_accessible(page)

    # The stay now counts; the history shows every step.
    log_in_as(cast["candidate"])
    page.get_by_role("link", name="Approved — report stays when they are done").click()
    see("Counted: a confirmed stay abroad.")
    see("3 Mar 2025")
    assert_accessible(page)
    page.get_by_role("link", name="Version history").click()
    see("Stay until the end of June.")
    assert page.get_by_role("row").count() == 1 + 4
    assert_accessible(page)
    page.get_by_role("link", name="View submission 2, Approved").click()
    see("Good plan.")
    assert_accessible(page)


@pytest.fixture()
def approved_with_activity(cast):
    """The candidate's plan, approved, with a stay abroad and a conference talk planned."""
    from tracker.domain.vocabulary import ActivityStatus, ActivityType, Funding, StayPurpose
    from tracker.extensions import db
    from tracker.services import plans, stays

    candidate, supervisor = cast["candidate"], cast["supervisor"]
    enrolment = candidate.enrolments[0]
    plan = plans.start_plan(enrolment, candidate)
    stays.add_stay(enrolment, candidate, host_institution="KTH", host_contact="", city="",
                   country="SE", start_date=date(2025, 3, 1), end_date=date(2025, 5, 31),
                   purpose=StayPurpose.RESEARCH_STAY, funding=Funding.NONE, notes="")  # fmt: skip
    plans.add_activity(enrolment, candidate, type=ActivityType.CONFERENCE, title="Talk at ICRA",
                       planned_term="2025", status=ActivityStatus.PLANNED, evidence="")  # fmt: skip
    plans.submit_plan(plan, candidate)
    plans.approve_plan(plan, supervisor)
    db.session.commit()
    return enrolment.id


def test_activity_done_journey(cast, approved_with_activity, page, browser_login,
                               assert_accessible):  # fmt: skip
    """The candidate marks an activity done on the approved plan; the supervisor sees the date."""
    eid = approved_with_activity

    def see(text):
        page.get_by_text(text).first.wait_for(state="visible", timeout=10_000)

    browser_login(cast["candidate"])
    page.goto(f"/plans/{eid}")
    page.get_by_role("link", name="Mark as done activity Talk at ICRA").click()
    see("Mark an activity as done")
    assert_accessible(page)
    # A day still ahead is refused next to the field, and nothing is saved.
    page.get_by_label("Done on").fill("2099-01-01")
    page.get_by_role("button", name="Mark as done").click()
    see("The date is in the future")
    assert page.get_by_label("Done on").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Done on").fill("2025-05-20")
    page.get_by_role("button", name="Mark as done").click()
    see("The activity is marked as done.")
    assert page.locator("#plan-status").inner_text() == "Approved"
    row = page.locator("#activities tbody tr").first
    assert "on 20 May 2025" in row.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    browser_login(cast["supervisor"])
    page.goto(f"/plans/{eid}")
    row = page.locator("#activities tbody tr").first
    row.wait_for()
    assert "Done" in row.inner_text() and "on 20 May 2025" in row.inner_text()
    assert not page.get_by_role("button", name="Mark as not done activity Talk at ICRA").count()
    assert_accessible(page)
