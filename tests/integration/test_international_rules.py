"""Activities, funding and destinations in SQL agree with the pure rules (DESIGN §4).

A generated institution — several faculties and programmes, every kind and status,
plans in every state, stays and activities on and around each as-of date — is
counted by the statistics document and, person by person, by the rules of
``tracker.domain`` applied in Python. Every scope, several as-of dates and
settings; on SQLite and PostgreSQL (TRACKER_TEST_DATABASE_URL).
"""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.integration import stats_dataset as data
from tracker.domain.abroad import (
    FundingYear,
    HostCount,
    destinations_section,
    funding_section,
    is_unfunded,
)
from tracker.domain.activities import (
    ANY,
    MEASURES,
    TYPES,
    count_people,
    groups,
    person_activities,
)
from tracker.domain.plan_history import Entry, approved_by
from tracker.domain.stays import is_ahead, is_qualifying_at
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanStatus,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import Activity, Enrolment, Faculty, Programme
from tracker.models.base import as_utc
from tracker.queries.activities import ActivitySets
from tracker.queries.scope import Filters
from tracker.queries.stats import build_statistics

AS_OF_DAYS = (date(2023, 12, 31), date(2025, 6, 30), date(2026, 6, 30))
HOSTS = ["ETH Zürich", "eth  zürich", "ETH ZÜRICH", "KTH", "kth", "MIT", "Sorbonne Université",
         "University of Tokyo", "Max Planck Institute", "TU München", "tu münchen "]  # fmt: skip
COUNTRIES = ["DE", "US", "FR", "SE", "NO", "JP", "CH"]


def _near(rng: random.Random) -> date:
    """Return a day on or next to one of the as-of dates, or anywhere in the years around."""
    if rng.random() < 0.5:
        return rng.choice(AS_OF_DAYS) + timedelta(days=rng.choice([-1, 0, 1]))
    return date(2019, 1, 1) + timedelta(days=rng.randrange(0, 9 * 365))


def generate(seed: int = 15, people: int = 360) -> None:
    """Create the institution: programmes in three faculties, people, plans, stays, activities."""
    rng = random.Random(seed)
    programmes = [
        data.programme(f"P{f}{p}", f"F{f}") for f in range(3) for p in range(2 if f else 1)
    ]
    builders = {p.code: data.Builder(p) for p in programmes}
    for i in range(people):
        b = rng.choice(list(builders.values()))
        key = f"G{i}"
        kind = rng.choice([EnrolmentKind.PHD, EnrolmentKind.PHD, EnrolmentKind.POSTDOC])
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
        status = rng.choices(list(EnrolmentStatus), weights=[60, 25, 15])[0]
        end = None
        # A completion has its end date; a withdrawal may lack one (withdrawn on every date).
        if status == EnrolmentStatus.COMPLETED or (
            status == EnrolmentStatus.WITHDRAWN and rng.random() < 0.8
        ):
            end = max(start, _near(rng))
        plan = rng.choice([None, *PlanStatus])
        b.person(
            key,
            kind,
            start,
            status=status,
            end=end,
            experience=kind == EnrolmentKind.POSTDOC and rng.random() < 0.4,
            plan=plan,
            approved=plan is not None and (plan == PlanStatus.APPROVED or rng.random() < 0.3),
        )
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            stay_end = _near(rng)
            length = rng.choice([26, 27, 28, 29, 60])
            stay_start = max(start, stay_end - timedelta(days=length - 1))
            stay = b.stay(
                key,
                stay_start,
                max(stay_start, stay_end),
                rng.choice(list(StayStatus)),
                country=rng.choice(COUNTRIES),
                in_approved_plan=rng.random() < 0.6,
                host=rng.choice(HOSTS),
                funding=rng.choice(list(Funding)),
            )
            if stay.in_approved_plan and rng.random() < 0.3:
                # Edited in a revision since: the approved values differ from the live ones.
                stay.approved_country = rng.choice(COUNTRIES)
                stay.approved_end_date = stay.approved_start_date + timedelta(
                    days=rng.choice([26, 27, 28])
                )
                # The approved version's record of the stay says the same (DESIGN §4).
                for record in stay.approvals:
                    record.country = stay.approved_country
                    record.end_date = stay.approved_end_date
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            kind_of = rng.choice(list(ActivityType))
            done_on = max(start, _near(rng)) if rng.random() < 0.5 else None
            approved = rng.choice([None, kind_of, kind_of, rng.choice(list(ActivityType))])
            b.activity(key, kind_of, done_on, approved_as=approved)
    db.session.commit()


def _ended(enrolment: Enrolment, as_of: date) -> bool:
    return enrolment.status != EnrolmentStatus.ACTIVE and (
        enrolment.end_date is None or enrolment.end_date <= as_of
    )


def _withdrawn(enrolment: Enrolment, as_of: date) -> bool:
    return enrolment.status == EnrolmentStatus.WITHDRAWN and (
        enrolment.end_date is None or enrolment.end_date <= as_of
    )


def _active(enrolment: Enrolment, as_of: date) -> bool:
    return enrolment.start_date <= as_of and not _ended(enrolment, as_of)


def _approved(enrolment: Enrolment) -> bool:
    return enrolment.plan is not None and enrolment.plan.approved_version_id is not None


def _approved_by(enrolment: Enrolment, as_of: date) -> bool:
    """Return whether the plan had been approved by ``as_of`` (its history says when)."""
    if enrolment.plan is None:
        return False
    entries = [Entry(v.event, as_utc(v.effective_at)) for v in enrolment.plan.versions]
    return approved_by(entries, as_of)


def _population(enrolment: Enrolment, as_of: date) -> str | None:
    """Return the activity population the enrolment is in at as_of (DESIGN §4), if any."""
    if enrolment.start_date > as_of or _withdrawn(enrolment, as_of):
        return None
    if enrolment.kind == EnrolmentKind.PHD:
        return "phd"
    return None if enrolment.international_experience else "postdoc"


def _in_scope(enrolment: Enrolment, filters: Filters) -> bool:
    if filters.programme is not None:
        return enrolment.programme_id == filters.programme.id
    if filters.faculty is not None:
        return enrolment.programme.faculty_id == filters.faculty.id
    return True


def _everyone() -> list[Enrolment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Enrolment).options(
                selectinload(Enrolment.stays),
                selectinload(Enrolment.activities),
                selectinload(Enrolment.plan),
                selectinload(Enrolment.programme),
            )
        )
    )


def expected_sections(
    everyone: list[Enrolment], as_of: date, filters: Filters, settings: TargetSettings
) -> dict:
    """Return activities, funding and destinations computed with the pure rules alone."""
    rules = settings.counting_rules
    cohorts: dict[tuple[str, int], list] = defaultdict(list)
    by_year: dict[int, Counter[str]] = defaultdict(Counter)
    by_country: Counter[str] = Counter()
    hosts: Counter[tuple[str, str]] = Counter()
    planned = unfunded = 0
    for enrolment in everyone:
        if not _in_scope(enrolment, filters):
            continue
        population = _population(enrolment, as_of)
        if population is not None:
            approved = _approved_by(enrolment, as_of)
            cohorts[(population, enrolment.start_date.year)].append(
                person_activities(enrolment.activities, as_of, plan_approved=approved)
            )
        for s in enrolment.stays:
            if is_qualifying_at(s.status, s.country, s.start_date, s.end_date, as_of, rules):
                by_year[s.end_date.year][s.funding.value] += 1
                by_country[s.country.upper()] += 1
                hosts[(s.host_institution, s.country.upper())] += 1
            approved = (
                (s.approved_country, s.approved_start_date, s.approved_end_date)
                if s.in_approved_plan
                else None
            )
            if (
                _active(enrolment, as_of)
                and _approved(enrolment)
                and is_ahead(s.status, s.end_date, approved, as_of, rules)
            ):
                planned += 1
                unfunded += is_unfunded(s.funding)
    return {
        "activities": {
            "phd": {
                "by_admission_year": groups(
                    [count_people(y, ps) for (p, y), ps in cohorts.items() if p == "phd"],
                    settings.activity_target_percent,
                )
            },
            "postdoc": {
                "by_start_year": groups(
                    [count_people(y, ps) for (p, y), ps in cohorts.items() if p == "postdoc"],
                    None,
                )
            },
        },
        "funding": funding_section(
            [FundingYear(y, c) for y, c in by_year.items()], planned, unfunded
        ),
        "destinations": destinations_section(
            by_country, [HostCount(name, country, n) for (name, country), n in hosts.items()]
        ),
    }


def _scopes() -> list[Filters]:
    faculty = db.session.scalar(select(Faculty).where(Faculty.code == "F1"))
    programme = db.session.scalar(select(Programme).where(Programme.code == "P21"))
    return [Filters(), Filters(faculty=faculty), Filters(programme=programme)]


@pytest.mark.parametrize(
    "settings",
    [
        TargetSettings(),
        TargetSettings(min_stay_days=27, activity_target_percent=90),
        TargetSettings(home_country="DE", min_stay_days=29),
    ],
    ids=["default", "shorter", "german-home"],
)
def test_the_document_agrees_with_the_pure_rules(app, settings):
    generate()
    everyone = _everyone()
    assert len(everyone) == 360
    checked = Counter()
    for filters in _scopes():
        for as_of in AS_OF_DAYS:
            document = build_statistics(as_of, filters, settings)
            expected = expected_sections(everyone, as_of, filters, settings)
            for key in ("activities", "funding", "destinations"):
                assert document[key] == expected[key], (key, as_of, filters.as_document())
            checked["people"] += sum(
                g["n"] for section in document["activities"].values()
                for cohorts in section.values() for g in cohorts
            )  # fmt: skip
            checked["stays"] += document["destinations"]["stays"]
            checked["ahead"] += document["funding"]["planned_stays"]
    # The data set reaches every branch: people counted, stays done and ahead, hosts merged.
    assert checked["people"] > 500 and checked["stays"] > 100 and checked["ahead"] > 20


def test_each_persons_activities_agree_with_the_pure_rules(app):
    generate(seed=16)
    everyone = {e.id: e for e in _everyone()}
    seen = Counter()
    for as_of in AS_OF_DAYS:
        sets = ActivitySets(as_of)
        keys = [(m, k) for m in MEASURES for k in (ANY, *(t.value for t in TYPES))]
        query = sets.join(
            select(
                Enrolment.id,
                *(sets.measure(m, k).label(f"{m}_{k}") for m, k in keys),
            ).select_from(Enrolment)
        )
        for row in db.session.execute(query).mappings():
            person = everyone[row["id"]]
            expected = person_activities(
                person.activities, as_of, plan_approved=_approved_by(person, as_of)
            )
            for measure, key in keys:
                assert bool(row[f"{measure}_{key}"]) is expected.has(measure, key), (
                    row["id"],
                    measure,
                    key,
                )
                seen[(measure, key)] += bool(row[f"{measure}_{key}"])
    # Every measure of every type is met by someone, so no branch goes untested.
    assert all(seen[(m, k)] for m in MEASURES for k in (ANY, *(t.value for t in TYPES)))


def test_an_activity_on_the_as_of_date_and_the_day_after(app):
    """Done on the as-of date counts as done; done the day after was still planned then."""
    b = data.Builder(data.programme())
    b.person("E", data.PHD, date(2024, 1, 1), **data.APPROVED_PLAN)
    b.activity("E", ActivityType.CONFERENCE, data.AS_OF, approved_as=ActivityType.CONFERENCE)
    db.session.commit()

    def conference(day: date) -> dict:
        document = build_statistics(day, Filters(), TargetSettings())
        return document["activities"]["phd"]["by_admission_year"][0]["by_type"]["conference"]

    assert (conference(data.AS_OF)["planned_or_done"], conference(data.AS_OF)["done"]) == (1, 1)
    before = conference(data.AS_OF - timedelta(days=1))
    assert (before["planned_or_done"], before["done"]) == (1, 0)
    # Not in the approved version: the day before, it was nothing yet.
    db.session.execute(db.update(Activity).values(approved_type=None))
    db.session.commit()
    before = conference(data.AS_OF - timedelta(days=1))
    assert (before["planned_or_done"], before["done"]) == (0, 0)
    assert db.session.scalar(select(Activity.status)) == ActivityStatus.DONE


def test_the_lists_hold_exactly_whom_the_document_counts(app, make_user):
    """No activity yet: n − any.done per cohort; unfunded stays: the stays ahead without funding."""
    from tracker.queries.candidates import ListQuery, get_all

    generate(seed=17)
    admin = make_user("admin@example.org", admin=True)
    settings = TargetSettings()
    everyone = {e.id: e for e in _everyone()}
    for filters in _scopes():
        for as_of in AS_OF_DAYS:
            document = build_statistics(as_of, filters, settings)
            cohorts = [
                g for section in document["activities"].values()
                for groups_ in section.values() for g in groups_
            ]  # fmt: skip
            listed = get_all(admin, ListQuery("no-activity", as_of, filters), settings)
            assert len(listed) == sum(g["n"] - g["any"]["done"] for g in cohorts)
            for row in listed:
                person = everyone[row.enrolment_id]
                found = person_activities(
                    person.activities, as_of, plan_approved=_approved_by(person, as_of)
                )
                assert not found.done and row.activities_planned == found.planned
            stays = get_all(admin, ListQuery("unfunded-stays", as_of, filters), settings)
            assert len(stays) == document["funding"]["planned_stays_without_funding"]
            assert len({row.stay_id for row in stays}) == len(stays)
            assert all(is_unfunded(row.funding) for row in stays)
