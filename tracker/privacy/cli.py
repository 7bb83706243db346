"""``flask --app tracker privacy export|erase|retention``: personal data for operators."""

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.coordinator.cli import UsageProblem, find_user
from tracker.domain.targets import parse_as_of
from tracker.extensions import db
from tracker.services import privacy
from tracker.services.privacy import export

privacy_group = AppGroup(
    "privacy", help="Personal data: export a person's, erase a person's, apply the retention."
)


@privacy_group.command("export")
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The file to write (- for standard output).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "pdf"]),
    default="json",
    show_default=True,
    help="JSON (machine-readable, DESIGN §9) or PDF.",
)
def export_command(email: str, output: Path, form: str) -> None:
    """Write everything the tracker holds about a person (GDPR art. 15 and 20)."""
    user = find_user(email)
    document = export.build_export(user)
    if form == "json":
        data = export.to_json(document).encode()
    else:
        data = export.to_pdf(document, current_app.config["BABEL_DEFAULT_LOCALE"])
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as error:
            db.session.rollback()
            raise UsageProblem(
                f"{output}: cannot write the file ({error.strerror or error})."
            ) from None
    export.record_export(user, None, form)
    db.session.commit()
    if str(output) != "-":
        click.echo(f"Wrote the personal data of account {user.id} to {output}.", err=True)


@privacy_group.command("erase")
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
def erase_command(email: str, dry_run: bool) -> None:
    """Erase what identifies a person (GDPR art. 17), keeping what the statistics count."""
    user = find_user(email)
    try:
        report = privacy.erase_person(user, None, dry_run=dry_run)
    except privacy.ErasureRefused as refused:
        db.session.rollback()
        raise UsageProblem(refused.message) from None
    for table, count in sorted(report.rows.items()):
        click.echo(f"{table}: {count} row{'' if count == 1 else 's'}")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: account {user.id} would be erased; nothing was changed.")
    else:
        db.session.commit()
        click.echo(f"Erased the personal data of account {user.id}.")


@privacy_group.command("retention")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The day of the run (today).")
@click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
def retention_command(as_of: str | None, dry_run: bool) -> None:
    """Erase everyone whose last enrolment ended TRACKER_RETENTION_YEARS ago (daily, cron)."""
    try:
        day = parse_as_of(as_of, date.today())
    except ValueError as bad:
        raise UsageProblem(f"--as-of: {bad}.") from None
    result = privacy.apply_retention(day, dry_run=dry_run)
    years = current_app.config["RETENTION_YEARS"]
    for due in result.due:
        # Addresses only in a dry run: the log of a real run must not keep what it erased.
        who = f"{due.user.id} {due.user.email}" if dry_run else str(due.user.id)
        click.echo(f"{'would erase' if dry_run else 'erased'} {who}: last enrolment ended "
                   f"{due.last_ended.isoformat()}")  # fmt: skip
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(
        f"{len(result.due)} {'person' if len(result.due) == 1 else 'people'} whose last "
        f"enrolment ended before {result.cutoff.isoformat()} ({years} years)"
        + (" would be erased (dry run: nothing changed)." if dry_run else " erased.")
    )
