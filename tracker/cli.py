"""Command-line interface: ``flask --app tracker <command>``."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from tracker.extensions import db
from tracker.plans.cli import remind_command
from tracker.sqlite import commands_write

import_group = AppGroup("import", help="Import programmes, enrolments or stays from CSV.")


def _import_command(kind: str, help_text: str) -> None:
    """Add ``flask import <kind> FILE`` to the import group."""

    @import_group.command(kind, help=help_text)
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and count, write nothing.")
    @click.option(
        "--invite",
        is_flag=True,
        help="E-mail each person the import creates a link to choose a password.",
    )
    def command(file: Path, dry_run: bool, invite: bool) -> None:
        from tracker.services.importing import import_csv
        from tracker.services.imports import invite_people

        try:
            # Read as a stream: a file of more than IMPORT_MAX_ROWS rows is not read further.
            with file.open("rb") as stream:
                result = import_csv(kind, stream, dry_run=dry_run)
        except OSError as exc:
            db.session.rollback()
            click.echo(f"{file}: cannot read the file ({exc.strerror or exc}).", err=True)
            raise SystemExit(2) from None
        if not result.ok:
            db.session.rollback()
            for error in result.errors:
                click.echo(f"line {error.line}: {error.message}", err=True)
            if result.unlisted:
                more = "problem" if result.unlisted == 1 else "problems"
                click.echo(f"and {result.unlisted} more {more}.", err=True)
            if result.stopped_at:
                click.echo(
                    f"There are so many problems that the file was not read past line "
                    f"{result.stopped_at}: there may be more after it.",
                    err=True,
                )
            found = len(result.problems)
            click.echo(
                f"{file}: {found} problem{'' if found == 1 else 's'}; nothing was imported.",
                err=True,
            )
            raise SystemExit(2)
        invited = 0
        if dry_run:
            db.session.rollback()
        else:
            invited = invite_people(None, result.created_user_ids) if invite else 0
            db.session.commit()
        click.echo(
            f"{kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged" + (" (dry run: nothing written)" if dry_run else "")
        )
        if result.people_created:
            people = result.people_created
            click.echo(
                f"{people} {'person' if people == 1 else 'people'} "
                + ("would get an account" if dry_run else "got an account")
                + (f"; {invited} e-mailed an invitation" if invite and not dry_run else "")
                + "."
            )


_import_command("programmes", "Import programmes: code,name,faculty_code,faculty_name.")
_import_command(
    "enrolments",
    "Import enrolments: kind,email,name,programme,start_date,expected_end_date,end_date,"
    "status,supervisor_email,supervisor_name,international_experience,plan_status.",
)
_import_command(
    "stays",
    "Import stays: email,kind,host_institution,country,start_date,end_date,status,funding.",
)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database without users.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load a believable demo institution, and print the demo logins."""
    from tracker import demo

    outcome = demo.seed_demo(if_empty=if_empty)
    db.session.commit()
    if outcome == demo.SKIPPED_NOT_EMPTY:
        click.echo("The database already has users; demo data not loaded.")
        return
    if outcome == demo.ALREADY_PRESENT:
        click.echo("Demo data already present.")
    else:
        click.echo("Demo data loaded.")
    click.echo(demo.format_logins())


def register_cli(app: Flask) -> None:
    """Attach every command group to the app."""
    from tracker.admin.cli import mail_group, worker_command
    from tracker.auth.cli import create_user_command, login_link_command
    from tracker.coordinator.cli import stats_command
    from tracker.privacy.cli import privacy_group
    from tracker.reports.cli import report_group

    app.cli.add_command(create_user_command)
    app.cli.add_command(login_link_command)
    app.cli.add_command(import_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(stats_command)
    app.cli.add_command(report_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(privacy_group)
    # Commands may write while the web app serves the same SQLite file: take the lock first.
    for command in app.cli.commands.values():
        commands_write(command)
