"""The daily ``remind`` command on a small fixed data set, as of 10 March 2025."""

from datetime import UTC, date, datetime

import pytest

from tests.plan_support import body
from tracker.domain.vocabulary import EnrolmentStatus, PlanEvent, PlanStatus
from tracker.extensions import db
from tracker.models import Plan, PlanVersion, SentReminder

AS_OF = "2025-03-10"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


@pytest.fixture()
def world(make_user, make_programme, make_enrolment, make_stay):
    """Everyone the rules could concern, each on one side of a boundary."""
    make_programme("PHD-CS", "IE")
    sup = make_user("sup@example.org", "Siri Veileder")
    co = make_user("co@example.org", "Carl Medveileder")
    quiet_sup = make_user("quiet@example.org", "Quiet Supervisor")

    def candidate(email, start, plan_status=None, *, approved=False, **kw):
        enrolment = make_enrolment(
            make_user(email), start_date=date.fromisoformat(start), supervisor=sup, **kw
        )
        if plan_status is not None:
            plan = Plan(enrolment=enrolment, status=plan_status)
            db.session.add(plan)
            if approved:
                version = PlanVersion(
                    plan=plan,
                    number=1,
                    event=PlanEvent.APPROVED,
                    snapshot={},
                    snapshot_sha256="0" * 64,
                )
                db.session.add(version)
                db.session.flush()
                plan.approved_version = version
            db.session.commit()
        return enrolment

    # Plan due: due date = start + 30 days; reminded from 7 days before.
    candidate("due-in-7@example.org", "2025-02-15")  # due 17 March
    candidate("due-in-8@example.org", "2025-02-16")  # due 18 March: not yet
    candidate("overdue-draft@example.org", "2024-12-01", PlanStatus.DRAFT)
    candidate("overdue-changes@example.org", "2024-12-01", PlanStatus.CHANGES_REQUESTED)
    candidate("overdue-submitted@example.org", "2024-12-01", PlanStatus.SUBMITTED)
    candidate("approved@example.org", "2024-12-01", PlanStatus.APPROVED, approved=True)
    candidate("revising@example.org", "2024-12-01", PlanStatus.DRAFT, approved=True)
    candidate("withdrawn@example.org", "2024-12-01", status=EnrolmentStatus.WITHDRAWN)

    # Waiting for a decision for more than 14 days (on 10 March: submitted before 24 Feb).
    old = candidate("waits-15@example.org", "2024-06-01", PlanStatus.SUBMITTED)
    old.plan.submitted_at = at("2025-02-23")
    recent = candidate("waits-14@example.org", "2024-06-01", PlanStatus.SUBMITTED)
    recent.plan.submitted_at = at("2025-02-24")
    db.session.commit()

    # Stays: ended without a report, on an approved plan.
    traveller = candidate(
        "traveller@example.org",
        "2024-01-15",
        PlanStatus.APPROVED,
        approved=True,
        co_supervisors=[co],
    )
    make_stay(traveller, start_date=date(2025, 1, 1), end_date=date(2025, 3, 9))
    make_stay(
        traveller,
        start_date=date(2025, 1, 1),
        end_date=date(2025, 3, 10),
        host_institution="Ends today",
    )
    reported = make_stay(
        traveller,
        start_date=date(2024, 9, 1),
        end_date=date(2024, 12, 1),
        host_institution="Reported long ago",
    )
    reported.reported_at = at("2025-02-01")
    reported.reported_start_date, reported.reported_end_date = date(2024, 9, 1), date(2024, 12, 1)
    # A stay on a plan never approved cannot be reported yet: no reminder.
    make_stay(
        candidate("draft-traveller@example.org", "2024-01-15", PlanStatus.SUBMITTED),
        start_date=date(2025, 1, 1),
        end_date=date(2025, 2, 1),
    ).enrolment.plan.submitted_at = at("2025-03-09")
    # Waiting nine days only.
    quiet = make_enrolment(
        make_user("quiet-cand@example.org"), supervisor=quiet_sup, start_date=date(2024, 1, 1)
    )
    db.session.add(
        Plan(enrolment=quiet, status=PlanStatus.SUBMITTED, submitted_at=at("2025-03-01"))
    )
    db.session.commit()
    return {"sup": sup, "co": co}


def sent_reminders() -> list[tuple[str, str]]:
    db.session.rollback()
    rows = db.session.scalars(db.select(SentReminder).order_by(SentReminder.id))
    return [(r.kind, r.day.isoformat()) for r in rows]


def test_reminders_follow_the_rules_and_go_once_a_day(world, runner, mailbox):
    result = runner.invoke(args=["remind", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "plan_due: 3" in result.output
    assert "decision_waiting: 1" in result.output
    assert "stay_not_reported: 1" in result.output

    recipients = sorted(m["To"] for m in mailbox)
    assert recipients == [
        "due-in-7@example.org",
        "overdue-changes@example.org",
        "overdue-draft@example.org",
        "sup@example.org",
        "traveller@example.org",
    ]
    (to_sup,) = mailbox.to("sup@example.org")
    text = body(to_sup)
    assert "waiting since 23 Feb 2025" in text and "waiting since 24 Feb 2025" not in text
    assert "reported 1 Feb 2025" in text  # the stay reported long ago
    assert "http://127.0.0.1:5000/review/plans/" in text
    (to_traveller,) = mailbox.to("traveller@example.org")
    assert "planned to end 9 Mar 2025" in body(to_traveller)
    assert "Ends today" not in body(to_traveller)
    assert "/plans/stays/" in body(to_traveller) and "/report" in body(to_traveller)
    assert "plan due 17 Mar 2025" in body(mailbox.to("due-in-7@example.org")[0])

    # The same day again: nothing new.
    again = runner.invoke(args=["remind", "--as-of", AS_OF])
    assert again.exit_code == 0, again.output
    assert "plan_due: 0" in again.output and "decision_waiting: 0" in again.output
    assert "stay_not_reported: 0" in again.output
    assert len(mailbox) == 5
    assert len(sent_reminders()) == 5

    # The next day, everyone who still needs it is reminded again.
    next_day = runner.invoke(args=["remind", "--as-of", "2025-03-11"])
    assert "plan_due: 4" in next_day.output  # due-in-8 is now within the week
    assert len(mailbox) == 5 + 4 + 1 + 1


def test_co_supervisors_are_reminded_only_when_they_decide(world, runner, mailbox, app):
    app.config["ANY_SUPERVISOR_MAY_APPROVE"] = True
    try:
        result = runner.invoke(args=["remind", "--as-of", AS_OF])
    finally:
        app.config["ANY_SUPERVISOR_MAY_APPROVE"] = False
    assert "decision_waiting: 2" in result.output
    assert "reported 1 Feb 2025" in body(mailbox.to("co@example.org")[0])


def test_dry_run_prints_who_would_get_what_and_records_nothing(world, runner, mailbox):
    result = runner.invoke(args=["remind", "--as-of", AS_OF, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would send plan_due: due-in-7@example.org:" in result.output
    assert "would send decision_waiting: sup@example.org:" in result.output
    assert "would send stay_not_reported: traveller@example.org:" in result.output
    assert "plan_due: 3" in result.output
    assert mailbox == []
    assert sent_reminders() == []
    # A real run afterwards still sends everything.
    assert "plan_due: 3" in runner.invoke(args=["remind", "--as-of", AS_OF]).output


def test_a_mail_server_that_is_down_loses_no_reminder(world, runner, app, mailbox):
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens on discard
    try:
        result = runner.invoke(args=["remind", "--as-of", AS_OF])
    finally:
        app.config.update(saved)
    assert result.exit_code == 0, result.output
    assert len(sent_reminders()) == 5  # recorded once, and waiting in the outbox
    assert mailbox == []
    # The server is back: the operator sends what waits for its retry.
    assert runner.invoke(args=["mail", "deliver", "--now"]).exit_code == 0
    assert len(mailbox) == 5
    assert runner.invoke(args=["remind", "--as-of", AS_OF]).output.count(": 0") == 3


def test_bad_date_is_refused(runner, app):
    result = runner.invoke(args=["remind", "--as-of", "10.03.2025"])
    assert result.exit_code == 2


def test_dates_in_an_email_are_written_as_its_readers_language_writes_them(
    world, runner, mailbox
):
    world["sup"].locale = "nb"
    db.session.commit()
    result = runner.invoke(args=["remind", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    text = body(mailbox.to("sup@example.org")[0])
    # Submitted at 09:00 UTC: the same day in Oslo, in bokmål's form, no ISO date.
    assert "23.02.2025" in text and "01.02.2025" in text
    assert "2025-02-23" not in text and "Feb" not in text
