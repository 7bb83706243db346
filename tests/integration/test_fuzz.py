"""Hostile values in every form field and query parameter of every route: never a 500,
never a change outside what the user may change.

Hypothesis picks a role, a route, the ids in its path, and values for the form fields
and query parameters the tracker's pages use (collected from the pages themselves):
very long strings, NUL and other control characters, right-to-left overrides, emoji,
huge and negative numbers, dates in the years 1 and 9999, markup and SQL. After each
request the rows outside the user's reach must be as they were.

The number of examples is bounded for CI; for a long run:

    TRACKER_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/integration/test_fuzz.py
"""

import io
import os
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plan_support import people, signed_in
from tracker.domain.vocabulary import StayStatus
from tracker.extensions import db, limiter
from tracker.models import (
    Activity,
    CoordinatorScope,
    Enrolment,
    Faculty,
    Plan,
    PlanVersion,
    Programme,
    Stay,
    User,
)

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "250"))
# CI replays the same examples every run; a long run asked for by number explores anew.
DERANDOMIZE = "TRACKER_FUZZ_EXAMPLES" not in os.environ

HOSTILE = [
    "", " ", "x" * 10_000, "\x00", "a\x00b", "\r\nBcc: all@example.org", "\x1b[2J", "\u202eevil",
    "\u2066x\u2069", "🎓✈️🌍", "👩🏽‍🔬", "-1", "0", "2147483648", "-2147483649", "9" * 40,
    "1e308", "NaN", "0001-01-01", "9999-12-31", "2026-02-30", "31.12.2025", "<script>x</script>",
    "'\"><img src=x onerror=alert(1)>", "' OR '1'='1' --", "1; DROP TABLE user_account", "%00",
    "%", "_", "\\", "../../etc/passwd", "phd", "postdoc", "PHD-CS", "phd-cs", "IE", "NV", "nb",
    "en", "yes", "no", "on", "approved", "draft", "completed", "DE", "NO", "ZZ",
    "candidate@example.org", "ＣＡＮＤＩＤＡＴＥ@example。org", "kari@example.org.", "@", "a@b",
    "https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
# Query parameters the pages use, besides those found in their forms.
KNOWN_PARAMETERS = ["as_of", "faculty", "programme", "page", "sort", "dir", "q", "status",
                    "kind", "version", "next", "plan", "year", "locale", "per_page"]  # fmt: skip
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
SKIPPED_ENDPOINTS = {"static", "auth.logout"}  # logging out is no fuzz target


@pytest.fixture()
def world(app, make_user, make_programme, make_enrolment, make_stay):
    """Two programmes in two faculties, each with a candidate, plan, stay and activity."""
    mine = people(make_user, make_programme, make_enrolment)
    other = make_programme("PHD-HIST", "HF")
    stranger = make_user("other.candidate@example.org", "Olga Annen")
    other_supervisor = make_user("other.sup@example.org", "Otto Veileder")
    theirs = make_enrolment(stranger, programme=other, supervisor=other_supervisor)
    for enrolment in (mine["enrolment"], theirs):
        db.session.add(Plan(enrolment=enrolment))
        make_stay(enrolment)
        make_stay(enrolment, status=StayStatus.COMPLETED, start_date=date(2024, 3, 1),
                  end_date=date(2024, 5, 1))  # fmt: skip
        db.session.add(Activity(enrolment=enrolment, type="conference", title="A conference"))
    mine["admin"] = make_user("admin@example.org", "Ada Admin", admin=True)
    db.session.commit()
    mine["other_programme"] = other
    return mine


def _vocabulary(clients: dict[str, Any], urls: list[str]) -> list[str]:
    """Return every form field name on the pages the roles can open."""
    names: set[str] = set()
    for client in clients.values():
        for url in urls:
            response = client.get(url)
            if response.status_code == 200 and "html" in response.content_type:
                names.update(NAME.findall(response.get_data(as_text=True)))
    names.discard("csrf_token")
    return sorted(names | set(KNOWN_PARAMETERS))


def _outside(role: str, world: dict) -> dict[str, list[tuple]]:
    """Return the rows the role may not change, as plain values."""
    other = world["other_programme"].id
    theirs = db.select(Enrolment.id).where(Enrolment.programme_id == other)
    actor = world[role].id
    rows = {
        "enrolments": db.select(Enrolment.id, Enrolment.programme_id, Enrolment.person_id,
                                Enrolment.status, Enrolment.start_date, Enrolment.end_date,
                                Enrolment.main_supervisor_id, Enrolment.lock_version)
        .where(Enrolment.id.in_(theirs)),
        "plans": db.select(Plan.id, Plan.status, Plan.narrative, Plan.lock_version)
        .where(Plan.enrolment_id.in_(theirs)),
        "versions": db.select(PlanVersion.id, PlanVersion.number)
        .join(Plan, PlanVersion.plan_id == Plan.id)
        .where(Plan.enrolment_id.in_(theirs)),
        "stays": db.select(Stay.id, Stay.status, Stay.host_institution, Stay.start_date,
                           Stay.end_date, Stay.lock_version).where(Stay.enrolment_id.in_(theirs)),
        "activities": db.select(Activity.id, Activity.title, Activity.status)
        .where(Activity.enrolment_id.in_(theirs)),
        "users": db.select(User.id, User.email, User.name, User.password_hash, User.active,
                           User.is_admin, User.session_token).where(User.id != actor),
        "scopes": db.select(CoordinatorScope.id, CoordinatorScope.user_id,
                            CoordinatorScope.faculty_id, CoordinatorScope.programme_id),
        "organisation": db.select(Programme.id, Programme.code, Programme.name,
                                  Programme.faculty_id).union_all(
            db.select(Faculty.id, Faculty.code, Faculty.name, Faculty.id)),
    }  # fmt: skip
    db.session.expire_all()
    return {name: sorted(map(tuple, db.session.execute(query).all()), key=repr)
            for name, query in rows.items()}  # fmt: skip


@pytest.mark.parametrize("role", ["candidate", "supervisor", "coordinator", "admin"])
def test_hostile_values_never_answer_500_nor_reach_outside(app, world, isolated_client, role):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS]
    ids = {
        "enrolment_id": [e.id for e in db.session.scalars(db.select(Enrolment))],
        "stay_id": [s.id for s in db.session.scalars(db.select(Stay))],
        "activity_id": [a.id for a in db.session.scalars(db.select(Activity))],
        "user_id": [u.id for u in db.session.scalars(db.select(User))],
        "programme_id": [p.id for p in db.session.scalars(db.select(Programme))],
        "faculty_id": [f.id for f in db.session.scalars(db.select(Faculty))],
        "version_id": [1, 2],
        "message_id": [1],
    }
    pages = ["/", "/admin/users/new", "/coordinator/", "/coordinator/lists/candidates",
             "/coordinator/enrolments/new", "/coordinator/import", "/auth/preferences",
             "/auth/password", f"/plans/{world['enrolment'].id}/stays/new",
             f"/plans/{world['enrolment'].id}/activities/new", f"/plans/{world['enrolment'].id}",
             f"/review/plans/{world['enrolment'].id}", "/admin/audit",
             f"/admin/users/{world['candidate'].id}/erase"]  # fmt: skip
    user = world[role]
    client = signed_in(isolated_client, user)
    vocabulary = _vocabulary({role: client}, pages)
    before = _outside(role, world) if role != "admin" else None
    failures: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        nonlocal client
        rule = data.draw(st.sampled_from(rules), label="route")
        values: dict[str, Any] = {}
        for argument in rule.arguments:
            if argument in ids:
                values[argument] = data.draw(st.one_of(
                    st.sampled_from(ids[argument]),
                    st.sampled_from([0, 2**31 - 1, 2**31, 2**63]),
                ), label=argument)  # fmt: skip
            else:
                values[argument] = data.draw(st.one_of(
                    st.sampled_from(["candidates", "overdue", "at-risk", "waiting", "x"]),
                    st.text(min_size=1, max_size=30).filter(lambda t: "/" not in t),
                ), label=argument)  # fmt: skip
        try:
            url = rule.build(values)[1]
        except Exception:  # noqa: S112 - a value the router itself cannot place in a URL
            return
        fields = data.draw(st.dictionaries(st.sampled_from(vocabulary), VALUES, max_size=8),
                           label="fields")  # fmt: skip
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = data.draw(st.sampled_from(methods), label="method")
        limiter.reset()
        if method == "GET":
            response = client.get(url, query_string=fields)
        else:
            if rule.endpoint == "coordinator.upload":
                hostile = data.draw(st.sampled_from(HOSTILE), label="file")
                fields["file"] = (io.BytesIO(hostile.encode("utf-8", "replace")), "f.csv")
            response = client.open(url, method=method, data=fields)
        if response.status_code >= 500:
            failures.append(f"{method} {url} {fields!r}: {response.status_code}")
        if before is not None:
            after = _outside(role, world)
            if after != before:
                changed = [name for name in before if before[name] != after[name]]
                failures.append(f"{method} {url} {fields!r} changed {changed}")
                before.update(after)
        if response.status_code in (302, 303) and "/auth/login" in response.location:
            client = signed_in(isolated_client, db.session.get(User, user.id))  # logged out

    attempt()
    assert not failures, "\n".join(failures[:20])
