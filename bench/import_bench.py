"""Time the CSV imports on a realistic volume: 20,000 enrolments and 30,000 stays.

    .venv/bin/python bench/import_bench.py                      # fresh SQLite file
    .venv/bin/python bench/import_bench.py --database-url postgresql+psycopg://...

The files are generated into a temporary directory, a fresh database is built
with the migrations, the three files are imported in order (each import then
committed, as the CLI does), and the same three files are imported a second time,
which must change nothing. A PostgreSQL database must be empty to begin with.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0

FACULTIES = ["IE", "NV", "HF", "SU", "MH", "IV", "ØK", "AD"]
COUNTRIES = ["DE", "US", "GB", "NL", "CH", "FR", "SE", "DK", "FI", "IT", "ES", "AT", "JP", "AU",
             "CA", "NZ", "SG", "KR", "CN", "BR", "ZA", "IS", "NO"]  # fmt: skip
FUNDING = ["overseas_research_grant", "erasmus_plus", "institution", "host", "own_project",
           "other", "none", ""]  # fmt: skip
FIRST = (
    "Ingrid Kari Ole Lars Sigrid Nora Jonas Magnus Håkon Silje Wei Priya Lukas Giulia Amaka "
    "Yuki Olena Mateusz Sara Elif"
).split()
LAST = (
    "Hansen Johansen Olsen Larsen Berg Haugen Solberg Ødegård Chen Sharma Müller Rossi Okafor "
    "Tanaka Kovalenko Nowak Ahmadi Yılmaz"
).split()


def generate(directory: Path, n_enrolments: int, n_stays: int, today: date) -> dict[str, Path]:
    """Write programmes.csv, enrolments.csv and stays.csv; return their paths by kind."""
    rng = random.Random(42)
    programmes = [(f"PHD-{f}{i}", f) for f in FACULTIES for i in range(1, 6)]
    paths = {kind: directory / f"{kind}.csv" for kind in ("programmes", "enrolments", "stays")}

    with paths["programmes"].open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "name", "faculty_code", "faculty_name"])
        for code, faculty in programmes:
            out.writerow([code, f"PhD Programme {code}", faculty, f"Faculty {faculty}"])

    supervisors = [
        (f"supervisor{i}@example.org", f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        for i in range(1500)
    ]
    enrolments: list[tuple[str, str, date]] = []  # (email, kind, start)
    with paths["enrolments"].open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["kind", "email", "name", "programme", "start_date", "expected_end_date", "end_date",
             "status", "supervisor_email", "supervisor_name", "international_experience",
             "plan_status"]
        )  # fmt: skip
        person = 0
        while len(enrolments) < n_enrolments:
            # One person in ten goes on from a PhD to a postdoc.
            person += 1
            email = f"person{person}@example.org"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            start = today - timedelta(days=rng.randint(0, 10 * 365))
            kinds = ["phd", "postdoc"] if rng.random() < 0.1 else [rng.choice(["phd", "postdoc"])]
            for kind in kinds[: n_enrolments - len(enrolments)]:
                if start > today:
                    break  # the PhD is not over yet: no postdoc so far
                years = 4 if kind == "phd" else 2
                expected = start + timedelta(days=365 * years)
                status, end = "active", ""
                if expected < today - timedelta(days=30):
                    status, end = "completed", expected.isoformat()
                elif rng.random() < 0.03 and start + timedelta(days=200) < today:
                    status, end = "withdrawn", (start + timedelta(days=200)).isoformat()
                supervisor = rng.choice(supervisors)
                out.writerow(
                    [kind, email, name, rng.choice(programmes)[0], start.isoformat(),
                     expected.isoformat(), end, status, supervisor[0], supervisor[1],
                     rng.choice(["yes", "no"]) if kind == "postdoc" else "",
                     rng.choice(["none", "none", "draft", "submitted", "approved"])]
                )  # fmt: skip
                enrolments.append((email, kind, start))
                start = start + timedelta(days=365 * years + 30)

    keys: set[tuple[str, str, str, date]] = set()
    with paths["stays"].open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["email", "kind", "host_institution", "country", "start_date", "end_date", "status",
             "funding"]
        )  # fmt: skip
        while len(keys) < n_stays:
            email, kind, enrolment_start = rng.choice(enrolments)
            country = rng.choice(COUNTRIES)
            host = f"University {rng.randint(1, 80)} of {country}"
            start = enrolment_start + timedelta(days=rng.randint(30, 1200))
            if (email, kind, host, start) in keys:
                continue
            keys.add((email, kind, host, start))
            end = start + timedelta(days=rng.choice([14, 30, 60, 90, 120, 180]))
            status = rng.choice(["planned", "completed", "completed", "cancelled"])
            if status == "completed" and end > today:
                status = "planned"
            out.writerow(
                [email, kind, host, country, start.isoformat(), end.isoformat(), status,
                 rng.choice(FUNDING)]
            )  # fmt: skip
    return paths


def run(paths: dict[str, Path], label: str, *, again: bool) -> tuple[float, list[str]]:
    """Import the three files in order, committing each; return the total time and lines."""
    from tracker.extensions import db
    from tracker.services.importing import import_csv

    total, lines = 0.0, []
    for kind, path in paths.items():
        started = time.perf_counter()
        result = import_csv(kind, path.read_bytes())
        if not result.ok:
            for error in result.errors[:20]:
                print(f"  {path.name} line {error.line}: {error.message}", file=sys.stderr)
            raise SystemExit(f"{label}: the {kind} import failed")
        db.session.commit()
        elapsed = time.perf_counter() - started
        if again and (result.created or result.updated):
            raise SystemExit(f"{label}: importing {kind} again changed something")
        total += elapsed
        lines.append(
            f"  {kind:<11} {elapsed:6.2f} s  created {result.created:>6}  "
            f"updated {result.updated:>6}  unchanged {result.unchanged:>6}"
        )
    return total, lines


def main() -> None:
    """Generate the files, build a fresh database, import twice and print the times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--enrolments", type=int, default=20_000)
    parser.add_argument("--stays", type=int, default=30_000)
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        directory = Path(tmp)
        instance = directory / "instance"
        instance.mkdir()
        # The configuration reads the environment when it is imported: set it first.
        os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
        os.environ["TRACKER_DATABASE_URL"] = (
            args.database_url or f"sqlite:///{instance / 'bench.sqlite'}"
        )
        sys.path.insert(0, str(PROJECT_ROOT))

        import sqlalchemy as sa
        from flask_migrate import upgrade

        from config import DevelopmentConfig
        from tracker import create_app
        from tracker.extensions import db

        started = time.perf_counter()
        paths = generate(directory, args.enrolments, args.stays, date.today())
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in paths.values())
        print(f"generated in {time.perf_counter() - started:.1f} s: {sizes}")

        app = create_app(DevelopmentConfig)
        with app.app_context():
            if sa.inspect(db.engine).has_table("user_account"):
                has_rows = db.session.scalar(sa.text("SELECT count(*) FROM user_account"))
                if has_rows:
                    raise SystemExit("the database is not empty; give the URL of an empty one")
            upgrade()
            print(f"database: {db.engine.dialect.name}")
            first, lines = run(paths, "first run", again=False)
            print(f"first import (into an empty database): {first:.2f} s")
            print("\n".join(lines))
            second, lines = run(paths, "second run", again=True)
            print(f"second import of the same files (changes nothing): {second:.2f} s")
            print("\n".join(lines))
            verdict = "within" if first < TARGET_SECONDS else "OVER"
            print(f"target: first import under {TARGET_SECONDS:.0f} s -> {verdict}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
