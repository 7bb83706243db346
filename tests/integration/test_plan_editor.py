"""The candidate's plan editor through the test client: start, edit, stays, activities."""

from datetime import date

import pytest

from tests.plan_support import (
    STAY_FORM,
    count_queries,
    people,
    plan_of,
    reload,
    signed_in,
    stays_of,
    text,
)
from tracker.domain.vocabulary import PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Activity, AuditEntry, Plan, Stay


@pytest.fixture()
def cast(make_user, make_programme, make_enrolment):
    return people(make_user, make_programme, make_enrolment)


@pytest.fixture()
def started(cast, isolated_client):
    """The candidate's client, with a plan started."""
    client = signed_in(isolated_client, cast["candidate"])
    assert client.post(f"/plans/{cast['enrolment'].id}/start").status_code == 302
    return client


def audit_actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_candidate_without_plan_is_offered_to_start_it(cast, isolated_client):
    client = signed_in(isolated_client, cast["candidate"])
    page = client.get(f"/plans/{cast['enrolment'].id}")
    assert page.status_code == 200
    assert "Start my plan" in text(page)
    response = client.post(f"/plans/{cast['enrolment'].id}/start")
    assert response.status_code == 302
    plan = plan_of(cast["enrolment"].id)
    assert plan.status == PlanStatus.DRAFT
    assert "plan_started" in audit_actions()


def test_starting_a_second_plan_is_refused(cast, started):
    response = started.post(f"/plans/{cast['enrolment'].id}/start")
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 1


def test_saving_the_narrative_and_justification(cast, started):
    eid = cast["enrolment"].id
    assert started.get(f"/plans/{eid}/edit").status_code == 200
    plan = plan_of(eid)
    response = started.post(
        f"/plans/{eid}/edit",
        data={
            "narrative": "  Two conferences and a stay.  ",
            "no_stay_justification": "",
            "lock_version": plan.lock_version,
        },
    )
    assert response.status_code == 302
    assert plan_of(eid).narrative == "Two conferences and a stay."


def test_adding_a_stay_abroad(cast, started):
    eid = cast["enrolment"].id
    assert "Choose a country" in started.get(f"/plans/{eid}/stays/new").get_data(as_text=True)
    response = started.post(f"/plans/{eid}/stays/new", data=STAY_FORM, follow_redirects=True)
    assert response.status_code == 200
    assert "The stay is saved." in text(response)
    assert "Warning:" not in text(response)
    (stay,) = stays_of(eid)
    assert (stay.country, stay.start_date, stay.end_date) == (
        "DE",
        date(2025, 3, 1),
        date(2025, 5, 31),
    )
    assert stay.status == StayStatus.PLANNED and not stay.in_approved_plan
    assert "Will count once it is done and confirmed." in text(response)
    assert "stay_added" in audit_actions()


def test_country_names_follow_the_users_language(cast, started):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    user = reload(type(cast["candidate"]), cast["candidate"].id)
    user.locale = "nb"
    db.session.commit()
    assert "Tyskland" in text(started.get(f"/plans/{eid}"))
    assert '<option value="DE">Tyskland</option>' in started.get(
        f"/plans/{eid}/stays/new"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "warnings"),
    [
        ({"country": "NO"}, ["in Norway, the home country: it will not count"]),
        ({"end_date": "2025-03-27"}, ["shorter than 28 days: it will not count"]),
        ({"end_date": "2025-03-28"}, []),
        (
            {"start_date": "2028-12-01", "end_date": "2029-02-28"},
            ["ends after the expected end date of the enrolment (14 Jan 2029)"],
        ),
        (
            {"funding": "overseas_research_grant", "end_date": "2025-05-30"},
            ["funds stays of 3 to 12 months"],
        ),
        ({"funding": "overseas_research_grant"}, []),
        (
            {
                "funding": "overseas_research_grant",
                "start_date": "2028-05-01",
                "end_date": "2028-08-31",
            },
            ["at least 6 months before the expected end date, that is by 14 Jul 2028"],
        ),
    ],
)
def test_warnings_are_shown_as_text_and_the_stay_is_saved(cast, started, changes, warnings):
    eid = cast["enrolment"].id
    response = started.post(
        f"/plans/{eid}/stays/new", data=STAY_FORM | changes, follow_redirects=True
    )
    page = text(response)
    assert response.status_code == 200 and "The stay is saved." in page
    assert len(stays_of(eid)) == 1
    for warning in warnings:
        assert page.count(warning) == 2  # flashed after saving, and in the stays table
        assert "Warning:" in page  # in the stays table, spelled out, not a colour alone
    if not warnings:
        assert "Warning:" not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2025-02-28"}, "end_date", "The end date is before the start date."),
        (
            {"start_date": "2025-01-14"},
            "start_date",
            "The stay starts before the enrolment starts (15 Jan 2025).",
        ),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"country": ""}, "country", "Choose a country from the list."),
        (
            {"start_date": "1st of March"},
            "start_date",
            "Enter the date as 30 Nov 2026 or as YYYY-MM-DD.",
        ),
        ({"host_institution": ""}, "host_institution", "This field is required."),
    ],
)
def test_invalid_stay_is_refused_next_to_the_field_and_input_is_kept(
    cast, started, changes, field, message
):
    eid = cast["enrolment"].id
    data = STAY_FORM | {"notes": "Bring the lab notebook"} | changes
    response = started.post(f"/plans/{eid}/stays/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert stays_of(eid) == []
    # The message sits in the field's error element, which the field points to.
    assert f'<div id="{field}-error" class="invalid-feedback d-block">{message}</div>' in html
    assert (
        f'aria-describedby="{field}-error"' in html
        or f'aria-describedby="{field}-help {field}-error"' in html
    )
    assert 'id="error-summary"' in html
    # Nothing typed is lost.
    assert "Bring the lab notebook" in html
    assert "Prof. Weber, robotics group" in html
    for name, value in changes.items():
        if value and name != "country":
            assert f'value="{value}"' in html


def test_editing_a_stay(cast, started):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    (stay,) = stays_of(eid)
    form = started.get(f"/plans/stays/{stay.id}/edit").get_data(as_text=True)
    assert 'value="Technische Universität München"' in form
    assert '<option selected value="DE">' in form
    response = started.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"end_date": "2025-06-30", "lock_version": stay.lock_version},
    )
    assert response.status_code == 302
    assert reload(Stay, stay.id).end_date == date(2025, 6, 30)


def test_second_save_of_the_same_stay_gets_a_conflict_and_overwrites_nothing(cast, started):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    (stay,) = stays_of(eid)
    opened_with = stay.lock_version
    first = started.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"city": "Garching", "lock_version": opened_with},
    )
    assert first.status_code == 302
    second = started.post(
        f"/plans/stays/{stay.id}/edit",
        data=STAY_FORM | {"city": "Berlin", "lock_version": opened_with},
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "changed by someone else since you opened it" in html
    assert 'value="Berlin"' in html  # what they typed is still in the form
    assert reload(Stay, stay.id).city == "Garching"


def test_second_save_of_the_plan_text_gets_a_conflict(cast, started):
    eid = cast["enrolment"].id
    opened_with = plan_of(eid).lock_version
    data = {"narrative": "First", "no_stay_justification": "", "lock_version": opened_with}
    assert started.post(f"/plans/{eid}/edit", data=data).status_code == 302
    second = started.post(f"/plans/{eid}/edit", data=data | {"narrative": "Second"})
    assert second.status_code == 409
    assert "reload the page" in second.get_data(as_text=True)
    assert plan_of(eid).narrative == "First"


def test_removing_and_cancelling_stays(cast, started):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM | {"host_institution": "KTH"})
    first, second = sorted(stays_of(eid), key=lambda s: s.id)
    stale = started.post(f"/plans/stays/{first.id}/remove", data={"lock_version": 99})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_data(as_text=True)
    assert (
        started.post(
            f"/plans/stays/{first.id}/remove", data={"lock_version": first.lock_version}
        ).status_code
        == 302
    )
    assert (
        started.post(
            f"/plans/stays/{second.id}/cancel", data={"lock_version": second.lock_version}
        ).status_code
        == 302
    )
    (left,) = stays_of(eid)
    assert (left.id, left.status) == (second.id, StayStatus.CANCELLED)
    assert {"stay_removed", "stay_cancelled"} <= set(audit_actions())
    # A cancelled stay is on record but cannot be edited any more.
    assert started.get(f"/plans/stays/{second.id}/edit").status_code == 409


def test_activities_add_edit_remove(cast, started):
    eid = cast["enrolment"].id
    data = {
        "type": "publication",
        "title": "Paper with the host group",
        "planned_term": "2026",
        "status": "planned",
        "evidence": "doi:10.1000/xyz123",
        "lock_version": "0",
    }
    assert started.post(f"/plans/{eid}/activities/new", data=data).status_code == 302
    activity = db.session.scalar(db.select(Activity))
    page = started.get(f"/plans/{eid}").get_data(as_text=True)
    assert 'href="https://doi.org/10.1000/xyz123"' in page
    # Done needs the day it was done.
    response = started.post(
        f"/plans/activities/{activity.id}/edit",
        data=data | {"status": "done", "lock_version": activity.lock_version},
    )
    assert response.status_code == 422
    assert "Enter the date the activity was done" in response.get_data(as_text=True)
    assert reload(Activity, activity.id).status == "planned"
    response = started.post(
        f"/plans/activities/{activity.id}/edit",
        data=data
        | {"status": "done", "done_on": "2025-05-02", "lock_version": activity.lock_version},
    )
    assert response.status_code == 302
    activity = reload(Activity, activity.id)
    assert (activity.status, activity.done_on) == ("done", date(2025, 5, 2))
    # Planned again: the date goes with the status.
    response = started.post(
        f"/plans/activities/{activity.id}/edit",
        data=data | {"done_on": "2025-05-02", "lock_version": activity.lock_version},
    )
    assert response.status_code == 302
    assert reload(Activity, activity.id).done_on is None
    activity = reload(Activity, activity.id)
    stale = started.post(f"/plans/activities/{activity.id}/edit", data=data | {"lock_version": 1})
    assert stale.status_code == 409
    response = started.post(
        f"/plans/activities/{activity.id}/remove", data={"lock_version": activity.lock_version}
    )
    assert response.status_code == 302
    assert reload(Activity, activity.id) is None


@pytest.mark.parametrize("evidence", ["javascript:alert(1)", "see my CV", "ftp://x.org/a"])
def test_activity_evidence_must_be_a_web_address_or_doi(cast, started, evidence):
    data = {
        "type": "conference",
        "title": "ICML",
        "planned_term": "",
        "status": "planned",
        "evidence": evidence,
        "lock_version": "0",
    }
    response = started.post(f"/plans/{cast['enrolment'].id}/activities/new", data=data)
    assert response.status_code == 422
    assert "Enter a web address starting with https://" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Activity)) is None


def test_another_candidate_cannot_see_or_touch_the_plan(cast, started, make_user, isolated_client):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    (stay,) = stays_of(eid)
    other = signed_in(isolated_client, make_user("other@example.org"))
    for url in (
        f"/plans/{eid}",
        f"/plans/{eid}/edit",
        f"/plans/{eid}/history",
        f"/plans/stays/{stay.id}/edit",
        f"/plans/stays/{stay.id}/report",
    ):
        assert other.get(url).status_code == 403, url
    assert other.post(f"/plans/{eid}/stays/new", data=STAY_FORM).status_code == 403
    assert (
        other.post(
            f"/plans/stays/{stay.id}/remove", data={"lock_version": stay.lock_version}
        ).status_code
        == 403
    )
    assert other.get("/plans/9999").status_code == 404
    assert other.get("/plans/stays/9999/edit").status_code == 404
    assert len(stays_of(eid)) == 1
    assert "access_refused" in audit_actions()


@pytest.mark.parametrize("who", ["supervisor", "co", "coordinator"])
def test_supervisors_and_coordinators_read_but_cannot_change(cast, started, isolated_client, who):
    eid = cast["enrolment"].id
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    (stay,) = stays_of(eid)
    client = signed_in(isolated_client, cast[who])
    page = client.get(f"/plans/{eid}")
    assert page.status_code == 200
    assert "Technische Universität München" in text(page)
    assert "Add a stay" not in text(page) and "Edit" not in text(page)
    assert client.get(f"/plans/{eid}/edit").status_code == 403
    assert client.post(f"/plans/{eid}/stays/new", data=STAY_FORM).status_code == 403
    assert (
        client.post(
            f"/plans/stays/{stay.id}/edit", data=STAY_FORM | {"lock_version": stay.lock_version}
        ).status_code
        == 403
    )
    assert client.post(f"/plans/{eid}/submit", data={"lock_version": 1}).status_code == 403
    assert len(stays_of(eid)) == 1


def test_admin_reads_every_plan(cast, started, make_user, isolated_client):
    admin = signed_in(isolated_client, make_user("admin@example.org", admin=True))
    assert admin.get(f"/plans/{cast['enrolment'].id}").status_code == 200
    assert admin.post(f"/plans/{cast['enrolment'].id}/stays/new", data=STAY_FORM).status_code == 403


def test_missing_csrf_token_is_refused_with_400(cast, started, app):
    eid = cast["enrolment"].id
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
        assert response.status_code == 400
        response = started.post(f"/plans/{eid}/submit", data={"lock_version": 1})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert stays_of(eid) == []
    assert plan_of(eid).status == PlanStatus.DRAFT


def test_state_never_changes_on_get(cast, started):
    eid = cast["enrolment"].id
    for url in (f"/plans/{eid}/start", f"/plans/{eid}/submit", f"/plans/{eid}/revise"):
        assert started.get(url).status_code == 405


def test_plan_page_queries_do_not_grow_with_rows(cast, started):
    eid = cast["enrolment"].id
    activity = {
        "type": "conference",
        "title": "ICML",
        "planned_term": "",
        "status": "planned",
        "evidence": "",
        "lock_version": "0",
    }
    started.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
    started.post(f"/plans/{eid}/activities/new", data=activity)
    few = count_queries(started, f"/plans/{eid}")
    for n in range(5):
        started.post(f"/plans/{eid}/stays/new", data=STAY_FORM | {"host_institution": f"Host {n}"})
        started.post(f"/plans/{eid}/activities/new", data=activity | {"title": f"Talk {n}"})
    assert count_queries(started, f"/plans/{eid}") == few


def test_text_with_nul_characters_is_saved_without_them(cast, started):
    eid = cast["enrolment"].id
    response = started.post(
        f"/plans/{eid}/edit",
        data={
            "narrative": "Two\x00 stays",
            "no_stay_justification": "",
            "lock_version": plan_of(eid).lock_version,
        },
    )
    assert response.status_code == 302
    assert plan_of(eid).narrative == "Two stays"


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01", "1949-12-31", "0001-01-01"])
def test_dates_outside_a_sane_range_are_refused(cast, started, day):
    eid = cast["enrolment"].id
    data = STAY_FORM | {"funding": "overseas_research_grant", "end_date": day}
    response = started.post(f"/plans/{eid}/stays/new", data=data)
    assert response.status_code == 422
    assert "Enter a date between 1 Jan 1950 and 31 Dec 2100." in response.get_data(as_text=True)
    assert stays_of(eid) == []


def test_home_page_gives_each_enrolment_its_due_date_and_next_step(
    cast, make_enrolment, isolated_client
):
    make_enrolment(
        cast["candidate"],
        kind="postdoc",
        start_date=date(2020, 1, 1),
        end_date=date(2021, 12, 31),
        status="completed",
    )
    client = signed_in(isolated_client, cast["candidate"])
    page = client.get("/").get_data(as_text=True)
    assert f'<a href="/plans/{cast["enrolment"].id}">Start your plan</a>' in page
    assert "14 Feb 2025" in page  # 15 January + 30 days, as English writes it
    assert "Enrolment is no longer active" in page
