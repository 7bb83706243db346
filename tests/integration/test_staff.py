"""New permanent staff: CSV import, plan_status_date, plans, lists and reminders (DESIGN §2–§5)."""

from datetime import date, timedelta

import pytest

from config import TestConfig
from tests.integration import stats_dataset as data
from tests.plan_support import STAY_FORM, plan_of, signed_in
from tracker.domain.plan_history import start_of_day
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Stay, StayApproval, User
from tracker.models.base import as_utc
from tracker.queries import candidates
from tracker.queries.candidates import ListQuery
from tracker.queries.scope import Filters
from tracker.queries.stats import build_statistics
from tracker.services.importing import ImportResult, import_csv

HEADER = (
    "kind,email,name,programme,start_date,international_experience,plan_status,plan_status_date"
)
STAY_HEADER = "email,kind,host_institution,country,start_date,end_date,status,funding"
# Two days ahead: still in the future for a run that crosses midnight.
LATER = (date.today() + timedelta(days=2)).isoformat()


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def errors_of(result: ImportResult) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in result.errors]


def enrolment_of(email: str) -> Enrolment:
    return db.session.scalar(
        db.select(Enrolment).join(User, User.id == Enrolment.person_id).where(User.email == email)
    )


def test_staff_are_imported_with_their_appointment_date(app, make_programme):
    make_programme("IE-STAFF")
    result = import_csv(
        "enrolments",
        csv(
            HEADER,
            "staff,ane@example.org,Ane Lektor,IE-STAFF,2023-08-01,no,,",
            "Staff,bo@example.org,Bo Professor,ie-staff,2024-02-29,yes,,",
            # The label in either language names the kind too.
            "New staff,cy@example.org,Cy Førsteamanuensis,IE-STAFF,2022-01-10,,,",
            "Nytilsatt,di@example.org,Di Dosent,IE-STAFF,2022-01-10,,,",
        ),
    )
    assert result.ok, errors_of(result)
    assert result.created == 4
    ane, bo = enrolment_of("ane@example.org"), enrolment_of("bo@example.org")
    assert (ane.kind, ane.start_date, ane.international_experience) == (
        EnrolmentKind.STAFF,
        date(2023, 8, 1),
        False,
    )
    assert (bo.kind, bo.start_date, bo.international_experience) == (
        EnrolmentKind.STAFF,
        date(2024, 2, 29),
        True,
    )
    assert enrolment_of("di@example.org").kind == EnrolmentKind.STAFF
    # The same file again changes nothing.
    same = "staff,ane@example.org,A,IE-STAFF,2023-08-01,no,,"
    again = import_csv("enrolments", csv(HEADER, same))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,draft,2024-01-01", "plan_status_date says"),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,none,2024-01-01", "plan_status_date says"),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,,2024-01-01", "plan_status_date says"),
        (
            "staff,x@example.org,X,IE-STAFF,2023-08-01,,changes_requested,2024-01-01",
            "plan_status_date says",
        ),
        (f"staff,x@example.org,X,IE-STAFF,2023-08-01,,approved,{LATER}", "is in the future"),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,approved,01.01.2024", "plan_status_date “01."),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,approved,2023-02-29", "is not a valid"),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,,approved,1949-12-31", "is outside the dates"),
        ("staff,x@example.org,X,IE-STAFF,,,,", "start_date is required."),
        ("staf,x@example.org,X,IE-STAFF,2023-08-01,,,", "kind “staf” is not one of"),
        ("staff,x@example.org,X,IE-STAFF,2023-08-01,perhaps,,", "must be yes or no"),
    ],
)  # fmt: skip
def test_bad_staff_rows_are_refused_with_their_line(app, make_programme, row, fragment):
    make_programme("IE-STAFF")
    good = "staff,good@example.org,G,IE-STAFF,2023-08-01,,approved,2023-09-01"
    result = import_csv("enrolments", csv(HEADER, good, row))
    assert not result.ok
    assert any(e.line == 3 and fragment in e.message for e in result.errors), errors_of(result)
    assert {e.line for e in result.errors} == {3}
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0


def test_an_unknown_plan_status_is_reported_once(app, make_programme):
    make_programme("IE-STAFF")
    row = "staff,x@example.org,X,IE-STAFF,2023-08-01,,ok,2024-01-01"
    result = import_csv("enrolments", csv(HEADER, row))
    assert [m for _line, m in errors_of(result)] == [
        "plan_status “ok” is not one of: none, draft, submitted, changes_requested, approved."
    ]


def test_plan_status_date_says_from_when_a_moved_in_status_holds(app, make_programme, make_user):
    make_programme("IE-STAFF")
    admin = make_user(admin=True)
    result = import_csv(
        "enrolments",
        csv(
            HEADER,
            "staff,dated@example.org,D,IE-STAFF,2023-08-01,,approved,2023-10-15",
            "staff,undated@example.org,U,IE-STAFF,2023-08-01,,approved,",
            "staff,waiting@example.org,W,IE-STAFF,2023-08-01,,submitted,2024-03-01",
        ),
        actor=admin,
    )
    assert result.ok, errors_of(result)

    def entry(email: str):
        (version,) = enrolment_of(email).plan.versions
        return version.event, as_utc(version.effective_at)

    assert entry("dated@example.org") == (PlanEvent.IMPORTED, start_of_day(date(2023, 10, 15)))
    assert entry("undated@example.org") == (PlanEvent.IMPORTED, start_of_day(date(2023, 8, 1)))
    assert entry("waiting@example.org") == (PlanEvent.SUBMITTED, start_of_day(date(2024, 3, 1)))
    waiting = enrolment_of("waiting@example.org").plan
    assert as_utc(waiting.submitted_at) == start_of_day(date(2024, 3, 1))

    def approved_and_overdue(as_of: date) -> dict[str, tuple[bool, bool]]:
        admin_user = db.session.get(User, admin.id)
        rows = candidates.get_all(admin_user, ListQuery(as_of=as_of), TargetSettings())
        emails = {r.enrolment_id: r.email for r in rows}
        overdue = {r.enrolment_id for r in rows if r.overdue}
        document = build_statistics(as_of, Filters(), TargetSettings())
        assert document["staff"]["by_start_year"] == []  # three years are not up
        return {emails[e]: e in overdue for e in emails}

    # Due 31 August 2023; approved from 15 October: overdue in between, not before or after.
    assert approved_and_overdue(date(2023, 9, 30)) == {
        "dated@example.org": True,
        "undated@example.org": False,
        "waiting@example.org": True,
    }
    assert approved_and_overdue(date(2023, 10, 15)) == {
        "dated@example.org": False,
        "undated@example.org": False,
        "waiting@example.org": True,
    }
    assert approved_and_overdue(date(2024, 3, 1))["waiting@example.org"] is False


def test_plan_status_date_is_left_alone_once_the_plan_exists(app, make_programme):
    make_programme("IE-STAFF")
    first = "staff,a@example.org,A,IE-STAFF,2023-08-01,,approved,2023-10-15"
    assert import_csv("enrolments", csv(HEADER, first)).ok
    again = import_csv("enrolments", csv(HEADER, first.replace("2023-10-15", "2023-09-01")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    (version,) = enrolment_of("a@example.org").plan.versions
    assert as_utc(version.effective_at) == start_of_day(date(2023, 10, 15))


def test_stays_of_staff_and_the_record_of_the_imported_version(app, make_programme):
    """An imported approved plan's stays are that version's: corrected, its record follows."""
    make_programme("IE-STAFF")
    assert import_csv(
        "enrolments",
        csv(HEADER, "staff,a@example.org,A,IE-STAFF,2023-08-01,,approved,2023-09-01"),
    ).ok
    stays = csv(STAY_HEADER, "a@example.org,staff,MIT,US,2025-09-01,2025-12-31,planned,")
    assert import_csv("stays", stays).ok

    def records():
        rows = db.session.execute(
            db.select(
                StayApproval.country, StayApproval.end_date, StayApproval.valid_from,
                StayApproval.valid_until,
            )
        ).all()  # fmt: skip
        return [(country, end, as_utc(start), until) for country, end, start, until in rows]

    moment = start_of_day(date(2023, 9, 1))
    assert records() == [("US", date(2025, 12, 31), moment, None)]
    corrected = stays.replace("US,2025-09-01,2025-12-31", "CA,2025-09-01,2026-01-31")
    assert import_csv("stays", corrected).ok
    assert records() == [("CA", date(2026, 1, 31), moment, None)]
    stay = db.session.scalar(db.select(Stay))
    assert (stay.approved_country, stay.approved_end_date) == ("CA", date(2026, 1, 31))


def test_enrolments_imported_approved_with_stays_get_their_records(
    app, make_programme, make_enrolment, make_stay
):
    programme = make_programme("IE-STAFF")
    enrolment = make_enrolment(
        programme=programme, kind=EnrolmentKind.STAFF, start_date=date(2023, 8, 1)
    )
    make_stay(enrolment, country="DE", start_date=date(2025, 3, 1))
    email = enrolment.person.email
    row = f"staff,{email},X,IE-STAFF,2023-08-01,,approved,2024-01-10"
    assert import_csv("enrolments", csv(HEADER, row)).ok
    [record] = db.session.scalars(db.select(StayApproval)).all()
    assert (record.country, as_utc(record.valid_from), record.valid_until) == (
        "DE",
        start_of_day(date(2024, 1, 10)),
        None,
    )
    assert record.version_id == db.session.get(Enrolment, enrolment.id).plan.approved_version_id


# -- the pages: a staff member files a plan; the lists show them -----------------------------


@pytest.fixture()
def staff_member(make_user, make_programme, make_enrolment):
    programme = make_programme("IE-STAFF", "IE")
    leader = make_user("leader@example.org", "Lea Leder")
    person = make_user("nina@example.org", "Nina Nyansatt")
    enrolment = make_enrolment(
        person,
        programme=programme,
        kind=EnrolmentKind.STAFF,
        start_date=date.today() - timedelta(days=40),
        supervisor=leader,
    )
    coordinator = make_user("kari@example.org", "Kari Koordinator", coordinator_of=[programme])
    return {"person": person, "leader": leader, "enrolment": enrolment, "coordinator": coordinator}


def test_a_staff_member_files_a_plan_that_the_leader_approves(staff_member, isolated_client):
    eid = staff_member["enrolment"].id
    nina = signed_in(isolated_client, staff_member["person"])
    home = nina.get("/").get_data(as_text=True)
    assert "New staff" in home
    assert nina.post(f"/plans/{eid}/start").status_code == 302
    later = {
        "start_date": (date.today() + timedelta(days=100)).isoformat(),
        "end_date": (date.today() + timedelta(days=190)).isoformat(),
    }
    assert nina.post(f"/plans/{eid}/stays/new", data=STAY_FORM | later).status_code == 302
    lock = plan_of(eid).lock_version
    assert nina.post(f"/plans/{eid}/submit", data={"lock_version": lock}).status_code == 302
    leader = signed_in(isolated_client, staff_member["leader"])
    lock = plan_of(eid).lock_version
    response = leader.post(f"/review/plans/{eid}/approve", data={"approve-lock_version": lock})
    assert response.status_code == 302
    plan = plan_of(eid)
    assert plan.status == PlanStatus.APPROVED
    assert [r.country for s in plan.enrolment.stays for r in s.approvals] == ["DE"]


def test_overdue_lists_and_reminders_include_staff(staff_member, isolated_client, runner):
    coordinator = signed_in(isolated_client, staff_member["coordinator"])
    page = coordinator.get("/coordinator/lists/overdue").get_data(as_text=True)
    assert "Nina Nyansatt" in page and "New staff" in page
    result = runner.invoke(args=["remind", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "plan_due: nina@example.org" in result.output


@pytest.mark.parametrize(
    ("appointed", "at_risk"),
    [
        (date(2023, 7, 1), True),  # the deadline is the as-of date: the last day
        (date(2023, 6, 30), False),  # deadline yesterday: three years are up, no longer at risk
        (date(2024, 7, 1), True),  # the deadline (30 June 2027) in exactly twelve months
        (date(2024, 7, 2), False),  # a day later
    ],
)
def test_staff_are_at_risk_while_their_three_years_close(app, make_user, appointed, at_risk):
    built = data.Builder(data.programme("IE-STAFF"))
    built.person("T", data.STAFF, appointed)
    built.person("I", data.STAFF, appointed, experience=True)  # never at risk: not counted
    db.session.commit()
    admin = make_user(admin=True)
    rows = candidates.get_all(admin, ListQuery(name="at-risk", as_of=data.AS_OF), TargetSettings())
    assert [r.email for r in rows] == (["t@example.org"] if at_risk else [])


def test_an_approved_stay_ending_after_the_deadline_leaves_staff_at_risk(app, make_user):
    built = data.Builder(data.programme("IE-STAFF"))
    built.person("T", data.STAFF, date(2023, 9, 1), **data.APPROVED_PLAN)  # deadline 2026-08-31
    built.stay("T", date(2026, 7, 1), date(2026, 9, 30), data.PLANNED, in_approved_plan=True)
    built.person("U", data.STAFF, date(2023, 9, 1), **data.APPROVED_PLAN)
    built.stay("U", date(2026, 7, 1), date(2026, 8, 31), data.PLANNED, in_approved_plan=True)
    db.session.commit()
    admin = make_user(admin=True)
    rows = candidates.get_all(admin, ListQuery(name="at-risk", as_of=data.AS_OF), TargetSettings())
    assert [r.email for r in rows] == ["t@example.org"]


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["25 %", "25 % in 12", "half in 2012", "120 % in 2012"])
def test_a_malformed_baseline_stops_the_app_at_start_up(bad):
    class BadBaseline(TestConfig):
        STAFF_BASELINE = bad

    with pytest.raises(RuntimeError, match=r"^TRACKER_STAFF_BASELINE: .*(25 % in 2012|at most)"):
        BadBaseline.check()


def test_baselines_are_in_the_document(app):
    class WithBaselines(TestConfig):
        PHD_BASELINE = "25 % in 2012"
        STAFF_BASELINE = "12,5 % in 2016"

    WithBaselines.check()
    config = {name: getattr(WithBaselines, name) for name in dir(WithBaselines) if name.isupper()}
    settings = TargetSettings.from_mapping(config)
    document = build_statistics(date(2026, 6, 30), Filters(), settings)
    assert document["settings"] | {} == {
        **document["settings"],
        "phd_baseline": {"percent": 25, "year": 2012},
        "postdoc_baseline": None,
        "staff_baseline": {"percent": 12.5, "year": 2016},
        "staff_target_percent": 100,
    }


def test_the_at_risk_list_sorts_staff_by_the_end_of_their_three_years(app, make_user):
    built = data.Builder(data.programme("IE-STAFF"))
    built.person("Late", data.STAFF, date(2024, 2, 29))  # deadline 28 February 2027
    built.person("Early", data.STAFF, date(2023, 9, 1))  # deadline 31 August 2026
    built.person("Phd", data.PHD, date(2022, 9, 1), expected_end=date(2026, 12, 1))
    db.session.commit()
    admin = make_user(admin=True)
    settings = TargetSettings()
    ascending = ["early", "phd", "late"]
    for descending, expected in ((False, ascending), (True, ascending[::-1])):
        query = ListQuery(
            name="at-risk", as_of=data.AS_OF, sort="expected_end", descending=descending
        )
        rows = candidates.get_all(admin, query, settings)
        assert [r.email.split("@")[0] for r in rows] == expected
        page = candidates.get_page(admin, query, settings, 50)
        assert [r.email.split("@")[0] for r in page.rows] == expected
