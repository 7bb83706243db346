"""Operators' commands: the e-mail outbox (``flask mail``) and the job worker."""

import json

import click
from flask.cli import AppGroup, with_appcontext

from tracker import jobs
from tracker.extensions import db
from tracker.services import outbox

mail_group = AppGroup("mail", help="The e-mail outbox: deliver what is due, or count it.")


@mail_group.command("deliver")
@click.option("--now", is_flag=True, help="Also send what waits for a retry (server fixed).")
def deliver_command(now: bool) -> None:
    """Send the queued e-mails that are due (from cron, or where no worker runs)."""
    done = outbox.deliver_due(include_waiting=now)
    click.echo(f"sent: {done.sent}, retrying later: {done.retrying}, failed: {done.failed}")


@mail_group.command("status")
@click.option("--json", "as_json", is_flag=True, help='Print {"queued": n, "sent": n, ...}.')
def status_command(as_json: bool) -> None:
    """Print how many e-mails are queued, sent and failed."""
    counts = outbox.get_counts()
    db.session.rollback()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for tests, cron).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the tracker's jobs (needs TRACKER_REDIS_URL)."""
    from rq import SimpleWorker

    connection = jobs.redis_connection()
    if connection is None:
        raise click.UsageError(
            "Set TRACKER_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker; "
            "without it, jobs run inside the web processes."
        )
    # Jobs run in this process, inside the command's app context (each ends its session).
    SimpleWorker([jobs.QUEUE_NAME], connection=connection).work(
        burst=burst, with_scheduler=False
    )
