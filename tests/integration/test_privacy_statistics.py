"""Erasure and retention keep every statistics document as it was (DESIGN §4 and §9).

A generated institution (thousands of enrolments, with free text, e-mails and
audit entries naming people) plus the hand-made data set that hits every counting
boundary. The statistics of every scope — the institution, each faculty, each
programme — at several as-of dates, and the §4 facts of every enrolment every other
year from 2012 to 2030, are compared before and after erasing candidates, a
supervisor who has handed their candidates over, a coordinator whose roles were
removed, and after a retention run that erases hundreds. The columns erasure must
not touch are compared too, row by row, across every table: with them equal, no
document at any as-of date can differ (test_privacy_catalogue checks that the
statistics read nothing else).
"""

from datetime import date

from sqlalchemy import delete, select, update

from tests.integration import privacy_dataset, privacy_support
from tests.integration import stats_dataset as data
from tracker.domain.vocabulary import EnrolmentStatus
from tracker.extensions import db
from tracker.models import CoordinatorScope, Enrolment, User, co_supervision
from tracker.services import privacy


def _erase(users: list[User]) -> None:
    before = privacy_support.kept_values()
    report = privacy.erase_people(users, None, reason="request")
    db.session.commit()
    assert report.people == [u.id for u in users]
    assert privacy_support.kept_values() == before


def test_erasure_and_retention_leave_every_document_as_it_was(app):
    built = data.build()
    made = privacy_dataset.generate()
    baseline = privacy_support.statistics()
    documents, facts = baseline
    assert len(facts[next(iter(facts))]) >= 2000  # thousands of enrolments
    assert sum(g["n"] for d in documents.values() for g in d["phd"]["by_admission_year"]) > 2000

    # Candidates of the hand-made set, each at a counting boundary, and generated ones.
    keys = ("C1", "C3", "A10", "A12", "Q1", "P2", "W1")
    chosen = [built.enrolments[key].person for key in keys]
    for key, user in zip(keys, chosen, strict=True):
        # Names and addresses no one else's contain, so that a search finds only theirs.
        user.name, user.email = f"Statsperson {key}zz", f"statsperson.{key.lower()}zz@example.org"
    generated = [db.session.get(User, i) for i in made["people"][:60:3]]
    db.session.commit()
    needles = [u.name for u in chosen + generated] + [u.email for u in chosen + generated]
    _erase(chosen + generated)
    assert privacy_support.statistics() == baseline
    left = privacy_support.text_left(needles)
    assert left == [], left

    # A supervisor, once their active candidates are handed over to another.
    supervisor, other = made["supervisors"][:2]
    active = select(Enrolment.id).where(Enrolment.status == EnrolmentStatus.ACTIVE)
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.main_supervisor_id == supervisor, Enrolment.id.in_(active))
        .values(main_supervisor_id=other)
    )
    db.session.execute(
        delete(co_supervision).where(
            co_supervision.c.user_id == supervisor, co_supervision.c.enrolment_id.in_(active)
        )
    )
    db.session.commit()
    supervisor_user = db.session.get(User, supervisor)
    needles = [supervisor_user.name, supervisor_user.email]
    _erase([supervisor_user])
    assert privacy_support.statistics() == baseline
    assert privacy_support.text_left(needles) == []

    # A coordinator, once the role is removed.
    coordinator = db.session.get(User, made["coordinators"][0])
    db.session.execute(delete(CoordinatorScope).where(CoordinatorScope.user_id == coordinator.id))
    db.session.commit()
    db.session.expire_all()
    needles = [coordinator.name, coordinator.email]
    _erase([coordinator])
    assert privacy_support.statistics() == baseline
    assert privacy_support.text_left(needles) == []

    # The daily retention run: everyone whose last enrolment ended more than 5 years ago.
    before = privacy_support.kept_values()
    due = privacy.find_due(date(2026, 11, 30), 5)
    assert len(due) > 100
    sample = [d.user for d in due[:: max(1, len(due) // 25)]]
    needles = [u.name for u in sample] + [u.email for u in sample]
    result = privacy.apply_retention(date(2026, 11, 30))
    db.session.commit()
    assert [d.user.id for d in result.due] == [d.user.id for d in due]
    assert privacy_support.kept_values() == before
    assert privacy_support.statistics() == baseline
    assert privacy_support.text_left(needles) == []
    assert privacy.find_due(date(2026, 11, 30), 5) == []
