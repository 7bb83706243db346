"""SQLite under concurrent writers: gunicorn with 4 workers, 20 writers, 60 seconds.

Each writer is a candidate adding activities to their own plan as fast as the server
answers (a read of the form, then a write), and every fifth writer also edits one
shared enrolment's plan text that all of them race for (409 for the losers is
expected). Afterwards the database must hold exactly the activities the server said
it saved ("lost updates" otherwise), and neither the answers nor the server's log may
show "database is locked".

    .venv/bin/python bench/sqlite_writers_bench.py                  # 20 writers, 60 s
    .venv/bin/python bench/sqlite_writers_bench.py --writers 8 --seconds 5

tests/integration/test_sqlite_writers.py runs it briefly in the suite.
"""

import argparse
import http.cookiejar
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

PASSWORD = "sqlite writers password"  # noqa: S105 - scratch accounts in a scratch database
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LOCK = re.compile(r'name="lock_version" type="hidden" value="(\d+)"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    return parser.parse_args(argv)


def build(directory: Path, writers: int) -> tuple[str, list[int]]:
    """Make a SQLite database with one candidate and started plan per writer."""
    from flask_migrate import upgrade

    from config import TestConfig
    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Enrolment, Faculty, Plan, Programme, User

    url = f"sqlite:///{directory / 'writers.sqlite'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    saved_path = os.environ.get("TRACKER_INSTANCE_PATH")
    os.environ["TRACKER_INSTANCE_PATH"] = str(directory)
    try:
        app = create_app(Config)
    finally:
        if saved_path is None:
            os.environ.pop("TRACKER_INSTANCE_PATH")
        else:
            os.environ["TRACKER_INSTANCE_PATH"] = saved_path
    handlers = logging.root.handlers[:]
    with app.app_context():
        upgrade()  # Alembic's env.py reconfigures logging: put the caller's back after
        logging.root.handlers[:] = handlers
        faculty = Faculty(code="IE", name="IE")
        programme = Programme(code="PHD-CS", name="Computing", faculty=faculty)
        ids = []
        for n in range(writers):
            person = User(email=f"writer{n}@example.org", name=f"Writer {n}", session_token=f"t{n}")
            person.set_password(PASSWORD, method="pbkdf2:sha256:1000")
            enrolment = Enrolment(person=person, programme=programme, kind="phd", status="active",
                                  start_date=date(2025, 1, 15))  # fmt: skip
            db.session.add_all([person, enrolment, Plan(enrolment=enrolment)])
            db.session.flush()
            ids.append(enrolment.id)
        db.session.commit()
        db.engine.dispose()
    return url, ids


class Client:
    """A cookie-keeping HTTP client that follows no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, path: str, data: dict) -> int:
        """Open a form, then post it with its CSRF token (and lock version); return the status.

        A form that cannot be opened answers -1 plus its status, never a post's 302.
        """
        status, page = self.request(path)
        token, lock = CSRF.search(page), LOCK.search(page)
        if status != 200 or token is None:
            return -status
        fields = {"csrf_token": token.group(1), **data}
        if lock and "lock_version" not in fields:
            fields["lock_version"] = lock.group(1)
        return self.request(path, fields)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run(writers: int, seconds: float, workers: int) -> dict:
    """Run the writers against gunicorn on a fresh SQLite file; return the figures."""
    directory = Path(tempfile.mkdtemp(prefix="tracker-writers-"))
    url, enrolment_ids = build(directory, writers)
    port = _free_port()
    env = {**os.environ, "TRACKER_ENV": "development", "TRACKER_SECRET_KEY": "w" * 40,
           "TRACKER_DATABASE_URL": url, "TRACKER_LOGIN_RATE_LIMIT": "100000 per minute",
           "TRACKER_INSTANCE_PATH": str(directory)}  # fmt: skip
    log = directory / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own server
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server, log)
        answers: Counter = Counter()
        saved = Counter()
        lock = threading.Lock()
        shared = enrolment_ids[0]
        deadline = time.monotonic() + seconds

        def writer(n: int) -> None:
            client = Client(base)
            if client.form("/auth/login", {"email": f"writer{n}@example.org",
                                           "password": PASSWORD}) != 302:  # fmt: skip
                with lock:
                    answers["log-in failed"] += 1
                return
            own = enrolment_ids[n]
            count = 0
            while time.monotonic() < deadline:
                status = client.form(f"/plans/{own}/activities/new",
                                     {"type": "conference", "title": f"Talk {n}.{count}",
                                      "planned_term": "2026", "status": "planned",
                                      "evidence": ""})  # fmt: skip
                with lock:
                    answers[status] += 1
                    if status == 302:
                        saved[own] += 1
                count += 1
                if n % 5 == 0 and own == shared:
                    status = client.form(f"/plans/{shared}/edit",
                                         {"narrative": f"Edited by {n} at {count}",
                                          "no_stay_justification": ""})  # fmt: skip
                    with lock:
                        answers[status] += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = _stored_activities(url)
    lost = sum(saved.values()) - sum(stored.get(eid, 0) for eid in enrolment_ids)
    locked = log.read_text().count("database is locked")
    errors = sum(c for s, c in answers.items() if not isinstance(s, int) or abs(s) >= 500)
    return {"answers": dict(answers), "saved": sum(saved.values()), "lost": lost,
            "locked": locked, "errors": errors}  # fmt: skip


def _stored_activities(url: str) -> dict[int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT enrolment_id, count(*) FROM activity GROUP BY enrolment_id")
        ).all()
    engine.dispose()
    return dict(rows)


def _wait(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer: {log}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    """Run and print the figures."""
    args = parse_args()
    started = time.perf_counter()
    figures = run(args.writers, args.seconds, args.workers)
    print(f"{args.writers} writers, {args.seconds:.0f} s, gunicorn {args.workers} workers, SQLite")
    print(f"answers by status: {dict(sorted(figures['answers'].items(), key=str))}")
    print(f"activities saved: {figures['saved']}, lost updates: {figures['lost']}")
    print(f"'database is locked' in the log: {figures['locked']}, 5xx: {figures['errors']}")
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
