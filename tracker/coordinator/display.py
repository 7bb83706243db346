"""What the coordinator pages show, built from the statistics document and list rows.

The dashboard takes every number from the statistics document (the same one
the API and the CLI print), so there is one code path from SQL to screen.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.charts import ChartText, target_chart
from tracker.domain.countries import country_name
from tracker.domain.deadlines import plan_due_date
from tracker.domain.staff import deadline
from tracker.domain.targets import as_percent, latest_completed_year
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanState
from tracker.queries.candidates import NO_PLAN, WAITING_DAYS
from tracker.queries.stats import SECTIONS, Section

SECTION_TITLES = {
    ("phd", "by_completion_year"): _l("PhD candidates by year of completion"),
    ("phd", "by_admission_year"): _l("PhD candidates by admission cohort"),
    ("postdoc", "by_end_year"): _l("Postdocs without international experience by end year"),
    ("postdoc", "by_start_year"): _l("Postdocs without international experience by start cohort"),
    ("staff", "by_deadline_year"): _l(
        "New permanent staff without international experience by the year their three years "
        "ended"
    ),
    ("staff", "by_start_year"): _l(
        "New permanent staff without international experience by year of appointment"
    ),
}

SECTION_EXPLANATIONS = {
    "completion": _l(
        "Everyone who finished in the year. The share with a stay abroad is the outcome "
        "measured against the target."
    ),
    "start": _l(
        "Everyone who started in the year and has not withdrawn, including those still active: "
        "“projected” adds those with an approved plan for a long enough stay abroad."
    ),
    "deadline": _l(
        "Everyone whose three years since the appointment ended in the year and who had not "
        "left by then. A stay counts when it ended within the three years."
    ),
    "appointment": _l(
        "The same people by the year they were appointed: counted once their three years "
        "are up, with a stay that ended within them."
    ),
}


@dataclass(frozen=True)
class Panel:
    """One population of the document on the dashboard: heading, chart and table rows."""

    section: Section
    dom_id: str
    title: str
    explanation: str
    chart: Markup
    rows: list[dict[str, Any]]
    target_percent: int


@dataclass(frozen=True)
class TargetCard:
    """The headline for one target: the latest completed year against the target."""

    kind: EnrolmentKind
    title: str
    target_percent: int
    group: dict[str, Any] | None


def panels(document: dict[str, Any]) -> list[Panel]:
    """Return the four populations of the document, each with its chart."""
    found = []
    for section in SECTIONS:
        kind = section.kind.value
        rows = document[kind][section.key]
        target = document["settings"][f"{kind}_target_percent"]
        dom_id = f"{kind}-{section.key.replace('_', '-')}"
        title = str(SECTION_TITLES[(kind, section.key)])
        text = ChartText(
            title=title,
            description=_(
                "Bar chart per year of the share who achieved a stay abroad and the share "
                "projected to, against the %(target)d %% target. The numbers are in the "
                "table that follows.",
                target=target,
            ),
            achieved=_("Achieved"),
            projected=_("Projected"),
            target=_("Target"),
            empty=_("Nobody in this population yet."),
        )
        found.append(
            Panel(
                section=section,
                dom_id=dom_id,
                title=title,
                explanation=str(SECTION_EXPLANATIONS[section.year_basis]),
                chart=target_chart(
                    rows, target_percent=target, chart_id=f"chart-{dom_id}", text=text
                ),
                rows=rows,
                target_percent=target,
            )
        )
    return found


def target_cards(document: dict[str, Any]) -> list[TargetCard]:
    """Return a card per target with the latest completed year's figures (or none)."""
    as_of = date.fromisoformat(document["as_of"])
    settings = document["settings"]
    return [
        TargetCard(
            kind=EnrolmentKind.PHD,
            title=_("PhD candidates with a research stay abroad"),
            target_percent=settings["phd_target_percent"],
            group=latest_completed_year(document["phd"]["by_completion_year"], as_of),
        ),
        TargetCard(
            kind=EnrolmentKind.POSTDOC,
            title=_("Postdocs without international experience with a research stay abroad"),
            target_percent=settings["postdoc_target_percent"],
            group=latest_completed_year(document["postdoc"]["by_end_year"], as_of),
        ),
    ]


@dataclass(frozen=True)
class Column:
    """One column of a list on screen: heading, the row attribute, and the sort key if any."""

    key: str
    label: Any
    sort: str | None = None


_COMMON = {
    "name": Column("name", _l("Name"), "name"),
    "programme": Column("programme_code", _l("Programme"), "programme"),
    "kind": Column("kind", _l("Kind"), "kind"),
    "status": Column("status", _l("Status"), "status"),
    "plan_status": Column("plan_state", _l("Plan status"), "plan_status"),
    "start": Column("start_date", _l("Started"), "start"),
    "plan_due": Column("plan_due", _l("Plan due")),
    # New permanent staff have no expected end: their three years end on the deadline.
    "expected_end": Column("ends", _l("Expected end"), "expected_end"),
    "stays_done": Column("stays_done", _l("Stays done"), "stays_done"),
    "stays_planned": Column("stays_planned", _l("Stays planned"), "stays_planned"),
    "counts": Column("counts", _l("Counts toward target")),
    "supervisor": Column("supervisor", _l("Main supervisor"), "supervisor"),
    "submitted": Column("submitted_at", _l("Submitted"), "submitted"),
    "days_waiting": Column("days_waiting", _l("Days waiting")),
    "activities_planned": Column(
        "activities_planned", _l("Activities planned"), "activities_planned"
    ),
    "host": Column("host_institution", _l("Host institution"), "host"),
    "stay_country": Column("stay_country", _l("Country")),
    "stay_dates": Column("stay_dates", _l("Planned dates"), "stay_start"),
}

LIST_COLUMNS = {
    "candidates": [
        "name",
        "programme",
        "kind",
        "status",
        "plan_status",
        "stays_done",
        "stays_planned",
        "counts",
        "supervisor",
    ],
    "overdue": ["name", "programme", "kind", "start", "plan_due", "plan_status", "supervisor"],
    "at-risk": [
        "name",
        "programme",
        "kind",
        "expected_end",
        "plan_status",
        "stays_done",
        "stays_planned",
        "supervisor",
    ],
    "waiting": ["name", "programme", "kind", "submitted", "days_waiting", "supervisor"],
    "no-activity": [
        "name",
        "programme",
        "kind",
        "status",
        "start",
        "plan_status",
        "activities_planned",
        "supervisor",
    ],
    "unfunded-stays": [
        "name",
        "programme",
        "kind",
        "host",
        "stay_country",
        "stay_dates",
        "plan_status",
        "supervisor",
    ],
}

LIST_TITLES = {
    "candidates": _l("All candidates"),
    "overdue": _l("Plans overdue"),
    "at-risk": _l("At risk"),
    "waiting": _l("Waiting for a decision"),
    "no-activity": _l("No international activity yet"),
    "unfunded-stays": _l("Planned stays without funding"),
}


def home_country_name(code: str) -> str:
    """Return the name of the home country (the HOME_COUNTRY setting) in the reader's language."""
    return country_name(code, str(get_locale() or "en"))


def list_columns(name: str) -> list[Column]:
    """Return the columns shown for a list."""
    return [_COMMON[key] for key in LIST_COLUMNS[name]]


def list_explanation(name: str, settings: dict[str, Any]) -> str:
    """Return the sentence that says who is on a list."""
    if name == "overdue":
        return _(
            "Active candidates whose plan has never been approved and is not waiting for a "
            "decision, more than %(days)d days after they started.",
            days=settings["plan_due_days"],
        )
    if name == "at-risk":
        return _(
            "Active candidates who count toward a target, expected to finish within 12 months "
            "(or already past their expected end) — for new permanent staff, whose three years "
            "since the appointment end within 12 months — with no qualifying stay abroad done "
            "and none planned in an approved plan (for staff: none that ends within the three "
            "years). A qualifying stay is confirmed, abroad (outside %(country)s) and at least "
            "%(days)d days long; the columns count every stay done or planned, qualifying or "
            "not.",
            country=home_country_name(settings["home_country"]),
            days=settings["min_stay_days"],
        )
    if name == "waiting":
        return _(
            "Plans submitted more than %(days)d days ago that their supervisor has not yet "
            "approved or returned.",
            days=WAITING_DAYS,
        )
    if name == "no-activity":
        return _(
            "PhD candidates, and postdocs without international experience, who had started "
            "and not withdrawn, with no international activity (conference, publication, "
            "collaboration, course abroad, co-supervision or other) marked done. The last "
            "column counts the activities planned in their approved plan."
        )
    if name == "unfunded-stays":
        return _(
            "Stays abroad in the approved plans of active candidates, long enough to count "
            "(at least %(days)d days outside %(country)s) and not done yet, with no funding "
            "source: point the candidates to grants such as the overseas research grant or "
            "Erasmus+. Country and dates are as the approved plan has them.",
            days=settings["min_stay_days"],
            country=home_country_name(settings["home_country"]),
        )
    return _("Every enrolment in the programmes you follow, whatever its status.")


# The CSV export: raw values under stable, machine-readable column names.
CSV_COLUMNS = (
    "enrolment_id",
    "name",
    "email",
    "programme_code",
    "programme_name",
    "kind",
    "status",
    "plan_status",
    "plan_state",
    "start_date",
    "expected_end_date",
    "end_date",
    "international_experience",
    "supervisor",
    "stays_done",
    "stays_planned",
    "achieved",
    "projected",
    "plan_overdue",
    "plan_due",
    "submitted_at",
    "days_waiting",
)
# What each list's CSV export adds to those columns: its own.
OWN_CSV_COLUMNS = {
    "no-activity": ("activities_planned",),
    "unfunded-stays": (
        "stay_id",
        "host_institution",
        "stay_country",
        "stay_start_date",
        "stay_end_date",
        "funding",
    ),
}


def csv_columns(name: str) -> tuple[str, ...]:
    """Return the columns of a list's CSV export: the common ones, then the list's own."""
    return CSV_COLUMNS + OWN_CSV_COLUMNS.get(name, ())


def _counts_texts() -> dict[Any, str]:
    return {
        True: _("Yes"),
        False: _("No"),
        EnrolmentStatus.WITHDRAWN: _("No (withdrawn)"),
        "international_experience": _("No (international experience)"),
        "three_years": _("end of three years"),
    }


def counts_toward_target(values: dict[str, Any], texts: dict[Any, str]) -> str:
    """Return whether a list row's person counts as achieved, or why they count for nothing.

    Withdrawn people, and postdocs and new permanent staff with international experience,
    are in no population (DESIGN §4), so a stay of theirs, qualifying or not, counts toward
    no target.
    """
    if values["status"] == EnrolmentStatus.WITHDRAWN:
        return texts[EnrolmentStatus.WITHDRAWN]
    if values["kind"] != EnrolmentKind.PHD and values["international_experience"]:
        return texts["international_experience"]
    return texts[values["achieved"]]


def list_rows(rows: list[Any], as_of: date, plan_due_days: int) -> list[dict[str, Any]]:
    """Return list rows as dicts with the derived values: plan due date and days waiting.

    Only a plan waiting for a decision on the as-of date has a submission date and days of
    waiting (the query leaves it empty otherwise): an approved or returned plan waits for
    nobody.
    """
    found = []
    texts = _counts_texts()
    for row in rows:
        values = row._asdict()
        del values["key"]
        values["achieved"] = bool(values["achieved"])
        values["projected"] = bool(values["projected"])
        values["plan_overdue"] = bool(values.pop("overdue"))
        values["plan_due"] = plan_due_date(values["start_date"], plan_due_days)
        state = values["plan_state"]
        values["plan_state"] = None if state in (None, NO_PLAN) else PlanState(state)
        values["counts"] = counts_toward_target(values, texts)
        staff = values["kind"] == EnrolmentKind.STAFF
        values["ends"] = deadline(values["start_date"]) if staff else values["expected_end_date"]
        values["ends_note"] = texts["three_years"] if staff else ""
        submitted = values["submitted_at"]
        values["days_waiting"] = (as_of - submitted.date()).days if submitted else None
        found.append(values)
    return found


def csv_value(value: Any) -> str:
    """Return a cell of the CSV export; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    # OWASP CSV injection: a leading =, +, -, @, tab or CR makes spreadsheets evaluate the cell.
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def percent(rate_value: float) -> str:
    """Return a document rate as a percentage in the reader's locale: 0.3917 → "39.17 %"."""
    return format_decimal(as_percent(rate_value), format="#,##0.00") + "\u00a0%"
