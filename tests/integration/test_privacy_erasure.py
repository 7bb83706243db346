"""Erasure (GDPR art. 17): nothing that identifies the person is left, what counts stays."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.integration import privacy_story as story
from tests.integration import privacy_support
from tracker.domain.snapshot import snapshot_digest
from tracker.domain.vocabulary import EnrolmentStatus, MailStatus
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Enrolment,
    OutboxMessage,
    PendingUpload,
    PlanVersion,
    ReportJob,
    Stay,
    User,
)
from tracker.services import accounts, privacy
from tracker.services.privacy.catalogue import ERASED


@pytest.fixture()
def told(client, login, make_user, make_programme, make_enrolment):
    return story.build(client, login, make_user, make_programme, make_enrolment)


def test_the_story_leaves_personal_data_everywhere(told):
    # Without this, the test below could pass for want of anything to erase.
    found = {table for table, _, _ in privacy_support.text_left(story.NEEDLES)}
    assert found >= {
        "user_account", "plan", "plan_version", "stay", "activity", "outbox_message",
        "audit_entry", "pending_upload", "report_job",
    }  # fmt: skip
    kari = told["kari"]
    assert db.session.scalar(
        select(AuditEntry.ip).where(AuditEntry.actor_id == kari.id, AuditEntry.ip.is_not(None))
    )
    assert db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.QUEUED)
    )


def test_nothing_identifying_is_left_and_every_counted_value_stays(told, client):
    kari = told["kari"]
    kept = privacy_support.kept_values()
    counted = privacy_support.statistics()

    report = privacy.erase_person(kari, told["admin"])
    db.session.commit()

    assert privacy_support.text_left(story.NEEDLES) == []
    assert privacy_support.kept_values() == kept
    assert privacy_support.statistics() == counted
    assert report.rows["user_account"] == 1
    assert report.rows["stay"] == 1

    kari = story.reload(kari)
    assert kari.email == f"erased-{kari.id}@invalid"
    assert kari.name == f"erased-{kari.id}"
    assert kari.erased_at is not None
    assert not kari.active and kari.password_hash is None and kari.locale is None
    stay = db.session.get(Stay, told["stay"].id)
    assert (stay.country, stay.start_date, stay.status) == ("AU", date(2025, 3, 2), "completed")
    assert (stay.notes, stay.report) == ("", "")
    # The host is an institution, counted by the destinations statistics: it stays.
    assert stay.host_institution == "University of Western Australia"

    # The approved version keeps what counted, and a digest that matches it (plan PDF).
    for version in db.session.scalars(select(PlanVersion)):
        assert version.snapshot_sha256 == snapshot_digest(version.snapshot)
        assert version.comment == ""
        assert [s["country"] for s in version.snapshot["stays"]] == ["AU"]

    # Her own acts lose their network address; the administrator's keep theirs.
    entries = list(db.session.scalars(select(AuditEntry)))
    assert all(e.ip is None for e in entries if e.actor_id == kari.id)
    renamed = next(e for e in entries if e.action == "user_updated")
    assert renamed.ip == "127.0.0.1"
    assert renamed.detail["changes"]["name"] == [ERASED, ERASED]
    returned = next(e for e in entries if e.action == "stay_returned")
    assert returned.detail == {"comment": ERASED}
    erased = next(e for e in entries if e.action == "personal_data_erased")
    assert (erased.actor_id, erased.object_id, erased.detail) == (
        told["admin"].id, kari.id, {"reason": "request"}
    )

    # The unsent e-mail is gone; the sent ones keep only that they were sent.
    mail = list(db.session.scalars(select(OutboxMessage)))
    assert all(m.status == MailStatus.SENT for m in mail)
    assert {m.to_address for m in mail if m.recipient_id == kari.id} == {kari.email}
    assert db.session.scalar(select(PendingUpload.id)) is None
    assert db.session.scalar(select(ReportJob.id)) is None

    # Nobody can log in or ask for a link with any address she had.
    for address in (story.EMAIL, story.OLD_EMAIL, kari.email):
        assert story.log_in_fails(client, address)
        assert accounts.get_user_by_email(address) is None


def test_a_dry_run_counts_what_erasure_changes_and_changes_nothing(told):
    kari = told["kari"]
    before = privacy_support.text_left(story.NEEDLES)
    preview = privacy.erase_person(kari, None, dry_run=True)
    db.session.commit()
    assert privacy_support.text_left(story.NEEDLES) == before
    assert story.reload(kari).erased_at is None

    done = privacy.erase_person(story.reload(kari), None)
    db.session.commit()
    assert preview.rows == done.rows


def test_someone_who_still_supervises_or_coordinates_is_refused(told):
    supervisor, coordinator, admin = told["supervisor"], told["coordinator"], told["admin"]
    with pytest.raises(privacy.ErasureRefused, match="supervises 1 active enrolment"):
        privacy.erase_person(supervisor, admin)
    with pytest.raises(privacy.ErasureRefused, match="coordinates PHD-CS"):
        privacy.erase_person(coordinator, admin)
    with pytest.raises(privacy.ErasureRefused, match="administrator"):
        privacy.erase_person(admin, None)

    # Handed over (the candidate finished), the former supervisor can go.
    enrolment = db.session.get(Enrolment, told["enrolment"].id)
    enrolment.status, enrolment.end_date = EnrolmentStatus.COMPLETED, date(2026, 6, 1)
    db.session.commit()
    name = supervisor.name
    privacy.erase_person(supervisor, admin)
    db.session.commit()
    assert privacy_support.text_left([name, "supervisor@example.org"]) == []
    assert db.session.get(Enrolment, enrolment.id).main_supervisor_id == supervisor.id

    with pytest.raises(privacy.ErasureRefused, match="already been erased"):
        privacy.erase_person(story.reload(supervisor), admin)


def test_a_batch_with_anyone_refused_erases_nobody(told):
    kari = told["kari"]
    with pytest.raises(privacy.ErasureRefused):
        privacy.erase_people([kari, told["coordinator"]], None, reason="request")
    assert story.reload(kari).erased_at is None
    assert db.session.scalar(select(User.id).where(User.email == story.EMAIL)) == kari.id
