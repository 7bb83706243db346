"""``flask privacy export|erase|retention``: what operators run, and its answers to bad input."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.integration import privacy_story as story
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.extensions import db
from tracker.models import AuditEntry, CoordinatorScope, User


@pytest.fixture()
def told(client, login, make_user, make_programme, make_enrolment):
    return story.build(client, login, make_user, make_programme, make_enrolment)


def test_export_writes_the_document_and_records_it(told, runner, tmp_path):
    output = tmp_path / "kari.json"
    result = runner.invoke(args=["privacy", "export", "--email", "KARI.Nordqvist@example.org",
                                 "--output", str(output)])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["person"]["email"] == story.EMAIL
    assert document["stays"][0]["notes"] == "visa worries"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "personal_data_exported")
    )
    assert (entry.actor_id, entry.object_id, entry.detail) == (None, told["kari"].id,
                                                                {"format": "json"})  # fmt: skip

    to_stdout = runner.invoke(args=["privacy", "export", "--email", story.EMAIL, "--output", "-"])
    assert json.loads(to_stdout.stdout)["person"]["name"] == story.NAME
    pdf = tmp_path / "kari.pdf"
    as_pdf = runner.invoke(args=["privacy", "export", "--email", story.EMAIL, "--format", "pdf",
                                 "--output", str(pdf)])  # fmt: skip
    assert as_pdf.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["export", "--email", "not an address", "--output", "x.json"], "not a valid e-mail address"),
     (["export", "--email", "nobody@example.org", "--output", "x.json"], "There is no user"),
     (["export", "--email", story.EMAIL, "--output", "/nonexistent/dir/x.json"],
      "cannot write the file"),
     (["erase", "--email", "@"], "not a valid e-mail address"),
     (["erase", "--email", "nobody@example.org"], "There is no user"),
     (["erase", "--email", "supervisor@example.org"], "supervises 1 active enrolment"),
     (["erase", "--email", "coordinator@example.org"], "coordinates PHD-CS"),
     (["erase", "--email", "admin@example.org"], "is an administrator"),
     (["retention", "--as-of", "2026-02-30"], "--as-of"),
     (["retention", "--as-of", "9999-01-01"], "--as-of")],
)  # fmt: skip
def test_bad_input_exits_with_status_2_and_says_why(told, runner, args, message):
    result = runner.invoke(args=["privacy", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert db.session.scalar(select(User.id).where(User.erased_at.is_not(None))) is None


def test_erase_with_a_dry_run_first(told, runner):
    kari = told["kari"]
    dry = runner.invoke(args=["privacy", "erase", "--email", story.EMAIL, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "stay: 1 row" in dry.output and "nothing was changed" in dry.output
    assert story.reload(kari).erased_at is None

    done = runner.invoke(args=["privacy", "erase", "--email", story.EMAIL])
    assert done.exit_code == 0, done.output
    assert f"Erased the personal data of account {kari.id}." in done.output
    assert story.reload(kari).erased_at is not None
    again = runner.invoke(args=["privacy", "erase", "--email", story.EMAIL])
    assert again.exit_code == 2 and "There is no user" in again.output


@pytest.fixture()
def leavers(make_user, make_programme, make_enrolment):
    """People at the edges of the retention rule, as of 2026-11-30 with 5 years."""
    programme = make_programme("PHD-CS", "IE")

    def left(key: str, end: date | None, status=EnrolmentStatus.COMPLETED, **kwargs):
        user = make_user(f"{key}@example.org", f"Leaver {key}")
        make_enrolment(user, programme=programme, start_date=date(2010, 1, 1),
                       end_date=end, status=status, **kwargs)  # fmt: skip
        return user

    people = {
        "long_gone": left("long_gone", date(2021, 11, 29)),  # 5 years and a day: due
        "exactly": left("exactly", date(2021, 11, 30)),  # exactly 5 years: not yet
        # Withdrawn without an end date: the expected end counts.
        "withdrawn": left("withdrawn", None, EnrolmentStatus.WITHDRAWN,
                          expected_end_date=date(2014, 1, 1)),  # fmt: skip
        "withdrawn_late": left("withdrawn_late", None, EnrolmentStatus.WITHDRAWN,
                               expected_end_date=date(2022, 1, 1)),  # fmt: skip
        "admin": left("admin", date(2015, 1, 1)),
        "coordinator": left("coordinator", date(2015, 1, 1)),
        "supervising": left("supervising", date(2015, 1, 1)),
        "active_again": left("active_again", date(2015, 1, 1)),
        "staff": make_user("staff@example.org", "Staff Without Enrolment"),
    }
    people["admin"].is_admin = True
    people["coordinator"].coordinator_scopes.append(CoordinatorScope(programme=programme))
    make_enrolment(make_user("student@example.org"), programme=programme,
                   supervisor=people["supervising"])  # fmt: skip
    make_enrolment(people["active_again"], programme=programme, kind=EnrolmentKind.POSTDOC,
                   start_date=date(2024, 1, 1))  # fmt: skip
    db.session.commit()
    return people


def test_retention_erases_whoever_left_long_enough_ago_and_holds_no_role(leavers, runner, app):
    dry = runner.invoke(args=["privacy", "retention", "--as-of", "2026-11-30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would erase" in dry.output and "long_gone@example.org" in dry.output
    assert "2 people whose last enrolment ended before 2021-11-30 (5 years) would be erased" in (
        dry.output
    )
    assert db.session.scalar(select(User.id).where(User.erased_at.is_not(None))) is None

    done = runner.invoke(args=["privacy", "retention", "--as-of", "2026-11-30"])
    assert done.exit_code == 0, done.output
    assert "@example.org" not in done.output  # a cron log keeps no erased address
    erased = {u.id for u in db.session.scalars(select(User).where(User.erased_at.is_not(None)))}
    assert erased == {leavers["long_gone"].id, leavers["withdrawn"].id}
    run = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retention_run"))
    assert run.detail == {"as_of": "2026-11-30", "years": 5, "erased": 2}

    # TRACKER_RETENTION_YEARS=4: the next ones are due.
    app.config["RETENTION_YEARS"] = 4
    try:
        shorter = runner.invoke(args=["privacy", "retention", "--as-of", "2026-11-30",
                                      "--dry-run"])  # fmt: skip
    finally:
        app.config["RETENTION_YEARS"] = 5
    assert "ended before 2022-11-30 (4 years)" in shorter.output
    listed = {line.split()[3] for line in shorter.output.splitlines() if "would erase" in line}
    assert listed == {"exactly@example.org:", "withdrawn_late@example.org:"}
