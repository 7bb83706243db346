"""A hand-made data set that hits every boundary of DESIGN §4, with its figures worked out by hand.

Used by the statistics tests (rules, as-of, CLI/API/dashboard agreement). The
expected document below was computed on paper from the people listed here, not
by running the code; the comment on each person says what they test.
"""

from datetime import UTC, date, datetime
from typing import Any

from tracker.domain.plan_history import start_of_day
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import Activity, Enrolment, Faculty, Plan, PlanVersion, Programme, Stay, User
from tracker.services.plans import record_stay_approval

PHD, POSTDOC, STAFF = EnrolmentKind.PHD, EnrolmentKind.POSTDOC, EnrolmentKind.STAFF
ACTIVE, COMPLETED, WITHDRAWN = (
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.WITHDRAWN,
)
DONE, PLANNED, CANCELLED = StayStatus.COMPLETED, StayStatus.PLANNED, StayStatus.CANCELLED

AS_OF = date(2026, 6, 30)
# Builder.person(..., **APPROVED_PLAN): a plan approved from the enrolment's start.
APPROVED_PLAN = {"plan": PlanStatus.APPROVED, "approved": True}


def add_version(plan: Plan, number: int, event: PlanEvent, moment: datetime) -> PlanVersion:
    """Record one entry of the plan's history, taking effect at ``moment``."""
    version = PlanVersion(
        plan=plan,
        number=number,
        event=event,
        created_at=moment,
        effective_at=moment,
        snapshot={},
        snapshot_sha256="0" * 64,
    )
    db.session.add(version)
    return version


def add_plan(
    enrolment: Enrolment,
    status: PlanStatus,
    *,
    approved: bool = False,
    submitted_at: datetime | None = None,
) -> Plan:
    """Give the enrolment a plan in ``status`` with the history that leads there.

    The history takes effect at the enrolment's start, as a plan moved in by the import
    does, so the plan stands as it does now on every date the enrolment counts;
    ``submitted_at`` dates the latest submission. ``approved`` records an approved version
    first (a plan not in ``approved`` status is then under revision).
    """
    plan = Plan(enrolment=enrolment, status=status, submitted_at=submitted_at)
    db.session.add(plan)
    db.session.flush()
    moment = start_of_day(enrolment.start_date)
    number = 0
    if approved:
        number = 1
        add_version(plan, number, PlanEvent.SUBMITTED, moment)
        plan.approved_version = add_version(plan, number, PlanEvent.APPROVED, moment)
        if status != PlanStatus.APPROVED:
            add_version(plan, number, PlanEvent.REVISION_STARTED, moment)
    if status in (PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED):
        number += 1
        add_version(plan, number, PlanEvent.SUBMITTED, submitted_at or moment)
        if status == PlanStatus.CHANGES_REQUESTED:
            add_version(plan, number, PlanEvent.CHANGES_REQUESTED, submitted_at or moment)
    db.session.flush()
    return plan


class Builder:
    """Creates people, enrolments, plans and stays with few keystrokes."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.enrolments: dict[str, Enrolment] = {}

    def person(
        self,
        key: str,
        kind: EnrolmentKind,
        start: date,
        *,
        status: EnrolmentStatus = ACTIVE,
        end: date | None = None,
        expected_end: date | None = None,
        experience: bool = False,
        plan: PlanStatus | None = None,
        approved: bool = False,
        programme: Programme | None = None,
        submitted_at: datetime | None = None,
    ) -> Enrolment:
        user = User(email=f"{key.lower()}@example.org", name=f"Person {key}")
        enrolment = Enrolment(
            person=user,
            programme=programme or self.programme,
            kind=kind,
            start_date=start,
            expected_end_date=expected_end,
            end_date=end,
            status=status,
            international_experience=experience,
        )
        db.session.add_all([user, enrolment])
        db.session.flush()
        if plan is not None:
            add_plan(enrolment, plan, approved=approved, submitted_at=submitted_at)
        self.enrolments[key] = enrolment
        return enrolment

    def stay(
        self,
        key: str,
        start: date,
        end: date,
        status: StayStatus,
        *,
        country: str = "DE",
        in_approved_plan: bool = False,
        host: str | None = None,
        funding: Funding = Funding.NONE,
    ) -> Stay:
        stay = Stay(
            enrolment=self.enrolments[key],
            host_institution=host or f"Host {len(self.enrolments[key].stays) + 1}",
            country=country,
            start_date=start,
            end_date=end,
            status=status,
            funding=funding,
        )
        stay.mark_approved(in_approved_plan)
        db.session.add(stay)
        plan = self.enrolments[key].plan
        if plan is not None and plan.approved_version is not None:
            # Approved with the version in force (a stay marked approved in a plan that
            # never was is data no workflow makes: it counts for nothing).
            record_stay_approval(stay, plan.approved_version)
        return stay

    def activity(
        self,
        key: str,
        kind: ActivityType,
        done_on: date | None = None,
        *,
        approved_as: ActivityType | None = None,
    ) -> Activity:
        """Add an activity: done on ``done_on`` if given, in the approved version if approved_as."""
        activity = Activity(
            enrolment=self.enrolments[key],
            type=kind,
            title=f"{kind.value} of {key}",
            status=ActivityStatus.DONE if done_on else ActivityStatus.PLANNED,
            done_on=done_on,
            approved_type=approved_as,
        )
        db.session.add(activity)
        return activity


def programme(code: str = "PHD-CS", faculty_code: str = "IE") -> Programme:
    """Return the programme with this code, creating it (and its faculty) if needed."""
    found = db.session.scalar(db.select(Programme).where(Programme.code == code))
    if found:
        return found
    faculty = db.session.scalar(db.select(Faculty).where(Faculty.code == faculty_code))
    if faculty is None:
        faculty = Faculty(code=faculty_code, name=f"Faculty {faculty_code}")
    made = Programme(code=code, name=f"Programme {code}", faculty=faculty)
    db.session.add(made)
    db.session.flush()
    return made


def _at(year: int, month: int, day: int) -> datetime:
    """Return 10:00 UTC on the day: a moment something was done in the tracker."""
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def build(target: Programme | None = None) -> Builder:
    """Create the whole data set in one programme and commit."""
    b = Builder(target or programme())
    Y = date  # noqa: N806 - short dates keep the table readable

    # PhD, completed 2024 and admitted 2020: achieved with a 91-day stay in the US.
    b.person(
        "D1",
        PHD,
        Y(2020, 9, 1),
        status=COMPLETED,
        end=Y(2024, 6, 15),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("D1", Y(2022, 1, 10), Y(2022, 4, 10), DONE, country="US", host="MIT",
           funding=Funding.OVERSEAS_RESEARCH_GRANT)  # fmt: skip

    # PhD cohort 2021, all but C7 completed in 2025.
    b.person(
        "C1",
        PHD,
        Y(2021, 8, 15),
        status=COMPLETED,
        end=Y(2025, 5, 20),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("C1", Y(2024, 3, 1), Y(2024, 3, 28), DONE,  # exactly 28 days: counts
           host="TU München", funding=Funding.ERASMUS_PLUS)  # fmt: skip
    b.person(
        "C2",
        PHD,
        Y(2021, 8, 15),
        status=COMPLETED,
        end=Y(2025, 6, 10),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("C2", Y(2024, 3, 1), Y(2024, 3, 27), DONE)  # 27 days: does not count
    b.person("C3", PHD, Y(2021, 8, 15), status=COMPLETED, end=Y(2025, 9, 1))
    b.stay("C3", Y(2024, 2, 15), Y(2024, 3, 13), DONE, country="FR",  # 28 days over 29 Feb
           host="Sorbonne Université", funding=Funding.HOST)  # fmt: skip
    b.person("C3b", PHD, Y(2021, 8, 15), status=COMPLETED, end=Y(2025, 9, 2))
    b.stay("C3b", Y(2023, 2, 15), Y(2023, 3, 13), DONE, country="FR")  # same dates, 27 days
    b.person(
        "C4",
        PHD,
        Y(2021, 8, 15),
        status=COMPLETED,
        end=Y(2025, 10, 1),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("C4", Y(2023, 5, 1), Y(2023, 5, 14), DONE, country="SE")  # 14 + 14 days:
    b.stay("C4", Y(2023, 6, 1), Y(2023, 6, 14), DONE, country="SE")  # never added up
    b.person("C5", PHD, Y(2021, 8, 15), status=COMPLETED, end=Y(2025, 11, 1))
    b.stay("C5", Y(2023, 1, 1), Y(2023, 3, 31), DONE, country="NO")  # home country
    b.person(
        "C6",
        PHD,
        Y(2021, 8, 15),
        status=COMPLETED,
        end=Y(2025, 12, 31),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("C6", Y(2023, 1, 1), Y(2023, 3, 1), CANCELLED)  # cancelled
    b.stay("C6", Y(2025, 1, 1), Y(2025, 3, 1), PLANNED, in_approved_plan=True)  # never done
    # Completed after the as-of date: active on it, so in the cohort, not in 2026's outcome.
    b.person(
        "C7",
        PHD,
        Y(2021, 8, 15),
        status=COMPLETED,
        end=Y(2026, 8, 1),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("C7", Y(2025, 1, 1), Y(2025, 3, 31), DONE, host="TU München",
           funding=Funding.OVERSEAS_RESEARCH_GRANT)  # fmt: skip
    # Withdrawn (with a qualifying stay): out of every population.
    b.person("W1", PHD, Y(2021, 8, 15), status=WITHDRAWN, end=Y(2023, 1, 31))
    b.stay("W1", Y(2022, 1, 1), Y(2022, 3, 1), DONE, host="TU München",
           funding=Funding.ERASMUS_PLUS)  # fmt: skip

    # PhD cohort 2025, active.
    b.person("A1", PHD, Y(2025, 1, 10))  # no plan: overdue
    b.person("A2", PHD, Y(2025, 1, 10), status=WITHDRAWN, end=Y(2025, 6, 1))  # withdrawn
    b.person("A3", PHD, Y(2025, 2, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("A3", Y(2026, 9, 1), Y(2026, 9, 28), PLANNED, in_approved_plan=True,  # projected
           funding=Funding.ERASMUS_PLUS)  # fmt: skip
    b.person("A4", PHD, Y(2025, 2, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("A4", Y(2026, 9, 1), Y(2026, 9, 27), PLANNED, in_approved_plan=True)  # 27: not
    b.person("A5", PHD, Y(2025, 2, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("A5", Y(2026, 9, 1), Y(2026, 11, 30), PLANNED, country="NO", in_approved_plan=True)
    b.person("A6", PHD, Y(2025, 2, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("A6", Y(2026, 9, 1), Y(2026, 10, 30), PLANNED)  # not in the approved version
    # Submitted ten days before the as-of date: waiting, not overdue, not waiting too long.
    b.person("A7", PHD, Y(2025, 2, 1), plan=PlanStatus.SUBMITTED, submitted_at=_at(2026, 6, 20))
    b.stay("A7", Y(2026, 9, 1), Y(2026, 10, 30), PLANNED)
    b.person("A8", PHD, Y(2025, 2, 1), plan=PlanStatus.CHANGES_REQUESTED)  # overdue
    # Revising an approved plan: still approved, projected, not overdue.
    b.person("A9", PHD, Y(2025, 2, 1), plan=PlanStatus.DRAFT, approved=True)
    b.stay("A9", Y(2026, 9, 1), Y(2026, 9, 28), PLANNED, in_approved_plan=True)
    # Completed stay that ends after the as-of date: not achieved yet, but projected.
    b.person("A10", PHD, Y(2025, 3, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("A10", Y(2026, 6, 10), Y(2026, 7, 15), DONE, in_approved_plan=True)
    # A planned stay without an approved plan is not projected; the draft is overdue.
    b.person("A11", PHD, Y(2025, 3, 1), plan=PlanStatus.DRAFT)
    b.stay("A11", Y(2026, 9, 1), Y(2026, 10, 30), PLANNED, in_approved_plan=True)
    # Achieved without any plan: achieved and projected, and still overdue.
    b.person("A12", PHD, Y(2025, 3, 1))
    b.stay("A12", Y(2025, 9, 1), Y(2025, 10, 31), DONE, host="Max Planck Institute")

    # PhD cohort 2026: the overdue boundary (as of 30 June; due 30 days after the start).
    b.person("B1", PHD, Y(2026, 5, 31))  # day 30: not overdue yet
    b.person("B2", PHD, Y(2026, 5, 30))  # day 31: overdue
    # Submitted: not overdue.
    b.person("B3", PHD, Y(2026, 5, 30), plan=PlanStatus.SUBMITTED, submitted_at=_at(2026, 6, 25))
    b.person("B4", PHD, Y(2026, 5, 30), plan=PlanStatus.CHANGES_REQUESTED)  # overdue
    b.person("B5", PHD, Y(2026, 7, 1))  # starts after the as-of date: in no population

    # Postdocs.
    b.person(
        "P1",
        POSTDOC,
        Y(2023, 1, 1),
        status=COMPLETED,
        end=Y(2025, 12, 31),
        plan=PlanStatus.APPROVED,
        approved=True,
    )
    b.stay("P1", Y(2024, 1, 1), Y(2024, 2, 15), DONE, host="tu  münchen")  # one host
    b.person(
        "P2", POSTDOC, Y(2023, 1, 1), status=COMPLETED, end=Y(2025, 6, 30), experience=True
    )  # international experience: outside the population
    b.stay("P2", Y(2024, 1, 1), Y(2024, 2, 15), DONE, host="Max Planck Institute",
           funding=Funding.INSTITUTION)  # fmt: skip
    b.person("P3", POSTDOC, Y(2025, 1, 1))  # no plan: overdue
    b.person("P4", POSTDOC, Y(2025, 1, 1), experience=True)  # outside the population
    # Ten postdocs started in 2024, one achieved: 30 % of 10 is exactly 3, so 2 more needed.
    for i in range(1, 11):
        b.person(f"Q{i}", POSTDOC, Y(2024, 8, 1), plan=PlanStatus.APPROVED, approved=True)
    b.stay("Q1", Y(2025, 1, 1), Y(2025, 2, 28), DONE, country="JP",
           host="University of Tokyo", funding=Funding.OWN_PROJECT)  # fmt: skip

    # Activities (DESIGN §4): done on a day, or planned as the approved version has them.
    CONF, PUB, COLLAB, COURSE, COSUP, OTHER = (  # noqa: N806
        ActivityType.CONFERENCE,
        ActivityType.PUBLICATION,
        ActivityType.COLLABORATION,
        ActivityType.COURSE,
        ActivityType.CO_SUPERVISION,
        ActivityType.OTHER,
    )
    b.activity("D1", CONF, Y(2022, 5, 1), approved_as=CONF)
    b.activity("C1", PUB, Y(2024, 1, 10), approved_as=PUB)
    b.activity("C2", CONF, approved_as=CONF)  # planned in the approved version
    b.activity("C3", COLLAB)  # planned, but in no approved version: nothing
    b.activity("C4", CONF, AS_OF)  # done on the as-of date itself, never approved: done
    b.activity("C2", PUB, Y(2026, 7, 1), approved_as=PUB)  # done the day after: planned then
    # In an approved version of a plan that was never approved (data no workflow makes): nothing.
    b.activity("C5", PUB, Y(2026, 7, 1), approved_as=PUB)
    b.activity("C6", PUB, Y(2026, 7, 1))  # done the day after, not approved: nothing then
    b.activity("C7", COURSE, approved_as=CONF)  # retyped in a revision: planned as approved
    b.activity("W1", CONF, Y(2022, 6, 1), approved_as=CONF)  # withdrawn: in no population
    b.activity("A3", CONF, Y(2025, 11, 1), approved_as=CONF)
    b.activity("A3", CONF, approved_as=CONF)  # two conferences: one person
    b.activity("A9", COSUP, approved_as=COSUP)
    b.activity("A9", OTHER)  # added in the revision: not yet
    b.activity("A12", OTHER, Y(2025, 12, 1))
    b.activity("P1", COLLAB, Y(2024, 3, 1), approved_as=COLLAB)
    b.activity("P2", CONF, Y(2024, 3, 1))  # international experience: in no population
    b.activity("Q1", PUB, approved_as=PUB)
    b.activity("Q2", CONF, Y(2025, 5, 5))

    db.session.commit()
    return b


def build_staff(target: Programme | None = None) -> Builder:
    """Create the new permanent staff of the data set (their own programme's) and commit.

    As of 30 June 2026 the latest appointment counted is 30 June 2023.
    """
    b = Builder(target or programme("STAFF-IE", "IE"))
    Y = date  # noqa: N806 - short dates keep the table readable
    approved = APPROVED_PLAN

    # Appointed 30 June 2023: three years up on the as-of date; the deadline was 29 June.
    b.person("S1", STAFF, Y(2023, 6, 30), **approved)
    b.stay("S1", Y(2026, 5, 1), Y(2026, 6, 29), DONE)  # ends on the deadline: counts
    b.person("S2", STAFF, Y(2023, 6, 30), plan=PlanStatus.SUBMITTED)  # waiting: not overdue
    b.stay("S2", Y(2026, 5, 2), Y(2026, 6, 30), DONE)  # a day later: does not
    b.person("S3", STAFF, Y(2023, 7, 1))  # three years up tomorrow: in no population yet
    # Appointed on 29 February: the anniversary is 1 March, the deadline 28 February.
    b.person("S4", STAFF, Y(2020, 2, 29), **approved)
    b.stay("S4", Y(2023, 1, 1), Y(2023, 2, 28), DONE)  # counts
    b.person("S5", STAFF, Y(2020, 2, 29))  # no plan: overdue
    b.stay("S5", Y(2023, 1, 2), Y(2023, 3, 1), DONE)  # on the anniversary: too late
    # Appointed 1 March 2021: the deadline is 29 February 2024.
    b.person("S6", STAFF, Y(2021, 3, 1), **approved)
    b.stay("S6", Y(2024, 1, 1), Y(2024, 2, 29), DONE)  # counts
    b.person("S7", STAFF, Y(2022, 1, 10), experience=True)  # outside the population
    # Left before the deadline (9 January 2025): out; withdrawn after it: in.
    b.person("S8", STAFF, Y(2022, 1, 10), status=COMPLETED, end=Y(2024, 6, 30))
    b.person("S9", STAFF, Y(2022, 1, 10), status=WITHDRAWN, end=Y(2025, 3, 1))
    b.person("S10", STAFF, Y(2022, 1, 10), status=WITHDRAWN)  # on a day unknown: out
    # An approved stay not yet reported, ending by the deadline (14 January 2026): projected.
    b.person("S11", STAFF, Y(2023, 1, 15), **approved)
    b.stay("S11", Y(2025, 9, 1), Y(2025, 11, 30), PLANNED, in_approved_plan=True)
    # One ending after the deadline would be too late: not projected.
    b.person("S12", STAFF, Y(2023, 1, 15), **approved)
    b.stay("S12", Y(2026, 1, 1), Y(2026, 3, 31), PLANNED, in_approved_plan=True)
    b.person("S13", STAFF, Y(2023, 3, 1))  # no plan: overdue

    db.session.commit()
    return b


def group(
    year: int,
    n: int,
    achieved: int,
    projected: int,
    approved: int,
    overdue: int,
    rate: float,
    projected_rate: float,
    target: int,
    needed: int,
) -> dict[str, Any]:
    """Return one expected group of the document."""
    return {
        "year": year,
        "n": n,
        "achieved": achieved,
        "projected": projected,
        "approved_plans": approved,
        "overdue_plans": overdue,
        "rate": rate,
        "projected_rate": projected_rate,
        "target_percent": target,
        "needed": needed,
    }


# Worked out by hand from the people above, as of 2026-06-30.
EXPECTED_PHD_COMPLETION = [
    group(2024, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),  # D1
    # C1 C2 C3 C3b C4 C5 C6: achieved C1, C3; approved C1 C2 C4 C6; ⌈2.8⌉ − 2 = 1
    group(2025, 7, 2, 2, 4, 0, 0.2857, 0.2857, 40, 1),
]
EXPECTED_PHD_ADMISSION = [
    group(2020, 1, 1, 1, 1, 0, 1.0, 1.0, 40, 0),  # D1
    # C1–C7 with C3b (W1 withdrawn): achieved C1 C3 C7; approved C1 C2 C4 C6 C7; ⌈3.2⌉ − 3 = 1
    group(2021, 8, 3, 3, 5, 0, 0.375, 0.375, 40, 1),
    # A1 A3–A12 (A2 withdrawn): achieved A12; projected A3 A9 A10 A12;
    # approved A3 A4 A5 A6 A9 A10; overdue A1 A8 A11 A12; ⌈4.4⌉ − 1 = 4
    group(2025, 11, 1, 4, 6, 4, 0.0909, 0.3636, 40, 4),
    # B1–B4 (B5 not started): overdue B2 B4; ⌈1.6⌉ = 2
    group(2026, 4, 0, 0, 0, 2, 0.0, 0.0, 40, 2),
]
EXPECTED_POSTDOC_END = [
    group(2025, 1, 1, 1, 1, 0, 1.0, 1.0, 30, 0),  # P1 (P2 has international experience)
]
# Worked out by hand from build_staff(), as of 2026-06-30; the target is 100 %.
EXPECTED_STAFF_DEADLINE = [
    group(2023, 2, 1, 1, 1, 1, 0.5, 0.5, 100, 1),  # S4 achieved and approved; S5 overdue
    group(2024, 1, 1, 1, 1, 0, 1.0, 1.0, 100, 0),  # S6
    group(2025, 1, 0, 0, 0, 0, 0.0, 0.0, 100, 1),  # S9 (S7 experience, S8 and S10 left)
    # S1 S2 S11 S12 S13: achieved S1; projected S1 S11; approved S1 S11 S12; overdue S13
    group(2026, 5, 1, 2, 3, 1, 0.2, 0.4, 100, 4),
]
EXPECTED_STAFF_START = [
    {**row, "year": row["year"] - 3} for row in EXPECTED_STAFF_DEADLINE
]
EXPECTED_POSTDOC_START = [
    group(2023, 1, 1, 1, 1, 0, 1.0, 1.0, 30, 0),  # P1
    group(2024, 10, 1, 1, 10, 0, 0.1, 0.1, 30, 2),  # Q1–Q10: ⌈3⌉ − 1 = 2 (float gives 3)
    group(2025, 1, 0, 0, 0, 1, 0.0, 0.0, 30, 1),  # P3 (P4 has international experience)
]


def measure(pod: int, done: int, n: int, pod_rate: float, done_rate: float) -> dict[str, Any]:
    """Return one expected measure of an activity group."""
    return {
        "planned_or_done": pod,
        "done": done,
        "planned_or_done_rate": pod_rate,
        "done_rate": done_rate,
    }


def activity_group(
    year: int,
    n: int,
    any_: dict[str, Any],
    target: int | None,
    needed: int | None,
    **by_type: dict[str, Any],
) -> dict[str, Any]:
    """Return one expected group of ``activities``; types not named have nobody."""
    nobody = measure(0, 0, n, 0.0, 0.0)
    types = ("conference", "publication", "collaboration", "course", "co_supervision", "other")
    return {
        "year": year,
        "n": n,
        "any": any_,
        "by_type": {t: by_type.get(t, nobody) for t in types},
        "target_percent": target,
        "needed": needed,
    }


EXPECTED_ACTIVITIES = {
    "phd": {
        "by_admission_year": [
            # D1: a conference done.
            activity_group(2020, 1, measure(1, 1, 1, 1.0, 1.0), 100, 0,
                           conference=measure(1, 1, 1, 1.0, 1.0)),
            # C1–C7 with C3b: done C1 (publication), C4 (conference on the day); planned
            # C2 (conference, and a publication done the day after), C7 (course approved as
            # a conference); C3 unapproved, C5 approved in a plan never approved, C6 done
            # later and unapproved: 4 of 8, 2 done.
            activity_group(2021, 8, measure(4, 2, 8, 0.5, 0.25), 100, 6,
                           conference=measure(3, 1, 8, 0.375, 0.125),
                           publication=measure(2, 1, 8, 0.25, 0.125)),
            # A3 (done and planned conferences), A9 (co-supervision planned; "other" not
            # approved yet), A12 ("other" done): 3 of 11, 2 done; 11 − 2 = 9 needed.
            activity_group(2025, 11, measure(3, 2, 11, 0.2727, 0.1818), 100, 9,
                           conference=measure(1, 1, 11, 0.0909, 0.0909),
                           co_supervision=measure(1, 0, 11, 0.0909, 0.0),
                           other=measure(1, 1, 11, 0.0909, 0.0909)),
            activity_group(2026, 4, measure(0, 0, 4, 0.0, 0.0), 100, 4),  # B1–B4
        ]
    },
    "postdoc": {
        "by_start_year": [
            activity_group(2023, 1, measure(1, 1, 1, 1.0, 1.0), None, None,  # P1
                           collaboration=measure(1, 1, 1, 1.0, 1.0)),
            # Q1 publication planned, Q2 conference done.
            activity_group(2024, 10, measure(2, 1, 10, 0.2, 0.1), None, None,
                           conference=measure(1, 1, 10, 0.1, 0.1),
                           publication=measure(1, 0, 10, 0.1, 0.0)),
            activity_group(2025, 1, measure(0, 0, 1, 0.0, 0.0), None, None),  # P3
        ]
    },
}  # fmt: skip


def funding_year(year: int, stays: int, **sources: tuple[int, float]) -> dict[str, Any]:
    """Return one expected year of ``funding``; sources not named have no stays."""
    names = ("overseas_research_grant", "erasmus_plus", "institution", "host", "own_project",
             "other", "none")  # fmt: skip
    return {
        "year": year,
        "stays": stays,
        "by_source": {
            name: dict(zip(("stays", "share"), sources.get(name, (0, 0.0)), strict=True))
            for name in names
        },
    }


# Qualifying stays of everyone in scope, whatever their population: D1 and W1 (withdrawn)
# in 2022; C1, C3, P1 and P2 (international experience) in 2024; C7, A12, Q1 in 2025.
EXPECTED_FUNDING = {
    "by_completion_year": [
        funding_year(2022, 2, overseas_research_grant=(1, 0.5), erasmus_plus=(1, 0.5)),
        funding_year(2024, 4, erasmus_plus=(1, 0.25), host=(1, 0.25), none=(1, 0.25),
                     institution=(1, 0.25)),
        funding_year(2025, 3, overseas_research_grant=(1, 0.3333), none=(1, 0.3333),
                     own_project=(1, 0.3333)),
    ],
    # Ahead: A3 (Erasmus+), A9 (revision; none), A10 (completed after the as-of date; none).
    # Not C6 (completed by then), A4 (27 days), A5 (Norway), A6/A7 (not approved), A11
    # (in no approved plan).
    "planned_stays": 3,
    "planned_stays_without_funding": 2,
}  # fmt: skip

EXPECTED_DESTINATIONS = {
    "stays": 9,
    "by_country": [
        {"country": "DE", "stays": 6},  # W1 C1 P1 P2 C7 A12
        {"country": "FR", "stays": 1},
        {"country": "JP", "stays": 1},
        {"country": "US", "stays": 1},
    ],
    "hosts": 5,
    "by_host": [
        # "TU München" three times and "tu  münchen" once: one host.
        {"host_institution": "TU München", "stays": 4, "countries": ["DE"]},
        {"host_institution": "Max Planck Institute", "stays": 2, "countries": ["DE"]},
        {"host_institution": "MIT", "stays": 1, "countries": ["US"]},
        {"host_institution": "Sorbonne Université", "stays": 1, "countries": ["FR"]},
        {"host_institution": "University of Tokyo", "stays": 1, "countries": ["JP"]},
    ],
}


def expected_document(filters: dict[str, str | None] | None = None) -> dict[str, Any]:
    """Return the whole statistics document expected for the data set as of AS_OF."""
    return {
        "as_of": AS_OF.isoformat(),
        "filters": filters or {"faculty": None, "programme": None},
        "settings": {
            "home_country": "NO",
            "min_stay_days": 28,
            "phd_target_percent": 40,
            "postdoc_target_percent": 30,
            "staff_target_percent": 100,
            "plan_due_days": 30,
            "activity_target_percent": 100,
            "phd_baseline": None,
            "postdoc_baseline": None,
            "staff_baseline": None,
        },
        "phd": {
            "by_completion_year": EXPECTED_PHD_COMPLETION,
            "by_admission_year": EXPECTED_PHD_ADMISSION,
        },
        "postdoc": {
            "by_end_year": EXPECTED_POSTDOC_END,
            "by_start_year": EXPECTED_POSTDOC_START,
        },
        "staff": {"by_deadline_year": [], "by_start_year": []},
        "activities": EXPECTED_ACTIVITIES,
        "funding": EXPECTED_FUNDING,
        "destinations": EXPECTED_DESTINATIONS,
    }
