"""Benchmark the statistics document and the coordinator pages on a large institution.

Builds 20,000 enrolments (PhD candidates, postdocs and new permanent staff),
30,000 stays and 40,000 activities, plus people, supervisors, plans with their version
history (submissions, decisions, revisions) and each approved version's record of its
stays, with bulk INSERTs, then times, with time.perf_counter, the
statistics document on its own and every coordinator page through the Flask test
client. Each figure is the median of several runs; the number of SQL statements
per page is printed too. A document is timed read afresh from its rows each time (as
on a first request: the budget's figure) and asked again with nothing changed (its
reading kept, tracker.queries.sql.KeptReadings); the pages are timed as asked again.

    .venv/bin/python bench/stats_bench.py                       # SQLite in a temp folder
    .venv/bin/python bench/stats_bench.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench --wipe

The database given is emptied (DROP SCHEMA public on PostgreSQL): point it at a
scratch database. Targets: document < 150 ms, each page < 300 ms.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from config import TestConfig  # noqa: E402

AS_OF = date(2026, 11, 26)
PASSWORD = "benchmark password"  # noqa: S105 - a throw-away account in a scratch database
DOCUMENT_BUDGET_MS = 150
PAGE_BUDGET_MS = 300
# The plans' versions hold no content here: a snapshot of an empty plan, as the app writes it.
EMPTY_SNAPSHOT = {"narrative": "", "no_stay_justification": "", "stays": [], "activities": []}

PAGES = [
    ("dashboard", "/coordinator/?as_of={as_of}"),
    ("dashboard (faculty)", "/coordinator/?as_of={as_of}&faculty=F0"),
    ("list: candidates", "/coordinator/lists/candidates?as_of={as_of}"),
    (
        "list: candidates by supervisor, p. 40",
        "/coordinator/lists/candidates?as_of={as_of}&sort=supervisor&page=40",
    ),
    ("list: candidates, search", "/coordinator/lists/candidates?as_of={as_of}&q=person%201"),
    ("list: overdue", "/coordinator/lists/overdue?as_of={as_of}"),
    ("list: at risk", "/coordinator/lists/at-risk?as_of={as_of}"),
    ("list: waiting", "/coordinator/lists/waiting?as_of={as_of}"),
    ("list: no international activity", "/coordinator/lists/no-activity?as_of={as_of}"),
    (
        "list: no activity by activities planned, p. 20",
        "/coordinator/lists/no-activity?as_of={as_of}&sort=activities_planned&page=20",
    ),
    ("list: stays without funding", "/coordinator/lists/unfunded-stays?as_of={as_of}"),
    ("API /api/v1/stats", "/api/v1/stats?as_of={as_of}"),
    ("CSV: statistics", "/coordinator/statistics.csv?as_of={as_of}"),
    ("CSV: all candidates (20,000 rows)", "/coordinator/lists/candidates/export.csv?as_of={as_of}"),
]


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--wipe", action="store_true", help="allow emptying a database in use")
    parser.add_argument("--enrolments", type=int, default=20_000)
    parser.add_argument("--stays", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure (median)")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument(
        "--document-only", action="store_true", help="time the statistics document, not the pages"
    )
    return parser.parse_args()


def make_app(url: str):
    """Return the app on the bench database, with the test settings (no CSRF, fast hashing)."""
    os.environ.setdefault("TRACKER_INSTANCE_PATH", tempfile.mkdtemp(prefix="tracker-bench-"))
    from tracker import create_app

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(BenchConfig)


def reset_schema(app, wipe: bool) -> None:
    """Empty the database and build the schema with the migrations."""
    from flask_migrate import upgrade

    from tracker.extensions import db

    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        if tables and not wipe:
            sys.exit("The database has tables: pass --wipe to empty it (a scratch database only).")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def _ids(statement, rows: list[dict]) -> list[int]:
    from tracker.extensions import db

    if not rows:
        return []
    return list(db.session.execute(statement, rows).scalars())


def generate(n_enrolments: int, n_stays: int, n_activities: int, seed: int) -> None:
    """Insert a believable institution: 8 faculties, 48 programmes, people, plans, stays and
    activities."""
    from tracker.extensions import db
    from tracker.models import (
        Activity,
        CoordinatorScope,
        Enrolment,
        Faculty,
        Plan,
        PlanVersion,
        Programme,
        Stay,
        StayApproval,
        User,
        co_supervision,
    )
    from tracker.models.stay import approval_values

    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}

    faculty_ids = _ids(
        insert(Faculty).returning(Faculty.id, sort_by_parameter_order=True),
        [{"code": f"F{i}", "name": f"Faculty {i}"} for i in range(8)],
    )
    programme_ids = _ids(
        insert(Programme).returning(Programme.id, sort_by_parameter_order=True),
        [
            {"code": f"P{f}{p}", "name": f"Programme {f}.{p}", "faculty_id": faculty_ids[f]}
            for f in range(8)
            for p in range(6)
        ],
    )
    supervisors = _ids(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"supervisor{i}@example.org",
                "name": f"Supervisor {i:04d}",
                "session_token": f"s{i}",
                **stamps,
            }
            for i in range(1500)
        ],
    )
    people = _ids(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"person{i}@example.org",
                "name": f"Person {i:05d}",
                "session_token": f"p{i}",
                **stamps,
            }
            for i in range(n_enrolments)
        ],
    )

    enrolments = []
    for person_id in people:
        kind = rng.choices(["phd", "postdoc", "staff"], weights=[70, 20, 10])[0]
        start = date(2012, 1, 1) + timedelta(days=rng.randrange(0, (AS_OF - date(2012, 1, 1)).days))
        length = 365 * {"phd": 4, "postdoc": 2, "staff": 6}[kind]
        expected = None if kind == "staff" else start + timedelta(days=length)
        end = None
        status = "active"
        if kind == "staff":
            # A permanent position: some leave it, most stay.
            if rng.random() < 0.15 and start + timedelta(days=60) < AS_OF:
                status = rng.choice(["completed", "withdrawn"])
                left = rng.randrange(30, min(length, (AS_OF - start).days))
                end = start + timedelta(days=left)
        elif expected < AS_OF and rng.random() < 0.85:
            status, end = "completed", expected + timedelta(days=rng.randrange(-60, 300))
            end = min(end, AS_OF - timedelta(days=1))
        elif rng.random() < 0.06:
            status = "withdrawn"
            end = min(AS_OF, start + timedelta(days=rng.randrange(30, length)))
        enrolments.append(
            {
                "person_id": person_id,
                "programme_id": rng.choice(programme_ids),
                "kind": kind,
                "status": status,
                "start_date": start,
                "expected_end_date": expected,
                "end_date": end,
                "main_supervisor_id": rng.choice(supervisors),
                "international_experience": kind != "phd" and rng.random() < 0.4,
                "lock_version": 1,
                **stamps,
            }
        )
    enrolment_ids = _ids(
        insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True), enrolments
    )
    db.session.execute(
        insert(co_supervision),
        [
            {"enrolment_id": e, "user_id": rng.choice(supervisors)}
            for e in enrolment_ids
            if rng.random() < 0.5
        ],
    )

    starts = {e: row["start_date"] for e, row in zip(enrolment_ids, enrolments, strict=True)}
    statuses = ["draft", "submitted", "changes_requested", "approved"]
    with_plan = [e for e in enrolment_ids if rng.random() < 0.85]
    plan_rows = []
    histories = []  # per plan: its entries (number, event, moment), in order
    for e in with_plan:
        status = rng.choices(statuses, weights=[15, 10, 5, 70])[0]
        # The first submission some weeks after the start, never after the bench's "now".
        first = datetime.combine(starts[e], datetime.min.time(), UTC) + timedelta(
            days=rng.randrange(5, 90), hours=rng.randrange(8, 16)
        )
        first = min(first, now - timedelta(days=rng.randrange(1, 30)))
        entries = []
        if status != "draft" or rng.random() < 0.3:
            entries.append((1, "submitted", first))
        if status == "changes_requested":
            entries.append((1, "changes_requested", first + timedelta(days=9)))
        if status == "draft" and entries:
            entries.append((1, "withdrawn", first + timedelta(days=2)))
        if status == "approved":
            entries.append((1, "approved", first + timedelta(days=6)))
            if rng.random() < 0.2:  # a revision, approved in turn
                entries += [
                    (1, "revision_started", first + timedelta(days=200)),
                    (2, "submitted", first + timedelta(days=210)),
                    (2, "approved", first + timedelta(days=215)),
                ]
        entries = [(n, event, min(moment, now)) for n, event, moment in entries]
        submitted = [moment for _n, event, moment in entries if event == "submitted"]
        plan_rows.append(
            {
                "enrolment_id": e,
                "status": status,
                "narrative": "",
                "no_stay_justification": "",
                "lock_version": 1,
                "submitted_at": submitted[-1] if status == "submitted" else None,
                **stamps,
            }
        )
        histories.append(entries)
    plan_ids = _ids(insert(Plan).returning(Plan.id, sort_by_parameter_order=True), plan_rows)
    version_rows = [
        {
            "plan_id": p,
            "number": number,
            "event": event,
            "created_at": moment,
            "effective_at": moment,
            "comment": "",
            "snapshot": EMPTY_SNAPSHOT,
            "snapshot_sha256": "0" * 64,
        }
        for p, entries in zip(plan_ids, histories, strict=True)
        for number, event, moment in entries
    ]
    version_ids = _ids(
        insert(PlanVersion).returning(PlanVersion.id, sort_by_parameter_order=True), version_rows
    )
    # Each approved plan's approvals in order: (version id, effective time).
    approvals: dict[int, list[tuple[int, datetime]]] = {}
    plan_of_enrolment = dict(zip(with_plan, plan_ids, strict=True))
    for version_id, row in zip(version_ids, version_rows, strict=True):
        if row["event"] == "approved":
            approvals.setdefault(row["plan_id"], []).append((version_id, row["effective_at"]))
    db.session.execute(
        sa.update(Plan),
        [
            {"id": p, "approved_version_id": found[-1][0], "lock_version": 1}
            for p, found in approvals.items()
        ],
    )

    countries = ["DE", "US", "FR", "GB", "SE", "NL", "JP", "CA", "AU", "NO"]
    fundings = ["overseas_research_grant", "erasmus_plus", "institution", "host", "own_project",
                "other", "none"]  # fmt: skip
    # 800 institutions, each in one country and typed a few ways (the destinations fold
    # the spellings); a few are in the home country.
    hosts = [
        (spelling, countries[i % len(countries)])
        for i in range(800)
        for spelling in (f"University {i}", f"university  {i}", f"UNIVERSITY {i}")
    ]
    stay_rows = []
    for _ in range(n_stays):
        enrolment_id = rng.choice(enrolment_ids)
        start = starts[enrolment_id] + timedelta(days=rng.randrange(30, 900))
        end = start + timedelta(days=rng.randrange(5, 180))
        status = rng.choices(["completed", "planned", "cancelled"], weights=[50, 35, 15])[0]
        if status == "completed" and end > AS_OF:
            status = "planned"
        host, country = rng.choice(hosts)
        plan_approvals = approvals.get(plan_of_enrolment.get(enrolment_id), [])
        approved = bool(plan_approvals) and rng.random() < 0.8
        stay_rows.append(
            {
                "enrolment_id": enrolment_id,
                "host_institution": host,
                "host_contact": "",
                "city": "",
                "country": country,
                "start_date": start,
                "end_date": end,
                "purpose": "research_stay",
                "funding": rng.choice(fundings),
                "notes": "",
                "status": status,
                **approval_values(approved, country, start, end),
                "report": "",
                "return_comment": "",
                "lock_version": 1,
                **stamps,
            }
        )
    stay_ids = _ids(insert(Stay).returning(Stay.id, sort_by_parameter_order=True), stay_rows)
    # Each approved version's record of the stay; a revision moved some stays before its
    # approval, so the earlier record has other dates.
    record_rows = []
    for stay_id, row in zip(stay_ids, stay_rows, strict=True):
        if not row["in_approved_plan"]:
            continue
        found = approvals[plan_of_enrolment[row["enrolment_id"]]]
        for index, (version_id, moment) in enumerate(found):
            last = index == len(found) - 1
            end = row["end_date"] if last else row["end_date"] - timedelta(days=10)
            record_rows.append(
                {
                    "stay_id": stay_id,
                    "version_id": version_id,
                    "country": row["country"],
                    "start_date": row["start_date"],
                    "end_date": max(end, row["start_date"]),
                    "valid_from": moment,
                    "valid_until": None if last else found[index + 1][1],
                }
            )
    db.session.execute(insert(StayApproval), record_rows)

    kinds = ["conference", "publication", "collaboration", "course", "co_supervision", "other"]
    activity_rows = []
    for i in range(n_activities):
        enrolment_id = rng.choice(enrolment_ids)
        kind = rng.choice(kinds)
        done_on = starts[enrolment_id] + timedelta(days=rng.randrange(0, 1500))
        done = rng.random() < 0.5 and done_on <= AS_OF
        activity_rows.append(
            {
                "enrolment_id": enrolment_id,
                "type": kind,
                "title": f"Activity {i}",
                "planned_term": "",
                "status": "done" if done else "planned",
                "done_on": done_on if done else None,
                "approved_type": kind if rng.random() < 0.6 else None,
                "evidence": "",
                "lock_version": 1,
                **stamps,
            }
        )
    db.session.execute(insert(Activity), activity_rows)

    admin = User(email="bench-admin@example.org", name="Bench Admin", is_admin=True)
    admin.set_password(PASSWORD, method="pbkdf2:sha256:1000")
    coordinator = User(email="bench-coordinator@example.org", name="Bench Coordinator")
    coordinator.set_password(PASSWORD, method="pbkdf2:sha256:1000")
    coordinator.coordinator_scopes.append(CoordinatorScope(faculty_id=faculty_ids[0]))
    db.session.add_all([admin, coordinator])
    db.session.commit()
    # Fresh statistics for the query planner, as a database in use would have.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def median_ms(func: Callable[[], object], runs: int) -> float:
    """Return the median wall time of ``func`` in milliseconds, after one warm-up run."""
    func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def count_statements(app, func: Callable[[], object]) -> int:
    """Return the number of SQL statements ``func`` sends."""
    from tracker.extensions import db

    seen = []

    def record(*args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        func()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def main() -> None:
    """Build the data, time the document and the pages, print the figures."""
    args = parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    app = make_app(url)
    reset_schema(app, args.wipe or not args.database_url)

    from tracker.domain.targets import TargetSettings
    from tracker.extensions import db
    from tracker.queries.scope import Filters, parse_filters
    from tracker.queries.stats import build_statistics, forget_readings

    with app.app_context():
        started = time.perf_counter()
        generate(args.enrolments, args.stays, args.activities, args.seed)
        built_in = time.perf_counter() - started
        counts = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in (
                "enrolment",
                "stay",
                "activity",
                "plan",
                "plan_version",
                "stay_approval",
                "user_account",
            )
        }
        dialect = db.engine.dialect.name
        settings = TargetSettings.from_mapping(app.config)

    print(f"Database: {dialect} ({url.split('@')[-1]})")
    print(f"Data: {counts} built in {built_in:.1f} s; as of {AS_OF}; median of {args.runs} runs")
    print(f"Machine load (1/5/15 min): {os.getloadavg()}; CPUs: {os.cpu_count()}")
    print()
    results: list[tuple[str, float, int | None, float]] = []

    # Nothing in the data happens after AS_OF, so its document reads the plans and stays
    # as they stand; a year earlier the histories are replayed (tracker.queries.recorded).
    year_before = AS_OF.replace(year=AS_OF.year - 1)
    with app.app_context():
        for label, filters, as_of in [
            ("statistics document: institution", lambda: Filters(), AS_OF),
            ("statistics document: faculty", lambda: parse_filters("F0", None), AS_OF),
            ("statistics document: programme", lambda: parse_filters(None, "P00"), AS_OF),
            ("statistics document: institution, a year before (replayed)", Filters, year_before),
        ]:
            chosen = filters()

            def afresh(chosen=chosen, as_of=as_of):
                # Each time a document read from its rows, as on the first request.
                forget_readings()
                return build_statistics(as_of, chosen, settings)

            ms = median_ms(afresh, args.runs)
            results.append((label, ms, None, DOCUMENT_BUDGET_MS))
            # Asked again with nothing changed: the same statements, the same rows, whose
            # reading is kept (tracker.queries.sql.KeptReadings).
            again = median_ms(
                lambda chosen=chosen, as_of=as_of: build_statistics(as_of, chosen, settings),
                args.runs,
            )
            results.append((f"{label}, asked again", again, None, DOCUMENT_BUDGET_MS))
            db.session.remove()

    for who in (
        () if args.document_only else ("bench-admin@example.org", "bench-coordinator@example.org")
    ):
        client = app.test_client()
        response = client.post("/auth/login", data={"email": who, "password": PASSWORD})
        if response.status_code != 302:
            sys.exit(f"Could not log in as {who}: {response.status_code}")
        client.get("/coordinator/")
        role = "admin" if "admin" in who else "faculty coordinator"
        for label, path in PAGES:
            if role != "admin" and "faculty=" in path:
                continue
            target = path.format(as_of=AS_OF.isoformat())

            def fetch(target=target, client=client):
                response = client.get(target)
                if response.status_code != 200:
                    raise RuntimeError(f"{target} answered {response.status_code}")
                return response.get_data()

            queries = count_statements(app, fetch)
            budget = PAGE_BUDGET_MS if "CSV: all" not in label else float("inf")
            results.append((f"{role}: {label}", median_ms(fetch, args.runs), queries, budget))

    width = max(len(label) for label, *_ in results)
    print(f"{'what':<{width}}  {'median ms':>10}  {'queries':>7}  budget")
    for label, ms, queries, budget in results:
        verdict = "" if budget == float("inf") else ("ok" if ms < budget else "OVER")
        shown = "-" if queries is None else str(queries)
        limit = "" if budget == float("inf") else f"< {budget:.0f} ms"
        print(f"{label:<{width}}  {ms:>10.1f}  {shown:>7}  {limit} {verdict}")


if __name__ == "__main__":
    main()
