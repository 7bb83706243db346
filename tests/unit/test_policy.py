"""Who may do what (tracker.domain.policy): the whole role × action matrix.

Users, programmes, enrolments, plans and stays are plain stand-ins
(SimpleNamespace): the policy reads attributes only. Every expected value is
written out in the tables below; T and F keep the grids readable.
"""

import inspect
import itertools
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from tracker.domain import policy
from tracker.domain.vocabulary import EnrolmentStatus, PlanStatus, StayStatus
from tracker.domain.workflow import Actor, PlanAction

T, F = True, False

# --- The world -----------------------------------------------------------------------------

FACULTY = SimpleNamespace(id=1, code="IE")
OTHER_FACULTY = SimpleNamespace(id=2, code="HF")
PROGRAMME = SimpleNamespace(id=10, faculty_id=1, code="PHD-CS")  # the enrolment's programme
SIBLING_PROGRAMME = SimpleNamespace(id=11, faculty_id=1, code="PHD-EE")  # same faculty
FOREIGN_PROGRAMME = SimpleNamespace(id=20, faculty_id=2, code="PHD-HIST")  # other faculty


def scope(*, faculty=None, programme=None):
    return SimpleNamespace(
        faculty_id=faculty.id if faculty else None,
        programme_id=programme.id if programme else None,
    )


def person(user_id, *, admin=False, scopes=(), authenticated=True):
    return SimpleNamespace(
        id=user_id,
        is_authenticated=authenticated,
        is_admin=admin,
        coordinator_scopes=list(scopes),
    )


# Role name -> (user, any_supervisor values to run with). The institution's setting only
# matters for co-supervisors, so the other roles are checked under both values.
BOTH = (False, True)
USERS = {
    "anonymous": person(None, authenticated=False),
    "owner": person(1),
    "other_candidate": person(2),
    "main_supervisor": person(3),
    "co_supervisor": person(4),
    "co_supervisor_any": person(4),
    "programme_coordinator": person(5, scopes=[scope(programme=PROGRAMME)]),
    "faculty_coordinator": person(6, scopes=[scope(faculty=FACULTY)]),
    "sibling_programme_coordinator": person(7, scopes=[scope(programme=SIBLING_PROGRAMME)]),
    "other_faculty_coordinator": person(8, scopes=[scope(faculty=OTHER_FACULTY)]),
    "admin": person(9, admin=True),
    # Flask-Login reports a deactivated account as not authenticated.
    "deactivated_admin": person(10, admin=True, authenticated=False),
}
ANY_SUPERVISOR = {role: BOTH for role in USERS} | {
    "co_supervisor": (False,),
    "co_supervisor_any": (True,),
}
ROLES = list(USERS)


def role_cases():
    """Return (role, any_supervisor) pairs, each role under the settings it is run with."""
    return [(role, any_sup) for role in ROLES for any_sup in ANY_SUPERVISOR[role]]


def enrolment(*, plan_status=None, approved_version=False, status=EnrolmentStatus.ACTIVE):
    plan = None
    if plan_status is not None:
        approved_id = 7 if approved_version else None
        plan = SimpleNamespace(status=plan_status, approved_version_id=approved_id)
    return SimpleNamespace(
        id=100,
        person_id=1,
        programme=PROGRAMME,
        programme_id=PROGRAMME.id,
        main_supervisor_id=3,
        co_supervisors=[USERS["co_supervisor"]],
        status=status,
        plan=plan,
    )


PLAN_STATES = [None, *PlanStatus]
PLAN_STATE_IDS = ["none", *(status.value for status in PlanStatus)]

# --- Who is who ----------------------------------------------------------------------------

#                              admin coord owner superv. coord_prog oversees  decides actor
#                                                        (PROGRAMME)          (setting applied)
ROLE_FACTS = {
    "anonymous":                     (F, F, F, F, F, F, F, Actor.OTHER),
    "owner":                         (F, F, T, F, F, F, F, Actor.CANDIDATE),
    "other_candidate":               (F, F, F, F, F, F, F, Actor.OTHER),
    "main_supervisor":               (F, F, F, T, F, F, T, Actor.SUPERVISOR),
    "co_supervisor":                 (F, F, F, T, F, F, F, Actor.OTHER),
    "co_supervisor_any":             (F, F, F, T, F, F, T, Actor.SUPERVISOR),
    "programme_coordinator":         (F, T, F, F, T, T, F, Actor.OTHER),
    "faculty_coordinator":           (F, T, F, F, T, T, F, Actor.OTHER),
    "sibling_programme_coordinator": (F, T, F, F, F, F, F, Actor.OTHER),
    "other_faculty_coordinator":     (F, T, F, F, F, F, F, Actor.OTHER),
    "admin":                         (T, F, F, F, F, T, F, Actor.OTHER),
    "deactivated_admin":             (F, F, F, F, F, F, F, Actor.OTHER),
}  # fmt: skip


@pytest.mark.parametrize(("role", "any_supervisor"), role_cases())
def test_role_facts(role, any_supervisor):
    user, subject = USERS[role], enrolment()
    admin, coord, owner, supervises, coord_prog, oversees, decides, actor = ROLE_FACTS[role]
    assert policy.is_admin(user) is admin
    assert policy.is_coordinator(user) is coord
    assert policy.is_owner(user, subject) is owner
    assert policy.is_supervisor_of(user, subject) is supervises
    assert policy.coordinates_programme(user, PROGRAMME) is coord_prog
    assert policy.oversees(user, subject) is oversees
    assert policy.may_decide(user, subject, any_supervisor=any_supervisor) is decides
    assert policy.actor_for(user, subject, any_supervisor=any_supervisor) is actor


def test_no_user_at_all_is_refused_everything():
    subject = enrolment(plan_status=PlanStatus.SUBMITTED)
    assert not policy.is_admin(None)
    assert not policy.can_view_enrolment(None, subject)
    assert not policy.can_act_on_plan(None, subject, PlanAction.APPROVE, any_supervisor=True)
    assert not policy.can_view_statistics(None)
    assert not policy.can_administer(None)


def test_a_candidate_named_as_own_supervisor_still_cannot_decide():
    subject = enrolment(plan_status=PlanStatus.SUBMITTED)
    subject.main_supervisor_id = subject.person_id
    owner = USERS["owner"]
    assert policy.actor_for(owner, subject, any_supervisor=True) is Actor.CANDIDATE
    assert not policy.may_decide(owner, subject, any_supervisor=True)
    assert not policy.can_act_on_plan(owner, subject, PlanAction.APPROVE, any_supervisor=True)


# --- Reading an enrolment ------------------------------------------------------------------

VIEW_ENROLMENT = {
    "anonymous": F,
    "owner": T,
    "other_candidate": F,
    "main_supervisor": T,
    "co_supervisor": T,
    "co_supervisor_any": T,
    "programme_coordinator": T,
    "faculty_coordinator": T,
    "sibling_programme_coordinator": F,
    "other_faculty_coordinator": F,
    "admin": T,
    "deactivated_admin": F,
}


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize("plan_status", PLAN_STATES, ids=PLAN_STATE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_can_view_enrolment(role, plan_status, enrolment_status):
    subject = enrolment(plan_status=plan_status, status=enrolment_status)
    assert policy.can_view_enrolment(USERS[role], subject) is VIEW_ENROLMENT[role]


# --- Editing the plan (active enrolment) ---------------------------------------------------

#                                   none  draft submitted changes approved
EDIT_PLAN = {
    "anonymous":                     (F,   F,    F,        F,      F),
    "owner":                         (T,   T,    F,        T,      F),
    "other_candidate":               (F,   F,    F,        F,      F),
    "main_supervisor":               (F,   F,    F,        F,      F),
    "co_supervisor":                 (F,   F,    F,        F,      F),
    "co_supervisor_any":             (F,   F,    F,        F,      F),
    "programme_coordinator":         (F,   F,    F,        F,      F),
    "faculty_coordinator":           (F,   F,    F,        F,      F),
    "sibling_programme_coordinator": (F,   F,    F,        F,      F),
    "other_faculty_coordinator":     (F,   F,    F,        F,      F),
    "admin":                         (F,   F,    F,        F,      F),
    "deactivated_admin":             (F,   F,    F,        F,      F),
}  # fmt: skip


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize(
    ("plan_index", "plan_status"), list(enumerate(PLAN_STATES)), ids=PLAN_STATE_IDS
)
@pytest.mark.parametrize("role", ROLES)
def test_can_edit_plan(role, plan_index, plan_status, enrolment_status):
    subject = enrolment(plan_status=plan_status, status=enrolment_status)
    # A completed or withdrawn enrolment's plan is closed to everyone.
    expected = EDIT_PLAN[role][plan_index] and enrolment_status == EnrolmentStatus.ACTIVE
    assert policy.can_edit_plan(USERS[role], subject) is expected


# --- Workflow actions on the plan (active enrolment) ---------------------------------------

#                                              none  draft submitted changes approved
ACT_ON_PLAN = {
    PlanAction.SUBMIT: {
        "owner":                                (F,   T,    F,        T,      F),
    },
    PlanAction.APPROVE: {
        "main_supervisor":                      (F,   F,    T,        F,      F),
        "co_supervisor_any":                    (F,   F,    T,        F,      F),
    },
    PlanAction.REQUEST_CHANGES: {
        "main_supervisor":                      (F,   F,    T,        F,      F),
        "co_supervisor_any":                    (F,   F,    T,        F,      F),
    },
    PlanAction.START_REVISION: {
        "owner":                                (F,   F,    F,        F,      T),
    },
    PlanAction.WITHDRAW: {
        "owner":                                (F,   F,    T,        F,      F),
    },
    # Only a plan with an approved version has a revision to discard (see below).
    PlanAction.DISCARD_REVISION: {},
}  # fmt: skip
NOBODY = (F, F, F, F, F)  # every role not named under an action
# A plan with an approved version in force: the same, and the candidate may discard a
# revision (a draft or a returned submission of it).
#                                              none  draft submitted changes approved
ACT_ON_REVISION = ACT_ON_PLAN | {
    PlanAction.DISCARD_REVISION: {
        "owner":                                (F,   T,    F,        T,      F),
    },
}  # fmt: skip


def act_cases():
    return [
        (role, any_sup, action, index, status, enrolment_status, approved)
        for (role, any_sup), action, (index, status), enrolment_status, approved in (
            itertools.product(
                role_cases(), PlanAction, enumerate(PLAN_STATES), EnrolmentStatus, (F, T)
            )
        )
    ]


@pytest.mark.parametrize(
    (
        "role",
        "any_supervisor",
        "action",
        "plan_index",
        "plan_status",
        "enrolment_status",
        "approved_version",
    ),
    act_cases(),
)
def test_can_act_on_plan(
    role, any_supervisor, action, plan_index, plan_status, enrolment_status, approved_version
):
    subject = enrolment(
        plan_status=plan_status, status=enrolment_status, approved_version=approved_version
    )
    matrix = ACT_ON_REVISION if approved_version else ACT_ON_PLAN
    expected = (
        matrix[action].get(role, NOBODY)[plan_index] and enrolment_status == EnrolmentStatus.ACTIVE
    )
    allowed = policy.can_act_on_plan(USERS[role], subject, action, any_supervisor=any_supervisor)
    assert allowed is expected


# --- Starting the plan, working on it, deciding on it --------------------------------------

#                                   none  draft submitted changes approved
START_PLAN = {
    "anonymous":                     (F,   F,    F,        F,      F),
    "owner":                         (T,   F,    F,        F,      F),
    "other_candidate":               (F,   F,    F,        F,      F),
    "main_supervisor":               (F,   F,    F,        F,      F),
    "co_supervisor":                 (F,   F,    F,        F,      F),
    "co_supervisor_any":             (F,   F,    F,        F,      F),
    "programme_coordinator":         (F,   F,    F,        F,      F),
    "faculty_coordinator":           (F,   F,    F,        F,      F),
    "sibling_programme_coordinator": (F,   F,    F,        F,      F),
    "other_faculty_coordinator":     (F,   F,    F,        F,      F),
    "admin":                         (F,   F,    F,        F,      F),
    "deactivated_admin":             (F,   F,    F,        F,      F),
}  # fmt: skip


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize(
    ("plan_index", "plan_status"), list(enumerate(PLAN_STATES)), ids=PLAN_STATE_IDS
)
@pytest.mark.parametrize("role", ROLES)
def test_can_start_plan(role, plan_index, plan_status, enrolment_status):
    subject = enrolment(plan_status=plan_status, status=enrolment_status)
    expected = START_PLAN[role][plan_index] and enrolment_status == EnrolmentStatus.ACTIVE
    assert policy.can_start_plan(USERS[role], subject) is expected


# Whose plan it is, who decides on it, who reads its versions: the same in every plan state
# and enrolment status (the workflow table decides the rest).
#                                work_on decide view_version
PLAN_PEOPLE = {
    "anonymous":                     (F,  F,  F),
    "owner":                         (T,  F,  T),
    "other_candidate":               (F,  F,  F),
    "main_supervisor":               (F,  T,  T),
    "co_supervisor":                 (F,  F,  T),
    "co_supervisor_any":             (F,  T,  T),
    "programme_coordinator":         (F,  F,  T),
    "faculty_coordinator":           (F,  F,  T),
    "sibling_programme_coordinator": (F,  F,  F),
    "other_faculty_coordinator":     (F,  F,  F),
    "admin":                         (F,  F,  T),
    "deactivated_admin":             (F,  F,  F),
}  # fmt: skip


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize("plan_status", list(PlanStatus))
@pytest.mark.parametrize(("role", "any_supervisor"), role_cases())
def test_plan_people(role, any_supervisor, plan_status, enrolment_status):
    user = USERS[role]
    subject = enrolment(plan_status=plan_status, status=enrolment_status)
    version = SimpleNamespace(plan=SimpleNamespace(enrolment=subject))
    actual = (
        policy.can_work_on_plan(user, subject),
        policy.can_decide_plan(user, subject, any_supervisor=any_supervisor),
        policy.can_view_plan_version(user, version),
    )
    assert actual == PLAN_PEOPLE[role]


# --- Stays: changing, removing, reporting as done, confirming ------------------------------

# situation -> (plan status, plan has an approved version, stay status,
#               reported by the candidate, stay is part of the approved version)
STAY_SITUATIONS = {
    "no_plan": (None, F, StayStatus.PLANNED, F, F),
    "draft": (PlanStatus.DRAFT, F, StayStatus.PLANNED, F, F),
    "submitted": (PlanStatus.SUBMITTED, F, StayStatus.PLANNED, F, F),
    "changes_requested": (PlanStatus.CHANGES_REQUESTED, F, StayStatus.PLANNED, F, F),
    "approved": (PlanStatus.APPROVED, T, StayStatus.PLANNED, F, T),
    "revision_new_stay": (PlanStatus.DRAFT, T, StayStatus.PLANNED, F, F),
    "revision_approved_stay": (PlanStatus.DRAFT, T, StayStatus.PLANNED, F, T),
    "reported": (PlanStatus.APPROVED, T, StayStatus.PLANNED, T, T),
    "reported_in_revision": (PlanStatus.DRAFT, T, StayStatus.PLANNED, T, T),
    "completed": (PlanStatus.APPROVED, T, StayStatus.COMPLETED, T, T),
    "cancelled": (PlanStatus.APPROVED, T, StayStatus.CANCELLED, F, T),
}
SITUATIONS = list(STAY_SITUATIONS)
NEVER = (F,) * len(SITUATIONS)
ALWAYS = (T,) * len(SITUATIONS)

# Columns, in the order of STAY_SITUATIONS:
#   none draft subm changes approved rev_new rev_appr reported rep_rev completed cancelled
STAY_RULES = {
    "edit_stay": {
        "owner": (T, T, F, T, F, T, T, F, F, F, F),
    },
    "remove_stay": {
        "owner": (T, T, F, T, F, T, F, F, F, F, F),
    },
    "work_on_stay": {
        "owner": ALWAYS,
    },
    "report_stay": {
        "owner": (F, F, F, F, T, F, T, F, F, F, F),
    },
    "confirm_stay": {
        "main_supervisor": (F, F, F, F, F, F, F, T, T, F, F),
        "co_supervisor_any": (F, F, F, F, F, F, F, T, T, F, F),
    },
    "decide_stay": {
        "main_supervisor": ALWAYS,
        "co_supervisor_any": ALWAYS,
    },
}  # every role not named under a rule: NEVER
# Changing or removing a stay goes through the plan, so it needs an active enrolment. Stays
# done before the end of the enrolment are still reported and confirmed afterwards: the
# completion-year figures count them.
NEEDS_ACTIVE_ENROLMENT = {"edit_stay", "remove_stay"}
SETTING_APPLIES = {"confirm_stay", "decide_stay"}


ENDED = date(2025, 6, 30)  # every stay of the matrix has ended (see the test after it)


def stay(situation, enrolment_status=EnrolmentStatus.ACTIVE):
    """Return a stay in one of the STAY_SITUATIONS."""
    plan_status, approved, status, reported, in_approved = STAY_SITUATIONS[situation]
    return SimpleNamespace(
        enrolment=enrolment(
            plan_status=plan_status, approved_version=approved, status=enrolment_status
        ),
        status=status,
        reported_at=datetime(2026, 1, 5, tzinfo=UTC) if reported else None,
        awaiting_confirmation=status == StayStatus.PLANNED and reported,
        in_approved_plan=in_approved,
        end_date=ENDED,
    )


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize(("index", "situation"), list(enumerate(SITUATIONS)), ids=SITUATIONS)
@pytest.mark.parametrize(("role", "any_supervisor"), role_cases())
@pytest.mark.parametrize("rule", list(STAY_RULES))
def test_stay_rules(rule, role, any_supervisor, index, situation, enrolment_status):
    subject = stay(situation, enrolment_status)
    kwargs = {"any_supervisor": any_supervisor} if rule in SETTING_APPLIES else {}
    expected = STAY_RULES[rule].get(role, NEVER)[index]
    if rule in NEEDS_ACTIVE_ENROLMENT and enrolment_status != EnrolmentStatus.ACTIVE:
        expected = False
    assert getattr(policy, f"can_{rule}")(USERS[role], subject, **kwargs) is expected


@pytest.mark.parametrize(("role", "any_supervisor"), role_cases())
@pytest.mark.parametrize("situation", SITUATIONS)
def test_a_stay_is_reported_from_its_end_date(situation, role, any_supervisor):
    subject = stay(situation)
    may = STAY_RULES["report_stay"].get(role, NEVER)[SITUATIONS.index(situation)]
    day_before = date.fromordinal(ENDED.toordinal() - 1)
    user = USERS[role]
    assert policy.can_report_stay(user, subject, today=day_before) is False
    assert policy.report_opens_on(user, subject, today=day_before) == (ENDED if may else None)
    assert policy.can_report_stay(user, subject, today=ENDED) is may
    assert policy.report_opens_on(user, subject, today=ENDED) is None


# --- Activities: marked done (or not) without a revision ------------------------------------

# situation -> (plan status, plan has an approved version); the owner may mark activities
# done on a plan with an approved version, whatever state a revision of it is in.
ACTIVITY_SITUATIONS = {
    "no_plan": (None, F),
    "draft": (PlanStatus.DRAFT, F),
    "submitted": (PlanStatus.SUBMITTED, F),
    "changes_requested": (PlanStatus.CHANGES_REQUESTED, F),
    "approved": (PlanStatus.APPROVED, T),
    "revision": (PlanStatus.DRAFT, T),
    "revision_submitted": (PlanStatus.SUBMITTED, T),
    "revision_returned": (PlanStatus.CHANGES_REQUESTED, T),
}
#                 none draft subm changes approved revision rev_subm rev_returned
MARK_ACTIVITY = {"owner": (F, F, F, F, T, T, T, T)}  # every other role: never


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize(
    ("index", "situation"), list(enumerate(ACTIVITY_SITUATIONS)), ids=list(ACTIVITY_SITUATIONS)
)
@pytest.mark.parametrize(("role", "any_supervisor"), role_cases())
def test_can_mark_activity(role, any_supervisor, index, situation, enrolment_status):
    plan_status, approved = ACTIVITY_SITUATIONS[situation]
    subject = SimpleNamespace(
        enrolment=enrolment(
            plan_status=plan_status, approved_version=approved, status=enrolment_status
        )
    )
    expected = MARK_ACTIVITY.get(role, (F,) * len(ACTIVITY_SITUATIONS))[index]
    # Like the plan's content, an activity changes only while the enrolment is active.
    expected = expected and enrolment_status == EnrolmentStatus.ACTIVE
    assert policy.can_mark_activity(USERS[role], subject) is expected


# --- Enrolment records, programmes, faculties, the institution -----------------------------

#                                manage  view programme     view faculty  institution stats admin
#                                enrol.  own  sibling for.  own  other
OVERSIGHT = {
    "anonymous":                     (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "owner":                         (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "other_candidate":               (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "main_supervisor":               (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "co_supervisor":                 (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "co_supervisor_any":             (F,  F,   F,   F,     F,   F,       F,     F,   F),
    "programme_coordinator":         (T,  T,   F,   F,     F,   F,       F,     T,   F),
    "faculty_coordinator":           (T,  T,   T,   F,     T,   F,       F,     T,   F),
    "sibling_programme_coordinator": (F,  F,   T,   F,     F,   F,       F,     T,   F),
    "other_faculty_coordinator":     (F,  F,   F,   T,     F,   T,       F,     T,   F),
    "admin":                         (T,  T,   T,   T,     T,   T,       T,     T,   T),
    "deactivated_admin":             (F,  F,   F,   F,     F,   F,       F,     F,   F),
}  # fmt: skip


@pytest.mark.parametrize("enrolment_status", list(EnrolmentStatus))
@pytest.mark.parametrize("role", ROLES)
def test_oversight(role, enrolment_status):
    user = USERS[role]
    subject = enrolment(plan_status=PlanStatus.APPROVED, status=enrolment_status)
    actual = (
        policy.can_manage_enrolment(user, subject),
        policy.can_view_programme(user, PROGRAMME),
        policy.can_view_programme(user, SIBLING_PROGRAMME),
        policy.can_view_programme(user, FOREIGN_PROGRAMME),
        policy.can_view_faculty(user, FACULTY),
        policy.can_view_faculty(user, OTHER_FACULTY),
        policy.can_view_institution(user),
        policy.can_view_statistics(user),
        policy.can_administer(user),
    )
    assert actual == OVERSIGHT[role]


# A report made in the background is its requester's alone, whatever the others' roles.
REPORT_REQUESTERS = ["programme_coordinator", "faculty_coordinator", "admin"]


@pytest.mark.parametrize("requester", REPORT_REQUESTERS)
@pytest.mark.parametrize("role", ROLES)
def test_download_report(role, requester):
    job = SimpleNamespace(requester_id=USERS[requester].id)
    assert policy.can_download_report(USERS[role], job) is (role == requester)


# Personal data: the person sees their own, administrators anyone's; only administrators
# erase (never themselves) and read the audit log.
#                                  export   export   erase    erase    read
#                                  own      owner's  owner's  self     audit log
PERSONAL_DATA = {
    "anonymous":                     (F,       F,       F,       F,       F),
    "owner":                         (T,       T,       F,       F,       F),
    "other_candidate":               (T,       F,       F,       F,       F),
    "main_supervisor":               (T,       F,       F,       F,       F),
    "co_supervisor":                 (T,       F,       F,       F,       F),
    "co_supervisor_any":             (T,       F,       F,       F,       F),
    "programme_coordinator":         (T,       F,       F,       F,       F),
    "faculty_coordinator":           (T,       F,       F,       F,       F),
    "sibling_programme_coordinator": (T,       F,       F,       F,       F),
    "other_faculty_coordinator":     (T,       F,       F,       F,       F),
    "admin":                         (T,       T,       T,       F,       T),
    "deactivated_admin":             (F,       F,       F,       F,       F),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_personal_data(role):
    user, owner = USERS[role], USERS["owner"]
    actual = (
        policy.can_export_personal_data(user, user),
        policy.can_export_personal_data(user, owner),
        policy.can_erase_person(user, owner),
        policy.can_erase_person(user, user),
        policy.can_read_audit_log(user),
    )
    assert actual == PERSONAL_DATA[role]


def test_every_rule_of_the_policy_is_in_this_matrix():
    rules = {
        name
        for name, func in inspect.getmembers(policy, inspect.isfunction)
        if name.startswith("can_") and func.__module__ == policy.__name__
    }
    tested = {
        "can_view_enrolment",
        "can_edit_plan",
        "can_act_on_plan",
        "can_start_plan",
        "can_work_on_plan",
        "can_decide_plan",
        "can_view_plan_version",
        *(f"can_{rule}" for rule in STAY_RULES),
        "can_mark_activity",
        "can_manage_enrolment",
        "can_view_programme",
        "can_view_faculty",
        "can_view_institution",
        "can_view_statistics",
        "can_administer",
        "can_download_report",
        "can_export_personal_data",
        "can_erase_person",
        "can_read_audit_log",
    }
    assert rules == tested, "a new can_* rule needs its row in the matrix"
