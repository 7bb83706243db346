"""The programme comparison: each programme's figures are its own statistics document's, and its
people on the lists add up to the lists (both databases)."""

import random
from datetime import date, timedelta

import pytest

from tracker.domain.targets import TargetSettings
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanStatus, StayStatus
from tracker.extensions import db
from tracker.models import Plan, PlanVersion
from tracker.queries import candidates, stats
from tracker.queries.comparison import get_compared_statistics, get_comparison_data
from tracker.queries.scope import Filters, parse_filters
from tracker.reports.cli import Operator

AS_OF = date(2026, 11, 26)


@pytest.fixture()
def institution(make_user, make_programme, make_enrolment, make_stay):
    """Six programmes in two faculties, people of every kind and state, stays of every kind.

    New permanent staff too: those appointed by 26 November 2023 are counted at AS_OF.
    """
    rng = random.Random(2026)
    programmes = [make_programme(f"P{i}", "IE" if i < 4 else "HF") for i in range(6)]
    supervisor = make_user("sup@example.org", "Siri Veileder")
    for i in range(160):
        roll = rng.random()
        kind = (
            EnrolmentKind.PHD
            if roll < 0.6
            else EnrolmentKind.POSTDOC
            if roll < 0.85
            else EnrolmentKind.STAFF
        )
        start = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 3200))
        status, end = EnrolmentStatus.ACTIVE, None
        if start.year < 2024 and rng.random() < 0.6:
            status = EnrolmentStatus.COMPLETED
            end = min(start + timedelta(days=rng.randrange(700, 1600)), AS_OF)
        elif rng.random() < 0.05:
            status, end = EnrolmentStatus.WITHDRAWN, start + timedelta(days=200)
        enrolment = make_enrolment(
            make_user(f"c{i}@example.org", f"Candidate {i}"),
            kind=kind,
            programme=programmes[i % 6 if i % 7 else 0],  # P0 gets more people
            supervisor=supervisor,
            start_date=start,
            end_date=end,
            status=status,
            expected_end_date=None
            if kind == EnrolmentKind.STAFF
            else start + timedelta(days=365 * (3 if kind == EnrolmentKind.PHD else 2)),
            international_experience=kind != EnrolmentKind.PHD and rng.random() < 0.3,
        )
        for _k in range(rng.choice([0, 1, 1, 2])):
            s_start = start + timedelta(days=rng.randrange(30, 900))
            s_end = s_start + timedelta(days=rng.choice([10, 28, 60, 120]))
            done = s_end < AS_OF and rng.random() < 0.6
            make_stay(
                enrolment,
                country=rng.choice(["DE", "NO", "US", "JP"]),
                start_date=s_start,
                end_date=s_end,
                status=StayStatus.COMPLETED if done else StayStatus.PLANNED,
            )
        roll = rng.random()
        if roll < 0.5:
            plan = Plan(enrolment=enrolment, status=PlanStatus.APPROVED)
            db.session.add(plan)
            db.session.flush()
            version = PlanVersion(
                plan=plan, number=1, event="approved", snapshot={}, snapshot_sha256="0" * 64
            )
            db.session.add(version)
            db.session.flush()
            plan.approved_version = version
            for stay in enrolment.stays:
                stay.mark_approved()
        elif roll < 0.7:
            db.session.add(Plan(enrolment=enrolment, status=PlanStatus.SUBMITTED))
    db.session.commit()
    return programmes


@pytest.mark.parametrize("as_of", [AS_OF, date(2024, 3, 1)])
@pytest.mark.parametrize("faculty", [None, "IE"])
def test_each_programmes_figures_are_its_own_document(institution, faculty, as_of) -> None:
    filters = parse_filters(faculty, None)
    settings = stats.current_settings()
    by_programme = stats.programme_blocks(
        stats.count_groups(as_of, settings, filters, by_programme=True), settings
    )
    covered = [p for p in institution if faculty is None or p.faculty.code == faculty]
    assert set(by_programme) <= {p.id for p in covered}
    for programme in covered:
        own = stats.get_statistics(as_of, Filters(programme=programme))
        expected = {kind: own[kind] for kind in ("phd", "postdoc", "staff")}
        empty = all(not groups for block in expected.values() for groups in block.values())
        assert by_programme.get(programme.id) == (None if empty else expected), programme.code
    # Every population is compared, new permanent staff's too.
    for kind, key in (("phd", "by_completion_year"), ("staff", "by_deadline_year")):
        assert any(block[kind][key] for block in by_programme.values()), kind


def test_people_on_the_lists_add_up_to_the_lists(institution) -> None:
    settings = TargetSettings()
    counts = candidates.count_on_lists(Operator(), AS_OF, Filters(), settings)
    for name, index in (("overdue", 0), ("at-risk", 1)):
        rows = candidates.get_all(
            Operator(), candidates.ListQuery(name=name, as_of=AS_OF, filters=Filters()), settings
        )
        for programme in institution:
            for kind in EnrolmentKind:
                on_list = [r for r in rows if r.programme_code == programme.code and r.kind == kind]
                assert counts.get((programme.id, kind), (0, 0))[index] == len(on_list)
    assert sum(overdue for overdue, _r in counts.values()) > 0
    assert sum(at_risk for _o, at_risk in counts.values()) > 0


def test_each_viewer_counts_their_own_scope(institution, make_user) -> None:
    # The statement is built once per viewer and kept: asked in turn, each viewer gets
    # the counts of their own scope, never those of the one asked before.
    settings = TargetSettings()
    ie, hf = institution[0].faculty, institution[5].faculty
    viewers = [
        (make_user("ie@example.org", coordinator_of=[ie]), institution[:4]),
        (make_user("hf@example.org", coordinator_of=[hf]), institution[4:]),
        (make_user("p5@example.org", coordinator_of=[institution[5]]), institution[5:]),
        (Operator(), institution),
    ]
    for viewer, scope in viewers * 2:
        counts = candidates.count_on_lists(viewer, AS_OF, Filters(), settings)
        overdue = candidates.get_all(
            viewer,
            candidates.ListQuery(name="overdue", as_of=AS_OF, filters=Filters()),
            settings,
        )
        assert {programme for programme, _kind in counts} == {p.id for p in scope}
        assert sum(on_overdue for on_overdue, _r in counts.values()) == len(overdue) > 0
    first = candidates.on_lists_statement(viewers[0][0], AS_OF, Filters(), settings)
    assert candidates.on_lists_statement(viewers[0][0], AS_OF, Filters(), settings) is first
    assert candidates.on_lists_statement(viewers[1][0], AS_OF, Filters(), settings) is not first


def test_a_programme_is_compared_with_nothing(institution) -> None:
    filters = Filters(programme=institution[0])
    assert get_comparison_data(Operator(), AS_OF, filters, TargetSettings()) is None
    compared = get_comparison_data(Operator(), AS_OF, parse_filters("HF", None), TargetSettings())
    assert compared is not None
    assert [p.code for p in compared.programmes] == ["P4", "P5"]


def test_the_populations_alone_are_the_documents_head(institution) -> None:
    """What the administrator's home compares on: the document without its international
    sections, from one statement."""
    settings = stats.current_settings()
    document = stats.get_statistics(AS_OF, Filters())
    head = stats.build_populations(AS_OF, Filters(), settings)
    assert head == {key: document[key] for key in head}
    assert set(document) - set(head) == {"activities", "funding", "destinations"}


@pytest.mark.parametrize("as_of", [AS_OF, AS_OF - timedelta(days=400)])
@pytest.mark.parametrize("scope", [(None, None), ("IE", None), ("HF", None), (None, "P2")])
def test_a_page_with_a_comparison_shows_the_same_document(institution, scope, as_of) -> None:
    """The dashboard, the summary and the administrator's home count the populations once, by
    programme, and sum the scope's: the document and the comparison are as counted apart.
    (A year back the histories are replayed.)"""
    filters = parse_filters(*scope)
    settings = stats.current_settings()
    document, compared = get_compared_statistics(Operator(), as_of, filters, settings)
    assert document == stats.build_statistics(as_of, filters, settings)
    assert compared == get_comparison_data(Operator(), as_of, filters, settings)
    head, _ = get_compared_statistics(Operator(), as_of, filters, settings, international=False)
    assert head == stats.build_populations(as_of, filters, settings)
