"""A generated institution, and its figures worked out in Python from the pure rules.

``generate`` makes PhD candidates, postdocs and new permanent staff with plan histories
walked through the workflow's transition table (decisions at random moments, the same
day or months apart, revisions, withdrawals, discarded revisions, statuses moved in by
the import), and stays whose approved values change from one approved version to the
next. Dates crowd the edges: 29 February, three years to the day, the plan's due date.

``expected_document`` and ``expected_list`` compute, from the rows as loaded and with
nothing but tracker.domain, what the SQL of tracker.queries must answer.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tracker.domain import staff as staff_rule
from tracker.domain import targets
from tracker.domain.dates import add_months
from tracker.domain.deadlines import is_plan_overdue
from tracker.domain.plan_history import (
    Entry,
    approved_by,
    end_of_day,
    holds_on,
    open_submission,
    start_of_day,
)
from tracker.domain.stays import is_abroad_and_long_enough, is_qualifying
from tracker.domain.targets import GroupCounts, TargetSettings
from tracker.domain.vocabulary import (
    EnrolmentKind,
    EnrolmentStatus,
    PlanEvent,
    PlanStatus,
    StayStatus,
)
from tracker.domain.workflow import TRANSITIONS, PlanAction
from tracker.extensions import db
from tracker.models import Enrolment, Plan, PlanVersion, Programme, Stay, StayApproval, User
from tracker.models.base import as_utc
from tracker.queries.candidates import AT_RISK_MONTHS, waiting_cutoff

PHD, POSTDOC, STAFF = EnrolmentKind.PHD, EnrolmentKind.POSTDOC, EnrolmentKind.STAFF
# Stored codes are upper case, but the rules ignore case: older rows may not be.
COUNTRIES = ("NO", "DE", "US", "JP", "no", "De")
LENGTHS = (26, 27, 28, 29, 60, 120)  # around MIN_STAY_DAYS (27–29 in the tests)


def edge_days(as_of_dates: list[date], plan_due_days: int) -> list[date]:
    """Return start dates that sit on the edges of the rules at these as-of dates."""
    found = [date(2020, 2, 29), date(2024, 2, 29), date(2021, 3, 1), date(2023, 2, 28)]
    for as_of in as_of_dates:
        latest = staff_rule.latest_counted_appointment(as_of)
        due = as_of - timedelta(days=plan_due_days)
        for anchor in (latest, due):
            found += [anchor + timedelta(days=d) for d in (-1, 0, 1)]
    return found


def generate(
    programme: Programme,
    *,
    seed: int,
    size: int,
    now: datetime,
    edges: list[date],
    as_of_dates: list[date],
) -> list[Enrolment]:
    """Create ``size`` enrolments with people, plans, histories and stays; commit.

    Some decisions fall on the stroke of midnight after an as-of date, the first moment
    that no longer counts for it.
    """
    rng = random.Random(seed)
    marks = sorted(end_of_day(day) for day in as_of_dates)
    made = []
    for n in range(size):
        kind = rng.choice([PHD, POSTDOC, STAFF])
        if rng.random() < 0.3:
            start = rng.choice(edges)
        else:
            start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
        enrolment = Enrolment(
            person=User(email=f"gen{n}@example.org", name=f"Generated {n:04d}"),
            programme=programme,
            kind=kind,
            start_date=start,
            expected_end_date=None
            if kind == STAFF and rng.random() < 0.8
            else start + timedelta(days=rng.choice([300, 700, 1400, 1500])),
            international_experience=kind != PHD and rng.random() < 0.3,
            status=EnrolmentStatus.ACTIVE,
        )
        _finish(enrolment, rng, now.date())
        db.session.add(enrolment)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            enrolment.stays.append(_stay(enrolment, rng, now.date()))
        db.session.flush()
        if rng.random() < 0.8:
            _plan(enrolment, rng, now, marks)
        made.append(enrolment)
    db.session.commit()
    return made


def _finish(enrolment: Enrolment, rng: random.Random, today: date) -> None:
    """Complete or withdraw some enrolments, a few on dates near their deadlines."""
    r = rng.random()
    if r < 0.6:
        return
    latest = min(today, enrolment.start_date + timedelta(days=2000))
    if latest <= enrolment.start_date:
        return
    end = enrolment.start_date + timedelta(days=rng.randrange((latest - enrolment.start_date).days))
    if enrolment.kind == STAFF and rng.random() < 0.4:
        near = staff_rule.deadline(enrolment.start_date) + timedelta(days=rng.choice([-1, 0, 1]))
        end = min(today, near)
    if r < 0.85:
        enrolment.status, enrolment.end_date = EnrolmentStatus.COMPLETED, end
    else:
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.end_date = end if rng.random() < 0.7 else None


def _stay(enrolment: Enrolment, rng: random.Random, today: date) -> Stay:
    start = enrolment.start_date + timedelta(days=rng.randrange(0, 1400))
    end = start + timedelta(days=rng.choice(LENGTHS) - 1)
    if enrolment.kind == STAFF and rng.random() < 0.5:
        # Ending on the deadline, a day before or a day after.
        end = staff_rule.deadline(enrolment.start_date) + timedelta(days=rng.choice([-1, 0, 1]))
        start = end - timedelta(days=rng.choice(LENGTHS) - 1)
    status = rng.choice(list(StayStatus))
    if status == StayStatus.COMPLETED and end > today:
        status = StayStatus.PLANNED
    stay = Stay(
        host_institution=f"Host {rng.randrange(10**6)}",
        country=rng.choice(COUNTRIES),
        start_date=start,
        end_date=end,
        status=status,
    )
    stay.mark_approved(False)
    return stay


def _plan(enrolment: Enrolment, rng: random.Random, now: datetime, marks: list[datetime]) -> None:
    """Walk the plan through the workflow at random moments, recording what the tracker would."""
    plan = Plan(enrolment=enrolment, status=PlanStatus.DRAFT)
    db.session.add(plan)
    moment = datetime.combine(enrolment.start_date, time(9), tzinfo=UTC)
    moment += timedelta(hours=rng.randrange(-240, 24 * 120))
    status, number, approved = PlanStatus.DRAFT, 0, None
    if rng.random() < 0.2:
        # Moved in by the import: from the start, or from a plan_status_date.
        held = enrolment.start_date + timedelta(days=rng.choice([0, 0, 3, 400]))
        if rng.random() < 0.3:
            held = rng.choice(marks).date()  # the day after an as-of date
        number = 1
        if rng.random() < 0.5:
            status = PlanStatus.APPROVED
            approved = _version(plan, number, PlanEvent.IMPORTED, start_of_day(held))
            _approve_stays(enrolment, approved, rng)
        else:
            status = PlanStatus.SUBMITTED
            _version(plan, number, PlanEvent.SUBMITTED, start_of_day(held))
            plan.submitted_at = start_of_day(held)
        moment = max(moment, start_of_day(held) + timedelta(hours=1))
    for _step in range(rng.randrange(0, 7)):
        later = [mark for mark in marks if mark > moment]
        if later and rng.random() < 0.25:
            moment = later[0]
        else:
            moment += timedelta(hours=rng.choice([1, 2, 20, 24 * 3, 24 * 40, 24 * 200]))
        if moment >= now:
            break
        options = [
            (action, found)
            for (source, action), found in TRANSITIONS.items()
            if source == status and (approved is not None or not found.needs_approved_version)
        ]
        if not options:
            break
        action, found = rng.choice(options)
        if action == PlanAction.SUBMIT:
            number += 1
            plan.submitted_at = moment
        if action == PlanAction.DISCARD_REVISION:
            # As the service does: the revision leaves the history.
            for version in list(plan.versions):
                revision = version.event == PlanEvent.REVISION_STARTED
                if revision and version.number == approved.number:
                    plan.versions.remove(version)
        elif action == PlanAction.START_REVISION:
            _version(plan, approved.number, found.event, moment)
        else:
            version = _version(plan, number, found.event, moment)
            if found.event == PlanEvent.APPROVED:
                approved = version
                _approve_stays(enrolment, version, rng)
        if action == PlanAction.WITHDRAW:
            plan.submitted_at = None
        status = found.target
    plan.status = status
    plan.approved_version = approved


def _version(plan: Plan, number: int, event: PlanEvent, moment: datetime) -> PlanVersion:
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


def _approve_stays(enrolment: Enrolment, version: PlanVersion, rng: random.Random) -> None:
    """Approve each stay as the version has it: as it stands, or as a revision moved it."""
    for stay in enrolment.stays:
        for record in stay.approvals:
            if record.valid_until is None:
                record.valid_until = version.effective_at
        if rng.random() < 0.15:
            stay.mark_approved(False)  # added since, in no approved version
            continue
        country, start, end = stay.country, stay.start_date, stay.end_date
        if rng.random() < 0.4:
            country = rng.choice(COUNTRIES)
            end = end + timedelta(days=rng.choice([-2, -1, 1, 2, 40]))
            end = max(end, start)
        stay.in_approved_plan = True
        stay.approved_country, stay.approved_start_date, stay.approved_end_date = (
            country,
            start,
            end,
        )
        stay.approvals.append(
            StayApproval(
                version=version,
                country=country,
                start_date=start,
                end_date=end,
                valid_from=version.effective_at,
            )
        )


# -- the figures, from the pure rules -------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What DESIGN §4 says about one enrolment at one date."""

    started: bool
    active: bool
    completed: bool
    withdrawn: bool
    achieved: bool
    projected: bool
    approved: bool
    overdue: bool
    submitted_at: datetime | None  # the submission open on the date
    stays_done: int
    stays_planned: int


def facts(enrolment: Enrolment, as_of: date, settings: TargetSettings) -> Facts:
    """Return the facts of the enrolment at ``as_of``, from tracker.domain alone."""
    rules = settings.counting_rules
    start, status, end = enrolment.start_date, enrolment.status, enrolment.end_date
    started = start <= as_of
    completed = status == EnrolmentStatus.COMPLETED and end is not None and end <= as_of
    withdrawn = status == EnrolmentStatus.WITHDRAWN and (end is None or end <= as_of)
    active = started and not completed and not withdrawn
    is_staff = enrolment.kind == STAFF

    def counts(stay_end: date) -> bool:
        return not is_staff or staff_rule.within_three_years(start, stay_end)

    stays = enrolment.stays
    achieved = any(
        is_qualifying(s.status, s.country, s.start_date, s.end_date, rules)
        and s.end_date <= as_of
        and counts(s.end_date)
        for s in stays
    )
    ahead = False
    for s in stays:
        still_ahead = s.status == StayStatus.PLANNED or (
            s.status == StayStatus.COMPLETED and s.end_date > as_of
        )
        for record in s.approvals:
            valid_until = as_utc(record.valid_until) if record.valid_until else None
            if (
                still_ahead
                and holds_on(as_utc(record.valid_from), valid_until, as_of)
                and is_abroad_and_long_enough(
                    record.country, record.start_date, record.end_date, rules
                )
                and counts(record.end_date)
            ):
                ahead = True
    plan = enrolment.plan
    entries = [Entry(v.event, as_utc(v.effective_at)) for v in plan.versions] if plan else []
    approved = approved_by(entries, as_of)
    waiting = open_submission(entries, as_of)
    overdue = is_plan_overdue(
        enrolment_status=EnrolmentStatus.ACTIVE if active else EnrolmentStatus.COMPLETED,
        start_date=start,
        plan_status=PlanStatus.SUBMITTED if waiting else None,
        ever_approved=approved,
        as_of=as_of,
        plan_due_days=settings.plan_due_days,
    )
    return Facts(
        started=started,
        active=active,
        completed=completed,
        withdrawn=withdrawn,
        achieved=achieved,
        projected=achieved or (active and approved and ahead),
        approved=approved,
        overdue=overdue,
        submitted_at=waiting.effective_at if waiting else None,
        stays_done=sum(s.status == StayStatus.COMPLETED and s.end_date <= as_of for s in stays),
        stays_planned=sum(s.status == StayStatus.PLANNED for s in stays),
    )


def expected_document(
    enrolments: list[Enrolment], as_of: date, settings: TargetSettings
) -> dict[str, Any]:
    """Return the populations of the statistics document, counted in Python."""
    counted: dict[tuple[str, str], dict[int, list[Facts]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for e in enrolments:
        f = facts(e, as_of, settings)
        if not f.started:
            continue
        if e.kind == PHD or (e.kind == POSTDOC and not e.international_experience):
            kind = e.kind.value
            outcome = "by_completion_year" if e.kind == PHD else "by_end_year"
            cohort = "by_admission_year" if e.kind == PHD else "by_start_year"
            if f.completed:
                counted[(kind, outcome)][e.end_date.year].append(f)
            if not f.withdrawn:
                counted[(kind, cohort)][e.start_date.year].append(f)
        elif e.kind == STAFF and not e.international_experience:
            left = staff_rule.left_before_deadline(
                e.start_date,
                e.end_date if e.status != EnrolmentStatus.ACTIVE else None,
                e.status == EnrolmentStatus.WITHDRAWN,
            )
            if staff_rule.is_counted(e.start_date, as_of) and not left:
                deadline_year = staff_rule.deadline_year(e.start_date)
                counted[("staff", "by_deadline_year")][deadline_year].append(f)
                counted[("staff", "by_start_year")][e.start_date.year].append(f)
    target = {
        "phd": settings.phd_target_percent,
        "postdoc": settings.postdoc_target_percent,
        "staff": settings.staff_target_percent,
    }
    document: dict[str, Any] = {}
    for (kind, key), years in counted.items():
        rows = [
            GroupCounts(
                year=year,
                n=len(group),
                achieved=sum(f.achieved for f in group),
                projected=sum(f.projected for f in group),
                approved_plans=sum(f.approved for f in group),
                overdue_plans=sum(f.overdue for f in group),
            )
            for year, group in years.items()
        ]
        document.setdefault(kind, {})[key] = targets.groups(rows, target[kind])
    return document


def expected_list(
    name: str, enrolments: list[Enrolment], as_of: date, settings: TargetSettings
) -> dict[int, Facts]:
    """Return who is on a coordinator's list at ``as_of``, with their facts."""
    found = {}
    horizon = add_months(as_of, AT_RISK_MONTHS)
    for e in enrolments:
        f = facts(e, as_of, settings)
        if name == "overdue":
            keep = f.overdue
        elif name == "waiting":
            keep = f.active and f.submitted_at is not None and (
                f.submitted_at < waiting_cutoff(as_of)
            )
        elif name == "at-risk":
            if e.kind == STAFF:
                closes = as_of <= staff_rule.deadline(e.start_date) <= horizon
            else:
                closes = e.expected_end_date is not None and e.expected_end_date <= horizon
            counting = e.kind == PHD or not e.international_experience
            keep = f.active and closes and not f.projected and counting
        else:
            keep = True
        if keep:
            found[e.id] = f
    return found
