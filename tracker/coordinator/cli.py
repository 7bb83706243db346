"""``flask --app tracker stats``: the statistics document of DESIGN §4 on the command line."""

import json
from datetime import date
from typing import Any

import click

from tracker.domain.addresses import InvalidEmail, normalise_email
from tracker.domain.targets import as_percent, parse_as_of
from tracker.models import User
from tracker.queries import scope, stats
from tracker.queries.activities import ACTIVITY_POPULATIONS
from tracker.services import accounts


class UsageProblem(click.ClickException):
    """A bad option value: the message is printed and the command exits with status 2."""

    exit_code = 2


def find_user(email: str) -> User:
    """Return the account with this address; raise UsageProblem (exit status 2) if none."""
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise UsageProblem(f"{email!r} is not a valid e-mail address: {error.reason}") from None
    user = accounts.get_user_by_email(address)
    if user is None:
        raise UsageProblem(f"There is no user with the e-mail address {address!r}.")
    return user


def statistics_scope(
    as_of_text: str | None, faculty: str | None, programme: str | None
) -> tuple[date, scope.Filters]:
    """Return the as-of date and filters of the options; raise UsageProblem on a bad value."""
    try:
        as_of = parse_as_of(as_of_text, date.today())
    except ValueError as bad:
        raise UsageProblem(f"--as-of: {bad}.") from None
    try:
        # The operator sees everything, so the errors name the precise problem.
        filters = scope.parse_filters(faculty, programme, None)
    except scope.FilterError as error:
        raise UsageProblem(str(error)) from None
    return as_of, filters


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document of DESIGN §4.")
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD", help="Count at this date (today).")
@click.option("--faculty", metavar="CODE", help="Only this faculty.")
@click.option("--programme", metavar="CODE", help="Only this programme.")
def stats_command(
    as_json: bool, as_of_text: str | None, faculty: str | None, programme: str | None
) -> None:
    """Print progress toward the targets (institution, faculty or programme)."""
    as_of, filters = statistics_scope(as_of_text, faculty, programme)
    document = stats.get_statistics(as_of, filters)
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(document))


_COLUMNS = (
    ("Year", "year", 6),
    ("n", "n", 7),
    ("Achieved", "achieved", 9),
    ("Projected", "projected", 10),
    ("Approved", "approved_plans", 9),
    ("Overdue", "overdue_plans", 8),
    ("Rate", "rate", 9),
    ("Projected rate", "projected_rate", 15),
    ("Target", "target_percent", 7),
    ("Needed", "needed", 7),
)

_TITLES = {
    ("phd", "by_completion_year"): "PhD candidates by completion year",
    ("phd", "by_admission_year"): "PhD candidates by admission cohort",
    ("postdoc", "by_end_year"): "Postdocs without international experience by end year",
    ("postdoc", "by_start_year"): "Postdocs without international experience by start cohort",
    ("staff", "by_deadline_year"): (
        "New permanent staff without international experience by the year their three years ended"
    ),
    ("staff", "by_start_year"): (
        "New permanent staff without international experience by year of appointment"
    ),
}


def _cell(key: str, value: Any) -> str:
    if key in ("rate", "projected_rate"):
        return f"{as_percent(value)} %"
    if key == "target_percent":
        return f"{value} %"
    return str(value)


def format_table(document: dict[str, Any]) -> str:
    """Return the statistics document as plain-text tables, one per population."""
    filters = document["filters"]
    settings = document["settings"]
    where = ", ".join(f"{k} {v}" for k, v in filters.items() if v) or "the whole institution"
    lines = [
        f"Progress toward the targets as of {document['as_of']}: {where}.",
        f"Counting stays of at least {settings['min_stay_days']} days outside "
        f"{settings['home_country']}; plans are due {settings['plan_due_days']} days after "
        f"the start.",
    ]
    header = "".join(title.rjust(width) for title, _key, width in _COLUMNS)
    for section in stats.SECTIONS:
        kind = section.kind.value
        lines += ["", _TITLES[(kind, section.key)], header]
        groups = document[kind][section.key]
        if not groups:
            lines.append("  (nobody in this population)")
        for group in groups:
            lines.append(
                "".join(_cell(key, group[key]).rjust(width) for _title, key, width in _COLUMNS)
            )
    lines += _international_lines(document)
    return "\n".join(lines)


_ACTIVITY_TITLES = {
    ("phd", "by_admission_year"): "International activities of PhD candidates by admission cohort",
    ("postdoc", "by_start_year"): "International activities of postdocs without international "
    "experience by start cohort",
}
_ACTIVITY_COLUMNS = (("Year", 6), ("n", 7), ("Planned or done", 17), ("Done", 7),
                     ("Done rate", 11), ("Target", 8), ("Needed", 8))  # fmt: skip


def _activity_row(group: dict[str, Any]) -> str:
    target, needed = group["target_percent"], group["needed"]
    cells = (
        str(group["year"]),
        str(group["n"]),
        str(group["any"]["planned_or_done"]),
        str(group["any"]["done"]),
        f"{as_percent(group['any']['done_rate'])} %",
        "–" if target is None else f"{target} %",
        "–" if needed is None else str(needed),
    )
    return "".join(cell.rjust(width) for cell, (_title, width) in zip(cells, _ACTIVITY_COLUMNS,
                                                                      strict=True))  # fmt: skip


def _international_lines(document: dict[str, Any]) -> list[str]:
    """Return the activities, funding and destinations sections as plain text."""
    lines: list[str] = []
    header = "".join(title.rjust(width) for title, width in _ACTIVITY_COLUMNS)
    for population in ACTIVITY_POPULATIONS:
        section, key = population.section, population.key
        groups = document["activities"][section][key]
        title = _ACTIVITY_TITLES.get((section, key), f"International activities: {section} {key}")
        lines += ["", title, header]
        lines += [_activity_row(g) for g in groups] or ["  (nobody in this population)"]
    funding = document["funding"]
    lines += ["", "Qualifying stays by year of completion and funding source"]
    for year in funding["by_completion_year"]:
        used = [f"{name} {f['stays']}" for name, f in year["by_source"].items() if f["stays"]]
        lines.append(f"  {year['year']}: {year['stays']} ({', '.join(used)})")
    if not funding["by_completion_year"]:
        lines.append("  (no qualifying stays)")
    lines.append(
        f"  Stays planned ahead: {funding['planned_stays']}, "
        f"without a funding source: {funding['planned_stays_without_funding']}"
    )
    destinations = document["destinations"]
    countries = ", ".join(f"{c['country']} {c['stays']}" for c in destinations["by_country"])
    lines += ["", f"Destinations of the {destinations['stays']} qualifying stays"]
    lines.append(f"  By country: {countries or '(none)'}")
    hosts = "; ".join(f"{h['host_institution']} {h['stays']}" for h in destinations["by_host"])
    lines.append(f"  Hosts ({destinations['hosts']}, the first 20): {hosts or '(none)'}")
    return lines
