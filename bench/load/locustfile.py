"""Locust scenarios for bench/load_bench.py: the tracker's roles at work, and the floors.

Each simulated person logs in once through the log-in form (CSRF included) and then
works, without pauses or waiting LOAD_THINK seconds ("MIN,MAX") between clicks.
Answers a user can cause on purpose — a 409 when someone else changed the plan first,
a 422 for a plan that cannot be submitted yet — count as served; anything else above
399, and every connection error, counts as an error.

Who logs in comes from the environment the orchestrator sets: LOAD_ACCOUNTS (a JSON
file of the candidates' and supervisors' e-mail addresses), LOAD_PASSWORD. With
LOAD_REQUEST_LOG set, every request is also written to that CSV file as it ends (start
time, name, milliseconds, failed), so that the orchestrator can take the figures of any
part of the run.
"""

import csv
import html
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
# Both orders of the attributes: WTForms writes name first, the page's own buttons type.
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# A decision's form is prefixed ("approve-lock_version"); the plan's own are not.
LOCK = re.compile(r'name="(?:[a-z-]+-)?lock_version"[^>]*value="(\d+)"')
JUSTIFICATION = re.compile(r'<textarea[^>]*name="no_stay_justification"[^>]*>([^<]*)</textarea>')
WHY_NO_STAY = "Caring for a family member this year; conferences and a collaboration instead."
PLAN_LINK = re.compile(r'href="/plans/(\d+)"')
REVIEW_LINK = re.compile(r'href="/review/plans/(\d+)"')
EXPECTED = {409, 422}
THINK = [float(seconds) for seconds in os.environ.get("LOAD_THINK", "0,0").split(",")]


@events.init.add_listener
def _log_requests(environment, **_kwargs) -> None:
    path = os.environ.get("LOAD_REQUEST_LOG")
    if not path:
        return
    log = open(path, "w", newline="")  # noqa: SIM115 - open while Locust runs
    writer = csv.writer(log)
    writer.writerow(["start", "name", "ms", "failed"])

    @environment.events.request.add_listener
    def _log(name, response_time, exception, start_time=None, **_kwargs) -> None:
        writer.writerow([f"{start_time:.3f}", name, f"{response_time:.1f}", int(bool(exception))])

    @environment.events.quitting.add_listener
    def _close(**_kwargs) -> None:
        log.close()


class TrackerUser(HttpUser):
    """Someone who logs in first; subclasses say who and what they do."""

    abstract = True
    wait_time = between(*THINK)

    def email(self) -> str:
        raise NotImplementedError

    def on_start(self) -> None:
        page = self.client.get("/auth/login", name="log-in page").text
        self.client.post(
            "/auth/login",
            data={"email": self.email(), "password": PASSWORD, "csrf_token": _token(page)},
            name="log in",
        )

    def post_form(self, url: str, page: str, data: dict, name: str) -> None:
        """Post the form of ``page`` that posts to ``url``, with its CSRF token and lock."""
        start = page.find(f'action="{url}"')
        form = page[start:] if start >= 0 else page
        fields = {"csrf_token": _token(page), **data}
        lock = LOCK.search(form)
        if lock and "lock_version" not in data:
            fields["lock_version"] = lock.group(1)
        with self.client.post(url, data=fields, name=name, catch_response=True) as response:
            if response.status_code in EXPECTED:
                response.success()


class Candidate(TrackerUser):
    weight = 6

    def email(self) -> str:
        return random.choice(ACCOUNTS["candidates"])

    def on_start(self) -> None:
        super().on_start()
        home = self.client.get("/", name="home (candidate)").text
        self.plans = PLAN_LINK.findall(home)

    @task(5)
    def home(self) -> None:
        self.client.get("/", name="home (candidate)")

    @task(3)
    def plan(self) -> None:
        if self.plans:
            self.client.get(f"/plans/{random.choice(self.plans)}", name="/plans/<id>")

    @task(1)
    def edit_and_submit(self) -> None:
        """Work on the plan: start it or a revision of the approved one when offered, then
        edit and submit it when it can be (a submitted plan waits for the supervisor)."""
        if not self.plans:
            return
        eid = random.choice(self.plans)
        view = self.client.get(f"/plans/{eid}", name="/plans/<id>").text
        for action in ("start", "revise"):
            if f'action="/plans/{eid}/{action}"' in view:
                self.post_form(f"/plans/{eid}/{action}", view, {}, f"/plans/<id>/{action} [POST]")
        with self.client.get(f"/plans/{eid}/edit", name="/plans/<id>/edit",
                             catch_response=True) as edit:  # fmt: skip
            if edit.status_code in (403, 404, 409):
                edit.success()  # not editable in its state: told so
        if edit.status_code != 200:
            return
        # The justification as it stands, or one written now, so that a plan without a
        # stay abroad (a plan just started) can be submitted too.
        kept = JUSTIFICATION.search(edit.text)
        justification = html.unescape(kept.group(1)).strip() if kept else ""
        self.post_form(f"/plans/{eid}/edit", edit.text,
                       {"narrative": "Two conferences and a stay abroad.",
                        "no_stay_justification": justification or WHY_NO_STAY},
                       "/plans/<id>/edit [POST]")  # fmt: skip
        view = self.client.get(f"/plans/{eid}", name="/plans/<id>").text
        if f'action="/plans/{eid}/submit"' in view:
            self.post_form(f"/plans/{eid}/submit", view, {}, "/plans/<id>/submit [POST]")


class Supervisor(TrackerUser):
    weight = 2

    def email(self) -> str:
        return random.choice(ACCOUNTS["supervisors"])

    @task(3)
    def queue(self) -> None:
        self.client.get("/review/", name="/review/")

    @task(2)
    def decide(self) -> None:
        queue = self.client.get("/review/", name="/review/").text
        waiting = REVIEW_LINK.findall(queue)
        if not waiting:
            return
        eid = random.choice(waiting)
        page = self.client.get(f"/review/plans/{eid}", name="/review/plans/<id>").text
        lock = LOCK.search(page)
        if lock:
            self.post_form(f"/review/plans/{eid}/approve", page,
                           {"approve-lock_version": lock.group(1), "approve-comment": ""},
                           "/review/plans/<id>/approve [POST]")  # fmt: skip


class Coordinator(TrackerUser):
    weight = 2

    def email(self) -> str:
        return "bench-coordinator@example.org"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/coordinator/", name="/coordinator/")

    @task(3)
    def lists(self) -> None:
        name = random.choice(["candidates", "overdue", "at-risk", "waiting"])
        self.client.get(f"/coordinator/lists/{name}", name="/coordinator/lists/<name>")

    @task(1)
    def export(self) -> None:
        self.client.get("/coordinator/lists/overdue/export.csv",
                        name="/coordinator/lists/<name>/export.csv")  # fmt: skip


class Administrator(TrackerUser):
    weight = 1

    def email(self) -> str:
        return "bench-admin@example.org"

    @task
    def users(self) -> None:
        q = random.choice(["", "person1", "supervisor", "Person 0"])
        self.client.get(f"/admin/users?q={q}", name="/admin/users")


class HomeOnly(TrackerUser):
    """Only the candidate's home page: the figure set against the static floor."""

    email = Candidate.email

    @task
    def home(self) -> None:
        self.client.get("/", name="home (candidate)")


class StaticFile(HttpUser):
    """The floor: a static file served by the same gunicorn."""

    @task
    def css(self) -> None:
        self.client.get("/static/css/app.css", name="static file")


def _token(page: str) -> str:
    found = CSRF.search(page)
    return found.group(1) if found else ""
