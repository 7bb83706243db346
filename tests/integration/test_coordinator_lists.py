"""The lists a coordinator acts on: who is on them, filters, sorting, pages, CSV, and scope."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.dates import add_months
from tracker.domain.vocabulary import Funding, PlanStatus
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
    # The rows of the four populations come first, as they always were, measure cells empty.
    populations = [r for r in rows if not r["measure"]]
    assert rows[: len(populations)] == populations
    assert len(populations) == sum(
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
    assert (first["measure"], first["count"], first["share"]) == ("", "", "")
    assert list(rows[0])[-3:] == ["measure", "count", "share"]

    def row(grouping, measure, year=""):
        (found,) = [
            r
            for r in rows
            if (r["grouping"], r["measure"], r["year"]) == (grouping, measure, str(year))
        ]
        return found

    cohort = row("activities.by_admission_year", "any.done", 2021)
    assert (cohort["population"], cohort["n"], cohort["count"], cohort["share"]) == (
        "phd", "8", "2", "0.25"
    )  # fmt: skip
    assert (cohort["target_percent"], cohort["needed"], cohort["achieved"]) == ("100", "6", "")
    retyped = row("activities.by_admission_year", "conference.planned_or_done", 2021)
    assert (retyped["count"], retyped["share"]) == ("3", "0.375")
    postdocs = row("activities.by_start_year", "any.planned_or_done", 2024)
    assert (postdocs["population"], postdocs["count"], postdocs["target_percent"]) == (
        "postdoc", "2", ""
    )  # fmt: skip
    per_cohort = 2 * (1 + 6)  # planned-or-done and done, for "any" and each type
    assert len([r for r in rows if r["grouping"].startswith("activities.")]) == 7 * per_cohort
    grant = row("funding.by_completion_year", "overseas_research_grant", 2025)
    assert (grant["n"], grant["count"], grant["share"]) == ("3", "1", "0.3333")
    assert len([r for r in rows if r["grouping"] == "funding.by_completion_year"]) == 3 * 7
    ahead = row("funding.planned_stays", "without_funding")
    assert (ahead["n"], ahead["count"], ahead["share"]) == ("3", "2", "")
    countries = [r for r in rows if r["grouping"] == "destinations.by_country"]
    assert [(r["measure"], r["count"]) for r in countries] == [
        ("DE", "6"), ("FR", "1"), ("JP", "1"), ("US", "1")
    ]  # fmt: skip
    hosts = [r for r in rows if r["grouping"] == "destinations.by_host"]
    assert (hosts[0]["measure"], hosts[0]["count"], hosts[0]["n"]) == ("TU München", "4", "9")


def test_statistics_csv_quotes_a_host_a_spreadsheet_would_run(org, login, client):
    b = data.Builder(data.programme())
    b.person("H1", data.PHD, date(2024, 1, 1))
    b.stay("H1", date(2025, 1, 1), date(2025, 3, 1), data.DONE, host="=HYPERLINK(1)")
    db.session.commit()
    login(org["admin"])
    rows = _csv(client.get("/coordinator/statistics.csv", query_string={"as_of": AS_OF}))
    assert "'=HYPERLINK(1)" in [r["measure"] for r in rows]


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


# Worked out by hand from the data set, as of 2026-06-30, sorted by start date then record:
# the people of an activity population (PhD; postdocs without international experience;
# started, not withdrawn) with no activity done by then.
NO_ACTIVITY = (
    ["C2", "C3", "C3b", "C5", "C6", "C7"]  # 2021-08-15 (C1 and C4 done, C5 only after)
    + [f"Q{i}" for i in (1, 3, 4, 5, 6, 7, 8, 9, 10)]  # 2024-08-01 (Q2 done)
    + ["P3", "A1", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11"]  # 2025 (A3, A12 done)
    + ["B2", "B3", "B4", "B1"]  # 2026 (B5 starts after the as-of date)
)


def test_no_activity_list_is_exactly_those_with_nothing_done(org, login, client):
    login(org["coordinator"])
    response = client.get("/coordinator/lists/no-activity", query_string={"as_of": AS_OF})
    assert _names(response) == [f"Person {key}" for key in NO_ACTIVITY]
    page = response.get_data(as_text=True)
    assert "No international activity yet" in page
    assert "aria-current=\"page\"" in page
    # The list and the document agree: n − any.done over every cohort.
    document = client.get("/api/v1/stats", query_string={"as_of": AS_OF}).get_json()
    cohorts = [
        g for section in document["activities"].values() for groups in section.values()
        for g in groups
    ]  # fmt: skip
    assert sum(g["n"] - g["any"]["done"] for g in cohorts) == len(NO_ACTIVITY)
    rows = _csv(
        client.get("/coordinator/lists/no-activity/export.csv", query_string={"as_of": AS_OF})
    )
    assert [r["name"] for r in rows] == [f"Person {key}" for key in NO_ACTIVITY]
    planned = {r["name"]: r["activities_planned"] for r in rows}
    # C2 has a conference in the approved plan and a publication done only after the as-of
    # date, C7 a course approved as a conference, A9 a co-supervision (its "other" is not
    # approved yet); C3's collaboration is in no approved version, and C5's plan was never
    # approved.
    assert {k: v for k, v in planned.items() if v != "0"} == {
        "Person C2": "2", "Person C7": "1", "Person A9": "1", "Person Q1": "1"
    }  # fmt: skip


def test_no_activity_list_filters_and_sorts(org, login, client):
    login(org["coordinator"])
    args = {"as_of": AS_OF, "status": "completed"}
    completed = _names(client.get("/coordinator/lists/no-activity", query_string=args))
    # C7 completes after the as-of date, but the filter reads the status as it is now.
    assert completed == [f"Person {key}" for key in ("C2", "C3", "C3b", "C5", "C6", "C7")]
    args = {"as_of": AS_OF, "kind": "postdoc"}
    postdocs = _names(client.get("/coordinator/lists/no-activity", query_string=args))
    assert postdocs == [f"Person Q{i}" for i in (1, 3, 4, 5, 6, 7, 8, 9, 10)] + ["Person P3"]
    args = {"as_of": AS_OF, "sort": "activities_planned", "dir": "desc"}
    first = _names(client.get("/coordinator/lists/no-activity", query_string=args))[:4]
    # The most first, then ties in the order the records were made.
    assert first == [f"Person {key}" for key in ("C2", "C7", "A9", "Q1")]


def test_unfunded_stays_list_has_a_row_per_stay_ahead_without_funding(org, login, client):
    b = data.Builder(data.programme())
    # Two stays ahead without funding for one person: two rows; one with funding: none.
    b.person("U1", data.PHD, date(2025, 1, 10), plan=PlanStatus.APPROVED, approved=True)
    b.stay("U1", date(2026, 10, 1), date(2026, 11, 30), data.PLANNED, in_approved_plan=True,
           host="KTH", country="SE")  # fmt: skip
    b.stay("U1", date(2027, 3, 1), date(2027, 4, 30), data.PLANNED, in_approved_plan=True,
           host="ETH Zürich", country="CH")  # fmt: skip
    b.stay("U1", date(2027, 6, 1), date(2027, 7, 30), data.PLANNED, in_approved_plan=True,
           funding=Funding.ERASMUS_PLUS)  # fmt: skip
    db.session.commit()
    login(org["coordinator"])
    response = client.get("/coordinator/lists/unfunded-stays", query_string={"as_of": AS_OF})
    # By planned start: A10's (completed after the as-of date), A9's, then U1's two.
    assert _names(response) == ["Person A10", "Person A9", "Person U1", "Person U1"]
    page = response.get_data(as_text=True)
    assert "Sweden" in page and "Switzerland" in page
    rows = _csv(
        client.get("/coordinator/lists/unfunded-stays/export.csv", query_string={"as_of": AS_OF})
    )
    assert [(r["name"], r["host_institution"], r["stay_country"], r["stay_start_date"],
             r["funding"]) for r in rows][2:] == [
        ("Person U1", "KTH", "SE", "2026-10-01", "none"),
        ("Person U1", "ETH Zürich", "CH", "2027-03-01", "none"),
    ]  # fmt: skip
    document = client.get("/api/v1/stats", query_string={"as_of": AS_OF}).get_json()
    assert document["funding"]["planned_stays_without_funding"] == len(rows) == 4
    by_host = _names(
        client.get(
            "/coordinator/lists/unfunded-stays",
            query_string={"as_of": AS_OF, "sort": "host", "dir": "desc"},
        )
    )
    # KTH, Host 1 (A9, A10: ties by record), ETH Zürich; case does not count.
    assert by_host == ["Person U1", "Person A9", "Person A10", "Person U1"]


def test_the_new_lists_keep_to_the_scope(org, login, client):
    login(org["math"])
    names = _names(client.get("/coordinator/lists/no-activity", query_string={"as_of": AS_OF}))
    assert names == ["Person M1", "Person M2"]
    assert _names(client.get("/coordinator/lists/unfunded-stays")) == []
    for name in ("no-activity", "unfunded-stays"):
        outside = client.get(f"/coordinator/lists/{name}", query_string={"programme": "PHD-CS"})
        assert outside.status_code == 404
        assert client.get(f"/coordinator/lists/{name}/export.csv",
                          query_string={"programme": "PHD-CS"}).status_code == 404  # fmt: skip


def test_a_sort_key_of_another_list_is_ignored(org, login, client):
    login(org["coordinator"])
    for name, key in (("candidates", "host"), ("overdue", "activities_planned"),
                      ("unfunded-stays", "activities_planned")):  # fmt: skip
        response = client.get(f"/coordinator/lists/{name}", query_string={"sort": key})
        assert response.status_code == 200
