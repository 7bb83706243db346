"""The lists a coordinator acts on: who is on them, filters, sorting, pages, CSV, and scope."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.dates import add_months
from tracker.domain.vocabulary import PlanStatus
from tracker.extensions import db
from tracker.queries.candidates import waiting_cutoff

AS_OF = data.AS_OF.isoformat()


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    return re.findall(r'<th scope="row"><a href="/coordinator/enrolments/\d+">([^<]+)</a>', html)


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture()
def org(app, make_user, make_programme):
    built = data.build()
    other = data.Builder(make_programme("PHD-MATH", "NV"))
    other.person("M1", data.PHD, date(2025, 1, 10))  # overdue, in another faculty
    other.person("M2", data.PHD, date(2025, 1, 10), expected_end=date(2026, 12, 1))
    db.session.commit()
    return {
        "built": built,
        "admin": make_user("admin@example.org", admin=True),
        "coordinator": make_user("coord@example.org", coordinator_of=[data.programme()]),
        "math": make_user("math@example.org", coordinator_of=[other.programme]),
    }


def test_overdue_list_is_exactly_the_overdue_people(org, login, client):
    login(org["coordinator"])
    names = _names(client.get("/coordinator/lists/overdue", query_string={"as_of": AS_OF}))
    # Sorted by start date (longest overdue first), then id. P4 (a postdoc with
    # international experience) is outside the 30 % population but still owes a plan.
    assert names == [
        "Person P3",
        "Person P4",
        "Person A1",
        "Person A8",
        "Person A11",
        "Person A12",
        "Person B2",
        "Person B4",
    ]


def test_the_overdue_list_and_the_document_agree(org, login, client):
    """Everyone on the list who is in a population is counted as overdue, and no one else."""
    login(org["coordinator"])
    rows = _csv(client.get("/coordinator/lists/overdue/export.csv", query_string={"as_of": AS_OF}))
    in_population = [r for r in rows if r["kind"] == "phd" or r["international_experience"] == "no"]
    document = client.get("/api/v1/stats", query_string={"as_of": AS_OF}).get_json()
    counted = sum(g["overdue_plans"] for g in document["phd"]["by_admission_year"]) + sum(
        g["overdue_plans"] for g in document["postdoc"]["by_start_year"]
    )
    assert len(in_population) == counted == 7
    assert all(r["plan_overdue"] == "yes" for r in rows)


@pytest.fixture()
def at_risk(org):
    b = data.Builder(data.programme())
    edge = add_months(data.AS_OF, 12)
    assert edge == date(2027, 6, 30)
    b.person("R1", data.PHD, date(2023, 1, 1), expected_end=edge)  # on the edge: at risk
    b.person("R2", data.PHD, date(2023, 1, 1), expected_end=edge + timedelta(days=1))  # not
    b.person("R3", data.PHD, date(2021, 1, 1), expected_end=date(2026, 1, 1))  # past: at risk
    b.person(
        "R4", data.PHD, date(2023, 1, 1), expected_end=edge, plan=PlanStatus.APPROVED, approved=True
    )
    b.stay("R4", date(2026, 9, 1), date(2026, 10, 30), data.PLANNED, in_approved_plan=True)
    b.person("R5", data.PHD, date(2023, 1, 1), expected_end=edge)
    b.stay("R5", date(2025, 1, 1), date(2025, 2, 28), data.DONE)  # achieved
    b.person("R6", data.POSTDOC, date(2025, 1, 1), expected_end=edge, experience=True)
    b.person("R7", data.POSTDOC, date(2025, 1, 1), expected_end=edge)  # counts: at risk
    b.person(
        "R8",
        data.PHD,
        date(2022, 1, 1),
        expected_end=edge,
        status=data.COMPLETED,
        end=date(2026, 1, 1),
    )
    db.session.commit()


def test_at_risk_list(at_risk, org, login, client):
    login(org["coordinator"])
    response = client.get("/coordinator/lists/at-risk", query_string={"as_of": AS_OF})
    assert _names(response) == ["Person R3", "Person R1", "Person R7"]


@pytest.fixture()
def waiting(org):
    b = data.Builder(data.programme())
    cutoff = waiting_cutoff(data.AS_OF)
    assert cutoff == datetime(2026, 6, 16, tzinfo=UTC)
    fifteen = datetime.combine(date(2026, 6, 15), time(10, 0), tzinfo=UTC)
    fourteen = datetime.combine(date(2026, 6, 16), time(0, 0), tzinfo=UTC)
    b.person("S1", data.PHD, date(2026, 5, 1), plan=PlanStatus.SUBMITTED, submitted_at=fifteen)
    b.person("S2", data.PHD, date(2026, 5, 1), plan=PlanStatus.SUBMITTED, submitted_at=fourteen)
    b.person(
        "S3", data.PHD, date(2026, 5, 1), plan=PlanStatus.CHANGES_REQUESTED, submitted_at=fifteen
    )
    b.person(
        "S4",
        data.PHD,
        date(2024, 5, 1),
        plan=PlanStatus.SUBMITTED,
        submitted_at=fifteen,
        status=data.WITHDRAWN,
        end=date(2026, 6, 20),
    )
    db.session.commit()


def test_waiting_more_than_fourteen_days(waiting, org, login, client):
    login(org["coordinator"])
    response = client.get("/coordinator/lists/waiting", query_string={"as_of": AS_OF})
    assert _names(response) == ["Person S1"]
    html = response.get_data(as_text=True)
    assert "<td>15</td>" in html  # days waiting
    later = client.get("/coordinator/lists/waiting", query_string={"as_of": "2026-07-01"})
    assert _names(later) == ["Person S1", "Person S2"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "postdoc", "q": "Person Q1"}, ["Person Q1", "Person Q10"]),
        ({"status": "withdrawn"}, ["Person A2", "Person W1"]),
        ({"plan_status": "submitted"}, ["Person A7", "Person B3"]),
        ({"plan_status": "none", "kind": "postdoc"}, ["Person P2", "Person P3", "Person P4"]),
        ({"q": "c3"}, ["Person C3", "Person C3b"]),
        ({"q": "%"}, []),  # a LIKE wildcard is searched for literally
        ({"programme": "PHD-MATH"}, ["Person M1", "Person M2"]),
        ({"faculty": "NV"}, ["Person M1", "Person M2"]),
    ],
)
def test_filters(org, login, client, params, expected):
    login(org["admin"])
    response = client.get("/coordinator/lists/candidates", query_string=params)
    assert _names(response) == expected


def test_bad_filter_values(org, login, client):
    login(org["admin"])
    assert client.get("/coordinator/lists/candidates?kind=student").status_code == 400
    assert client.get("/coordinator/lists/candidates?as_of=2026-02-30").status_code == 400
    assert client.get("/coordinator/lists/candidates?programme=NOPE").status_code == 404
    assert client.get("/coordinator/lists/nothing").status_code == 404
    response = client.get("/coordinator/lists/candidates?faculty=NV&programme=PHD-CS")
    assert response.status_code == 400
    assert "Programme PHD-CS is not in faculty NV." in response.get_data(as_text=True)


def test_sorting(org, login, client):
    login(org["admin"])
    query = {"kind": "postdoc", "q": "Person Q"}
    ascending = client.get("/coordinator/lists/candidates", query_string=query | {"sort": "name"})
    assert _names(ascending)[:3] == ["Person Q1", "Person Q10", "Person Q2"]
    html = ascending.get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="[^"]*dir=desc', html)
    assert html.count("aria-sort=") == 1
    descending = client.get(
        "/coordinator/lists/candidates", query_string=query | {"sort": "name", "dir": "desc"}
    )
    assert _names(descending)[:3] == ["Person Q9", "Person Q8", "Person Q7"]
    assert 'aria-sort="descending"' in descending.get_data(as_text=True)
    by_stays = client.get(
        "/coordinator/lists/candidates",
        query_string=query | {"sort": "stays_done", "dir": "desc"},
    )
    assert _names(by_stays)[0] == "Person Q1"
    unknown = client.get("/coordinator/lists/candidates", query_string=query | {"sort": "evil"})
    assert _names(unknown) == _names(ascending)


def test_pages(org, login, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 4)
    login(org["admin"])
    query = {"kind": "postdoc", "sort": "name"}
    first = client.get("/coordinator/lists/candidates", query_string=query)
    second = client.get("/coordinator/lists/candidates", query_string=query | {"page": 2})
    assert _names(first) == ["Person P1", "Person P2", "Person P3", "Person P4"]
    assert _names(second) == ["Person Q1", "Person Q10", "Person Q2", "Person Q3"]
    html = second.get_data(as_text=True)
    assert 'aria-label="Pages of the list"' in html
    assert 'aria-current="page">2</a>' in html
    assert "Showing 5–8 of 14." in html
    assert "kind=postdoc" in re.search(r'href="([^"]*page=3[^"]*)"', html).group(1)
    beyond = client.get("/coordinator/lists/candidates", query_string=query | {"page": 99})
    assert _names(beyond) == ["Person Q8", "Person Q9"]
    csv_rows = _csv(client.get("/coordinator/lists/candidates/export.csv", query_string=query))
    assert len(csv_rows) == 14  # the export has every row, not one page


def test_csv_export_columns_and_formula_cells(org, login, client):
    enrolment = org["built"].enrolments["A1"]
    enrolment.person.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    login(org["coordinator"])
    rows = _csv(client.get("/coordinator/lists/overdue/export.csv", query_string={"as_of": AS_OF}))
    assert list(rows[0]) == [
        "enrolment_id",
        "name",
        "email",
        "programme_code",
        "programme_name",
        "kind",
        "status",
        "plan_status",
        "plan_state",
        "start_date",
        "expected_end_date",
        "end_date",
        "international_experience",
        "supervisor",
        "stays_done",
        "stays_planned",
        "achieved",
        "projected",
        "plan_overdue",
        "plan_due",
        "submitted_at",
        "days_waiting",
    ]
    a1 = next(r for r in rows if r["email"] == "a1@example.org")
    assert a1["name"].startswith("'=")
    assert (a1["kind"], a1["status"], a1["plan_status"], a1["plan_due"]) == (
        "phd",
        "active",
        "",
        "2025-02-09",
    )


def test_a_coordinator_never_sees_outside_the_scope(org, login, client):
    login(org["math"])
    for name in ("candidates", "overdue", "at-risk", "waiting"):
        names = _names(client.get(f"/coordinator/lists/{name}", query_string={"as_of": AS_OF}))
        assert set(names) <= {"Person M1", "Person M2"}
        rows = _csv(
            client.get(f"/coordinator/lists/{name}/export.csv", query_string={"as_of": AS_OF})
        )
        assert {r["programme_code"] for r in rows} <= {"PHD-MATH"}
    everything = _names(client.get("/coordinator/lists/candidates"))
    assert everything == ["Person M1", "Person M2"]
    # A code outside the scope answers like an unknown one: it does not say it exists.
    assert client.get("/coordinator/lists/candidates?programme=PHD-CS").status_code == 404
    assert client.get("/coordinator/lists/candidates?faculty=IE").status_code == 404
    assert client.get("/coordinator/lists/overdue/export.csv?faculty=IE").status_code == 404
    enrolment_id = org["built"].enrolments["A1"].id
    assert client.get(f"/coordinator/enrolments/{enrolment_id}").status_code == 403
    # The dashboard shows the coordinator's programme only.
    page = client.get("/coordinator/", query_string={"as_of": AS_OF}).get_data(as_text=True)
    assert "Programme PHD-MATH" in page and "PHD-CS" not in page
    assert client.get("/coordinator/?faculty=IE").status_code == 404
    assert client.get("/coordinator/statistics.csv?programme=PHD-CS").status_code == 404
    api = client.get("/api/v1/stats", query_string={"as_of": AS_OF}).get_json()
    assert api["filters"] == {"faculty": None, "programme": "PHD-MATH"}
    assert [g["n"] for g in api["phd"]["by_admission_year"]] == [2]


@pytest.mark.parametrize(
    "path",
    [
        "/coordinator/",
        "/coordinator/lists/candidates",
        "/coordinator/enrolments/new",
        "/coordinator/import",
    ],
)
def test_people_who_coordinate_nothing_are_refused(org, login, client, make_user, path):
    login(make_user("candidate@example.org"))
    assert client.get(path).status_code == 403


def test_not_logged_in_goes_to_the_login_page(org, client):
    response = client.get("/coordinator/lists/candidates")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_statistics_csv(org, login, client):
    login(org["admin"])
    rows = _csv(client.get("/coordinator/statistics.csv", query_string={"as_of": AS_OF}))
    document = data.expected_document()
    assert len(rows) == sum(
        len(groups) for section in ("phd", "postdoc") for groups in document[section].values()
    )
    first = rows[0]
    assert (first["population"], first["grouping"], first["year"], first["n"], first["rate"]) == (
        "phd",
        "by_completion_year",
        "2024",
        "1",
        "1.0",
    )


@pytest.fixture()
def states(org):
    """One person in each plan state, a revision among them, each with a plan on record."""
    b = data.Builder(data.programme())
    submitted = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    b.person("V1", data.PHD, date(2026, 1, 5), plan=PlanStatus.DRAFT, approved=True)
    b.person("V2", data.PHD, date(2026, 1, 5), plan=PlanStatus.SUBMITTED, approved=True,
             submitted_at=submitted)  # fmt: skip
    b.person("V3", data.PHD, date(2026, 1, 5), plan=PlanStatus.APPROVED, approved=True,
             submitted_at=submitted)  # fmt: skip
    b.person("V4", data.PHD, date(2026, 1, 5), plan=PlanStatus.SUBMITTED, submitted_at=submitted)
    db.session.commit()
    return b


def test_plan_state_in_sql_is_the_rule_in_python(org):
    """The list's plan state (SQL) and plan_rules.plan_state agree for every combination."""
    from tracker.domain.plan_rules import plan_state
    from tracker.models import Plan
    from tracker.queries.candidates import NO_PLAN, plan_state_column

    b = data.Builder(data.programme())
    expected = {}
    for status in [None, *PlanStatus]:
        for approved in (False, True):
            if status is None and approved:
                continue
            key = f"X{status or 'none'}{approved}"
            enrolment = b.person(key, data.PHD, date(2026, 1, 5), plan=status, approved=approved)
            state = plan_state(status, approved)
            expected[enrolment.id] = state.value if state else NO_PLAN
    db.session.commit()
    from tracker.models import Enrolment

    found = dict(
        db.session.execute(
            db.select(Enrolment.id, plan_state_column())
            .select_from(Enrolment)
            .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
            .where(Enrolment.id.in_(expected))
        ).all()
    )
    assert found == expected


def test_a_revision_reads_as_approved_and_can_be_filtered(states, org, login, client):
    login(org["coordinator"])
    query = {"plan_status": "revision", "q": "Person V"}
    response = client.get("/coordinator/lists/candidates", query_string=query)
    assert _names(response) == ["Person V1", "Person V2"]
    assert "Approved — revision in progress" in response.get_data(as_text=True)
    drafts = _names(client.get("/coordinator/lists/candidates?plan_status=draft&q=Person V"))
    assert drafts == []
    rows = _csv(client.get("/coordinator/lists/candidates/export.csv?q=Person V"))
    assert {r["name"]: (r["plan_status"], r["plan_state"]) for r in rows} == {
        "Person V1": ("draft", "revision"),
        "Person V2": ("submitted", "revision"),
        "Person V3": ("approved", "approved"),
        "Person V4": ("submitted", "submitted"),
    }


def test_only_plans_waiting_for_a_decision_have_days_waiting(states, org, login, client):
    login(org["coordinator"])
    rows = _csv(client.get("/coordinator/lists/candidates/export.csv",
                           query_string={"q": "Person V", "as_of": AS_OF}))  # fmt: skip
    waiting = {r["name"]: (r["submitted_at"], r["days_waiting"]) for r in rows}
    assert waiting["Person V3"] == ("", "")  # approved: waits for nobody
    assert waiting["Person V1"] == ("", "")
    assert waiting["Person V4"][1] == "29"
    assert waiting["Person V2"][1] == "29"  # a submitted revision waits too


def test_the_at_risk_list_says_qualifying_stays(at_risk, org, login, client):
    login(org["coordinator"])
    page = client.get("/coordinator/lists/at-risk", query_string={"as_of": AS_OF})
    html = page.get_data(as_text=True)
    assert "no qualifying stay abroad done" in html
    assert "abroad (outside Norway)" in html
    # Only the filters that can narrow the list are offered.
    assert 'name="status"' not in html and 'name="plan_status"' in html
    waiting = client.get("/coordinator/lists/waiting").get_data(as_text=True)
    assert 'name="status"' not in waiting and 'name="plan_status"' not in waiting
    assert 'name="status"' in client.get("/coordinator/lists/candidates").get_data(as_text=True)


def test_people_outside_every_population_do_not_count_toward_a_target(org, login, client):
    b = data.Builder(data.programme())
    b.person("Z1", data.PHD, date(2020, 1, 5), status=data.WITHDRAWN, end=date(2024, 1, 5))
    b.stay("Z1", date(2021, 1, 1), date(2021, 6, 30), data.DONE)
    b.person("Z2", data.POSTDOC, date(2020, 1, 5), experience=True)
    b.stay("Z2", date(2021, 1, 1), date(2021, 6, 30), data.DONE)
    b.person("Z3", data.PHD, date(2020, 1, 5))
    b.stay("Z3", date(2021, 1, 1), date(2021, 6, 30), data.DONE)
    db.session.commit()
    login(org["coordinator"])
    html = client.get("/coordinator/lists/candidates?q=Person Z").get_data(as_text=True)
    cells = re.findall(r"<td>(Yes|No \([^<]*\)|No)</td>", html)
    assert cells == ["No (withdrawn)", "No (international experience)", "Yes"]


def test_one_row_is_one_row(org, login, client):
    login(org["coordinator"])
    html = client.get("/coordinator/lists/candidates?q=Person A11").get_data(as_text=True)
    assert "Export the 1 row as CSV" in html


def test_the_dashboard_speaks_plainly(org, login, client):
    login(org["coordinator"])
    page = client.get("/coordinator/", query_string={"as_of": AS_OF}).get_data(as_text=True)
    assert "abroad (outside Norway)" in page and "outside NO" not in page
    # The as-of hint sits between its label and the date field, so the fields of the row
    # stay in line, and names no format the browser's date picker may not show.
    hint = page.index('id="as_of-help"')
    assert page.index('for="as_of"') < hint < page.index('id="as_of"', hint)
    assert "Leave empty for today." in page and "YYYY-MM-DD;" not in page
