"""Benchmark of the PDF reports: how time and peak memory grow with the number of candidates.

    .venv/bin/python bench/pdf_bench.py                      # 1,000 / 5,000 / 20,000
    .venv/bin/python bench/pdf_bench.py --sizes 5000 --repeat 3
    .venv/bin/python bench/pdf_bench.py --sizes 5000 --tagged  # also the tagged PDF/A-3a
    .venv/bin/python bench/pdf_bench.py --layouts 5000       # table vs block layouts

For each size a fresh SQLite database is built with the migrations and filled with a
synthetic institution (bulk inserts: candidates, supervisors, plans with approved
versions, stays). Then, each in its own process:

* ``report summary`` for the whole institution, run exactly as an operator would
  (``flask --app tracker report summary``): wall time and peak resident memory of
  that process (``RUSAGE_CHILDREN`` of a process that runs nothing else);
* the same summary in-process, split into the database part (statistics document,
  lists and their layout) and the rendering part (templates and WeasyPrint), and the
  same rows as plain block lines;
* a plan PDF (an approved version with stays and activities) in-process: the first
  render in a fresh process and the median of the following ones.

Budget: the 5,000-candidate institution summary within 2x the time of the
same rows rendered as plain block lines, in the same run, under 400 MB, linear up to
20,000; a plan PDF under 0.5 s. The in-process part renders the summary's list rows
as one <div> of text each, alternately with the summary, and prints both CPU times and
their ratio (also against as many rows as there are candidates).

Results are in docs/PERFORMANCE.md (2 shared vCPUs, WeasyPrint 70, SQLite). At 5,000
candidates, the lists' one-line rows sharing boxes: summary render 21.9 s CPU, the
same 5,997 rows as block lines 12.5 s, 1.75x; the command 29.3 s and 300 MB.

Layouts (``--layouts 5000``: 5,000 rows of nine cells, one process each, CPU time with
start-up): block lines 11.7 s / 143 MB, the tracker's columns 18.2 s / 203 MB, one
monospaced <div> a row 12.6 s, one <pre> a page 9.6 s / 89 MB; measured before on the
same machine: table 30.9 s / 839 MB, inline-block 27.2 s, float 26.8 s, grid 32.2 s,
flex 38.0 s.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 26)
FLASK = str(Path(sys.executable).with_name("flask"))

FIRST = [
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Sofie",
    "Magnus",
    "Aisha",
    "Wei",
    "María José",
    "Jean-Baptiste",
    "Siri",
    "Øystein",
    "Åse",
    "Nguyễn",
    "Oluwaseun",
    "Priyanka",
    "Mats",
]
LAST = [
    "Nordmann",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Berg",
    "Haugen",
    "Zhang",
    "García López",
    "de la Fontaine-Moreau",
    "Bjørnstad",
    "Ødegård",
    "Okonkwo",
    "Venkataraman",
    "Christiansen-Kristoffersen",
]
COUNTRIES = ["DE", "US", "GB", "FR", "NL", "SE", "DK", "JP", "CA", "AU", "NO", "ES", "IT"]
HOSTS = [
    "Technische Universität München",
    "University of California, Berkeley",
    "University of Cambridge",
    "ETH Zürich",
    "Karolinska Institutet",
    "Sorbonne Université",
    "Max-Planck-Institut für Informatik",
    "University of Tokyo",
    "McGill University",
]


# --------------------------------------------------------------------------------------
# Synthetic institution
# --------------------------------------------------------------------------------------


def build_database(url: str, size: int, seed: int = 2026) -> None:
    """Create the schema with the migrations and insert ``size`` candidates in bulk."""
    from flask_migrate import upgrade

    from config import TestConfig
    from tracker import create_app
    from tracker.extensions import db

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
        _populate(db, size, random.Random(seed))
        db.session.commit()
        db.engine.dispose()


def _populate(db, size: int, rng: random.Random) -> None:
    from sqlalchemy import bindparam

    from tracker.domain.snapshot import build_snapshot, snapshot_digest
    from tracker.models import (
        Activity,
        Enrolment,
        Faculty,
        Plan,
        PlanVersion,
        Programme,
        Stay,
        User,
    )
    from tracker.models.stay import approval_values

    now = datetime(2026, 11, 1, tzinfo=UTC)
    faculties = [{"id": i + 1, "code": f"F{i + 1}", "name": f"Faculty {i + 1}"} for i in range(6)]
    programmes = [
        {
            "id": i + 1,
            "code": f"PHD-{i + 1:02d}",
            "name": f"PhD programme {i + 1}",
            "faculty_id": i % 6 + 1,
        }
        for i in range(24)
    ]
    n_supervisors = max(1, size // 4)
    users = [
        {
            "id": 1,
            "email": "admin@example.org",
            "name": "Admin",
            "is_admin": True,
            "password_hash": None,
        }
    ]
    for i in range(n_supervisors):
        users.append(
            {
                "id": 2 + i,
                "email": f"sup{i}@example.org",
                "name": f"Prof. {rng.choice(FIRST)} {rng.choice(LAST)}",
                "is_admin": False,
                "password_hash": None,
            }
        )
    first_candidate = 2 + n_supervisors
    enrolments, plans, versions, stays, activities = [], [], [], [], []
    for i in range(size):
        uid = first_candidate + i
        users.append(
            {
                "id": uid,
                "email": f"cand{i}@example.org",
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "is_admin": False,
                "password_hash": None,
            }
        )
        kind = "phd" if rng.random() < 0.8 else "postdoc"
        start = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 3900))
        years = 4 if kind == "phd" else 2
        expected = date(start.year + years, start.month, 1)
        status, end = "active", None
        if expected < AS_OF and rng.random() < 0.8:
            status, end = "completed", expected + timedelta(days=rng.randrange(0, 200))
            end = min(end, AS_OF)
        elif rng.random() < 0.04:
            status, end = "withdrawn", start + timedelta(days=rng.randrange(30, 700))
            end = min(end, AS_OF)
        eid = i + 1
        enrolments.append(
            {
                "id": eid,
                "person_id": uid,
                "programme_id": rng.randrange(24) + 1,
                "kind": kind,
                "status": status,
                "start_date": start,
                "expected_end_date": expected,
                "end_date": end,
                "main_supervisor_id": 2 + rng.randrange(n_supervisors),
                "international_experience": kind == "postdoc" and rng.random() < 0.4,
            }
        )
        enrolment_stays = []
        for _k in range(rng.choice([0, 1, 1, 1, 2, 3])):
            s_start = start + timedelta(days=rng.randrange(60, 1200))
            s_end = s_start + timedelta(days=rng.choice([10, 27, 28, 45, 90, 180, 300]))
            s_status = (
                "completed"
                if s_end < AS_OF and rng.random() < 0.7
                else ("cancelled" if rng.random() < 0.1 else "planned")
            )
            row = {
                "id": len(stays) + 1,
                "enrolment_id": eid,
                "host_institution": rng.choice(HOSTS),
                "host_contact": "",
                "city": "",
                "country": rng.choice(COUNTRIES),
                "start_date": s_start,
                "end_date": s_end,
                "purpose": "research_stay",
                "funding": "none",
                "notes": "",
                "status": s_status,
                # Part of no approved version yet; an approved plan below takes it in.
                **approval_values(False, None, None, None),
            }
            stays.append(row)
            enrolment_stays.append(row)
        activity = {
            "id": len(activities) + 1,
            "enrolment_id": eid,
            "type": "conference",
            "title": "International conference talk",
            "planned_term": "2025 autumn",
            "status": "planned",
            "done_on": None,
            "evidence": "",
        }
        activities.append(activity)
        roll = rng.random()
        if roll < 0.1:
            continue  # no plan yet
        plan_status = (
            "draft"
            if roll < 0.25
            else "submitted"
            if roll < 0.33
            else "changes_requested"
            if roll < 0.38
            else "approved"
        )
        pid = len(plans) + 1
        plan = {
            "id": pid,
            "enrolment_id": eid,
            "status": plan_status,
            "narrative": "A stay at a leading group abroad, conferences and joint papers.",
            "no_stay_justification": "",
            "approved_version_id": None,
        }
        plans.append(plan)
        if plan_status == "approved":
            snapshot = build_snapshot(
                SimpleNamespace(**plan),
                [SimpleNamespace(**s) for s in enrolment_stays],
                [SimpleNamespace(**activity)],
            )
            for event in ("submitted", "approved"):
                versions.append(
                    {
                        "id": len(versions) + 1,
                        "plan_id": pid,
                        "number": 1,
                        "event": event,
                        "actor_id": enrolments[-1]["main_supervisor_id"]
                        if event == "approved"
                        else uid,
                        "created_at": now,
                        "comment": "",
                        "snapshot": snapshot,
                        "snapshot_sha256": snapshot_digest(snapshot),
                    }
                )
            plan["approved_version_id"] = len(versions)
            for s in enrolment_stays:
                s.update(approval_values(True, s["country"], s["start_date"], s["end_date"]))

    def insert(model, rows):
        for start in range(0, len(rows), 2000):
            db.session.execute(db.insert(model), rows[start : start + 2000])

    insert(Faculty, faculties)
    insert(Programme, programmes)
    insert(User, users)
    insert(Enrolment, enrolments)
    approved = {p["id"]: p.pop("approved_version_id") for p in plans}
    insert(Plan, [{**p, "approved_version_id": None} for p in plans])
    insert(PlanVersion, versions)
    table = Plan.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("pid"))
        .values(approved_version_id=bindparam("vid")),
        [{"pid": pid, "vid": vid} for pid, vid in approved.items() if vid],
    )
    insert(Stay, stays)
    insert(Activity, activities)


# --------------------------------------------------------------------------------------
# Measurements, each in a process of its own
# --------------------------------------------------------------------------------------


def measured(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a command under a watcher process; return its wall time and peak memory (MB)."""
    watcher = [sys.executable, __file__, "--watch", "--", *command]
    out = subprocess.run(watcher, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def watch(command: list[str]) -> None:
    """Run the command as this process's only child and print its time and peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time too: on a shared machine the wall clock also measures the neighbours.
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_mb": round(usage.ru_maxrss / 1024),  # ru_maxrss is in KiB on Linux
            }
        )
    )


def cpu(work) -> float:
    """Return the CPU time ``work()`` takes (on a shared machine the wall clock also counts
    the neighbours)."""
    return cpu_with_result(work)[1]


def cpu_with_result(work):
    """Return ``work()``'s result and the CPU time it took."""
    started = time.process_time()
    result = work()
    return result, time.process_time() - started


def plain_rows(document) -> list[str]:
    """Return the text of every list row of a summary, cells joined by single spaces."""
    return [
        " ".join(row.split())
        for listing in document.listings
        for page in listing.pages
        for row in page.rows
    ]


def render_block_lines(rows: list[str]) -> bytes:
    """Render rows as plain block lines: one <div> of text each, in the lists' font.

    The budget's baseline (the issue): the same rows without columns, rules or headers,
    on the same landscape pages, in the same proportional font and size.
    """
    from html import escape

    from weasyprint import HTML

    from tracker.pdf import listing

    css = (
        "@page { size: A4 landscape; margin: 20mm 16mm 18mm; }"
        f"body {{ margin: 0; font-family: {listing.ListLayout.css()['families']};"
        f" font-size: {listing.BODY_PT}pt; line-height: {listing.LINE_PX}px; }}"
    )
    body = "".join(f"<div>{escape(row)}</div>" for row in rows)
    html = f"<html lang='en'><head><style>{css}</style></head><body>{body}</body></html>"
    return HTML(string=html).write_pdf()


def in_process(url: str, repeat: int, size: int, tagged: bool) -> None:
    """Time the summary's parts and the plan PDF inside one process; print JSON."""
    from config import TestConfig
    from tracker import create_app, pdf
    from tracker.extensions import db
    from tracker.models import Enrolment, Plan
    from tracker.pdf import summary
    from tracker.queries.scope import Filters
    from tracker.reports.cli import Operator

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    result: dict[str, object] = {}
    with app.app_context(), app.test_request_context():
        from flask_babel import force_locale

        enrolment = db.session.scalar(
            db.select(Enrolment)
            .join(Plan)
            .where(Plan.status == "approved")
            .order_by(Enrolment.id)
            .limit(1)
        )
        plan_times = []
        for _i in range(max(repeat, 5) + 1):
            started = time.perf_counter()
            pdf.plan_pdf(enrolment, locale="en")
            plan_times.append(time.perf_counter() - started)
        result["plan_first_s"] = round(plan_times[0], 3)
        result["plan_median_s"] = round(statistics.median(plan_times[1:]), 3)

        build, render, same_rows, candidate_rows = [], [], [], []
        for _i in range(repeat):
            with force_locale("en"):
                started = time.perf_counter()
                document = pdf.build_summary_document(
                    Filters(), AS_OF, viewer=Operator(), generated_by="bench"
                )
                build.append(time.perf_counter() - started)
                rows = plain_rows(document)
                # Alternately, so that a neighbour's load weighs on both alike (CPU time).
                same_rows.append(cpu(lambda rows=rows: render_block_lines(rows)))
                data, seconds = cpu_with_result(lambda d=document: summary.render_summary(d))
                render.append(seconds)
                candidate_rows.append(cpu(lambda rows=rows: render_block_lines(rows[-size:])))
        result["summary_db_s"] = round(min(build), 2)
        result["summary_render_cpu_s"] = round(min(render), 2)
        result["summary_bytes"] = len(data)
        result["list_rows"] = document.list_rows
        result["list_pages"] = document.list_pages
        result["block_lines_same_rows_cpu_s"] = round(min(same_rows), 2)
        result[f"block_lines_{size}_rows_cpu_s"] = round(min(candidate_rows), 2)
        result["ratio_to_same_rows"] = round(min(render) / min(same_rows), 2)
        result[f"ratio_to_{size}_rows"] = round(min(render) / min(candidate_rows), 2)
        if tagged:
            _data, seconds = cpu_with_result(
                lambda d=document: summary.render_summary(d, pdf_variant=pdf.TAGGED_VARIANT)
            )
            result["tagged_render_cpu_s"] = round(seconds, 2)
            result["tagged_ratio_to_same_rows"] = round(seconds / min(same_rows), 2)
    print(json.dumps(result))


def bench_size(size: int, workdir: Path, repeat: int, tagged: bool) -> dict[str, object]:
    """Build a database of ``size`` candidates and take every measurement on it."""
    db_file = workdir / f"bench-{size}.sqlite"
    if db_file.exists():
        db_file.unlink()
    url = f"sqlite:///{db_file}"
    started = time.perf_counter()
    build_database(url, size)
    built = time.perf_counter() - started
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": str(workdir),
        "TRACKER_ENV": "development",
    }
    output = workdir / f"summary-{size}.pdf"
    runs = [
        measured(
            [
                FLASK,
                "--app",
                "tracker",
                "report",
                "summary",
                "--as-of",
                AS_OF.isoformat(),
                "--output",
                str(output),
            ],
            env,
        )
        for _i in range(repeat)
    ]
    inner = subprocess.run(
        [
            sys.executable,
            __file__,
            "--in-process",
            url,
            "--repeat",
            str(repeat),
            "--size",
            str(size),
            *(["--tagged"] if tagged else []),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "candidates": size,
        "build_db_s": round(built, 1),
        "cli_summary_s": min(r["seconds"] for r in runs),
        "cli_summary_cpu_s": min(r["cpu_s"] for r in runs),
        "cli_summary_peak_mb": max(r["peak_mb"] for r in runs),
        "pdf_pages": _pages(output),
        **json.loads(inner.stdout.strip().splitlines()[-1]),
    }


def _pages(path: Path) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


# --------------------------------------------------------------------------------------
# Layout comparison: why the candidate table is not an HTML table
# --------------------------------------------------------------------------------------

LAYOUTS = (
    "table",
    "inline-block",
    "float",
    "grid",
    "flex",
    "row-pre",
    "chunk-pre",
    "block-line",
    "set-columns",
)


def layout_html(layout: str, rows: int) -> str:
    """Return a document of ``rows`` nine-column rows in one of the candidate layouts."""
    widths = [28, 12, 8, 10, 18, 6, 8, 26, 22]
    css = [
        "@page { size: A4 landscape; margin: 20mm 16mm 18mm;"
        " @bottom-right { content: counter(page) ' / ' counter(pages); } }",
        "body { font-family: 'DejaVu Sans'; font-size: 7.5pt; }",
    ]

    def cells(i: int) -> list[str]:
        return [
            f"Candidate Name {i}",
            "PHD-07",
            "PhD",
            "Active",
            "Approved",
            "1",
            "2",
            f"Supervisor {i % 97}",
            "Plan overdue",
        ]

    body: list[str] = []
    if layout == "block-line":
        # The budget's baseline: one <div> of text a row, in a proportional font.
        css[1] = "body { font-family: 'Noto Sans'; font-size: 7.5pt; line-height: 11.5px; }"
        body += [f"<div>{' '.join(cells(i))}</div>" for i in range(rows)]
    elif layout == "set-columns":
        # What the summary does (tracker.pdf.listing): columns set with measured spaces,
        # ruled rows, the header row on every page of a fixed number of rows.
        from html import escape

        from tracker.pdf import listing
        from tracker.pdf.measure import TextMeasure

        measure = TextMeasure(listing.FONT_FAMILIES, listing.BODY_PT, "en")
        bold = TextMeasure(listing.FONT_FAMILIES, listing.BODY_PT, "en", bold=True)
        units = [9, 3, 2, 3, 5, 2, 2, 8, 5]
        heads = ["Name", "Programme", "Kind", "Status", "Plan status", "Done", "Planned",
                 "Supervisor", "Flags"]  # fmt: skip
        layout_ = listing.ListLayout(
            [listing.Column(h, h, u) for h, u in zip(heads, units, strict=True)],
            measure,
            bold,
            measure,
        )
        sizes = listing.ListLayout.css()
        css[1] = (
            f"body {{ font-family: {sizes['families']}; font-size: 7.5pt; }}"
            f".r, .h {{ white-space: pre; line-height: {sizes['line']}px;"
            f" padding: {sizes['pad_top']}px 0 {sizes['pad_bottom']}px; }}"
            f".r {{ border: {sizes['rule'] / 2}px solid #b3b3b3; }}"
            f".rs {{ white-space: pre; line-height: {sizes['pitch']}px;"
            f" background: linear-gradient(#b3b3b3 {sizes['rule']}px, transparent 0)"
            f" 0 0 / 100% {sizes['pitch']}px repeat-y; }}"
            f".h {{ font-weight: bold; border-bottom: {sizes['head_rule']}px solid #333; }}"
            ".p + .p { break-before: page; }"
        )
        for page in layout_.pages(cells(i) for i in range(rows)):
            body.append(f'<div class="p"><div class="h">{escape(page.head)}</div>')
            body += [
                f'<div class="{"rs" if kind == "rows" else "r"}">{escape(text)}</div>'
                for kind, text in page.blocks()
            ]
            body.append("</div>")
    elif layout == "table":
        css.append("table { border-collapse: collapse; } td { padding: 0 2pt; }")
        body.append("<table>")
        body += ["<tr>" + "".join(f"<td>{c}</td>" for c in cells(i)) + "</tr>" for i in range(rows)]
        body.append("</table>")
    elif layout in ("inline-block", "float", "flex"):
        display = {
            "inline-block": ".c { display: inline-block; }",
            "float": ".c { float: left; } .r { overflow: hidden; }",
            "flex": ".r { display: flex; } .c { flex: none; }",
        }[layout]
        css.append(display)
        css += [f".w{k} {{ width: {w * 1.6}mm; }}" for k, w in enumerate(widths)]
        body += [
            '<div class="r">'
            + "".join(f'<div class="c w{k}">{c}</div>' for k, c in enumerate(cells(i)))
            + "</div>"
            for i in range(rows)
        ]
    elif layout == "grid":
        css.append(
            ".r { display: grid; grid-template-columns: "
            + " ".join(f"{w * 1.6}mm" for w in widths)
            + "; }"
        )
        body += [
            '<div class="r">' + "".join(f"<div>{c}</div>" for c in cells(i)) + "</div>"
            for i in range(rows)
        ]
    else:
        css.append(".m { font-family: 'DejaVu Sans Mono'; white-space: pre; margin: 0; }")

        def line(i: int) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells(i), widths, strict=True))

        if layout == "row-pre":
            body += [f'<div class="m">{line(i)}</div>' for i in range(rows)]
        else:
            body += [
                '<pre class="m">'
                + "\n".join(line(i) for i in range(s, min(rows, s + 48)))
                + "</pre>"
                for s in range(0, rows, 48)
            ]
    return f"<html><head><style>{''.join(css)}</style></head><body>{''.join(body)}</body></html>"


def render_layout(layout: str, rows: int) -> None:
    """Render one layout and print nothing (the watcher measures the process)."""
    from weasyprint import HTML

    HTML(string=layout_html(layout, rows)).write_pdf()


def bench_layouts(rows: int, layouts: Sequence[str]) -> list[dict[str, object]]:
    """Measure each layout in its own process."""
    found = []
    for layout in layouts:
        command = [sys.executable, __file__, "--layout", layout, str(rows)]
        figures = measured(command, dict(os.environ))
        found.append({"layout": layout, "rows": rows, **figures})
        print(json.dumps(found[-1]), flush=True)
    return found


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--layouts", type=int, metavar="ROWS")
    parser.add_argument("--only", help="with --layouts: a comma-separated choice of layouts")
    parser.add_argument("--tagged", action="store_true", help="also time the tagged PDF/A-3a")
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--watch", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--in-process", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--layout", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.watch:
        watch(args.command)
    elif args.in_process:
        in_process(args.in_process, args.repeat, args.size, args.tagged)
    elif args.layout:
        render_layout(args.layout[0], int(args.layout[1]))
    elif args.layouts:
        bench_layouts(args.layouts, args.only.split(",") if args.only else LAYOUTS)
    else:
        with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
            workdir = args.workdir or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            for size in (int(s) for s in args.sizes.split(",")):
                print(json.dumps(bench_size(size, workdir, args.repeat, args.tagged)), flush=True)


if __name__ == "__main__":
    main()
