"""Rules written twice, in the policy (Python) and in SQL, agree for every user and object.

Who decides on a plan, who supervises whom and what a coordinator follows are
each asked of ``tracker.domain.policy`` object by object (buttons, loaders,
services) and answered in SQL when a page lists them (queues, home page, lists,
scope pickers). A small world with every combination that matters — roles,
several scopes, supervision arrangements, enrolment, plan and stay states — is
built in the database, and for every (user, object) pair the SQL side must grant
exactly what the policy grants: never more (a leak), never less (something that
can be acted on but is never shown).

The users are logged-in, active accounts: a deactivated account is anonymous to
the policy and never reaches a query.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.integration import stats_dataset as data
from tracker.domain import policy
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.domain.workflow import PlanAction
from tracker.extensions import db
from tracker.models import CoordinatorScope, Enrolment, Faculty, Plan, Programme, Stay, User
from tracker.queries import candidates, home, plans, scope

TODAY = date(2026, 6, 30)
REPORTED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = [False, True]  # ANY_SUPERVISOR_MAY_APPROVE off and on

# Who supervises an enrolment: (main supervisor, co-supervisors), by user key. "person"
# stands for the enrolment's own person, whom the records may name by mistake.
SUPERVISION = [
    ("main_sup", ["co_sup"]),
    ("co_sup", ["main_sup", "multi_role"]),  # the same people the other way round
    (None, ["main_sup"]),  # no main supervisor: only a co-supervisor
    ("person", ["co_sup"]),  # the person is named their own main supervisor
    ("main_sup", ["person"]),  # ... or their own co-supervisor
    ("multi_role", ["admin"]),  # a supervisor who coordinates; an admin who co-supervises
]
# Whose enrolment it is: a user of the matrix, or someone who is not one ("other").
PEOPLE = ["candidate", "multi_role", "other"]
ENROLMENT_STATUSES = list(EnrolmentStatus)
PLAN_STATUSES = [None, *PlanStatus]
STAY_STATES = ["planned", "reported", "completed", "reported_cancelled"]

# Faculty code -> programme codes; SV has none.
ORGANISATION = {"IE": ["PHD-CS", "PHD-EE"], "NV": ["PHD-MATH", "PHD-PHYS"], "SV": []}
# User key -> admin flag and the faculties/programmes they coordinate.
USERS = {
    "admin": (True, []),
    "faculty_coord": (False, ["IE"]),
    "programme_coord": (False, ["PHD-MATH"]),
    "several_scopes": (False, ["NV", "PHD-CS"]),
    "overlapping_scopes": (False, ["IE", "PHD-EE"]),  # a programme inside its own faculty
    "empty_faculty_coord": (False, ["SV"]),
    "main_sup": (False, []),
    "co_sup": (False, []),
    "multi_role": (False, ["PHD-PHYS"]),  # coordinates, supervises, and is a candidate
    "candidate": (False, []),
    "stranger": (False, []),
}


@dataclass
class World:
    users: dict[str, User]
    faculties: list[Faculty]
    programmes: list[Programme]
    enrolments: list[Enrolment]
    stays: list[Stay]


def _stay(enrolment: Enrolment, index: int, state: str) -> Stay:
    stay = Stay(
        enrolment=enrolment,
        host_institution=f"Host {index}",
        country="DE",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 5, 31),
        status=StayStatus.PLANNED,
    )
    if state in ("reported", "completed", "reported_cancelled"):
        stay.reported_at = REPORTED
        stay.reported_start_date, stay.reported_end_date = stay.start_date, stay.end_date
    if state == "completed":
        stay.status = StayStatus.COMPLETED
    elif state == "reported_cancelled":
        stay.status = StayStatus.CANCELLED
    stay.mark_approved(state != "planned")
    return stay


@pytest.fixture()
def world(app) -> World:
    faculties, programmes = {}, {}
    for faculty_code, codes in ORGANISATION.items():
        faculties[faculty_code] = Faculty(code=faculty_code, name=f"Faculty {faculty_code}")
        for code in codes:
            programmes[code] = Programme(code=code, name=code, faculty=faculties[faculty_code])
    users = {}
    for key, (admin, scopes) in USERS.items():
        users[key] = User(email=f"{key}@example.org", name=key, is_admin=admin)
        for target in scopes:
            users[key].coordinator_scopes.append(
                CoordinatorScope(faculty=faculties[target])
                if target in faculties
                else CoordinatorScope(programme=programmes[target])
            )
    db.session.add_all([*faculties.values(), *programmes.values(), *users.values()])
    enrolments, stays = [], []
    combinations = itertools.product(PEOPLE, SUPERVISION, ENROLMENT_STATUSES, PLAN_STATUSES)
    for index, (whose, (main, cos), status, plan_status) in enumerate(combinations):
        if whose in users:
            person = users[whose]
        else:
            person = User(email=f"person{index}@example.org", name=f"Person {index}")
        resolve = {**users, "person": person}
        enrolment = Enrolment(
            person=person,
            programme=list(programmes.values())[index % len(programmes)],
            kind=data.PHD,
            start_date=date(2020, 1, 1) + timedelta(days=index),
            status=status,
            end_date=None if status == EnrolmentStatus.ACTIVE else date(2026, 1, 1),
            main_supervisor=resolve[main] if main else None,
            co_supervisors=[resolve[key] for key in cos],
        )
        db.session.add(enrolment)
        if plan_status is not None:
            # The rules read the plan's status only, so no version history is needed.
            db.session.add(Plan(enrolment=enrolment, status=plan_status, submitted_at=REPORTED))
        for n, state in enumerate(STAY_STATES):
            stays.append(_stay(enrolment, n, state))
            db.session.add(stays[-1])
        enrolments.append(enrolment)
    db.session.commit()
    return World(
        users=users,
        faculties=list(faculties.values()),
        programmes=list(programmes.values()),
        enrolments=enrolments,
        stays=stays,
    )


def _ids(rows) -> set[int]:
    return {row.id for row in rows}


def test_the_world_has_every_combination(world):
    """Guard the matrix itself: each rule is both granted and refused somewhere."""
    assert len(world.enrolments) == len(PEOPLE) * len(SUPERVISION) * 3 * len(PLAN_STATUSES)
    main_sup, co_sup = world.users["main_sup"], world.users["co_sup"]
    off = {e.id for e in world.enrolments if policy.may_decide(co_sup, e, any_supervisor=False)}
    on = {e.id for e in world.enrolments if policy.may_decide(co_sup, e, any_supervisor=True)}
    assert off < on  # the setting matters
    awaiting = [s for s in world.stays if policy.can_confirm_stay(main_sup, s)]
    assert {s.enrolment.status for s in awaiting} == set(EnrolmentStatus)
    assert any(
        s.awaiting_confirmation and not policy.can_confirm_stay(main_sup, s) for s in world.stays
    )


def test_who_decides(world):
    """``policy.may_decide`` and ``queries.plans.decides_condition``."""
    for (key, user), any_supervisor in itertools.product(world.users.items(), SETTINGS):
        sql = set(
            db.session.scalars(
                db.select(Enrolment.id).where(
                    plans.decides_condition(user, any_supervisor=any_supervisor)
                )
            )
        )
        expected = {
            e.id
            for e in world.enrolments
            if policy.may_decide(user, e, any_supervisor=any_supervisor)
        }
        assert sql == expected, (key, any_supervisor)


def test_the_plans_awaiting_a_decision(world):
    """The supervisor's queue of plans: exactly those the policy lets them approve now."""
    for (key, user), any_supervisor in itertools.product(world.users.items(), SETTINGS):
        queue = plans.get_plans_awaiting_decision(user, any_supervisor=any_supervisor, today=TODAY)
        sql = {waiting.plan.enrolment_id for waiting in queue}
        for action in (PlanAction.APPROVE, PlanAction.REQUEST_CHANGES):
            expected = {
                e.id
                for e in world.enrolments
                if policy.can_act_on_plan(user, e, action, any_supervisor=any_supervisor)
            }
            assert sql == expected, (key, any_supervisor, action)
        counts = plans.count_awaiting(user, any_supervisor=any_supervisor)
        assert counts.plans == len(sql), (key, any_supervisor)


def test_the_stays_awaiting_confirmation(world):
    """The supervisor's queue of stays: exactly those the policy lets them confirm now."""
    for (key, user), any_supervisor in itertools.product(world.users.items(), SETTINGS):
        queue = plans.get_stays_awaiting_confirmation(
            user, any_supervisor=any_supervisor, today=TODAY
        )
        sql = {waiting.stay.id for waiting in queue}
        expected = {
            s.id
            for s in world.stays
            if policy.can_confirm_stay(user, s, any_supervisor=any_supervisor)
        }
        assert sql == expected, (key, any_supervisor)
        assert plans.count_awaiting(user, any_supervisor=any_supervisor).stays == len(sql), (
            key,
            any_supervisor,
        )


def test_who_supervises_whom(world):
    """``policy.is_supervisor_of`` and the home page's supervised enrolments."""
    for key, user in world.users.items():
        expected = {e.id for e in world.enrolments if policy.is_supervisor_of(user, e)}
        condition = set(
            db.session.scalars(db.select(Enrolment.id).where(home.supervised_condition(user)))
        )
        assert condition == expected, key
        assert _ids(home.get_supervised_enrolments(user, active_only=False)) == expected, key
        assert home.count_supervised(user) == len(expected), key
        # The navigation's answer, loaded with the user on every request.
        supervises = db.session.scalar(db.select(home.supervises_any(db.literal(user.id))))
        assert bool(supervises) == bool(expected), key
        active = {e.id for e in world.enrolments if e.id in expected and e.status == "active"}
        assert _ids(home.get_supervised_enrolments(user)) == active, key


def test_which_programmes_a_coordinator_follows(world):
    """``policy.coordinates_programme`` / ``can_view_programme`` and the SQL of the scope."""
    for key, user in world.users.items():
        coordinates = {p.id for p in world.programmes if policy.coordinates_programme(user, p)}
        viewable = {p.id for p in world.programmes if policy.can_view_programme(user, p)}
        assert set(db.session.scalars(home.scope_programme_ids(user))) == coordinates, key
        in_scope = db.select(Programme.id).where(scope.user_scope_condition(user, Programme.id))
        assert set(db.session.scalars(in_scope)) == viewable, key
        counted = {row.programme.id for row in home.get_programme_counts(user)}
        assert counted == coordinates, key
        choices = scope.get_choices(user)
        assert _ids(choices.programmes) == viewable, key
        assert _ids(choices.faculties) == {
            f.id for f in world.faculties if policy.can_view_faculty(user, f)
        }, key
        assert choices.institution == policy.can_view_institution(user), key


def test_which_enrolments_a_coordinator_lists(world):
    """``policy.oversees`` and the coordinator's list of every candidate, whole and filtered."""
    settings = TargetSettings()
    for key, user in world.users.items():
        everything = candidates.ListQuery(name="candidates", as_of=TODAY)
        listed = {row.enrolment_id for row in candidates.get_all(user, everything, settings)}
        expected = {e.id for e in world.enrolments if policy.oversees(user, e)}
        assert listed == expected, key
        for programme in world.programmes:
            narrowed = candidates.ListQuery(
                name="candidates", as_of=TODAY, filters=scope.Filters(programme=programme)
            )
            rows = candidates.get_all(user, narrowed, settings)
            assert {row.enrolment_id for row in rows} == {
                e.id for e in world.enrolments if e.id in expected and e.programme is programme
            }, (key, programme.code)


def test_which_codes_a_filter_accepts(world):
    """The one filter parser accepts a code exactly when the policy lets the user see it."""
    for key, user in world.users.items():
        for programme in world.programmes:
            try:
                scope.parse_filters(None, programme.code.lower(), user)
            except scope.NotVisible:
                accepted = False
            else:
                accepted = True
            assert accepted == policy.can_view_programme(user, programme), (key, programme.code)
        for faculty in world.faculties:
            try:
                scope.parse_filters(faculty.code, None, user)
            except scope.NotVisible:
                accepted = False
            else:
                accepted = True
            assert accepted == policy.can_view_faculty(user, faculty), (key, faculty.code)
