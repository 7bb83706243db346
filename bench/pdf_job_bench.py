"""Time and measure the background job that makes a large summary PDF on the web.

Builds a generated institution (bench/stats_bench.py's, 20,000 enrolments by default),
queues the institution's summary as the web does (`reports.start_summary_job`), then
runs the job in a child process — as a worker would — and prints its wall time, its
peak memory (the child's maximum resident set) and how often it wrote its progress.

    .venv/bin/python bench/pdf_job_bench.py                        # SQLite in a temp folder
    .venv/bin/python bench/pdf_job_bench.py --enrolments 20000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench --wipe
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import stats_bench  # noqa: E402


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--wipe", action="store_true", help="allow emptying a database in use")
    parser.add_argument("--enrolments", type=int, default=20_000)
    parser.add_argument("--run-job", type=int, help=argparse.SUPPRESS)  # the child's part
    return parser.parse_args()


def queue_job(url: str, wipe: bool, enrolments: int) -> int:
    """Build the institution and queue its summary as the web would; return the job id."""
    from tracker import jobs
    from tracker.extensions import db
    from tracker.models import User
    from tracker.queries.scope import Filters
    from tracker.services import reports

    app = stats_bench.make_app(url)
    stats_bench.reset_schema(app, wipe)
    with app.app_context():
        stats_bench.generate(enrolments, int(enrolments * 1.5), enrolments * 2, seed=2014)
        admin = db.session.scalar(db.select(User).where(User.email == "bench-admin@example.org"))
        job = reports.start_summary_job(admin, Filters(), stats_bench.AS_OF, "en")
        db.session.commit()
        jobs.forget_pending()  # the child runs it, as a worker would, not this process
        return job.id


def run_job(url: str, job_id: int) -> None:
    """The child: run the job as a worker does and report what it wrote."""
    from tracker import jobs
    from tracker.extensions import db
    from tracker.models import ReportJob
    from tracker.services import reports

    app = stats_bench.make_app(url)
    writes = []
    real = reports._write_progress
    reports._write_progress = lambda *a: (writes.append(a), real(*a))
    with app.app_context():
        jobs.render_summary(job_id)
        job = db.session.get(ReportJob, job_id)
        print(f"status {job.status}, {job.done:,} of {job.total:,} rows of the lists, "
              f"{len(job.data or b''):,} bytes, {len(writes)} progress writes")  # fmt: skip


def main() -> None:
    """Queue, then run and measure the job in a child process."""
    args = parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'job.sqlite'}"
    if args.run_job:
        run_job(url, args.run_job)
        return
    job_id = queue_job(url, args.wipe, args.enrolments)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--database-url", url, "--run-job", str(job_id)], check=True
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{args.enrolments:,} enrolments: the job took {elapsed:.1f} s "
          f"(with ~1.5 s of start-up), peak memory {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
