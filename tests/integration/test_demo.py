"""``flask seed-demo``: a believable institution, plans in every state, loaded once."""

from collections import Counter
from datetime import date

from sqlalchemy.orm import selectinload

from tests.conftest import truncate_all
from tracker import demo
from tracker.domain.snapshot import snapshot_digest
from tracker.domain.vocabulary import (
    EnrolmentKind,
    EnrolmentStatus,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import Activity, Enrolment, Faculty, Plan, Programme, Stay, User


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def plans_of(supervisor: User) -> list[Plan]:
    return list(
        db.session.scalars(
            db.select(Plan)
            .join(Enrolment, Enrolment.id == Plan.enrolment_id)
            .where(Enrolment.main_supervisor_id == supervisor.id)
        )
    )


def test_seed_demo_prints_the_logins(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Demo data loaded.\n")
    assert f"password for every demo user: {demo.DEMO_PASSWORD}" in result.stdout
    for login in demo.LOGINS:
        assert login.email in result.stdout and login.role in result.stdout
    assert len(demo.DEMO_PASSWORD) >= 12


def test_seed_demo_twice_does_not_duplicate(app, runner):
    runner.invoke(args=["seed-demo"])
    before = [count(m) for m in (User, Enrolment, Plan, Stay, Activity, Programme)]
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Demo data already present.\n")
    assert demo.ADMIN.email in result.stdout
    assert [count(m) for m in (User, Enrolment, Plan, Stay, Activity, Programme)] == before


def test_if_empty_loads_nothing_into_a_database_with_users(app, runner, make_user):
    make_user("someone@example.org")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "demo data not loaded" in result.stdout
    assert count(User) == 1 and count(Enrolment) == 0


def test_if_empty_loads_into_an_empty_database(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "Demo data loaded." in result.stdout
    assert count(Faculty) == 3 and count(Programme) == 8


def test_the_institution_is_believable(app):
    assert demo.seed_demo() == demo.LOADED
    db.session.commit()
    assert {f.code for f in db.session.scalars(db.select(Faculty))} == {"IE", "NV", "HF"}
    assert count(Programme) == 8
    assert 250 <= count(Enrolment) <= 400

    enrolments = db.session.scalars(db.select(Enrolment)).all()
    kinds = Counter((e.kind, e.status) for e in enrolments)
    for kind in EnrolmentKind:
        for status in EnrolmentStatus:
            assert kinds[(kind, status)] > 0, (kind, status)
    assert all(e.end_date for e in enrolments if e.status != EnrolmentStatus.ACTIVE)
    oldest = min(e.start_date for e in enrolments)
    assert (date.today() - oldest).days < 8 * 366
    postdocs = [e for e in enrolments if e.kind == EnrolmentKind.POSTDOC]
    assert {e.international_experience for e in postdocs} == {True, False}

    stays = db.session.scalars(db.select(Stay)).all()
    assert {s.status for s in stays} == set(StayStatus)
    assert len({s.country for s in stays}) >= 15
    assert any(s.country == "NO" for s in stays)
    assert any((s.end_date - s.start_date).days + 1 < 28 for s in stays)
    for stay in stays:
        if stay.status == StayStatus.COMPLETED:
            assert stay.confirmed_at and stay.confirmed_by_id
            assert stay.end_date <= date.today()
    assert count(Activity) > 0

    # One shared hash: every demo user logs in with the published password.
    hashes = set(db.session.scalars(db.select(User.password_hash)))
    assert len(hashes) == 1
    assert user(demo.ADMIN.email).check_password(demo.DEMO_PASSWORD)


def test_plans_in_every_state_with_a_consistent_history(app):
    demo.seed_demo()
    db.session.commit()  # read back what the database holds
    plans = db.session.scalars(
        db.select(Plan).options(selectinload(Plan.versions), selectinload(Plan.enrolment))
    ).all()
    assert set(Counter(p.status for p in plans)) == set(PlanStatus)
    for plan in plans:
        versions = plan.versions
        events = [v.event for v in versions]
        supervisor_id = plan.enrolment.main_supervisor_id
        for version in versions:
            assert version.snapshot_sha256 == snapshot_digest(version.snapshot)
            actor = plan.enrolment.person_id if version.event == PlanEvent.SUBMITTED else None
            assert version.actor_id == (actor or supervisor_id)
        if plan.status == PlanStatus.DRAFT:
            assert events == [] and plan.approved_version_id is None
        elif plan.status == PlanStatus.SUBMITTED:
            assert events == [PlanEvent.SUBMITTED] and plan.submitted_at is not None
        elif plan.status == PlanStatus.CHANGES_REQUESTED:
            assert events == [PlanEvent.SUBMITTED, PlanEvent.CHANGES_REQUESTED]
            assert versions[-1].comment
        else:
            assert events[-2:] == [PlanEvent.SUBMITTED, PlanEvent.APPROVED]
            assert events[:-2] in ([], [PlanEvent.SUBMITTED, PlanEvent.CHANGES_REQUESTED])
            assert plan.approved_version_id == versions[-1].id
            # A decision records the submission it decided.
            assert versions[-1].number == versions[-2].number
            assert versions[-1].snapshot == versions[-2].snapshot
            approved = {row["id"] for row in versions[-1].snapshot["stays"]}
            assert approved == {str(s.id) for s in plan.enrolment.stays}
            assert all(s.in_approved_plan for s in plan.enrolment.stays)
        for earlier, later in zip(versions, versions[1:], strict=False):
            assert earlier.created_at <= later.created_at


def test_the_demo_logins_show_what_they_promise(app, login):
    demo.seed_demo()
    db.session.commit()
    admin = user(demo.ADMIN.email)
    assert admin.is_admin

    [scope] = user(demo.FACULTY_COORDINATOR.email).coordinator_scopes
    assert scope.faculty.code == "IE"
    [scope] = user(demo.PROGRAMME_COORDINATOR.email).coordinator_scopes
    assert scope.programme.code == "PHD-HIST"

    supervisor = user(demo.SUPERVISOR.email)
    waiting = [p for p in plans_of(supervisor) if p.status == PlanStatus.SUBMITTED]
    assert len(waiting) >= 2
    reported = [
        s for p in plans_of(supervisor) for s in p.enrolment.stays if s.awaiting_confirmation
    ]
    assert reported and all(s.reported_start_date and s.reported_end_date for s in reported)

    [draft] = user(demo.DRAFT_CANDIDATE.email).enrolments
    assert draft.plan.status == PlanStatus.DRAFT
    [approved] = user(demo.APPROVED_CANDIDATE.email).enrolments
    assert approved.plan.status == PlanStatus.APPROVED
    planned = [s for s in approved.stays if s.status == StayStatus.PLANNED]
    assert planned and planned[0].in_approved_plan and planned[0].start_date > date.today()

    login(supervisor, demo.DEMO_PASSWORD)  # asserts the log-in form redirects onward


def test_the_demo_is_the_same_every_time(app):
    today = date(2026, 3, 1)
    demo.seed_demo(today=today)
    first = db.session.execute(
        db.select(User.email, Enrolment.start_date, Enrolment.status)
        .join(Enrolment, Enrolment.person_id == User.id)
        .order_by(User.email, Enrolment.start_date)
    ).all()
    truncate_all()
    demo.seed_demo(today=today)
    second = db.session.execute(
        db.select(User.email, Enrolment.start_date, Enrolment.status)
        .join(Enrolment, Enrolment.person_id == User.id)
        .order_by(User.email, Enrolment.start_date)
    ).all()
    assert first == second
