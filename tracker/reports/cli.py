"""``flask --app tracker report plan|summary``: write a PDF report to a file."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker import pdf
from tracker.coordinator.cli import UsageProblem, find_user, statistics_scope
from tracker.domain.vocabulary import EnrolmentKind
from tracker.extensions import db
from tracker.models import Enrolment

report_group = AppGroup("report", help="Write PDF reports: a plan, or a summary of a scope.")


class Operator:
    """Whoever runs the command line reaches the database directly, so every list is theirs."""

    is_authenticated = True
    is_admin = True
    coordinator_scopes: tuple = ()
    id = None


def _locale_option(command):
    return click.option(
        "--locale",
        metavar="LANG",
        help="Language of the report: en or nb (default: the app's default language).",
    )(command)


def _check_locale(locale: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    if chosen not in languages:
        raise UsageProblem(f"--locale must be one of {', '.join(languages)}.")
    return chosen


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UsageProblem(
            f"{output}: cannot write the file ({error.strerror or error})."
        ) from None


def find_enrolment(email: str, kind: EnrolmentKind | None) -> Enrolment:
    """Return the person's latest enrolment (of that kind); raise UsageProblem if none."""
    user = find_user(email)
    query = db.select(Enrolment).where(Enrolment.person_id == user.id)
    if kind is not None:
        query = query.where(Enrolment.kind == kind)
    enrolment = db.session.scalar(query.order_by(Enrolment.start_date.desc()).limit(1))
    if enrolment is None:
        what = f"{kind.value} enrolment" if kind else "enrolment"
        raise UsageProblem(f"{user.email} has no {what}.")
    return enrolment


@report_group.command("plan")
@click.option("--email", required=True, help="The candidate's e-mail address.")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in EnrolmentKind]),
    help="Which enrolment, when the person has several (default: the latest).",
)
@click.option(
    "--version",
    "number",
    type=click.IntRange(min=1),
    help="An approved version's number (default: the plan as it is now).",
)
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file."
)
@_locale_option
def plan_command(
    email: str, kind: str | None, number: int | None, output: Path, locale: str | None
) -> None:
    """Write one enrolment's plan as PDF/A: an approved version, or the current content."""
    language = _check_locale(locale)
    enrolment = find_enrolment(email, EnrolmentKind(kind) if kind else None)
    try:
        data = pdf.plan_pdf(enrolment, number, locale=language)
    except pdf.NoSuchVersion as missing:
        numbers = [str(v.number) for v in pdf.approved_versions(enrolment.plan)]
        known = f" Approved versions: {', '.join(numbers)}." if numbers else " None is approved."
        raise UsageProblem(f"{missing}{known}") from None
    _write(output, data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")


@report_group.command("summary")
@click.option("--faculty", metavar="CODE", help="Only this faculty.")
@click.option("--programme", metavar="CODE", help="Only this programme.")
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD", help="Count at this date (today).")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file."
)
@click.option(
    "--tagged",
    is_flag=True,
    help="A tagged PDF (PDF/A-3a) for screen readers; takes longer (docs/PERFORMANCE.md).",
)
@_locale_option
def summary_command(
    faculty: str | None,
    programme: str | None,
    as_of_text: str | None,
    output: Path,
    tagged: bool,
    locale: str | None,
) -> None:
    """Write the summary PDF of the institution, a faculty or a programme."""
    language = _check_locale(locale)
    as_of, filters = statistics_scope(as_of_text, faculty, programme)
    data = pdf.summary_pdf(filters, as_of, viewer=Operator(), locale=language, tagged=tagged)
    _write(output, data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")
