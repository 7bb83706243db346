"""The plan PDF: content, approval stamp, PDF/A, escaping of what users typed, downloads, CLI."""

import http.server
import io
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tracker import pdf
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentKind,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import Activity, Enrolment, Plan, PlanVersion, User

PDFTOTEXT, QPDF = shutil.which("pdftotext"), shutil.which("qpdf")
pytestmark = pytest.mark.skipif(
    not (PDFTOTEXT and QPDF), reason="needs pdftotext (poppler-utils) and qpdf"
)


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF as pdftotext -layout reads it, whitespace collapsed."""
    out = subprocess.run(  # noqa: S603 - a fixed tool, reading our own PDF from stdin
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return " ".join(out.stdout.decode().split())


def qpdf_check(data: bytes, tmp_path: Path) -> None:
    """Assert that qpdf finds no structural error in the PDF."""
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    out = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True)  # noqa: S603
    assert out.returncode == 0, out.stdout + out.stderr


def record_version(plan: Plan, actor: User | None, event: PlanEvent, number: int) -> PlanVersion:
    """Add a version with a snapshot of the plan's current content, as the workflow does."""
    enrolment = plan.enrolment
    snapshot = build_snapshot(plan, enrolment.stays, enrolment.activities)
    version = PlanVersion(
        plan=plan,
        number=number,
        event=event,
        actor_id=actor.id if actor else None,
        snapshot=snapshot,
        snapshot_sha256=snapshot_digest(snapshot),
    )
    db.session.add(version)
    db.session.flush()
    return version


def approve(plan: Plan, supervisor: User, number: int, comment: str = "") -> PlanVersion:
    """Submit and approve the plan's current content as version ``number``."""
    record_version(plan, plan.enrolment.person, PlanEvent.SUBMITTED, number)
    version = record_version(plan, supervisor, PlanEvent.APPROVED, number)
    version.comment = comment
    plan.approved_version = version
    plan.status = PlanStatus.APPROVED
    db.session.commit()
    return version


@pytest.fixture()
def people(make_user: Callable[..., User], make_programme) -> dict[str, object]:
    programme = make_programme("PHD-PHYS", "NV", name="Physics")
    other = make_programme("PHD-HIST", "HF", name="History")
    return {
        "programme": programme,
        "candidate": make_user("kari@example.org", "Kari Nordmann"),
        "supervisor": make_user("sara@example.org", "Sara Veileder"),
        "co": make_user("ole@example.org", "Ole Medveileder"),
        "coordinator": make_user(
            "coord@example.org", "Cora Koordinator", coordinator_of=[programme]
        ),
        "faculty_coordinator": make_user(
            "fac@example.org", "Frida Fakultet", coordinator_of=[programme.faculty]
        ),
        "other_coordinator": make_user(
            "hist@example.org", "Hilde Historie", coordinator_of=[other]
        ),
        "other_supervisor": make_user("per@example.org", "Per Annen"),
        "admin": make_user("admin@example.org", "Ada Admin", admin=True),
        "stranger": make_user("x@example.org", "Xavier Fremmed"),
    }


@pytest.fixture()
def approved_plan(people, make_enrolment, make_stay) -> Enrolment:
    """A PhD whose plan was approved (version 1) and then revised into a draft."""
    enrolment = make_enrolment(
        people["candidate"],
        programme=people["programme"],
        supervisor=people["supervisor"],
        co_supervisors=[people["co"]],
        start_date=date(2024, 1, 15),
    )
    make_stay(
        enrolment,
        host_institution="Max-Planck-Institut für Quantenoptik",
        country="DE",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 5, 31),
        status=StayStatus.COMPLETED,
    )
    make_stay(
        enrolment,
        host_institution="Universitetet i Bergen",
        country="NO",
        start_date=date(2025, 9, 1),
        end_date=date(2025, 9, 10),
        status=StayStatus.COMPLETED,
    )
    make_stay(
        enrolment,
        host_institution="Kyoto University",
        country="JP",
        start_date=date(2026, 4, 1),
        end_date=date(2026, 4, 14),
    )
    enrolment.activities.append(
        Activity(
            type=ActivityType.CONFERENCE,
            title="Talk at the European Quantum Optics Conference",
            planned_term="2025 autumn",
            status=ActivityStatus.DONE,
            done_on=date(2025, 10, 9),
            evidence="https://doi.org/10.1000/eqoc.2025.17",
        )
    )
    plan = Plan(enrolment=enrolment, narrative="Six weeks in Garching with the Bloch group.")
    db.session.add(plan)
    db.session.commit()
    approve(plan, people["supervisor"], 1, comment="Good plan; go ahead.")
    return enrolment


def test_plan_pdf_has_the_plan_and_the_approval_stamp(approved_plan: Enrolment, tmp_path) -> None:
    version = approved_plan.plan.approved_version
    data = pdf.plan_pdf(approved_plan, locale="en")
    text = pdf_text(data)

    for expected in (
        "Kari Nordmann",
        "kari@example.org",
        "PHD-PHYS — Physics",
        "Sara Veileder (main supervisor)",
        "Ole Medveileder",
        "Six weeks in Garching with the Bloch group.",
        "Max-Planck-Institut für Quantenoptik, Germany",
        "Counts toward the target Yes",
        "Universitetet i Bergen, Norway",
        "No — in the home country (Norway); shorter than 28 days",
        "Kyoto University, Japan",
        "No — not completed and confirmed yet; shorter than 28 days",
        "Talk at the European Quantum Optics Conference",
        "https://doi.org/10.1000/eqoc.2025.17",
        "Approved by Sara Veileder",
        "Good plan; go ahead.",
    ):
        assert expected in text
    assert re.search(r"Version 1 Approved by", text)
    assert re.search(r"Page 1 of (\d+)", text)
    assert version.snapshot_sha256 == snapshot_digest(version.snapshot)
    assert version.snapshot_sha256 in text
    assert "Not approved" not in text
    qpdf_check(data, tmp_path)


def test_plan_pdf_is_pdfa_3b_a4_with_document_metadata(approved_plan: Enrolment) -> None:
    version = approved_plan.plan.approved_version
    reader = PdfReader(io.BytesIO(pdf.plan_pdf(approved_plan, locale="en")))

    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part[=>"\s]+3', xmp)
    assert re.search(r'pdfaid:conformance[=>"\s]+B', xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]
    info = reader.metadata
    assert info.title == "Mobility plan — Kari Nordmann, PhD PHD-PHYS — Approved version 1"
    assert info.author == "Kari Nordmann"
    assert version.snapshot_sha256 in info.subject
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_current_draft_is_printed_as_not_approved(approved_plan: Enrolment) -> None:
    plan = approved_plan.plan
    in_force = plan.approved_version
    plan.status = PlanStatus.DRAFT
    plan.narrative = "Revised: a longer stay in Kyoto instead."
    db.session.commit()

    text = pdf_text(pdf.plan_pdf(approved_plan, locale="en"))

    assert "Not approved — current content (Draft)" in text
    assert "Revised: a longer stay in Kyoto instead." in text
    assert "This content has not been approved." in text
    assert "Approved version 1 (approved by Sara Veileder" in text
    assert in_force.snapshot_sha256 in text
    assert "Six weeks in Garching" not in text


def test_any_approved_version_by_number(approved_plan: Enrolment, people) -> None:
    plan = approved_plan.plan
    first = plan.approved_version
    plan.narrative = "Version two: Kyoto for three months."
    approve(plan, people["supervisor"], 2)

    old = pdf_text(pdf.plan_pdf(approved_plan, 1, locale="en"))
    new = pdf_text(pdf.plan_pdf(approved_plan, locale="en"))

    assert "Six weeks in Garching" in old and first.snapshot_sha256 in old
    assert "Version two: Kyoto" in new and plan.approved_version.snapshot_sha256 in new
    assert first.snapshot_sha256 != plan.approved_version.snapshot_sha256
    with pytest.raises(pdf.NoSuchVersion):
        pdf.plan_pdf(approved_plan, 3, locale="en")


def test_an_approved_version_notes_what_happened_to_a_stay_since(approved_plan: Enrolment) -> None:
    kyoto = next(s for s in approved_plan.stays if s.country == "JP")
    kyoto.status = StayStatus.CANCELLED
    db.session.commit()

    text = pdf_text(pdf.plan_pdf(approved_plan, locale="en"))

    assert "Since this version Now: Cancelled" in text


def test_norwegian_reader_gets_norwegian_dates_and_country_names(approved_plan) -> None:
    text = pdf_text(pdf.plan_pdf(approved_plan, locale="nb"))

    assert "Max-Planck-Institut für Quantenoptik, Tyskland" in text
    assert "01.03.2025" in text  # bokmål's form, not the ISO date or the US short form
    assert "2025-03-01" not in text
    assert "(Norge)" in text


def test_a_tampered_snapshot_is_flagged(approved_plan: Enrolment) -> None:
    version = approved_plan.plan.approved_version
    version.snapshot = {**version.snapshot, "narrative": "Changed behind the record's back."}
    db.session.commit()

    text = pdf_text(pdf.plan_pdf(approved_plan, locale="en"))

    assert "Warning: the stored snapshot no longer matches this SHA-256." in text


class Recorder(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        type(self).paths.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def http_server() -> Iterator[tuple[str, list[str]]]:
    Recorder.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.paths
    finally:
        server.shutdown()
        server.server_close()


def test_text_users_typed_is_printed_literally_and_nothing_is_fetched(
    people, make_enrolment, make_stay, http_server, monkeypatch
) -> None:
    base, requests = http_server
    host = f"<img src='{base}/stay.png'>"
    narrative = (
        f'<link rel="stylesheet" href="{base}/narrative.css">\n'
        f"<style>@import url({base}/import.css);</style>\n"
        f'<p style="background: url({base}/bg.png)">x</p> url({base}/bare) '
        "file:///etc/passwd"
    )
    enrolment = make_enrolment(people["candidate"], supervisor=people["supervisor"])
    make_stay(enrolment, host_institution=host)
    enrolment.activities.append(
        Activity(type=ActivityType.OTHER, title="<script>x</script>", evidence=f"{base}/doi")
    )
    db.session.add(Plan(enrolment=enrolment, narrative=narrative))
    db.session.commit()
    asked: list[str] = []
    real_fetch = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)

    text = pdf_text(pdf.plan_pdf(enrolment, locale="en"))

    assert requests == []
    assert asked and all(url.endswith("/static/css/pdf.css") for url in asked)
    assert host in text
    assert "<script>x</script>" in text
    # Long addresses may wrap anywhere (overflow-wrap), which pdftotext reads as a space.
    squeezed = "".join(text.split())
    for line in narrative.splitlines():
        assert "".join(line.split()) in squeezed


# --------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("candidate", 200),
        ("supervisor", 200),
        ("co", 200),
        ("coordinator", 200),
        ("faculty_coordinator", 200),
        ("admin", 200),
        ("other_coordinator", 403),
        ("other_supervisor", 403),
        ("stranger", 403),
    ],
)
def test_download_follows_the_policy(approved_plan, people, login, who, status) -> None:
    client = login(people[who])
    response = client.get(f"/reports/plan/{approved_plan.id}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-1.7")
        assert f"plan-{approved_plan.id}.pdf" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"


def test_download_of_a_version_and_of_what_does_not_exist(approved_plan, people, login) -> None:
    client = login(people["candidate"])
    version = approved_plan.plan.approved_version

    response = client.get(f"/reports/plan/{approved_plan.id}.pdf?version=1")
    assert response.status_code == 200
    assert version.snapshot_sha256 in pdf_text(response.data)
    assert client.get(f"/reports/plan/{approved_plan.id}.pdf?version=2").status_code == 404
    assert client.get(f"/reports/plan/{approved_plan.id}.pdf?version=x").status_code == 404
    assert client.get("/reports/plan/999999.pdf").status_code == 404


def test_download_needs_a_login(approved_plan, client) -> None:
    response = client.get(f"/reports/plan/{approved_plan.id}.pdf")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_download_is_in_the_readers_language(approved_plan, people, login) -> None:
    people["candidate"].locale = "nb"
    db.session.commit()
    text = pdf_text(login(people["candidate"]).get(f"/reports/plan/{approved_plan.id}.pdf").data)
    assert "Tyskland" in text


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def test_cli_writes_the_plan(approved_plan, runner, tmp_path) -> None:
    output = tmp_path / "plan.pdf"
    result = runner.invoke(
        args=["report", "plan", "--email", "Kari@Example.org", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert approved_plan.plan.approved_version.snapshot_sha256 in pdf_text(output.read_bytes())

    result = runner.invoke(
        args=[
            "report",
            "plan",
            "--email",
            "kari@example.org",
            "--kind",
            "phd",
            "--version",
            "1",
            "--locale",
            "nb",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Tyskland" in pdf_text(output.read_bytes())


def test_cli_picks_the_enrolment_of_the_kind_asked(
    approved_plan, people, make_enrolment, runner, tmp_path
) -> None:
    make_enrolment(
        people["candidate"],
        kind=EnrolmentKind.POSTDOC,
        start_date=date(2028, 8, 1),
        supervisor=people["other_supervisor"],
    )
    output = tmp_path / "plan.pdf"
    runner.invoke(args=["report", "plan", "--email", "kari@example.org", "--output", str(output)])
    assert "Per Annen" in pdf_text(output.read_bytes())  # the latest: the postdoc
    runner.invoke(
        args=[
            "report",
            "plan",
            "--email",
            "kari@example.org",
            "--kind",
            "phd",
            "--output",
            str(output),
        ]
    )
    assert "Sara Veileder" in pdf_text(output.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nobody@example.org"], "There is no user with the e-mail address"),
        (["--email", "kari@example.org", "--kind", "postdoc"], "has no postdoc enrolment"),
        (["--email", "kari@example.org", "--version", "7"], "no approved version 7"),
        (["--email", "kari@example.org", "--version", "0"], "--version"),
        (["--email", "kari@example.org", "--locale", "de"], "--locale must be one of"),
        (["--email", "kari@example.org", "--kind", "student"], "--kind"),
    ],
)
def test_cli_errors_exit_2_with_a_message(approved_plan, runner, tmp_path, args, message) -> None:
    output = tmp_path / "plan.pdf"
    result = runner.invoke(args=["report", "plan", *args, "--output", str(output)])
    assert result.exit_code == 2
    assert message in result.output
    assert not output.exists()


def test_enrolment_without_a_plan_prints_its_stays(people, make_enrolment, make_stay) -> None:
    enrolment = make_enrolment(people["candidate"], supervisor=people["supervisor"])
    make_stay(enrolment, host_institution="Sorbonne Université", country="FR")

    text = pdf_text(pdf.plan_pdf(enrolment, locale="en"))

    assert "Not approved — current content (No plan yet)" in text
    assert "Sorbonne Université, France" in text
    assert "No narrative written." in text
    with pytest.raises(pdf.NoSuchVersion):
        pdf.plan_pdf(enrolment, 1, locale="en")


def test_a_plan_imported_as_approved_has_a_stamp_without_approver(people, make_enrolment) -> None:
    enrolment = make_enrolment(people["candidate"], supervisor=people["supervisor"])
    plan = Plan(enrolment=enrolment, status=PlanStatus.APPROVED)
    db.session.add(plan)
    db.session.flush()
    plan.approved_version = record_version(plan, None, PlanEvent.IMPORTED, 1)
    db.session.commit()

    text = pdf_text(pdf.plan_pdf(enrolment, locale="en"))

    assert "Approved by imported as approved; no approver recorded" in text
    assert plan.approved_version.snapshot_sha256 in text
