"""Two gunicorn processes and two job workers on one database and one Redis.

Sessions, the log-in rate limit and the background jobs are shared: a session
opened on one server works on the other, wrong passwords count across both, and
each e-mail queued by either is delivered once by one of the workers.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_outbox import SmtpServer, free_port
from tracker import PROJECT_ROOT
from tracker.domain.vocabulary import MailStatus
from tracker.extensions import db
from tracker.models import OutboxMessage

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """A cookie-keeping HTTP client that follows no redirects, as a test needs."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))  # noqa: S310 - loopback http only

    def post(self, url: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))  # noqa: S310

    def form_post(self, url: str, data: dict[str, str]) -> tuple[int, str]:
        """Post a form the way a browser does: with the CSRF token of its page."""
        _status, page = self.get(url)
        token = CSRF.search(page)
        assert token, page[:500]
        return self.post(url, {**data, "csrf_token": token.group(1)})

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} stopped: {log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - loopback
            return
        except OSError:  # not listening yet, or its workers still starting
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture()
def cluster(app, redis_url, tmp_path) -> Iterator[dict]:
    """Start two web servers and two workers against the test database and Redis."""
    with SmtpServer() as smtp:
        env = {
            **os.environ,
            "TRACKER_ENV": "development",
            "TRACKER_SECRET_KEY": "s" * 40,
            "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRACKER_REDIS_URL": redis_url,
            "TRACKER_RATELIMIT_STORAGE_URI": redis_url,
            "TRACKER_MAIL_SERVER": "127.0.0.1",
            "TRACKER_MAIL_PORT": str(smtp.controller.port),
            "TRACKER_INSTANCE_PATH": app.instance_path,
        }
        processes: list[subprocess.Popen] = []
        ports = [free_port(), free_port()]
        logs = [tmp_path / f"gunicorn-{port}.log" for port in ports]
        try:
            for port, log in zip(ports, logs, strict=True):
                with log.open("w") as output:
                    processes.append(subprocess.Popen(  # noqa: S603 - our own server
                        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                         f"127.0.0.1:{port}", "wsgi:app"],
                        cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                    ))  # fmt: skip
            for _ in range(2):
                processes.append(subprocess.Popen(  # noqa: S603 - our own worker
                    [sys.executable, "-m", "flask", "--app", "tracker", "worker"],
                    cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ))  # fmt: skip
            servers = [f"http://127.0.0.1:{port}" for port in ports]
            for server, process, log in zip(servers, processes, logs, strict=False):
                _wait_for(f"{server}/auth/login", process, log)
            yield {"servers": servers, "smtp": smtp}
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_sessions_rate_limit_and_jobs_are_shared(cluster, make_user):
    one, two = cluster["servers"]
    make_user("admin@example.org", "Ada Admin", admin=True)

    # A session opened on one server is valid on the other.
    admin = Browser()
    login = {"email": "admin@example.org", "password": PASSWORD}
    status, _page = admin.form_post(f"{one}/auth/login", login)
    assert status == 302
    status, page = admin.get(f"{two}/admin/users")
    assert status == 200 and "Ada Admin" in page

    # E-mail queued through either server is delivered once, by one of the workers.
    for n, server in enumerate([one, two, one, two]):
        person = {"name": f"New {n}", "email": f"new{n}@example.org"}
        status, _page = admin.form_post(f"{server}/admin/users/new", person)
        assert status == 302
    deadline = time.monotonic() + 30
    while len(cluster["smtp"].received) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # a second delivery of any message would arrive by now
    assert sorted(m["To"] for m in cluster["smtp"].received) == [
        f"new{n}@example.org" for n in range(4)
    ]
    db.session.expire_all()
    statuses = db.session.scalars(db.select(OutboxMessage.status)).all()
    assert statuses == [MailStatus.SENT] * 4

    # Log-in attempts count on both servers together: the limit is 10 a minute, and the
    # administrator's log-in above was the first.
    intruder = Browser()
    answers = [
        intruder.form_post(f"{server}/auth/login",
                           {"email": "admin@example.org", "password": "wrong"})[0]
        for server in [one, two] * 6
    ]  # fmt: skip
    assert answers[:9] == [200] * 9
    assert answers[9:] == [429, 429, 429]
