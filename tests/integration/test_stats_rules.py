"""The counting rules of DESIGN §4 in SQL, on a hand-made data set that hits every boundary."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select
from sqlalchemy.dialects import postgresql, sqlite

from tests.integration import generated_institution as generated
from tests.integration import stats_dataset as data
from tracker.domain import staff as staff_rule
from tracker.domain.plan_history import end_of_day
from tracker.domain.stays import CountingRules, is_abroad_and_long_enough
from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, PlanEvent, StayStatus
from tracker.extensions import db
from tracker.models import Enrolment
from tracker.models.base import as_utc
from tracker.queries import candidates
from tracker.queries.candidates import ListQuery
from tracker.queries.scope import Filters, parse_filters
from tracker.queries.sql import days_between, staff_deadline
from tracker.queries.stats import SECTIONS, EnrolmentFacts, build_statistics
from tracker.services.plans import record_stay_approval

SETTINGS = TargetSettings()


def test_document_matches_the_figures_worked_out_by_hand(app):
    data.build()
    document = build_statistics(data.AS_OF, Filters(), SETTINGS)
    assert document == data.expected_document()
    # The contract's key order, not only its content.
    assert list(document) == [
        "as_of",
        "filters",
        "settings",
        "phd",
        "postdoc",
        "staff",
        "activities",
        "funding",
        "destinations",
    ]
    assert list(document["staff"]) == ["by_deadline_year", "by_start_year"]
    assert list(document["phd"]["by_completion_year"][0]) == list(data.EXPECTED_PHD_COMPLETION[0])
    group = document["activities"]["phd"]["by_admission_year"][0]
    assert list(group) == ["year", "n", "any", "by_type", "target_percent", "needed"]
    assert list(group["by_type"]) == [
        "conference",
        "publication",
        "collaboration",
        "course",
        "co_supervision",
        "other",
    ]
    assert list(document["funding"]) == list(data.EXPECTED_FUNDING)
    assert list(document["funding"]["by_completion_year"][0]["by_source"]) == list(
        data.EXPECTED_FUNDING["by_completion_year"][0]["by_source"]
    )
    assert list(document["destinations"]) == ["stays", "by_country", "hosts", "by_host"]


def test_staff_figures_match_those_worked_out_by_hand(app):
    data.build()
    data.build_staff()
    document = build_statistics(data.AS_OF, Filters(), SETTINGS)
    assert document["staff"] == {
        "by_deadline_year": data.EXPECTED_STAFF_DEADLINE,
        "by_start_year": data.EXPECTED_STAFF_START,
    }
    # The other populations do not change for the staff among them.
    assert {k: document[k] for k in ("phd", "postdoc")} == {
        k: data.expected_document()[k] for k in ("phd", "postdoc")
    }


def test_staff_are_counted_from_their_third_anniversary_on(app):
    built = data.Builder(data.programme())
    built.person("T1", data.STAFF, date(2024, 2, 29))  # anniversary 1 March 2027
    built.person("T2", data.STAFF, date(2024, 2, 28))  # anniversary 28 February 2027
    db.session.commit()

    def counted(as_of: date) -> list[int]:
        groups = build_statistics(as_of, Filters(), SETTINGS)["staff"]["by_start_year"]
        return [g["n"] for g in groups]

    assert counted(date(2027, 2, 27)) == []
    assert counted(date(2027, 2, 28)) == [1]
    assert counted(date(2027, 3, 1)) == [2]


def test_needed_is_exact_where_floating_point_is_off_by_one(app):
    data.build()
    document = build_statistics(data.AS_OF, Filters(), SETTINGS)
    cohort_2024 = next(g for g in document["postdoc"]["by_start_year"] if g["year"] == 2024)
    assert (cohort_2024["n"], cohort_2024["achieved"]) == (10, 1)
    # 30 % of 10 is exactly 3; a percentage that went through binary fractions (0.1 · 3)
    # gives 3.0000000000000004, whose ceiling is 4.
    assert math.ceil(0.1 * 3 * 10) - 1 == 3
    assert cohort_2024["needed"] == 2


@pytest.mark.parametrize(("target", "n", "exact", "floating"), [(28, 25, 7, 8), (14, 50, 7, 8)])
def test_needed_with_a_target_where_float_division_rounds_up(app, target, n, exact, floating):
    built = data.Builder(data.programme())
    for i in range(n):
        built.person(f"F{i}", data.POSTDOC, date(2024, 8, 1))
    db.session.commit()
    assert math.ceil(target / 100 * n) == floating  # the naive formula is off by one here
    document = build_statistics(
        data.AS_OF, Filters(), TargetSettings(postdoc_target_percent=target)
    )
    assert document["postdoc"]["by_start_year"][0]["needed"] == exact


def _facts_by_person(as_of: date, settings: TargetSettings) -> dict[str, tuple]:
    facts = EnrolmentFacts(as_of, settings)
    query = facts.join(
        select(
            Enrolment.id,
            facts.achieved.label("achieved"),
            facts.projected.label("projected"),
            facts.approved.label("approved"),
            facts.overdue.label("overdue"),
            facts.submitted_at.label("submitted_at"),
        ).select_from(Enrolment)
    )
    return {
        row.id: (
            bool(row.achieved),
            bool(row.projected),
            bool(row.approved),
            bool(row.overdue),
            as_utc(row.submitted_at) if row.submitted_at else None,
        )
        for row in db.session.execute(query)
    }


def _pure(enrolment: Enrolment, as_of: date, settings: TargetSettings) -> tuple:
    f = generated.facts(enrolment, as_of, settings)
    return (f.achieved, f.projected, f.approved, f.overdue, f.submitted_at)


def _edit_as_in_a_revision(built: data.Builder, rules: CountingRules) -> None:
    """Turn each approved planned stay's live values around, as an unapproved revision may."""
    for enrolment in built.enrolments.values():
        for s in enrolment.stays:
            if not (s.in_approved_plan and s.status == StayStatus.PLANNED):
                continue
            if is_abroad_and_long_enough(s.country, s.start_date, s.end_date, rules):
                s.country = rules.home_country
            else:
                s.country, s.end_date = "DE", s.start_date + timedelta(days=90)
    db.session.commit()


@pytest.mark.parametrize("revised", [False, True])
@pytest.mark.parametrize("as_of", [date(2024, 1, 1), date(2025, 6, 30), data.AS_OF])
@pytest.mark.parametrize("min_days", [27, 28, 29])
def test_sql_agrees_with_the_pure_rules_for_every_enrolment(app, as_of, min_days, revised):
    """Each SQL flag equals the domain functions applied in Python (generated.facts)."""
    built = data.build()
    built.enrolments.update(data.build_staff().enrolments)
    settings = TargetSettings(min_stay_days=min_days)
    if revised:
        _edit_as_in_a_revision(built, settings.counting_rules)
    sql = _facts_by_person(as_of, settings)
    for key, enrolment in built.enrolments.items():
        db.session.refresh(enrolment)
        assert sql[enrolment.id] == _pure(enrolment, as_of, settings), key


# The as-of dates of the generated institution: around 29 February, the hand-made data
# set's date, and today (plans there were decided up to an hour ago).
GENERATED_DATES = [date(2024, 2, 28), date(2024, 2, 29), date(2025, 3, 1), data.AS_OF]


@pytest.fixture()
def institution(app, make_user):
    today = date.today()
    dates = [*GENERATED_DATES, today]
    enrolments = generated.generate(
        data.programme(),
        seed=1514,
        size=400,
        now=datetime.now(UTC) - timedelta(hours=1),
        edges=generated.edge_days(dates, TargetSettings().plan_due_days),
        as_of_dates=dates,
    )
    return {
        "enrolments": enrolments,
        "dates": dates,
        "admin": make_user("ada@example.org", "Ada Admin", admin=True),
    }


@pytest.mark.parametrize("min_days", [27, 29])
def test_sql_agrees_with_the_pure_rules_on_a_generated_institution(institution, min_days):
    """Every population, flag and list of every date equals what the pure rules say."""
    settings = TargetSettings(min_stay_days=min_days)
    enrolments, admin = institution["enrolments"], institution["admin"]
    kinds = {e.kind for e in enrolments}
    assert kinds == set(EnrolmentKind)
    seen_staff = 0
    for as_of in institution["dates"]:
        document = build_statistics(as_of, Filters(), settings)
        expected = generated.expected_document(enrolments, as_of, settings)
        for section in SECTIONS:
            kind, key = section.kind.value, section.key
            assert document[kind][key] == expected.get(kind, {}).get(key, []), (as_of, key)
        seen_staff += sum(g["n"] for g in document["staff"]["by_start_year"])
        sql = _facts_by_person(as_of, settings)
        for enrolment in enrolments:
            assert sql[enrolment.id] == _pure(enrolment, as_of, settings), (as_of, enrolment)
        # The activity and funding lists have their own parity test (test_international_rules).
        for name in ("candidates", "overdue", "at-risk", "waiting"):
            rows = candidates.get_all(admin, ListQuery(name=name, as_of=as_of), settings)
            found = {
                row.enrolment_id: (
                    bool(row.achieved),
                    bool(row.projected),
                    bool(row.overdue),
                    as_utc(row.submitted_at) if row.submitted_at else None,
                    row.stays_done,
                    row.stays_planned,
                )
                for row in rows
            }
            wanted = {
                eid: (f.achieved, f.projected, f.overdue, f.submitted_at, f.stays_done,
                      f.stays_planned)
                for eid, f in generated.expected_list(name, enrolments, as_of, settings).items()
            }  # fmt: skip
            assert found == wanted, (as_of, name)
    assert seen_staff > 20  # the staff rule was exercised, not only skipped


def test_settings_change_the_counting(app):
    data.build()
    shorter = build_statistics(data.AS_OF, Filters(), TargetSettings(min_stay_days=27))
    completion_2025 = shorter["phd"]["by_completion_year"][1]
    # C2 (27 days) and C3b (27 days) now count as well.
    assert (completion_2025["year"], completion_2025["achieved"]) == (2025, 4)

    german_home = build_statistics(data.AS_OF, Filters(), TargetSettings(home_country="DE"))
    # C1's stay was in Germany; C3's in France still counts; C5's in Norway now counts.
    assert german_home["phd"]["by_completion_year"][1]["achieved"] == 2
    higher = build_statistics(data.AS_OF, Filters(), TargetSettings(phd_target_percent=50))
    assert higher["settings"]["phd_target_percent"] == 50
    assert higher["phd"]["by_completion_year"][1]["needed"] == 2  # ⌈3.5⌉ − 2
    late = build_statistics(data.AS_OF, Filters(), TargetSettings(plan_due_days=31))
    cohort_2026 = late["phd"]["by_admission_year"][-1]
    assert (cohort_2026["year"], cohort_2026["overdue_plans"]) == (2026, 0)


def test_filters_narrow_to_a_faculty_or_a_programme(app):
    data.build()
    other = data.programme("PHD-MATH", "NV")
    extra = data.Builder(other)
    extra.person("X1", data.PHD, date(2025, 2, 1))
    extra.person("X2", data.PHD, date(2021, 1, 1), status=data.COMPLETED, end=date(2025, 3, 1))
    db.session.commit()

    everything = build_statistics(data.AS_OF, Filters(), SETTINGS)
    assert everything["phd"]["by_completion_year"][1]["n"] == 8
    own = build_statistics(data.AS_OF, parse_filters("IE", None), SETTINGS)
    assert own == data.expected_document({"faculty": "IE", "programme": None})
    by_programme = build_statistics(data.AS_OF, parse_filters(None, "PHD-CS"), SETTINGS)
    assert by_programme == data.expected_document({"faculty": None, "programme": "PHD-CS"})
    math_only = build_statistics(data.AS_OF, parse_filters("NV", "PHD-MATH"), SETTINGS)
    assert math_only["phd"]["by_admission_year"] == [
        data.group(2021, 1, 0, 0, 0, 0, 0.0, 0.0, 40, 1),
        data.group(2025, 1, 0, 0, 0, 1, 0.0, 0.0, 40, 1),
    ]
    assert math_only["postdoc"] == {"by_end_year": [], "by_start_year": []}


def test_years_without_anyone_are_left_out_and_sorted(app):
    data.build()
    document = build_statistics(data.AS_OF, Filters(), SETTINGS)
    for section in (document["phd"], document["postdoc"]):
        for groups in section.values():
            years = [g["year"] for g in groups]
            assert years == sorted(years)
            assert all(g["n"] > 0 for g in groups)
    assert [g["year"] for g in document["phd"]["by_admission_year"]] == [2020, 2021, 2025, 2026]


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 1, 1), date(2025, 1, 1), 0),
        (date(2025, 1, 1), date(2025, 1, 28), 27),
        (date(2024, 2, 15), date(2024, 3, 13), 27),  # across 29 February
        (date(2023, 2, 15), date(2023, 3, 13), 26),
        (date(2023, 12, 31), date(2024, 1, 1), 1),
        (date(2000, 1, 1), date(2100, 1, 1), 36525),
    ],
)
def test_days_between_on_this_database(app, start, end, days):
    value = db.session.scalar(select(days_between(literal(start), literal(end))))
    assert value == days == (end - start).days


def test_days_between_compiles_per_dialect():
    expression = days_between(literal(date(2024, 2, 15)), literal(date(2024, 3, 13)))
    on_sqlite = str(expression.compile(dialect=sqlite.dialect()))
    on_postgres = str(expression.compile(dialect=postgresql.dialect()))
    assert on_sqlite.startswith("CAST(julianday(") and "AS INTEGER)" in on_sqlite
    assert "julianday" not in on_postgres and " - " in on_postgres


def test_a_stay_on_the_last_possible_day(app):
    """A completed stay ending exactly on the as-of date counts on that date."""
    built = data.Builder(data.programme())
    built.person("E", data.PHD, date(2024, 1, 1), status=data.COMPLETED, end=data.AS_OF)
    built.stay("E", data.AS_OF - timedelta(days=27), data.AS_OF, data.DONE)
    db.session.commit()
    document = build_statistics(data.AS_OF, Filters(), SETTINGS)
    assert document["phd"]["by_completion_year"] == [
        data.group(2026, 1, 1, 1, 0, 0, 1.0, 1.0, 40, 0)
    ]
    day_before = build_statistics(data.AS_OF - timedelta(days=1), Filters(), SETTINGS)
    assert day_before["phd"]["by_completion_year"] == []
    assert day_before["phd"]["by_admission_year"][0]["achieved"] == 0


def test_a_revision_approved_at_midnight_counts_from_that_day_on(app):
    """The record a revision replaces still holds on the day before: days end at 00:00 UTC."""
    built = data.Builder(data.programme())
    enrolment = built.person("R", data.PHD, date(2025, 1, 6), **data.APPROVED_PLAN)
    stay = built.stay("R", date(2027, 3, 1), date(2027, 5, 31), data.PLANNED, in_approved_plan=True)
    day = date(2026, 3, 1)
    revision = data.add_version(enrolment.plan, 2, PlanEvent.APPROVED, end_of_day(day))
    stay.country = "NO"  # the revision moved the stay home
    stay.mark_approved()
    record_stay_approval(stay, revision)
    enrolment.plan.approved_version = revision
    db.session.commit()

    def projected(as_of: date) -> int:
        (cohort,) = build_statistics(as_of, Filters(), SETTINGS)["phd"]["by_admission_year"]
        return cohort["projected"]

    assert (projected(day), projected(day + timedelta(days=1))) == (1, 0)


def test_staff_deadline_in_sql_is_the_pure_rule_for_every_day(app):
    """The deadline the lists show and sort by, on this database, for three years of days."""
    day, last = date(2023, 1, 1), date(2025, 12, 31)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    for chunk in range(0, len(days), 200):
        part = days[chunk : chunk + 200]
        values = db.session.execute(
            select(*(staff_deadline(literal(d)).label(f"d{i}") for i, d in enumerate(part)))
        ).one()
        assert list(values) == [staff_rule.deadline(d) for d in part]
    assert db.session.scalar(select(staff_deadline(literal(date(2024, 2, 29))))) == date(
        2027, 2, 28
    )
