"""The ``remind`` command, for a daily cron job."""

from datetime import date

import click
from flask.cli import with_appcontext

from tracker.domain.targets import parse_as_of
from tracker.services.reminders import ReminderKind, send_reminders


@click.command("remind")
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    default=None,
    help="The day to remind for; default today.",
)
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@with_appcontext
def remind_command(as_of: str | None, dry_run: bool) -> None:
    """Send the daily reminders: plans due, decisions waiting, stays not reported."""
    try:
        day = parse_as_of(as_of, date.today())
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--as-of") from None
    result = send_reminders(day, dry_run=dry_run)
    for line in result.lines:
        click.echo(f"would send {line}")
    for kind in ReminderKind:
        click.echo(f"{kind}: {result.counts[kind]}")
    if result.skipped:
        click.echo(f"skipped (queued meanwhile by another run): {result.skipped}")
