"""The summary PDF: the statistics document's figures, the lists, the layout, downloads, CLI."""

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tracker import pdf
from tracker.domain.plan_history import start_of_day
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.targets import as_percent
from tracker.domain.vocabulary import EnrolmentStatus, PlanEvent, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, User
from tracker.queries import stats
from tracker.queries.scope import Filters, parse_filters
from tracker.reports.cli import Operator
from tracker.services.plans import record_stay_approval

PDFTOTEXT, QPDF = shutil.which("pdftotext"), shutil.which("qpdf")
pytestmark = pytest.mark.skipif(
    not (PDFTOTEXT and QPDF), reason="needs pdftotext (poppler-utils) and qpdf"
)

AS_OF = date(2026, 11, 26)


def pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page as pdftotext -layout reads it, whitespace collapsed."""
    out = subprocess.run(  # noqa: S603 - a fixed tool, reading our own PDF from stdin
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return [" ".join(page.split()) for page in out.stdout.decode().split("\f")[:-1]]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def with_plan(enrolment: Enrolment, status: PlanStatus, supervisor: User | None = None) -> Plan:
    """Give the enrolment a plan in this state, submitted (and approved) on its first day."""
    plan = Plan(enrolment=enrolment, status=status)
    db.session.add(plan)
    db.session.flush()
    snapshot = build_snapshot(plan, enrolment.stays, enrolment.activities)
    moment = start_of_day(enrolment.start_date)
    events = [PlanEvent.SUBMITTED] + ([PlanEvent.APPROVED] if status == PlanStatus.APPROVED else [])
    for event in events:
        version = PlanVersion(
            plan=plan,
            number=1,
            event=event,
            actor_id=supervisor.id if supervisor and event == PlanEvent.APPROVED else None,
            created_at=moment,
            effective_at=moment,
            snapshot=snapshot,
            snapshot_sha256=snapshot_digest(snapshot),
        )
        db.session.add(version)
    plan.submitted_at = moment
    if status == PlanStatus.APPROVED:
        db.session.flush()
        plan.approved_version = version
        for stay in enrolment.stays:
            stay.mark_approved()
            record_stay_approval(stay, version)
    db.session.commit()
    return plan


@pytest.fixture()
def institution(make_user, make_programme, make_enrolment, make_stay) -> dict[str, object]:
    """A fixed data set: figures and lists known by hand (DESIGN §4 at 2026-11-26)."""
    physics = make_programme("PHD-PHYS", "NV", name="Physics")
    chemistry = make_programme("PHD-CHEM", "NV", name="Chemistry")
    history = make_programme("PHD-HIST", "HF", name="History")
    sup = make_user("sara@example.org", "Sara Veileder")

    # Five PhDs in physics completed in 2025: two with a qualifying stay -> 40.00 %, none needed.
    for i in range(5):
        done = make_enrolment(
            make_user(f"done{i}@example.org", f"Dina Ferdig {i}"),
            programme=physics,
            supervisor=sup,
            start_date=date(2021, 8, 1),
            end_date=date(2025, 6, 1 + i),
            status=EnrolmentStatus.COMPLETED,
        )
        if i < 2:
            make_stay(done, status=StayStatus.COMPLETED)  # DE, 92 days, done in 2025
        if i == 2:
            make_stay(done, country="NO", status=StayStatus.COMPLETED)  # home: does not count
        if i == 0:
            with_plan(done, PlanStatus.APPROVED, sup)

    # The 2024 admission cohort in physics, all active.
    make_enrolment(
        make_user("olsen@example.org", "Otto Olsen"),
        programme=physics,
        supervisor=sup,
        start_date=date(2024, 1, 15),
    )
    planned = make_enrolment(
        make_user("pedersen@example.org", "Pia Pedersen"),
        programme=physics,
        supervisor=sup,
        start_date=date(2024, 3, 1),
    )
    make_stay(planned, start_date=date(2027, 2, 1), end_date=date(2027, 5, 31))
    with_plan(planned, PlanStatus.APPROVED, sup)
    waiting = make_enrolment(
        make_user("solberg@example.org", "Siv Solberg"),
        programme=physics,
        supervisor=sup,
        start_date=date(2024, 2, 1),
    )
    with_plan(waiting, PlanStatus.SUBMITTED)
    # Expected to finish within a year, nothing abroad: at risk (and overdue, no plan).
    make_enrolment(
        make_user("rasmussen@example.org", "Rolf Rasmussen"),
        programme=chemistry,
        supervisor=sup,
        start_date=date(2023, 2, 1),
        expected_end_date=date(2027, 3, 1),
    )
    # Outside the physics programme and the NV faculty.
    make_enrolment(
        make_user("hansen@example.org", "Hedda Hansen"),
        programme=history,
        supervisor=sup,
        start_date=date(2024, 5, 1),
    )
    return {
        "physics": physics,
        "chemistry": chemistry,
        "history": history,
        "admin": make_user("admin@example.org", "Ada Admin", admin=True),
        "physics_coordinator": make_user(
            "cora@example.org", "Cora Koordinator", coordinator_of=[physics]
        ),
        "faculty_coordinator": make_user(
            "frida@example.org", "Frida Fakultet", coordinator_of=[physics.faculty]
        ),
        "two_scopes": make_user("tove@example.org", "Tove To", coordinator_of=[physics, history]),
        "supervisor": sup,
    }


def figure_row(group: dict) -> str:
    """Return a row of the figures table as pdftotext reads it."""
    pct = f"{as_percent(group['rate'])} %"
    projected = f"{as_percent(group['projected_rate'])} %"
    return (
        f"{group['year']} {group['n']} {group['achieved']} {group['projected']} {pct} "
        f"{projected} {group['target_percent']} % {group['needed']} "
        f"{group['approved_plans']} {group['overdue_plans']}"
    )


def test_figures_are_the_statistics_documents(institution, tmp_path) -> None:
    filters = Filters(programme=institution["physics"])
    document = stats.get_statistics(AS_OF, filters)
    completed = document["phd"]["by_completion_year"]
    cohort = {g["year"]: g for g in document["phd"]["by_admission_year"]}
    # The data set pins the figures...
    assert [(g["year"], g["n"], g["achieved"], g["needed"]) for g in completed] == [(2025, 5, 2, 0)]
    assert (cohort[2024]["n"], cohort[2024]["projected"], cohort[2024]["overdue_plans"]) == (
        3,
        1,
        1,
    )

    data = pdf.summary_pdf(filters, AS_OF, viewer=Operator(), locale="en")
    text = pdf_text(data)

    # ...and the PDF prints exactly the document's, row by row.
    assert "2025 5 2 2 40.00 % 40.00 % 40 % 0 1 0" in text
    for section in stats.SECTIONS:
        for group in document[section.kind.value][section.key]:
            assert figure_row(group) in text
    assert "PHD-PHYS — Physics" in text
    assert "As of Nov 26, 2026 (2026-11-26)" in text
    assert "Target 40 %" in text  # the chart's target line, drawn from the SVG


def test_lists_of_overdue_at_risk_and_everyone(institution) -> None:
    faculty = parse_filters("NV", None)
    text = pdf_text(pdf.summary_pdf(faculty, AS_OF, viewer=Operator(), locale="en"))

    # The cover's contents name the lists too: the lists themselves come last.
    overdue = text[text.rindex("Plans overdue (2)") : text.rindex("At risk (1)")]
    assert "Otto Olsen" in overdue and "Rolf Rasmussen" in overdue
    assert "Pia Pedersen" not in overdue and "Siv Solberg" not in overdue
    at_risk = text[text.rindex("At risk (1)") : text.rindex("All candidates (9)")]
    assert "Rolf Rasmussen PHD-CHEM PhD 3/1/27 No plan yet 0 0 Sara Veileder" in at_risk
    everyone = text[text.rindex("All candidates (9)") :]
    assert "Pia Pedersen PHD-PHYS PhD Active Approved 0 1 No Sara Veileder" in everyone
    assert "Siv Solberg PHD-PHYS PhD Active Submitted 0 0 No Sara Veileder" in everyone
    assert (
        "Rolf Rasmussen PHD-CHEM PhD Active No plan yet 0 0 No Sara Veileder "
        "Plan overdue · At risk" in everyone
    )
    assert "Dina Ferdig 0 PHD-PHYS PhD Completed Approved 1 0 Yes Sara Veileder" in everyone
    assert "Hedda Hansen" not in text


def test_long_listing_repeats_its_headings_on_every_page(
    institution, make_user, make_enrolment, tmp_path
) -> None:
    history = institution["history"]
    for i in range(130):
        # Every fourth name is too long for its column and wraps onto a second line.
        name = f"Kandidat {i:03d}" + (" Christiansen-Kristoffersen Bjørnstad" if i % 4 == 0 else "")
        make_enrolment(
            make_user(f"k{i}@example.org", name), programme=history, start_date=date(2025, 8, 1)
        )
    data = pdf.summary_pdf(parse_filters(None, "PHD-HIST"), AS_OF, viewer=Operator(), locale="en")
    pages = pdf_pages(data)

    start = next(i for i, page in enumerate(pages) if i and "All candidates (131)" in page)
    listing = pages[start:]
    assert len(listing) >= 3
    # Headings wrap inside their columns, like cells: "Stays" over "done".
    heading = "Name Programme Kind Status Plan status Stays Stays Counts Main supervisor Flags"
    for page in listing:
        assert heading in page
        assert re.search(r"Kandidat \d{3}", page)  # no page of the listing is left empty
    names = re.findall(r"Kandidat (\d{3})", " ".join(listing))
    assert names == [f"{i:03d}" for i in range(130)]  # each once, in order, none lost
    assert re.search(r"Page (\d+) of \1\b", pages[-1])
    qpdf = tmp_path / "summary.pdf"
    qpdf.write_bytes(data)
    check = subprocess.run([QPDF, "--check", str(qpdf)], capture_output=True, text=True)  # noqa: S603
    assert check.returncode == 0, check.stdout + check.stderr


def test_summary_is_pdfa_with_cover_and_metadata(institution) -> None:
    data = pdf.summary_pdf(Filters(), AS_OF, viewer=Operator(), locale="en", generated_by="Ada")
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part[=>"\s]+3', xmp)
    assert reader.metadata.title == "Mobility summary — The whole institution, as of Nov 26, 2026"
    assert reader.metadata.author == "Ada"
    assert "2026-11-26" in reader.metadata.subject
    cover = pdf_pages(data)[0]
    assert "Progress toward the mobility targets The whole institution" in cover
    assert "Generated by Ada" in cover
    assert "Page 1 of" in cover
    landscape = reader.pages[-1].mediabox
    assert (round(float(landscape.width)), round(float(landscape.height))) == (842, 595)


def test_norwegian_summary(institution) -> None:
    text = pdf_text(
        pdf.summary_pdf(
            Filters(programme=institution["physics"]), AS_OF, viewer=Operator(), locale="nb"
        )
    )
    assert "26. nov. 2026" in text
    assert "40,00 %" in text


# --------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "query", "status", "expected"),
    [
        ("admin", "", 200, "The whole institution"),
        ("admin", "?faculty=HF&as_of=2026-11-26", 200, "HF — Faculty HF"),
        ("physics_coordinator", "", 200, "PHD-PHYS — Physics"),
        ("physics_coordinator", "?programme=PHD-PHYS", 200, "PHD-PHYS — Physics"),
        ("physics_coordinator", "?programme=PHD-CHEM", 404, None),
        ("physics_coordinator", "?faculty=NV", 404, None),
        ("faculty_coordinator", "?faculty=NV", 200, "NV — Faculty NV"),
        ("faculty_coordinator", "?programme=PHD-CHEM", 200, "PHD-CHEM — Chemistry"),
        ("faculty_coordinator", "?programme=PHD-HIST", 404, None),
        ("faculty_coordinator", "?faculty=HF", 404, None),
        ("two_scopes", "?programme=PHD-HIST", 200, "PHD-HIST — History"),
        ("two_scopes", "", 400, None),
        ("supervisor", "", 403, None),
        ("admin", "?programme=NOPE", 404, None),
        ("admin", "?faculty=HF&programme=PHD-PHYS", 400, None),
        ("admin", "?as_of=2026-02-30", 400, None),
    ],
)
def test_summary_download_follows_the_scope(
    institution, login, who, query, status, expected
) -> None:
    response = login(institution[who]).get(f"/reports/summary.pdf{query}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert "attachment" in response.headers["Content-Disposition"]
        assert expected in pdf_text(response.data)


def test_summary_download_uses_the_as_of_date(institution, login) -> None:
    response = login(institution["admin"]).get("/reports/summary.pdf?as_of=2025-01-31")
    text = pdf_text(response.data)
    assert "As of Jan 31, 2025 (2025-01-31)" in text
    assert "summary-institution-2025-01-31.pdf" in response.headers["Content-Disposition"]


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def test_cli_writes_the_summary(institution, runner, tmp_path: Path) -> None:
    output = tmp_path / "summary.pdf"
    result = runner.invoke(
        args=[
            "report",
            "summary",
            "--programme",
            "PHD-PHYS",
            "--as-of",
            "2026-11-26",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(output.read_bytes())
    assert "2025 5 2 2 40.00 % 40.00 % 40 % 0 1 0" in text
    assert "Generated by the command line" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faculty", "NOPE"], "There is no faculty with the code 'NOPE'."),
        (["--programme", "NOPE"], "There is no programme with the code 'NOPE'."),
        (["--faculty", "HF", "--programme", "PHD-PHYS"], "is not in faculty"),
        (["--as-of", "2026-02-30"], "--as-of"),
        (["--as-of", "yesterday"], "--as-of"),
        (["--locale", "sv"], "--locale must be one of"),
    ],
)
def test_cli_errors_exit_2(institution, runner, tmp_path: Path, args, message) -> None:
    output = tmp_path / "summary.pdf"
    result = runner.invoke(args=["report", "summary", *args, "--output", str(output)])
    assert result.exit_code == 2
    assert message in result.output
    assert not output.exists()


def test_cli_reports_an_unwritable_output(institution, runner, tmp_path: Path) -> None:
    output = tmp_path / "missing-folder" / "summary.pdf"
    result = runner.invoke(args=["report", "summary", "--output", str(output)])
    assert result.exit_code == 2
    assert "cannot write the file" in result.output


def test_summary_loads_in_a_constant_number_of_queries(
    institution, make_user, make_enrolment, make_stay
) -> None:
    from sqlalchemy import event

    def count_queries() -> int:
        statements: list[str] = []

        def on_execute(*args: object) -> None:
            statements.append("x")

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            pdf.build_summary_document(Filters(), AS_OF, viewer=Operator(), generated_by="t")
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        return len(statements)

    from flask_babel import force_locale

    with force_locale("en"):
        before = count_queries()
        for i in range(20):
            enrolment = make_enrolment(
                make_user(f"more{i}@example.org"), start_date=date(2022, 1, 1)
            )
            make_stay(enrolment)
            with_plan(enrolment, PlanStatus.APPROVED, institution["supervisor"])
        assert count_queries() == before


def test_names_with_markup_are_printed_literally_and_nothing_is_fetched(
    institution, make_user, make_enrolment, monkeypatch
) -> None:
    # Shorter than the name column, so each is printed on one line.
    names = ["<img src='//127.0.0.1:9/n'>", "<b>url(file:///etc/x)</b>"]
    for i, name in enumerate(names):
        make_enrolment(make_user(f"tricky{i}@example.org", name), programme=institution["history"])
    asked: list[str] = []
    real_fetch = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    text = pdf_text(pdf.summary_pdf(parse_filters("HF", None), AS_OF, viewer=Operator()))

    assert all(url.endswith("/static/css/pdf.css") for url in asked)
    for name in names:
        assert f"{name} PHD-HIST PhD Active" in text
