"""Load benchmark: many people at once on gunicorn, with Locust (headless).

Builds a generated institution of 20,000 enrolments (bench/stats_bench.py's), gives
40 supervisors and the people they supervise whose enrolment is active (so that their
plans can be started, edited, submitted, revised and approved) a password, starts gunicorn
with 4 workers (CSRF on, the log-in limit in Redis when --redis-url is given), and runs
four Locust runs of --users users against it:

1. the floor: a static file served by the same gunicorn, closed loop;
2. the candidate's home page only, closed loop (the figure compared with the floor);
   these two alternate in --rounds parts of --seconds each, so that a change in the
   machine's speed during the benchmark (a shared machine's can swing by a third
   within a minute) weighs on both alike;
3. the roles at work (bench/load/locustfile.py), closed loop: the most the server
   answers. Candidates open their home and plan, start a plan or a revision of the
   approved one, edit and submit; supervisors open the queue and approve; coordinators
   open the dashboard and lists and export CSV; an administrator searches users;
4. the same roles as people work: each waits --think seconds (a range) between
   clicks, faster than anyone reads a page, and they arrive over ten seconds.

Without pauses every user waits for all the others, so a page's latency is the number
of users divided by the throughput whatever the page costs; the p95 goal is checked on
the fourth run, where it is the page's own time under a busy server.

Everyone logs in first, and a log-in hashes a password on purpose slowly (about 0.1 s
of CPU): fifty at once keep the server busy for seconds. So each run lasts --seconds
after the last user has logged in, and the goals are checked on that part, "everyone
in"; the whole run, log-ins included, is printed too.

It prints throughput, p50/p95/p99 per page and the errors of each run, and checks the
goals: no errors (in the whole runs), p95 under 300 ms for every page but exports,
the home page at least 35 % of the static file's throughput. Point it at scratch
databases:

    .venv/bin/python bench/load_bench.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_load --wipe \\
        --redis-url redis://127.0.0.1:6379/13
    .venv/bin/python bench/load_bench.py            # SQLite in a temp folder
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(PROJECT_ROOT))

import stats_bench  # noqa: E402

PASSWORD = "load benchmark password"  # noqa: S105 - scratch accounts in a scratch database
# Few supervisors, so that what their candidates submit lands in the queues of those at work.
CANDIDATES, SUPERVISORS = 2000, 40
ACCOUNTS = "accounts.json"  # who logs in, for the Locust processes
PAGE_BUDGET_MS = 300
HOME_SHARE = 0.35
NOT_BUDGETED = ("export.csv", "log in", "log-in page")
LOG_IN = "log in"
# Time allowed for everyone to log in, on top of --seconds (the rest is measured too).
LOG_IN_ALLOWANCE_S = 15


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--wipe", action="store_true", help="allow emptying a database in use")
    parser.add_argument("--redis-url", help="the log-in limit's storage (default: memory)")
    parser.add_argument("--enrolments", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--rounds", type=int, default=3, help="parts the floor and the home page alternate in"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--think", default="0.5,2", help="seconds between one person's clicks: MIN,MAX"
    )
    return parser.parse_args()


def build(url: str, wipe: bool, enrolments: int) -> dict[str, list[str]]:
    """Generate the institution, give the load's accounts a password and return them.

    The supervisors are the first ones; the candidates, people whose enrolment is active
    and whose main supervisor is one of them: their plans can change (a finished
    enrolment's cannot), and what they submit lands in those supervisors' queues.
    """
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased

    from tracker.domain.vocabulary import EnrolmentStatus
    from tracker.extensions import db
    from tracker.models import Enrolment, User

    app = stats_bench.make_app(url)
    stats_bench.reset_schema(app, wipe)
    with app.app_context():
        stats_bench.generate(enrolments, int(enrolments * 1.5), enrolments * 2, seed=2014)
        probe = User(email="x@example.org", name="x")
        probe.set_password(PASSWORD, method="scrypt")
        supervisors = [f"supervisor{i}@example.org" for i in range(SUPERVISORS)]
        supervisor = aliased(User)
        candidates = list(
            db.session.scalars(
                sa.select(User.email)
                .join(Enrolment, Enrolment.person_id == User.id)
                .join(supervisor, supervisor.id == Enrolment.main_supervisor_id)
                .where(
                    Enrolment.status == EnrolmentStatus.ACTIVE,
                    supervisor.email.in_(supervisors),
                )
                .order_by(Enrolment.id)
                .limit(CANDIDATES)
            )
        )
        emails = [
            *candidates,
            *supervisors,
            "bench-admin@example.org",
            "bench-coordinator@example.org",
        ]
        db.session.execute(
            sa.update(User).where(User.email.in_(emails)).values(password_hash=probe.password_hash)
        )
        db.session.commit()
        db.engine.dispose()
    return {"candidates": candidates, "supervisors": supervisors}


def serve(url: str, args: argparse.Namespace, log: Path) -> subprocess.Popen:
    """Start gunicorn on the bench database and wait until it answers."""
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "TRACKER_SECRET_KEY": "load-benchmark-" + "k" * 32,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_LOGIN_RATE_LIMIT": "100000 per minute",
        "TRACKER_INSTANCE_PATH": tempfile.mkdtemp(prefix="tracker-load-"),
    }
    if args.redis_url:
        env["TRACKER_RATELIMIT_STORAGE_URI"] = args.redis_url
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{args.port}", "--access-logfile", "-", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=5).close()  # noqa: S310
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer; see {log}")


def run_locust(
    args: argparse.Namespace,
    classes: list[str],
    label: str,
    workdir: Path,
    think: str = "0,0",
    spawn_rate: float | None = None,
    seconds: float | None = None,
) -> dict:
    """Run Locust headless with these user classes; return its figures per request name.

    All users start at once unless ``spawn_rate`` (users per second) says otherwise.
    """
    prefix = workdir / label
    env = {**os.environ, "LOAD_PASSWORD": PASSWORD, "LOAD_ACCOUNTS": str(workdir / ACCOUNTS),
           "LOAD_THINK": think, "LOAD_REQUEST_LOG": f"{prefix}_requests.csv"}  # fmt: skip
    seconds = (seconds or args.seconds) + (LOG_IN_ALLOWANCE_S if "StaticFile" not in classes else 0)
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(BENCH / "load" / "locustfile.py"),
         "--headless", "--users", str(args.users),
         "--spawn-rate", str(spawn_rate or args.users),
         "--run-time", f"{seconds:.0f}s", "--host", f"http://127.0.0.1:{args.port}",
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *classes],
        env=env, check=False, capture_output=True,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def everyone_in(workdir: Path, *labels: str) -> tuple[dict, float]:
    """Return the figures per request name of runs taken together, each from the moment
    its last user had logged in (a run without log-ins: from its first request) to its
    end, as Locust's rows; and the length of those parts in seconds."""
    kept: dict[str, list[tuple[float, bool]]] = {}
    seconds = 0.0
    for label in labels:
        with open(workdir / f"{label}_requests.csv", newline="") as log:
            requests = [
                (float(row["start"]), row["name"], float(row["ms"]), row["failed"] == "1")
                for row in csv.DictReader(log)
            ]
        logged_in = [start + ms / 1000 for start, name, ms, _ in requests if name == LOG_IN]
        since = max(logged_in) if logged_in else min(start for start, *_ in requests)
        seconds += max(start + ms / 1000 for start, _, ms, _ in requests) - since
        for start, name, ms, failed in requests:
            if start >= since:
                kept.setdefault(name, []).append((ms, failed))
    kept["Aggregated"] = [entry for entries in list(kept.values()) for entry in entries]
    return {
        name: {
            "Request Count": len(entries),
            "Requests/s": len(entries) / seconds,
            **{f"{q}%": _percentile(sorted(ms for ms, _ in entries), q) for q in (50, 95, 99)},
            "Failure Count": sum(failed for _, failed in entries),
        }
        for name, entries in kept.items()
    }, seconds


def _percentile(ordered: list[float], q: int) -> int:
    """Return the nearest-rank percentile of sorted milliseconds, rounded as Locust shows."""
    return round(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)])


def report(label: str, rows: dict) -> None:
    """Print one run's table."""
    print(f"\n== {label}")
    print(f"{'page':44} {'requests':>8} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} "
          f"{'errors':>7}")  # fmt: skip
    for name, row in rows.items():
        rate = float(row["Requests/s"])
        print(f"{name[:44]:44} {row['Request Count']:>8} {rate:8.1f} {row['50%']:>6} "
              f"{row['95%']:>6} {row['99%']:>6} {row['Failure Count']:>7}")  # fmt: skip


def main() -> None:
    """Build, serve, load, report."""
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-load-run-"))
    url = args.database_url or f"sqlite:///{workdir / 'load.sqlite'}"
    started = time.perf_counter()
    accounts = build(url, args.wipe, args.enrolments)
    (workdir / ACCOUNTS).write_text(json.dumps(accounts))
    print(f"built {args.enrolments:,} enrolments in {time.perf_counter() - started:.0f} s; "
          f"{len(accounts['candidates'])} candidates, {len(accounts['supervisors'])} "
          "supervisors log in")  # fmt: skip
    server = serve(url, args, workdir / "gunicorn.log")
    try:
        rounds = [f"{n + 1}" for n in range(args.rounds)]
        part = args.seconds / args.rounds
        floors, homes = [], []
        for n in rounds:
            floors.append(run_locust(args, ["StaticFile"], f"static{n}", workdir, seconds=part))
            homes.append(run_locust(args, ["HomeOnly"], f"home{n}", workdir, seconds=part))
        roles = ["Candidate", "Supervisor", "Coordinator", "Administrator"]
        mixed = run_locust(args, roles, "mixed", workdir)
        # People arrive over ten seconds, not all fifty logging in within the same instant.
        paced = run_locust(
            args, roles, "paced", workdir, think=args.think, spawn_rate=args.users / 10
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    parts = {}
    for title, label, runs in (("static file (floor)", "static", floors),
                               ("home page only", "home", homes)):  # fmt: skip
        for n, rows in zip(rounds, runs, strict=True):
            report(f"{title}, round {n} of {args.rounds}: the whole run", rows)
        parts[label], seconds = everyone_in(workdir, *(f"{label}{n}" for n in rounds))
        report(f"{title}: the rounds together, everyone in, {seconds:.0f} s", parts[label])
    runs = (("roles at work, no pauses", "mixed", mixed),
            (f"roles at work, {args.think.replace(',', '-')} s between clicks", "paced",
             paced))  # fmt: skip
    for title, label, rows in runs:
        report(f"{title}: the whole run", rows)
        parts[label], seconds = everyone_in(workdir, label)
        report(f"{title}: everyone in, the last {seconds:.0f} s", parts[label])
    static_rps = float(parts["static"]["static file"]["Requests/s"])
    home_rps = float(parts["home"]["home (candidate)"]["Requests/s"])
    errors = sum(
        int(rows["Aggregated"]["Failure Count"]) for rows in (*floors, *homes, mixed, paced)
    )
    slow = [
        f"{name} p95 {row['95%']} ms"
        for name, row in parts["paced"].items()
        if name != "Aggregated" and not name.endswith(NOT_BUDGETED)
        and float(row["95%"]) > PAGE_BUDGET_MS
    ]  # fmt: skip
    print(f"\neveryone in: home / static throughput: {home_rps:.0f} / {static_rps:.0f} req/s "
          f"= {home_rps / static_rps:.2f} (goal >= {HOME_SHARE})")  # fmt: skip
    print(f"errors in the whole runs: {errors} (goal 0); pages over {PAGE_BUDGET_MS} ms at "
          f"p95 with pauses, everyone in: {slow or 'none'}")  # fmt: skip
    print(f"database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}, "
          f"{args.users} users, {args.seconds} s per run once everyone is in, "
          f"{args.workers} workers; "
          f"logs in {workdir}")  # fmt: skip


if __name__ == "__main__":
    main()
