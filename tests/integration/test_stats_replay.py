"""A past as-of date gives that date's figures, whenever they are computed (DESIGN §4).

Figures and lists for earlier dates are computed, then plans are approved, submitted,
returned, withdrawn and revised today through the workflow's services, and the same
figures are computed again: they must not change. Today's figures do, which shows the
actions took effect.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.integration import stats_dataset as data
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion
from tracker.models.base import as_utc
from tracker.queries import candidates, stats
from tracker.queries.candidates import ListQuery
from tracker.queries.recorded import replay_needed
from tracker.queries.scope import Filters
from tracker.queries.stats import build_statistics
from tracker.services import plans

SETTINGS = TargetSettings()
PAST = [date(2025, 6, 30), data.AS_OF, date.today() - timedelta(days=1)]
# What a list says of each person at a date; the plan status column is today's (see
# docs/STATISTICS.md), so it is left out.
FACTS = ("enrolment_id", "achieved", "projected", "overdue", "submitted_at", "stays_done")


@pytest.fixture()
def institution(app, make_user):
    built = data.build()
    staff = data.build_staff()
    supervisor = make_user("sigrid@example.org", "Sigrid Veileder")
    admin = make_user("ada@example.org", "Ada Admin", admin=True)
    everyone = {**built.enrolments, **staff.enrolments}
    for enrolment in everyone.values():
        enrolment.main_supervisor = supervisor
    db.session.commit()
    return {"enrolments": everyone, "supervisor": supervisor, "admin": admin}


def figures(admin) -> dict:
    """Return the document and the four lists at every past date."""
    found = {}
    for as_of in PAST:
        found[("document", as_of)] = build_statistics(as_of, Filters(), SETTINGS)
        for name in candidates.LIST_NAMES:
            rows = candidates.get_all(admin, ListQuery(name=name, as_of=as_of), SETTINGS)
            found[(name, as_of)] = sorted(tuple(getattr(r, f) for f in FACTS) for r in rows)
    return found


def _done_by_type(group: dict) -> dict:
    return {kind: figures["done"] for kind, figures in group["by_type"].items()}


def _done_only(activities: dict) -> dict:
    """Return the activities section with only the figures of what was done."""
    return {
        population: {
            key: [
                (g["year"], g["n"], g["any"]["done"], _done_by_type(g))
                for g in groups
            ]
            for key, groups in sections.items()
        }
        for population, sections in activities.items()
    }


def plan_of(enrolment: Enrolment) -> Plan:
    db.session.refresh(enrolment)
    return enrolment.plan


def act_today(people: dict[str, Enrolment], supervisor) -> None:
    """Move plans on through the services, as candidates and supervisors would today."""
    a7, b3, s2 = (plan_of(people[k]) for k in ("A7", "B3", "S2"))
    plans.approve_plan(a7, supervisor)  # waiting since 20 June 2026
    plans.request_changes(b3, supervisor, "Say where you go.")
    plans.withdraw_plan(s2, people["S2"].person)
    # A returned plan and a draft are submitted; a new one is started and submitted.
    for key in ("A8", "A11", "S13"):
        enrolment = people[key]
        plan = plan_of(enrolment) or plans.start_plan(enrolment, enrolment.person)
        plan.no_stay_justification = "Fieldwork at home this year."
        plans.submit_plan(plan, enrolment.person)
    plans.approve_plan(plan_of(people["A11"]), supervisor)
    # A revision moves the approved stay to Norway and is approved today.
    a9 = people["A9"]
    plan = plan_of(a9)
    (stay,) = a9.stays
    stay.country = "NO"
    plan.no_stay_justification = "The archive is in Tromsø."
    plans.submit_plan(plan, a9.person)
    plans.approve_plan(plan, supervisor)
    # An approved plan is opened for a revision.
    plans.start_revision(plan_of(people["A3"]), people["A3"].person)
    db.session.commit()


def test_figures_of_past_dates_do_not_change_when_plans_move_on_today(institution):
    people, admin = institution["enrolments"], institution["admin"]
    before = figures(admin)
    today_before = build_statistics(date.today(), Filters(), SETTINGS)

    act_today(people, institution["supervisor"])
    assert plan_of(people["A7"]).status == PlanStatus.APPROVED
    assert plan_of(people["A9"]).approved_version.number == 2

    after = figures(admin)
    # Activities keep no approval history yet: a revision approved today puts its new
    # activities in the plans of earlier days (DESIGN §4). What was done is exact.
    for found in (before, after):
        for key, value in found.items():
            if key[0] == "document":
                found[key] = {**value, "activities": _done_only(value["activities"])}
    assert after == before
    # Today's figures did move: the approvals and submissions count from today.
    today_after = build_statistics(date.today(), Filters(), SETTINGS)
    assert today_after != today_before
    cohort = {g["year"]: g for g in today_after["phd"]["by_admission_year"]}[2025]
    earlier = {g["year"]: g for g in today_before["phd"]["by_admission_year"]}[2025]
    # A7 and A11 approved; A8 submitted and A11 approved: neither overdue any more.
    assert cohort["approved_plans"] == earlier["approved_plans"] + 2
    assert cohort["overdue_plans"] == earlier["overdue_plans"] - 2
    # A9's revision moved the stay to Norway: not projected from today on, still before.
    projected = {
        as_of: {
            row.enrolment_id: bool(row.projected)
            for row in candidates.get_all(admin, ListQuery(as_of=as_of), SETTINGS)
        }[people["A9"].id]
        for as_of in (date.today() - timedelta(days=1), date.today())
    }
    assert projected == {date.today() - timedelta(days=1): True, date.today(): False}


def test_the_waiting_list_of_a_past_date_keeps_what_was_waiting(institution):
    people, admin = institution["enrolments"], institution["admin"]
    as_of = date.today() - timedelta(days=1)

    def waiting() -> list[int]:
        rows = candidates.get_all(admin, ListQuery(name="waiting", as_of=as_of), SETTINGS)
        return sorted(r.enrolment_id for r in rows)

    before = waiting()
    assert people["A7"].id in before and people["S2"].id in before
    act_today(people, institution["supervisor"])
    assert waiting() == before
    today = candidates.get_all(admin, ListQuery(name="waiting", as_of=date.today()), SETTINGS)
    assert people["A7"].id not in {r.enrolment_id for r in today}


def test_an_entry_takes_effect_when_it_is_recorded_unless_told_otherwise(app):
    built = data.Builder(data.programme())
    enrolment = built.person("X", data.PHD, date(2025, 1, 6))
    plan = Plan(enrolment=enrolment, status=PlanStatus.SUBMITTED)
    moment = datetime(2025, 2, 3, 9, 30, tzinfo=UTC)
    recorded = PlanVersion(plan=plan, number=1, event=PlanEvent.SUBMITTED, created_at=moment,
                           snapshot={}, snapshot_sha256="0" * 64)  # fmt: skip
    db.session.add_all([plan, recorded])
    db.session.commit()
    assert as_utc(recorded.effective_at) == moment


def _everything_at(admin, as_of: date) -> dict:
    """Return the document and every row of every list, all columns, at one date."""
    found: dict = {"document": build_statistics(as_of, Filters(), SETTINGS)}
    for name in candidates.LIST_NAMES:
        rows = candidates.get_all(admin, ListQuery(name=name, as_of=as_of), SETTINGS)
        found[name] = sorted((r._asdict() for r in rows), key=lambda r: r["key"])
    return found


def test_the_state_as_it_stands_gives_the_replayed_figures(institution, monkeypatch):
    """With nothing recorded after the as-of date, the plans and stays as they stand are read
    instead of their histories (tracker.queries.recorded): the figures are the same."""
    act_today(institution["enrolments"], institution["supervisor"])
    today, admin = date.today(), institution["admin"]
    assert not replay_needed(today)
    assert replay_needed(today - timedelta(days=1))
    as_they_stand = _everything_at(admin, today)
    monkeypatch.setattr(stats, "replay_needed", lambda as_of: True)
    replayed = _everything_at(admin, today)
    assert as_they_stand == replayed
    assert as_they_stand["overdue"] and as_they_stand["unfunded-stays"]
    assert any(row["submitted_at"] for row in as_they_stand["candidates"])
