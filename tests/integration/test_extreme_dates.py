"""Dates far outside the accepted range, written straight into the database, break nothing.

Forms, imports, the API and the command line refuse such dates, but rows written
before the range existed (or by hand) may still hold them: every page, export and
PDF that shows them must still answer.
"""

from datetime import date

import pytest

from tests.plan_support import people, signed_in
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Plan
from tracker.queries.candidates import LIST_NAMES

EXTREMES = [
    # (start, expected end, end, status, stay start, stay end)
    (date(9999, 12, 20), date(9999, 12, 31), None, EnrolmentStatus.ACTIVE,
     date(9999, 12, 25), date(9999, 12, 31)),
    (date(1, 1, 1), date(1, 1, 2), None, EnrolmentStatus.ACTIVE, date(1, 1, 1), date(1, 1, 31)),
    (date(1, 1, 1), date(9999, 12, 31), date(9999, 12, 31), EnrolmentStatus.COMPLETED,
     date(1, 1, 1), date(9999, 12, 31)),
]  # fmt: skip


@pytest.fixture(params=range(len(EXTREMES)), ids=["year-9999", "year-1", "both-ends"])
def extreme(request, make_user, make_programme, make_enrolment, make_stay):
    start, expected, end, status, stay_start, stay_end = EXTREMES[request.param]
    cast = people(make_user, make_programme, make_enrolment)
    enrolment = cast["enrolment"]
    enrolment.start_date, enrolment.expected_end_date = start, expected
    enrolment.end_date, enrolment.status = end, status
    db.session.add(Plan(enrolment=enrolment, status=PlanStatus.SUBMITTED, submitted_at=None))
    make_stay(enrolment, start_date=stay_start, end_date=stay_end, status=StayStatus.PLANNED)
    make_stay(enrolment, country="US", start_date=stay_start, end_date=stay_end,
              status=StayStatus.COMPLETED)  # fmt: skip
    cast["admin"] = make_user("admin@example.org", "Ada Admin", admin=True)
    db.session.commit()
    return cast


def _urls(enrolment_id: int, stay_ids: list[int]) -> dict[str, list[str]]:
    as_of = ["", "?as_of=2100-12-31", "?as_of=1950-01-01"]
    lists = [
        f"/coordinator/lists/{name}{suffix}"
        for name in LIST_NAMES
        for suffix in ("", "/export.csv")
    ]
    scopes = ["?programme=PHD-CS", "?faculty=IE", ""]
    return {
        "candidate": ["/", f"/plans/{enrolment_id}", f"/plans/{enrolment_id}/history",
                      f"/reports/plan/{enrolment_id}.pdf"],
        "supervisor": ["/", "/review/", f"/review/plans/{enrolment_id}",
                       *(f"/review/stays/{sid}" for sid in stay_ids)],
        "coordinator": ["/", *lists, f"/coordinator/enrolments/{enrolment_id}",
                        *(f"/coordinator/{a}" for a in as_of),
                        *(f"/coordinator/statistics.csv{a}" for a in as_of),
                        *(f"/api/v1/stats{a}" for a in as_of),
                        "/reports/summary.pdf"],
        "admin": ["/", "/admin/", "/admin/users", *lists,
                  *(f"/reports/summary.pdf{s}" for s in scopes),
                  *(f"/api/v1/stats{s}" for s in scopes)],
    }  # fmt: skip


def test_every_page_export_and_pdf_answers(extreme, isolated_client):
    enrolment = extreme["enrolment"]
    stay_ids = [stay.id for stay in enrolment.stays]
    failures = []
    for role, urls in _urls(enrolment.id, stay_ids).items():
        client = signed_in(isolated_client, extreme[role])
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{role} {url}: {status}")
    assert not failures


RANGE = "between 1 Jan 1950 and 31 Dec 2100"


@pytest.mark.parametrize("day", ["9999-12-20", "2101-01-01", "1949-12-31", "0001-01-01"])
def test_every_entry_point_refuses_a_date_outside_the_range(
    make_user, make_programme, make_enrolment, isolated_client, runner, tmp_path, day
):
    cast = people(make_user, make_programme, make_enrolment)
    coordinator = signed_in(isolated_client, cast["coordinator"])
    form = {"email": "new@example.org", "name": "Nora Ny", "kind": "phd",
            "programme": "PHD-CS", "start_date": day}  # fmt: skip
    response = coordinator.post("/coordinator/enrolments/new", data=form)
    assert response.status_code == 422 and RANGE in response.get_data(as_text=True)
    dashboard = coordinator.get(f"/coordinator/?as_of={day}")
    assert RANGE in dashboard.get_data(as_text=True)
    assert coordinator.get(f"/api/v1/stats?as_of={day}").status_code == 400

    path = tmp_path / "enrolments.csv"
    path.write_text(f"kind,email,name,programme,start_date\nphd,n@example.org,N,PHD-CS,{day}\n")
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 2 and "outside the dates the tracker accepts" in result.output
    for args in (["stats", "--as-of", day], ["remind", "--as-of", day]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
