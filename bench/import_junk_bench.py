"""Time the web import preview of hostile or broken CSV files just under the 5 MB upload limit.

    .venv/bin/python bench/import_junk_bench.py                 # every shape
    .venv/bin/python bench/import_junk_bench.py --shapes junk-lines,one-line

Each file is uploaded by a programme coordinator through the Flask test client, as a
browser would (the preview: every check runs, nothing is written); the script prints
the answer's status, the wall time and the size of the page. A fresh SQLite database
in a temporary folder holds the one programme. Targets: every answer in seconds (under 10 s),
every page under 1 MB.
"""

import argparse
import io
import os
import random
import resource
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

SIZE = 5 * 1024 * 1024 - 1024  # just under the upload limit
TARGET_SECONDS = 10.0
TARGET_PAGE_BYTES = 1_000_000
PASSWORD = "benchmark password"  # noqa: S105 - a throw-away account in a scratch database
HEADER = (
    "kind,email,name,programme,start_date,expected_end_date,end_date,status,"
    "supervisor_email,supervisor_name,international_experience,plan_status\n"
)


STAY_HEADER = "email,kind,host_institution,country,start_date,end_date,status,funding\n"
MAX_ROWS = 50_000  # the default IMPORT_MAX_ROWS


def _fill(line: Callable[[int], str], *, header: str = HEADER, rows: int | None = None) -> bytes:
    """Return the header and then lines ``line(i)``, up to SIZE bytes or ``rows`` lines."""
    out, size, i = [header], len(header), 0
    while rows is None or i < rows:
        text = line(i)
        if size + len(text) > SIZE:
            break
        out.append(text)
        size += len(text)
        i += 1
    return "".join(out).encode()


def junk_lines(rng: random.Random) -> bytes:
    """The issue's file: short lines of junk, five problems each, far beyond the row cap."""
    letters = rng.choices(string.ascii_letters, k=(SIZE - len(HEADER)) // 2)
    return (HEADER + "\n".join(letters) + "\n").encode()


def junk_rows(rng: random.Random) -> bytes:
    """Rows of twelve junk fields, ten problems each, fewer than the row cap."""

    def line(_i: int) -> str:
        letters = string.ascii_letters
        fields = ("".join(rng.choices(letters, k=rng.randint(1, 12))) for _ in range(12))
        return ",".join(fields) + "\n"

    return _fill(line, rows=MAX_ROWS)


def distinct_addresses(_rng: random.Random) -> bytes:
    """Well-formed rows with distinct people and supervisors, one problem each."""
    return _fill(
        lambda i: (
            f"phd,person{i}@example.org,Person {i},NOPE,2024-01-15,,,,"
            f"supervisor{i}@example.org,Supervisor {i},,\n"
        ),
        rows=MAX_ROWS,
    )


def valid_rows(_rng: random.Random) -> bytes:
    """The largest valid file: 50,000 new enrolments of distinct people and supervisors."""
    return _fill(
        lambda i: (
            f"phd,person{i}@example.org,Person {i},PHD-X,2024-01-15,,,,"
            f"supervisor{i}@example.org,Supervisor {i},,\n"
        ),
        rows=MAX_ROWS,
    )


def unknown_people(_rng: random.Random) -> bytes:
    """Well-formed stays of 50,000 people nobody knows: found wrong only in the database."""
    return _fill(
        lambda i: f"person{i}@example.org,,Host {i},DE,2024-01-15,2024-03-15,planned,\n",
        header=STAY_HEADER,
        rows=MAX_ROWS,
    )


def one_line(_rng: random.Random) -> bytes:
    """One enormous row of millions of fields."""
    return (HEADER + "x," * ((SIZE - len(HEADER)) // 2)).encode()


def wide_header(_rng: random.Random) -> bytes:
    """A header of half a million columns."""
    return ",".join(f"c{i}" for i in range(SIZE // 8)).encode()[:SIZE] + b"\n"


def quoted_header(_rng: random.Random) -> bytes:
    """A header just under the row length limit that the delimiter sniffer finds hardest."""
    return ('",' * 4990 + "\n").encode() + _fill(lambda i: f"{i}\n", header="", rows=MAX_ROWS)


def blank_lines(_rng: random.Random) -> bytes:
    """Five million blank lines after the header (as many as data rows are allowed)."""
    return (HEADER + "\n" * (SIZE - len(HEADER))).encode()


def unclosed_quote(_rng: random.Random) -> bytes:
    """A good file whose third row opens a quotation mark that is never closed."""
    good = "phd,a{i}@example.org,A,PHD-X,2024-01-15,,,,,,,\n"
    return _fill(lambda i: '"' + good.format(i=i) if i == 2 else good.format(i=i))


# name -> (kind of import, file)
SHAPES: dict[str, tuple[str, Callable[[random.Random], bytes]]] = {
    "junk-lines": ("enrolments", junk_lines),
    "junk-rows": ("enrolments", junk_rows),
    "distinct-addresses": ("enrolments", distinct_addresses),
    "unknown-people": ("stays", unknown_people),
    "one-line": ("enrolments", one_line),
    "wide-header": ("enrolments", wide_header),
    "quoted-header": ("enrolments", quoted_header),
    "blank-lines": ("enrolments", blank_lines),
    "unclosed-quote": ("enrolments", unclosed_quote),
    "valid-rows": ("enrolments", valid_rows),
}


def main() -> None:
    """Build the database, upload each shape once and print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    args = parser.parse_args()
    shapes = [name.strip() for name in args.shapes.split(",") if name.strip()]
    unknown = [name for name in shapes if name not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shape(s): {', '.join(unknown)}; known: {', '.join(SHAPES)}")

    with tempfile.TemporaryDirectory(prefix="import-junk-bench-") as tmp:
        os.environ["TRACKER_INSTANCE_PATH"] = tmp
        from flask_migrate import upgrade

        from config import TestConfig
        from tracker import create_app
        from tracker.extensions import db
        from tracker.models import CoordinatorScope, Faculty, Programme, User

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
            # A coordinator, not an administrator: their imports are also checked for scope.
            faculty = Faculty(code="F", name="Faculty")
            programme = Programme(code="PHD-X", name="X", faculty=faculty)
            user = User(email="coordinator@example.org", name="Coordinator")
            user.set_password(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
            user.coordinator_scopes.append(CoordinatorScope(programme=programme))
            db.session.add_all([programme, user])
            db.session.commit()

            client = app.test_client()
            client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
            print(f"{'shape':<20} {'file':>8} {'status':>6} {'time':>8} {'page':>9}  first problem")
            worst_time = worst_page = 0.0
            for name in shapes:
                kind, make = SHAPES[name]
                data = make(random.Random(42))
                started = time.perf_counter()
                response = client.post(
                    "/coordinator/import",
                    data={"kind": kind, "file": (io.BytesIO(data), f"{name}.csv")},
                    content_type="multipart/form-data",
                )
                elapsed = time.perf_counter() - started
                page = response.get_data(as_text=True)
                if response.status_code == 200:
                    first = "(valid: " + page.split("<li>", 1)[-1].split("</li>", 1)[0] + ")"
                else:
                    first = page.split('<th scope="row">', 1)[-1].split("</tr>", 1)[0]
                    first = first.replace("</th><td>", ": ").replace("</td>", "")
                first = " ".join(first.split())[:90]
                print(
                    f"{name:<20} {len(data) / 1e6:6.2f}MB {response.status_code:>6} "
                    f"{elapsed:7.2f}s {len(page) / 1e3:7.1f}kB  {first}"
                )
                worst_time = max(worst_time, elapsed)
                worst_page = max(worst_page, len(page))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory of this process: {peak:.0f} MB")
            verdict = (
                "within"
                if worst_time < TARGET_SECONDS and worst_page < TARGET_PAGE_BYTES
                else "OVER"
            )
            print(
                f"target: each answer under {TARGET_SECONDS:.0f} s and "
                f"{TARGET_PAGE_BYTES / 1e6:.0f} MB -> {verdict}"
            )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
