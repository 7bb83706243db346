"""CSV imports of DESIGN §5: parsing, every rejection with its line, all or nothing, idempotence."""

from datetime import date, timedelta

import pytest

from tracker.domain.snapshot import snapshot_digest
from tracker.domain.vocabulary import (
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import (
    Activity,
    AuditEntry,
    Enrolment,
    Faculty,
    Plan,
    PlanVersion,
    Programme,
    Stay,
    User,
)
from tracker.services.importing import ImportResult, import_csv, run_import

ENROLMENT_HEADER = (
    "kind,email,name,programme,start_date,expected_end_date,end_date,status,"
    "supervisor_email,supervisor_name,international_experience,plan_status"
)
STAY_HEADER = "email,kind,host_institution,country,start_date,end_date,status,funding"


def csv(*lines: str) -> str:
    """Join lines into a CSV file with a final newline."""
    return "\n".join(lines) + "\n"


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def errors_of(result: ImportResult) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in result.errors]


def assert_rejected(result: ImportResult, line: int, fragment: str) -> None:
    assert not result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    matching = [e for e in result.errors if e.line == line and fragment in e.message]
    assert matching, errors_of(result)


def user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


# -- programmes ---------------------------------------------------------------------------


def test_programmes_create_faculties_and_programmes(app):
    result = import_csv(
        "programmes",
        csv(
            "code,name,faculty_code,faculty_name",
            "PHD-CS,PhD in Computer Science,IE,Faculty of Information Technology",
            "PHD-EPE,PhD in Electric Power Engineering,IE,Faculty of Information Technology",
            "PHD-HIST,PhD in History,HF,Faculty of Humanities",
        ),
    )
    assert result.ok, errors_of(result)
    assert (result.kind, result.created, result.updated, result.unchanged) == (
        "programmes",
        3,
        0,
        0,
    )
    faculties = db.session.execute(db.select(Faculty.code, Faculty.name).order_by(Faculty.code))
    assert faculties.all() == [
        ("HF", "Faculty of Humanities"),
        ("IE", "Faculty of Information Technology"),
    ]
    history = db.session.scalar(db.select(Programme).where(Programme.code == "PHD-HIST"))
    assert (history.name, history.faculty.code) == ("PhD in History", "HF")


def test_programmes_with_semicolons_a_bom_and_crlf(app):
    data = (
        "\ufeffcode;name;faculty_code;faculty_name\r\nPHD-BIO;Biology, PhD;NV;Natural Sciences\r\n"
    )
    result = import_csv("programmes", data.encode("utf-8"))
    assert result.ok, errors_of(result)
    programme = db.session.scalar(db.select(Programme))
    assert (programme.code, programme.name, programme.faculty.name) == (
        "PHD-BIO",
        "Biology, PhD",
        "Natural Sciences",
    )


def test_programmes_update_by_code_and_are_idempotent(app, make_programme):
    make_programme("PHD-CS", faculty_code="IE", name="Old name")
    data = csv(
        "code,name,faculty_code,faculty_name",
        "PHD-CS,PhD in Computer Science,NV,Natural Sciences",
        "PHD-BIO,PhD in Biology,NV,Natural Sciences",
    )
    first = import_csv("programmes", data)
    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    programme = db.session.scalar(db.select(Programme).where(Programme.code == "PHD-CS"))
    assert (programme.name, programme.faculty.code) == ("PhD in Computer Science", "NV")
    second = import_csv("programmes", data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)


def test_programme_of_an_existing_faculty_needs_no_faculty_name(app, make_programme):
    make_programme("PHD-CS", faculty_code="IE")
    result = import_csv("programmes", csv("code,name,faculty_code,faculty_name", "PHD-X,X,IE,"))
    assert result.ok, errors_of(result)
    assert db.session.scalar(db.select(Faculty.name).where(Faculty.code == "IE")) == "Faculty IE"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("PHD-X,X,NEW,", "faculty_name is required: faculty NEW does not exist yet"),
        ("PHD-CS,Again,IE,Faculty IE", "Programme PHD-CS is already on line 2"),
        ("PHD-Y,Y,IE,Another name", "Faculty IE is called “Faculty IE” on line 2"),
        (",Nameless,IE,Faculty IE", "code is required"),
        ("PHD-Z,,IE,Faculty IE", "name is required"),
        ("PHD-" + "X" * 40 + ",Long,IE,Faculty IE", "code is longer than 32 characters"),
    ],
)
def test_programme_rejections(app, row, fragment):
    data = csv("code,name,faculty_code,faculty_name", "PHD-CS,CS,IE,Faculty IE", row)
    result = import_csv("programmes", data)
    assert_rejected(result, 3, fragment)
    assert count(Programme) == 0 and count(Faculty) == 0


# -- enrolments: good files ---------------------------------------------------------------


def test_enrolments_create_people_supervisors_and_enrolments(app, make_programme):
    make_programme("PHD-CS")
    data = csv(
        ENROLMENT_HEADER,
        "phd,Kari.Nordmann@Example.org,Kari Nordmann,PHD-CS,2023-08-15,2027-08-14,,,"
        "ingrid.solberg@example.org,Ingrid Solberg,,",
        "postdoc,ola@example.org,Ola Hansen,PHD-CS,2020-01-01,,2022-12-31,completed,"
        "ingrid.solberg@example.org,,Ja,",
    )
    result = import_csv("enrolments", data)
    assert result.ok, errors_of(result)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)

    kari = user("kari.nordmann@example.org")
    ingrid = user("ingrid.solberg@example.org")
    assert kari.name == "Kari Nordmann" and ingrid.name == "Ingrid Solberg"
    # Imported people get an invitation, not a password.
    assert kari.password_hash is None and ingrid.password_hash is None
    phd = db.session.scalar(db.select(Enrolment).where(Enrolment.person_id == kari.id))
    assert phd.kind == EnrolmentKind.PHD
    assert phd.status == EnrolmentStatus.ACTIVE
    assert (phd.start_date, phd.expected_end_date, phd.end_date) == (
        date(2023, 8, 15),
        date(2027, 8, 14),
        None,
    )
    assert phd.main_supervisor_id == ingrid.id
    assert phd.international_experience is False
    assert phd.plan is None
    postdoc = db.session.scalar(db.select(Enrolment).where(Enrolment.kind == EnrolmentKind.POSTDOC))
    assert postdoc.status == EnrolmentStatus.COMPLETED
    assert postdoc.international_experience is True
    assert postdoc.main_supervisor_id == ingrid.id


def test_enrolments_with_semicolons_a_bom_and_a_multiline_field(app, make_programme):
    make_programme("PHD-CS")
    data = (
        "\ufeffkind;email;name;programme;start_date\r\n"
        'phd;a@example.org;"Anne\r\nAndersen";PHD-CS;2024-01-15\r\n'
        "phd;b@example.org;Bo;PHD-XX;2024-01-15\r\n"
    ).encode()
    result = import_csv("enrolments", data)
    # The quoted field spans lines 2-3, so the next row is line 4.
    assert errors_of(result) == [(4, "Unknown programme PHD-XX.")]
    fixed = data.replace(b"PHD-XX", b"PHD-CS")
    assert import_csv("enrolments", fixed).created == 2


def test_existing_people_are_matched_by_email(app, make_programme, make_user):
    make_programme("PHD-CS")
    kari = make_user("kari@example.org", "Kari Nordmann")
    data = csv(ENROLMENT_HEADER, "phd,KARI@example.org,Kari N.,PHD-CS,2024-01-15,,,,,,,")
    result = import_csv("enrolments", data)
    assert result.ok, errors_of(result)
    assert count(User) == 1
    assert kari.name == "Kari Nordmann"  # the file's name only names new people
    assert kari.password_hash is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("No", False), ("JA", True), ("nei", False), ("true", True),
     ("False", False), ("1", True), ("0", False), ("", False)],
)  # fmt: skip
def test_international_experience_values(app, make_programme, value, expected):
    make_programme("PHD-CS")
    data = csv(
        "kind,email,name,programme,start_date,international_experience",
        f"postdoc,p@example.org,P,PHD-CS,2024-01-15,{value}",
    )
    assert import_csv("enrolments", data).ok
    assert db.session.scalar(db.select(Enrolment.international_experience)) is expected


@pytest.mark.parametrize("plan_status", ["draft", "changes_requested"])
def test_plan_status_without_history(app, make_programme, plan_status):
    make_programme("PHD-CS")
    data = csv(
        "kind,email,name,programme,start_date,plan_status",
        f"phd,a@example.org,A,PHD-CS,2024-01-15,{plan_status}",
    )
    assert import_csv("enrolments", data).ok
    plan = db.session.scalar(db.select(Plan))
    assert plan.status == PlanStatus(plan_status)
    assert plan.versions == [] and plan.approved_version is None


def test_plan_status_submitted_records_a_submission(app, make_programme, make_user):
    make_programme("PHD-CS")
    admin = make_user(admin=True)
    data = csv(
        "kind,email,name,programme,start_date,plan_status",
        "phd,a@example.org,A,PHD-CS,2024-01-15,submitted",
    )
    assert import_csv("enrolments", data, actor=admin).ok
    plan = db.session.scalar(db.select(Plan))
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.submitted_at is not None
    [version] = plan.versions
    assert (version.number, version.event, version.actor_id) == (1, PlanEvent.SUBMITTED, admin.id)
    assert plan.approved_version is None


def test_plan_status_approved_records_an_imported_version(
    app, make_programme, make_enrolment, make_stay
):
    programme = make_programme("PHD-CS")
    enrolment = make_enrolment(programme=programme, start_date=date(2024, 1, 15))
    stay = make_stay(enrolment, country="DE", start_date=date(2025, 3, 1))
    activity = Activity(enrolment=enrolment, type=ActivityType.COURSE, title="Summer school")
    db.session.add(activity)
    db.session.commit()
    email = enrolment.person.email
    data = csv(
        "kind,email,name,programme,start_date,plan_status",
        f"phd,{email},X,PHD-CS,2024-01-15,approved",
        "phd,new@example.org,New,PHD-CS,2024-02-01,approved",
    )
    result = import_csv("enrolments", data)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)

    plan = db.session.scalar(db.select(Plan).where(Plan.enrolment_id == enrolment.id))
    assert plan.status == PlanStatus.APPROVED
    [version] = plan.versions
    assert plan.approved_version_id == version.id
    assert (version.number, version.event) == (1, PlanEvent.IMPORTED)
    assert [row["id"] for row in version.snapshot["stays"]] == [str(stay.id)]
    assert version.snapshot_sha256 == snapshot_digest(version.snapshot)
    approved = db.session.get(Stay, stay.id)
    assert approved.in_approved_plan is True
    assert (
        approved.approved_country,
        approved.approved_start_date,
        approved.approved_end_date,
    ) == ("DE", date(2025, 3, 1), date(2025, 5, 31))
    # Its activities are in the version moved in, as approved (DESIGN §4).
    assert [row["id"] for row in version.snapshot["activities"]] == [str(activity.id)]
    assert db.session.get(Activity, activity.id).approved_type == ActivityType.COURSE

    fresh = db.session.scalar(db.select(Plan).where(Plan.enrolment_id != enrolment.id))
    assert fresh.approved_version.event == PlanEvent.IMPORTED
    assert fresh.approved_version.snapshot["stays"] == []


def test_enrolments_are_idempotent(app, make_programme):
    make_programme("PHD-CS")
    data = csv(
        ENROLMENT_HEADER,
        "phd,a@example.org,A,PHD-CS,2024-01-15,,,,sup@example.org,Sup,,approved",
        "phd,b@example.org,B,PHD-CS,2023-01-15,,2024-06-30,withdrawn,sup@example.org,,no,draft",
        "postdoc,a@example.org,A,PHD-CS,2019-01-15,,2020-12-31,completed,,,yes,submitted",
    )
    first = import_csv("enrolments", data)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    before = [count(model) for model in (User, Enrolment, Plan, PlanVersion)]
    second = import_csv("enrolments", data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert (
        [count(model) for model in (User, Enrolment, Plan, PlanVersion)] == before == [3, 3, 3, 2]
    )


def test_enrolments_update_changed_fields_and_keep_empty_ones(
    app, make_programme, make_enrolment, make_user
):
    programme = make_programme("PHD-CS")
    make_programme("PHD-EPE")
    supervisor = make_user("sup@example.org")
    enrolment = make_enrolment(
        programme=programme,
        start_date=date(2021, 8, 1),
        expected_end_date=date(2025, 7, 31),
        supervisor=supervisor,
    )
    data = csv(
        ENROLMENT_HEADER,
        f"phd,{enrolment.person.email},X,PHD-EPE,2021-08-01,,2025-06-20,completed,,,,",
    )
    result = import_csv("enrolments", data)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    db.session.refresh(enrolment)
    assert enrolment.programme.code == "PHD-EPE"
    assert (enrolment.status, enrolment.end_date) == (EnrolmentStatus.COMPLETED, date(2025, 6, 20))
    # Empty cells leave what is there.
    assert enrolment.expected_end_date == date(2025, 7, 31)
    assert enrolment.main_supervisor_id == supervisor.id
    # The optimistic lock sees the change, so an open edit form cannot overwrite it.
    assert enrolment.lock_version == 2
    assert import_csv("enrolments", data).unchanged == 1


def test_an_existing_plan_is_left_to_the_workflow(app, make_programme, make_enrolment):
    enrolment = make_enrolment(programme=make_programme("PHD-CS"), start_date=date(2024, 1, 15))
    db.session.add(Plan(enrolment=enrolment, status=PlanStatus.DRAFT))
    db.session.commit()
    data = csv(
        "kind,email,name,programme,start_date,plan_status",
        f"phd,{enrolment.person.email},X,PHD-CS,2024-01-15,approved",
    )
    result = import_csv("enrolments", data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert db.session.scalar(db.select(Plan.status)) == PlanStatus.DRAFT
    assert count(PlanVersion) == 0


def test_import_writes_one_audit_record(app, make_programme, make_user):
    make_programme("PHD-CS")
    admin = make_user(admin=True)
    data = csv("kind,email,name,programme,start_date", "phd,a@example.org,A,PHD-CS,2024-01-15")
    import_csv("enrolments", data, actor=admin)
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "import"))
    assert entry.actor_id == admin.id
    assert entry.detail == {
        "kind": "enrolments",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "users_created": 1,
        "plans_created": 0,
    }


def test_dry_run_counts_and_writes_nothing(app, make_programme):
    make_programme("PHD-CS")
    data = csv(
        "kind,email,name,programme,start_date,plan_status",
        "phd,a@example.org,A,PHD-CS,2024-01-15,approved",
        "phd,b@example.org,B,PHD-CS,2024-01-15,",
    )
    result = import_csv("enrolments", data, dry_run=True)
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    db.session.commit()
    assert [count(m) for m in (User, Enrolment, Plan, PlanVersion, AuditEntry)] == [0, 0, 0, 0, 0]


def test_an_empty_data_section_imports_nothing(app):
    result = import_csv("enrolments", "kind,email,name,programme,start_date\n\n")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 0)


# -- enrolments: rejections ---------------------------------------------------------------

GOOD = "phd,good@example.org,Good,PHD-CS,2024-01-15,,,,,,,"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("phd,x@example.org,X,PHD-XX,2024-01-15,,,,,,,", "Unknown programme PHD-XX."),
        ("phd,x@example.org,X,PHD-CS,2024-02-30,,,,,,,", "start_date “2024-02-30” is not a valid"),
        ("phd,x@example.org,X,PHD-CS,15.01.2024,,,,,,,", "start_date “15.01.2024” is not a valid"),
        ("phd,x@example.org,X,PHD-CS,20240115,,,,,,,", "start_date “20240115” is not a valid"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,2027,,,,,,", "expected_end_date “2027” is not"),
        ("phd,x@example.org,X,PHD-CS,,,,,,,,", "start_date is required."),
        (",x@example.org,X,PHD-CS,2024-01-15,,,,,,,", "kind is required."),
        ("phd,,X,PHD-CS,2024-01-15,,,,,,,", "email is required."),
        ("phd,x@example.org,,PHD-CS,2024-01-15,,,,,,,", "name is required."),
        ("phd,x@example.org,X,,2024-01-15,,,,,,,", "programme is required."),
        ("master,x@example.org,X,PHD-CS,2024-01-15,,,,,,,", "kind “master” is not one of: phd"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,paused,,,,", "status “paused” is not one of"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,,,,,done", "plan_status “done” is not one of"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,,,,maybe,", "“maybe” must be yes or no."),
        ("phd,x@example,X,PHD-CS,2024-01-15,,,,,,,", "email “x@example” is not a valid e-mail"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,,s@,S,,", "supervisor_email “s@” is not a valid"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,2023-12-31,,,,,", "end_date 2023-12-31 is before"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,2024-01-14,,,,,,", "expected_end_date 2024-01-14"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,completed,,,,", "completed enrolment needs an"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,,x@example.org,X,,", "cannot be their own"),
        ("phd,GOOD@example.org,G,PHD-CS,2024-01-15,,,,,,,", "already on line 2"),
        ("phd,x@example.org,X,PHD-CS,2024-01-15,,,,,,,,surplus", "has 13 fields but the header"),
    ],
)  # fmt: skip
def test_enrolment_rejections(app, make_programme, row, fragment):
    make_programme("PHD-CS")
    result = import_csv("enrolments", csv(ENROLMENT_HEADER, GOOD, row))
    assert_rejected(result, 3, fragment)
    assert [e.line for e in result.errors] == [3] * len(result.errors)
    # All or nothing: the good row on line 2 is not written either.
    assert count(User) == 0 and count(Enrolment) == 0


def test_every_bad_row_is_reported_and_nothing_written(app, make_programme):
    make_programme("PHD-CS")
    data = csv(
        ENROLMENT_HEADER,
        GOOD,
        "phd,a@example.org,A,PHD-XX,2024-01-15,,,,,,,",
        "phd,b@example.org,B,PHD-CS,2024-01-15,,,,,,,",
        "",
        "phd,c@example.org,,PHD-CS,not-a-date,,,,,,,",
        "phd,d@example.org,D,PHD-CS,2024-01-15,,,,,,,",
    )
    result = import_csv("enrolments", data)
    assert errors_of(result) == [
        (3, "Unknown programme PHD-XX."),
        (6, "name is required."),
        (6, "start_date “not-a-date” is not a valid date in the form YYYY-MM-DD."),
    ]
    db.session.commit()
    assert count(User) == 0 and count(Enrolment) == 0 and count(AuditEntry) == 0


def test_a_new_supervisor_without_a_name_goes_by_the_address(app, make_programme):
    """DESIGN §5 requires kind,email,name,programme,start_date only: no supervisor_name."""
    make_programme("PHD-CS")
    data = csv(ENROLMENT_HEADER, "phd,x@example.org,X,PHD-CS,2024-01-15,,,,New@Example.org,,,")
    result = import_csv("enrolments", data)
    assert result.ok, errors_of(result)
    supervisor = user("new@example.org")
    assert supervisor.name == "new@example.org" and supervisor.password_hash is None
    assert db.session.scalar(db.select(Enrolment)).main_supervisor_id == supervisor.id


def test_a_known_supervisor_name_anywhere_in_the_file_is_enough(app, make_programme):
    make_programme("PHD-CS")
    data = csv(
        ENROLMENT_HEADER,
        "phd,a@example.org,A,PHD-CS,2024-01-15,,,,sup@example.org,,,",
        "phd,b@example.org,B,PHD-CS,2024-01-15,,,,sup@example.org,Sara Supervisor,,",
    )
    assert import_csv("enrolments", data).ok
    assert user("sup@example.org").name == "Sara Supervisor"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("kind,email,name,programme,start_date,colour\n", "Unknown column(s): colour."),
        ("kind,email,name,start_date\n", "Missing required column(s): programme."),
        ("kind,email,name,programme,start_date,email\n", "named more than once: email."),
        ("kind,email,name,programme,start_date,,status\n", "a column without a name"),
        ("\n", "The first line is blank: it must be the header row."),
    ],
)
def test_header_problems_are_reported_on_line_1(app, make_programme, data, fragment):
    make_programme("PHD-CS")
    result = import_csv("enrolments", data + "phd,a@example.org,A,PHD-CS,2024-01-15\n")
    assert_rejected(result, 1, fragment)
    assert {e.line for e in result.errors} == {1}


@pytest.mark.parametrize("data", ["", b"", b"\xef\xbb\xbf"])
def test_an_empty_file_is_rejected(app, data):
    assert_rejected(import_csv("programmes", data), 1, "The file is empty.")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_that_is_not_utf8_is_rejected(app, make_programme, bom):
    make_programme("PHD-CS")
    data = "kind,email,name,programme,start_date\nphd,a@example.org,Åse,PHD-CS,2024-01-15\n"
    result = import_csv("enrolments", bom + data.encode("latin-1"))
    assert_rejected(result, 2, "not UTF-8 text (the first bad byte is on line 2)")


def test_an_unknown_kind_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown import kind"):
        import_csv("people", "")


# -- stays --------------------------------------------------------------------------------


@pytest.fixture()
def candidate(make_programme, make_enrolment, make_user):
    """A person with a PhD from 2020 and a postdoc from 2024."""
    programme = make_programme("PHD-CS")
    person = make_user("kari@example.org", "Kari Nordmann")
    phd = make_enrolment(person, programme=programme, start_date=date(2020, 1, 15))
    postdoc = make_enrolment(
        person, programme=programme, kind=EnrolmentKind.POSTDOC, start_date=date(2024, 8, 1)
    )
    return {"person": person, "phd": phd, "postdoc": postdoc}


def test_stays_pick_the_enrolment_and_confirm_completed_stays(app, candidate):
    data = csv(
        STAY_HEADER,
        "kari@example.org,phd,ETH Zürich,ch,2021-03-01,2021-06-30,completed,erasmus_plus",
        "kari@example.org,,MIT,US,2025-09-01,2025-12-31,planned,",
        "KARI@example.org,postdoc,Universität Wien,AT,2024-10-01,2024-10-20,cancelled,OTHER",
    )
    result = import_csv("stays", data)
    assert result.ok, errors_of(result)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    stays = {s.host_institution: s for s in db.session.scalars(db.select(Stay))}
    eth = stays["ETH Zürich"]
    assert eth.enrolment_id == candidate["phd"].id
    assert (eth.country, eth.status, eth.funding) == (
        "CH",
        StayStatus.COMPLETED,
        Funding.ERASMUS_PLUS,
    )
    # Imported completed stays count as confirmed.
    assert eth.confirmed_at is not None
    mit = stays["MIT"]
    assert mit.enrolment_id == candidate["postdoc"].id  # no kind: the latest enrolment
    assert (mit.funding, mit.confirmed_at, mit.in_approved_plan) == (Funding.NONE, None, False)
    assert stays["Universität Wien"].funding == Funding.OTHER


def test_stays_are_idempotent_and_update_by_key(app, candidate, make_user):
    data = csv(
        STAY_HEADER,
        "kari@example.org,phd,ETH Zürich,CH,2021-03-01,2021-06-30,planned,",
        "kari@example.org,phd,KTH,SE,2022-03-01,2022-03-20,planned,host",
    )
    assert import_csv("stays", data).created == 2
    again = import_csv("stays", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    admin = make_user(admin=True)
    changed = data.replace("2021-06-30,planned,", "2021-06-27,completed,")
    result = import_csv("stays", changed, actor=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    eth = db.session.scalar(db.select(Stay).where(Stay.host_institution == "ETH Zürich"))
    assert (eth.status, eth.end_date, eth.confirmed_by_id) == (
        StayStatus.COMPLETED,
        date(2021, 6, 27),
        admin.id,
    )
    assert eth.confirmed_at is not None and eth.lock_version == 2
    # A stay completed in the tracker is not moved back by an old file.
    assert import_csv("stays", data).unchanged == 2
    assert db.session.get(Stay, eth.id).status == StayStatus.COMPLETED
    assert count(Stay) == 2


def test_stays_of_an_imported_approved_plan_belong_to_it(app, make_programme):
    make_programme("PHD-CS")
    enrolments = csv(
        "kind,email,name,programme,start_date,plan_status",
        "phd,a@example.org,A,PHD-CS,2024-01-15,approved",
        "phd,b@example.org,B,PHD-CS,2024-01-15,draft",
    )
    assert import_csv("enrolments", enrolments).ok
    stays = csv(
        STAY_HEADER,
        "a@example.org,,MIT,US,2026-09-01,2026-12-31,planned,",
        "b@example.org,,MIT,US,2026-09-01,2026-12-31,planned,",
    )
    assert import_csv("stays", stays).ok

    def approved_values():
        return db.session.execute(
            db.select(
                User.email, Stay.in_approved_plan, Stay.approved_country, Stay.approved_end_date
            )
            .join(Enrolment, Enrolment.id == Stay.enrolment_id)
            .join(User, User.id == Enrolment.person_id)
            .order_by(User.email)
        ).all()

    assert approved_values() == [
        ("a@example.org", True, "US", date(2026, 12, 31)),
        ("b@example.org", False, None, None),
    ]
    # The import speaks for the version it moved in approved: a correction counts at once.
    assert import_csv(
        "stays", stays.replace("US,2026-09-01,2026-12-31", "CA,2026-09-01,2026-11-30")
    ).ok
    assert approved_values() == [
        ("a@example.org", True, "CA", date(2026, 11, 30)),
        ("b@example.org", False, None, None),
    ]


# Two days ahead: still in the future for a run that crosses midnight.
LATER = (date.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("nobody@example.org,,MIT,US,2021-03-01,2021-06-30,planned,", "Unknown person: there is"),
        ("kari@example.org,,MIT,XX,2021-03-01,2021-06-30,planned,", "Unknown country code “XX”"),
        ("kari@example.org,,MIT,EU,2021-03-01,2021-06-30,planned,", "Unknown country code “EU”"),
        ("kari@example.org,,MIT,USA,2021-03-01,2021-06-30,planned,", "Unknown country code “USA”"),
        ("kari@example.org,,MIT,US,2021-06-30,2021-03-01,planned,", "end_date 2021-03-01 is bef"),
        ("kari@example.org,phd,MIT,US,2019-12-01,2020-03-01,planned,", "before the enrolment"),
        ("kari@example.org,,MIT,US,2021-03-01,2021-06-30,planned,", "before the enrolment starts"),
        (f"kari@example.org,,MIT,US,2025-01-01,{LATER},completed,", "cannot end in the future"),
        ("kari@example.org,,MIT,US,2025-01-01,2025-02-01,done,", "status “done” is not one of"),
        ("kari@example.org,,MIT,US,2025-01-01,2025-02-01,planned,grant", "funding “grant” is not"),
        ("kari@example.org,master,MIT,US,2025-01-01,2025-02-01,planned,", "kind “master” is not"),
        ("kari@example.org,,MIT,US,2025-01-01,,planned,", "end_date is required."),
        ("kari@example.org,,,US,2025-01-01,2025-02-01,planned,", "host_institution is required."),
        ("kari@example.org,,MIT,,2025-01-01,2025-02-01,planned,", "country is required."),
        ("kari@example.org,,MIT,US,2025-01-01,2025-02-01,,", "status is required."),
        ("kari@example.org,postdoc,KTH,SE,2025-01-01,2025-02-01,planned,", "already on line 2"),
    ],
)  # fmt: skip
def test_stay_rejections(app, candidate, row, fragment):
    first = "kari@example.org,,KTH,SE,2025-01-01,2025-01-31,planned,"
    result = import_csv("stays", csv(STAY_HEADER, first, row))
    assert_rejected(result, 3, fragment)
    assert count(Stay) == 0


def test_a_person_without_an_enrolment_of_that_kind(app, make_user):
    make_user("solo@example.org")
    data = csv(
        STAY_HEADER,
        "solo@example.org,,MIT,US,2025-01-01,2025-02-01,planned,",
        "solo@example.org,postdoc,MIT,US,2025-01-01,2025-02-01,planned,",
    )
    result = import_csv("stays", data)
    assert errors_of(result) == [
        (2, "solo@example.org has no enrolment."),
        (3, "solo@example.org has no postdoc enrolment."),
    ]


def test_a_completed_stay_may_end_today_but_not_tomorrow(app, candidate):
    today = date(2025, 6, 30)
    ending_today = csv(STAY_HEADER, "kari@example.org,,MIT,US,2025-06-01,2025-06-30,completed,")
    result = run_import("stays", ending_today, dry_run=True, actor=None, today=today)
    assert result.ok and result.created == 1
    result = run_import("stays", ending_today, dry_run=True, actor=None, today=date(2025, 6, 29))
    assert_rejected(result, 2, "cannot end in the future (end_date 2025-06-30)")


def test_countries_are_upper_cased_and_blank_rows_skipped(app, candidate):
    data = csv(
        STAY_HEADER, "", ",,,,,,,", "kari@example.org,,MIT, us ,2025-01-01,2025-02-01,planned,"
    )
    result = import_csv("stays", data)
    assert result.ok, errors_of(result)
    assert db.session.scalar(db.select(Stay.country)) == "US"


# -- command line -------------------------------------------------------------------------


def test_cli_imports_and_prints_a_summary(app, runner, tmp_path, make_programme):
    make_programme("PHD-CS")
    path = tmp_path / "enrolments.csv"
    path.write_text(
        csv("kind,email,name,programme,start_date", "phd,a@example.org,A,PHD-CS,2024-01-15"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "enrolments: 1 created, 0 updated, 0 unchanged",
        "1 person got an account.",
    ]
    assert count(Enrolment) == 1
    again = runner.invoke(args=["import", "enrolments", str(path)])
    assert again.stdout.strip() == "enrolments: 0 created, 0 updated, 1 unchanged"


def test_cli_invites_the_people_it_creates_when_asked(app, runner, tmp_path, make_programme):
    from tracker.models import OutboxMessage

    make_programme("PHD-CS")
    path = tmp_path / "enrolments.csv"
    path.write_text(
        csv(
            "kind,email,name,programme,start_date,supervisor_email",
            "phd,a@example.org,A,PHD-CS,2024-01-15,s@example.org",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "enrolments", "--invite", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 people got an account; 2 e-mailed an invitation." in result.stdout
    sent = db.session.scalars(
        db.select(OutboxMessage.to_address).where(OutboxMessage.kind == "invitation")
    ).all()
    assert sorted(sent) == ["a@example.org", "s@example.org"]


def test_cli_dry_run_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "programmes.csv"
    path.write_text(csv("code;name;faculty_code;faculty_name", "P;P;F;Faculty F"), encoding="utf-8")
    result = runner.invoke(args=["import", "programmes", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "1 created" in result.stdout and "dry run" in result.stdout
    assert count(Programme) == 0


def test_cli_reports_every_error_and_exits_with_status_2(app, runner, tmp_path, make_programme):
    make_programme("PHD-CS")
    path = tmp_path / "enrolments.csv"
    path.write_text(
        csv(
            "kind,email,name,programme,start_date",
            "phd,a@example.org,A,PHD-CS,2024-01-15",
            "phd,b@example.org,B,PHD-XX,2024-01-15",
            "phd,c@example.org,C,PHD-CS,2024-13-01",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        "line 3: Unknown programme PHD-XX.",
        "line 4: start_date “2024-13-01” is not a valid date in the form YYYY-MM-DD.",
    ]
    assert "nothing was imported" in result.stderr
    assert result.stdout == ""
    assert count(Enrolment) == 0


def test_cli_rejects_a_missing_file(app, runner, tmp_path):
    result = runner.invoke(args=["import", "stays", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr


def test_cli_rejects_a_file_that_is_not_utf8(app, runner, tmp_path):
    path = tmp_path / "programmes.csv"
    path.write_bytes("code,name,faculty_code,faculty_name\nP,Økonomi,F,F\n".encode("cp1252"))
    result = runner.invoke(args=["import", "programmes", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("line 2: The file is not UTF-8 text")


def test_codes_in_any_case_name_the_existing_programme_and_faculty(app, runner, tmp_path):
    first = tmp_path / "programmes.csv"
    first.write_text("code,name,faculty_code,faculty_name\nPHD-CS,Computing,IE,Engineering\n")
    assert runner.invoke(args=["import", "programmes", str(first)]).exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text("code,name,faculty_code,faculty_name\nphd-cs,Computer Science,ie,\n")
    result = runner.invoke(args=["import", "programmes", str(again)])
    assert result.exit_code == 0, result.output
    assert [(p.code, p.name) for p in db.session.scalars(db.select(Programme))] == [
        ("PHD-CS", "Computer Science")
    ]
    assert len(db.session.scalars(db.select(Faculty)).all()) == 1
    people = tmp_path / "enrolments.csv"
    people.write_text("kind,email,name,programme,start_date\nphd,ola@example.org,Ola,Phd-Cs,2025-08-15\n")
    assert runner.invoke(args=["import", "enrolments", str(people)]).exit_code == 0


def test_a_programme_code_with_spaces_or_slashes_is_refused(app, runner, tmp_path):
    path = tmp_path / "programmes.csv"
    path.write_text("code,name,faculty_code,faculty_name\nPHD CS,Computing,IE/X,Engineering\n")
    result = runner.invoke(args=["import", "programmes", str(path)])
    assert result.exit_code == 2
    assert "code “PHD CS” may hold only letters" in result.output
    assert "faculty_code “IE/X” may hold only letters" in result.output
