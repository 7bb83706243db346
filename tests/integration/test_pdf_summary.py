"""The summary PDF: the statistics document's figures, the lists, the layout, downloads, CLI."""

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from tracker import pdf
from tracker.domain.headlines import open_year
from tracker.domain.plan_history import start_of_day
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.vocabulary import EnrolmentStatus, PlanEvent, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, User
from tracker.presentation import percent
from tracker.queries import stats
from tracker.queries.scope import Filters, parse_filters
from tracker.reports.cli import Operator
from tracker.services.plans import record_stay_approval

PDFTOTEXT, PDFFONTS = shutil.which("pdftotext"), shutil.which("pdffonts")
QPDF = shutil.which("qpdf")
pytestmark = pytest.mark.skipif(
    not (PDFTOTEXT and PDFFONTS and QPDF), reason="needs poppler-utils and qpdf"
)

AS_OF = date(2026, 11, 26)


def pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page as pdftotext -layout reads it, whitespace collapsed.

    The no-break space before "%" comes back from some cells and not from others (it is
    narrow), so percentages are compared without it: "40%"; so are the spaces around the
    slash of "1 / 2" (stays done and planned): "1/2".
    """
    out = subprocess.run(  # noqa: S603 - a fixed tool, reading our own PDF from stdin
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    pages = out.stdout.decode().split("\f")[:-1]
    return [" ".join(page.split()).replace(" %", "%").replace(" / ", "/") for page in pages]


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


def reads(part: int, n: int, locale: str = "en") -> str:
    """Return a percentage as the reader reads it (tracker.presentation, tested on its own)."""
    with force_locale(locale):
        return percent(part, n).replace("\u00a0", "")


def figure_row(group: dict, as_of: date = AS_OF, so_far: int | None = None) -> str:
    """Return a row of a population's table as pdftotext reads it (``so_far``: the year still
    open, the as-of date's unless given)."""
    so_far = as_of.year if so_far is None else so_far
    year = f"{group['year']} (so far)" if group["year"] == so_far else str(group["year"])
    star = "*" if group["n"] < 5 else ""
    return (
        f"{year} {group['n']}{star} {group['achieved']} {group['projected']} "
        f"{reads(group['achieved'], group['n'])} {reads(group['projected'], group['n'])} "
        f"{group['target_percent']}% {group['needed']} "
        f"{group['approved_plans']} {group['overdue_plans']}"
    )


def assert_figures_are_the_documents(text: str, document: dict) -> None:
    """Every group of every population is printed, value by value, as the document has it."""
    for section in stats.SECTIONS:
        for group in document[section.kind.value][section.key]:
            assert figure_row(group) in text, figure_row(group)


@pytest.mark.parametrize(
    ("faculty", "programme"),
    [(None, "PHD-PHYS"), ("NV", None), (None, None)],
    ids=["programme", "faculty", "institution"],
)
def test_figures_are_the_statistics_documents(institution, faculty, programme) -> None:
    filters = parse_filters(faculty, programme)
    document = stats.get_statistics(AS_OF, filters)
    text = pdf_text(pdf.summary_pdf(filters, AS_OF, viewer=Operator(), locale="en"))
    assert_figures_are_the_documents(text, document)
    # The data set pins some of them by hand: 5 PhDs in physics finished in 2025, 2 abroad.
    if programme:
        completed = document["phd"]["by_completion_year"]
        assert [(g["year"], g["n"], g["achieved"], g["needed"]) for g in completed] == [
            (2025, 5, 2, 0)
        ]
        assert "2025 5 2 2 40% 40% 40% 0 1 0" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext")
def test_figures_are_the_documents_on_a_generated_institution(make_programme) -> None:
    """Many groups, many programmes: the PDF's figures and comparison equal the documents."""
    from tests.integration import stats_dataset as data

    data.build()
    data.build_staff()  # in faculty IE: every population has people
    as_of = data.AS_OF
    for filters in (Filters(), parse_filters("IE", None)):
        document = stats.get_statistics(as_of, filters)
        assert document["staff"]["by_deadline_year"]
        pages = pdf_pages(pdf.summary_pdf(filters, as_of, viewer=Operator(), locale="en"))
        text = " ".join(pages)
        for section in stats.SECTIONS:
            so_far = open_year(section.year_basis, as_of)
            for group in document[section.kind.value][section.key]:
                row = figure_row(group, as_of, so_far)
                assert row in text, row
        assert_international_figures_are_the_documents(text, document, as_of)
        # Six populations, staff too: all their answers and the contents on the first page.
        first = pages[0]
        assert first.count("target 100%") >= 2 and "appointment" in first
        assert "All candidates" in first and "Destinations" in first


def activity_row(group: dict, as_of: date) -> str:
    """Return a row of an activity population's table as pdftotext reads it."""
    year = f"{group['year']} (so far)" if group["year"] == as_of.year else str(group["year"])
    star = "*" if group["n"] < 5 else ""
    n, any_ = group["n"], group["any"]
    cells = [
        f"{year} {n}{star}",
        f"{any_['done']} ({reads(any_['done'], n)})",
        f"{any_['planned_or_done']} ({reads(any_['planned_or_done'], n)})",
        *(f"{t['done']}/{t['planned_or_done']}" for t in group["by_type"].values()),
    ]
    if group["needed"] is not None:
        cells.append(str(group["needed"]))
    return " ".join(cells)


def funding_row(group: dict) -> str:
    """Return a year of the funding table as pdftotext reads it."""
    cells = [str(group["year"]), str(group["stays"])]
    for source in group["by_source"].values():
        cells.append(f"{source['stays']} ({reads(source['stays'], group['stays'])})")
    return " ".join(cells)


def assert_international_figures_are_the_documents(text: str, document: dict, as_of: date) -> None:
    """Activities, funding and destinations are printed as the document has them."""
    activities = text[text.index("International activities The share") :]
    for groupings in document["activities"].values():
        for groups in groupings.values():
            for group in groups:
                assert activity_row(group, as_of) in activities, activity_row(group, as_of)
    funding = document["funding"]
    for group in funding["by_completion_year"]:
        assert funding_row(group) in text, funding_row(group)
    planned = funding["planned_stays"]
    assert (
        f"{planned} planned stay{'s' if planned != 1 else ''} ahead, "
        f"{funding['planned_stays_without_funding']} of them without a funding source yet."
        in text
    )
    places = document["destinations"]
    destinations = text[text.index("Destinations", text.index("Funding of stays abroad Q")) :]
    assert f"{places['stays']} stays at {places['hosts']} host institutions." in destinations
    names = {"DE": "Germany", "FR": "France", "JP": "Japan", "US": "United States"}
    for row in places["by_country"]:
        assert f"{names[row['country']]} {row['stays']}" in destinations
    for host in places["by_host"]:
        countries = ", ".join(names[c] for c in host["countries"])
        assert f"{host['host_institution']} {countries} {host['stays']}" in destinations


def comparison_row(programme, group: dict | None, overdue: int, at_risk: int, year: int) -> str:
    """Return a row of a programme comparison as pdftotext reads it."""
    if group is None:
        return f"{programme.code} — {programme.name} 0 nobody in {year} {overdue} {at_risk}"
    star = "*" if group["n"] < 5 else ""
    return (
        f"{programme.code} — {programme.name} {group['n']}{star} {group['achieved']} "
        f"{reads(group['achieved'], group['n'])} {group['projected']} "
        f"{reads(group['projected'], group['n'])} {group['needed']} {overdue} {at_risk}"
    )


def test_programmes_are_compared_with_their_own_documents(institution) -> None:
    faculty = parse_filters("NV", None)
    text = pdf_text(pdf.summary_pdf(faculty, AS_OF, viewer=Operator(), locale="en"))
    start = text.index("Programmes compared Each programme")
    comparison = text[start : text.index("Figures per population", start)]
    # PhDs who finished in 2025: physics 2 of 5 (40 %), chemistry nobody; chemistry's
    # Rolf Rasmussen is on both lists, physics' Otto Olsen on the overdue one.
    physics = stats.get_statistics(AS_OF, Filters(programme=institution["physics"]))
    (group,) = physics["phd"]["by_completion_year"]
    assert comparison_row(institution["physics"], group, 1, 0, 2025) in comparison
    assert comparison_row(institution["chemistry"], None, 1, 1, 2025) in comparison
    # The 2024 cohort: physics 1 of 3 projected; chemistry admitted nobody that year (Rolf
    # Rasmussen came in 2023), so it comes last, saying so.
    cohorts = comparison[comparison.index("PhD candidates by admission cohort: 2024") :]
    assert cohorts.index("PHD-PHYS —") < cohorts.index("PHD-CHEM —")
    assert comparison_row(institution["chemistry"], None, 1, 1, 2024) in cohorts
    assert "History" not in comparison  # another faculty's


def test_the_first_page_is_the_answer(institution) -> None:
    programme = Filters(programme=institution["physics"])
    first = pdf_pages(pdf.summary_pdf(programme, AS_OF, viewer=Operator(), locale="en"))[0]
    assert "PHD-PHYS — Physics" in first
    assert "As of 26 Nov 2026" in first
    assert "A stay counts when it is completed and confirmed, outside Norway" in first
    assert (
        "PHD-PHYS reached the 40% target for PhD candidates in 2025: 40% of those who "
        "finished had a stay abroad." in first
    )
    # The newest finished cohort (2025: nobody admitted) is 2024's: 1 of 3 projected.
    assert (
        f"Of the PhD candidates who started in 2024, {reads(1, 3)} are projected to have a "
        "stay abroad" in first
    )
    assert "40% target 40%" in first  # the headline figure and its target
    assert "1 more person needs an approved plan with a stay abroad to be on track." in first
    assert "Contents" in first and "lists, page 1" in first


def test_a_scope_below_its_target_says_for_how_long_and_how_many_more(
    institution, make_user, make_enrolment
) -> None:
    history = institution["history"]
    for year in (2023, 2024, 2025):
        for i in range(3):
            make_enrolment(
                make_user(f"h{year}{i}@example.org", f"Hanne {year} {i}"),
                programme=history,
                start_date=date(year - 4, 8, 1),
                end_date=date(year, 6, 1),
                status=EnrolmentStatus.COMPLETED,
            )
    first = pdf_pages(
        pdf.summary_pdf(Filters(programme=history), AS_OF, viewer=Operator(), locale="en")
    )[0]
    assert (
        "PHD-HIST has been below the 40% target for PhD candidates for 3 years running: 0% "
        "of those who finished in 2025 had a stay abroad. 2 more people would have needed a "
        "stay to reach the target." in first
    )


def test_lists_of_overdue_at_risk_and_everyone(institution) -> None:
    faculty = parse_filters("NV", None)
    text = pdf_text(pdf.summary_pdf(faculty, AS_OF, viewer=Operator(), locale="en"))

    overdue = text[text.rindex("Plans overdue (2)") : text.rindex("At risk (1)")]
    assert "Otto Olsen" in overdue and "Rolf Rasmussen" in overdue
    assert "Pia Pedersen" not in overdue and "Siv Solberg" not in overdue
    at_risk = text[text.rindex("At risk (1)") : text.rindex("All candidates (9)")]
    assert "Rolf Rasmussen PHD-CHEM PhD 1 Mar 2027 No plan yet 0/0 Sara Veileder" in at_risk
    everyone = text[text.rindex("All candidates (9)") :]
    assert "Pia Pedersen PHD-PHYS PhD Active Approved 0/1 No Sara Veileder" in everyone
    assert "Siv Solberg PHD-PHYS PhD Active Submitted 0/0 No Sara Veileder" in everyone
    assert (
        "Rolf Rasmussen PHD-CHEM PhD Active No plan yet 0/0 No Plan overdue · At risk "
        "Sara Veileder" in everyone
    )
    assert "Dina Ferdig 0 PHD-PHYS PhD Completed Approved 1/0 Yes Sara Veileder" in everyone
    assert "Hedda Hansen" not in text


def test_long_listing_repeats_its_header_on_every_page(
    institution, make_user, make_enrolment, tmp_path
) -> None:
    history = institution["history"]
    for i in range(130):
        # Every fourth name is too long for its column and wraps onto a second line.
        name = f"Kandidat {i:03d}" + (
            " Christiansen-Kristoffersen Bjørnstad de la Fontaine-Moreau" if i % 4 == 0 else ""
        )
        make_enrolment(
            make_user(f"k{i}@example.org", name), programme=history, start_date=date(2025, 8, 1)
        )
    data = pdf.summary_pdf(parse_filters(None, "PHD-HIST"), AS_OF, viewer=Operator(), locale="en")
    pages = pdf_pages(data)

    start = next(i for i, page in enumerate(pages) if "All candidates (131)" in page and i)
    listing = pages[start:]
    assert len(listing) >= 3
    for page in listing:
        assert page.startswith("All candidates (131)")  # the list's name, in the margin
        assert "Name Programme Kind Status Plan status" in page
        assert re.search(r"Kandidat \d{3}", page)  # no page of the listing is left empty
    names = re.findall(r"Kandidat (\d{3})", " ".join(listing))
    assert names == [f"{i:03d}" for i in range(130)]  # each once, in order, none lost
    assert re.search(r"Lists: page (\d+) of \1\b", pages[-1])
    qpdf = tmp_path / "summary.pdf"
    qpdf.write_bytes(data)
    check = subprocess.run([QPDF, "--check", str(qpdf)], capture_output=True, text=True)  # noqa: S603
    assert check.returncode == 0, check.stdout + check.stderr


SCRIPTS = {
    "latin": "Øydis Ødegård-Bjørnstad",
    "cyrillic": "Анна Кузнецова",
    "greek": "Γεώργιος Παπαδόπουλος",
    "arabic": "محمد عبد الله",
    "chinese": "王小明",
}


def test_names_in_any_script_are_set_in_proportional_fonts_and_read_back_intact(
    institution, make_user, make_enrolment, tmp_path
) -> None:
    for key, name in SCRIPTS.items():
        make_enrolment(make_user(f"{key}@example.org", name), programme=institution["history"])
    data = pdf.summary_pdf(parse_filters(None, "PHD-HIST"), AS_OF, viewer=Operator(), locale="en")
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    pages = pdf_pages(data)
    first_list = next(i for i, page in enumerate(pages) if page.startswith("Plans overdue")) + 1
    raw = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, "-f", str(first_list), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in SCRIPTS.values():
        assert name in raw, name
    fonts = subprocess.run(  # noqa: S603
        [PDFFONTS, "-f", str(first_list), "-l", str(len(pages)), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("Noto-Sans-CJK" in font for font in names) and any("Arabic" in f for f in names)
    assert not [font for font in names if "Mono" in font or "Courier" in font]


def test_the_pdf_is_pdfa_with_metadata_and_its_parts_in_order(institution) -> None:
    data = pdf.summary_pdf(Filters(), AS_OF, viewer=Operator(), locale="en", generated_by="Ada")
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part[=>"\s]+3', xmp)
    assert reader.metadata.title == "Mobility summary — The whole institution, as of 26 Nov 2026"
    assert reader.metadata.author == "Ada"
    assert "26 Nov 2026" in reader.metadata.subject
    pages = pdf_pages(data)
    first = pages[0]
    assert "MOBILITY SUMMARY The whole institution" in first  # the kicker is in capitals
    assert "by Ada" in first and "Page 1 of" in first
    text = " ".join(pages)
    order = ["Programmes compared", "Figures per population", "Plans overdue (", "All candidates ("]
    positions = [text.index(part, text.index("Contents") + 200) for part in order]
    assert positions == sorted(positions)
    landscape = reader.pages[-1].mediabox
    assert (round(float(landscape.width)), round(float(landscape.height))) == (842, 595)
    portrait = reader.pages[0].mediabox
    assert (round(float(portrait.width)), round(float(portrait.height))) == (595, 842)


def test_a_tagged_summary_has_a_structure_tree(institution) -> None:
    data = pdf.summary_pdf(Filters(), AS_OF, viewer=Operator(), locale="en", tagged=True)
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:conformance[=>"\s]+A', xmp)


@pytest.mark.parametrize(
    ("locale", "day", "moment", "share"),
    [
        ("en", "As of 26 Nov 2026", r"generated \d{1,2} \w{3} \d{4}, \d\d:\d\d CES?T", "40%"),
        ("nb", "Per 26.11.2026", r"laget \d\d\.\d\d\.\d{4} \d\d:\d\d CES?T", "40%"),
    ],
)
def test_dates_and_times_read_as_the_language_writes_them(
    institution, locale, day, moment, share
) -> None:
    pages = pdf_pages(
        pdf.summary_pdf(
            Filters(programme=institution["physics"]), AS_OF, viewer=Operator(), locale=locale
        )
    )
    assert day in pages[0]
    assert re.search(moment, pages[0]), pages[0][:400]
    assert "2026-11-26" not in " ".join(pages)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", " ".join(pages))  # no 11/26/26


def test_progress_moves_with_the_pages_of_the_lists(
    institution, make_user, make_enrolment
) -> None:
    history = institution["history"]
    for i in range(600):
        make_enrolment(make_user(f"p{i}@example.org", f"Person {i:04d}"), programme=history)
    seen: list[tuple[int, int]] = []
    pdf.summary_pdf(
        parse_filters(None, "PHD-HIST"),
        AS_OF,
        viewer=Operator(),
        locale="en",
        progress=lambda done, total: seen.append((done, total)),
    )
    total = seen[0][1]
    assert total >= 601  # every row of the lists: everyone is on the last one
    assert seen[0][0] == 0 and seen[-1] == (total, total)
    steps = [done for done, _total in seen]
    assert steps == sorted(steps) and len(set(steps)) >= 3  # it moved in between


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
    assert "As of 31 Jan 2025" in text
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
    assert "2025 5 2 2 40% 40% 40% 0 1 0" in text
    assert "by the command line" in text


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


def test_the_first_page_names_the_activity_target_and_the_baselines(
    institution, app, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "PHD_BASELINE", "25,25 % in 2012")
    monkeypatch.setitem(app.config, "STAFF_BASELINE", "30 % in 2019")
    programme = Filters(programme=institution["physics"])
    first = pdf_pages(pdf.summary_pdf(programme, AS_OF, viewer=Operator(), locale="en"))[0]
    assert "International activities: 100% of PhD candidates with at least one done." in first
    assert (
        "Baselines: PhD candidates 25.3% in 2012; new permanent staff without international "
        "experience 30% in 2019." in first
    )
    assert first.count("Baseline: 25.3% in 2012") == 2  # both PhD answers
    assert first.count("Baseline: 30% in 2019") == 2  # both staff answers


def test_a_scope_without_stays_or_activities_says_so(institution) -> None:
    history = Filters(programme=institution["history"])
    text = pdf_text(pdf.summary_pdf(history, AS_OF, viewer=Operator(), locale="en"))
    # Hedda Hansen, admitted in 2024, has no activity: the cohort is shown with nobody done.
    assert "2024 1* 0 (0%) 0 (0%) 0/0 0/0 0/0 0/0 0/0 0/0 1" in text
    assert "No qualifying stay abroad completed yet." in text
    assert "0 planned stays ahead, 0 of them without a funding source yet." in text
    assert "Destinations No qualifying stay abroad yet." in text
    assert "Stays abroad by country" not in text
