"""The ``remind`` command, for a daily cron job."""

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from tracker.services.reminders import ReminderKind, send_reminders


@click.command("remind")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to remind for (YYYY-MM-DD); default today.",
)
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@with_appcontext
def remind_command(as_of: datetime | None, dry_run: bool) -> None:
    """Send the daily reminders: plans due, decisions waiting, stays not reported."""
    result = send_reminders(as_of.date() if as_of else date.today(), dry_run=dry_run)
    for line in result.lines:
        click.echo(f"would send {line}")
    for kind in ReminderKind:
        click.echo(f"{kind}: {result.counts[kind]}")
    if result.skipped:
        click.echo(f"skipped (sent meanwhile by another run): {result.skipped}")
    if result.failed:
        click.echo(f"failed: {result.failed}", err=True)
        raise SystemExit(1)
