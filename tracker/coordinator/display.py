"""What the coordinator pages show, built from the statistics document and list rows.

The dashboard takes every number from the statistics document (the same one
the API and the CLI print), so there is one code path from SQL to screen.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.charts import ChartText, target_chart
from tracker.domain.countries import country_name
from tracker.domain.deadlines import plan_due_date
from tracker.domain.targets import latest_completed_year
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, PlanState, PlanStatus
from tracker.presentation import locale_name
from tracker.queries.candidates import NO_PLAN, WAITING_DAYS
from tracker.queries.stats import SECTIONS, Section

SECTION_TITLES = {
    ("phd", "by_completion_year"): _l("PhD candidates by year of completion"),
    ("phd", "by_admission_year"): _l("PhD candidates by admission cohort"),
    ("postdoc", "by_end_year"): _l("Postdocs without international experience by end year"),
    ("postdoc", "by_start_year"): _l("Postdocs without international experience by start cohort"),
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
    "expected_end": Column("expected_end_date", _l("Expected end"), "expected_end"),
    "stays_done": Column("stays_done", _l("Stays done"), "stays_done"),
    "stays_planned": Column("stays_planned", _l("Stays planned"), "stays_planned"),
    "counts": Column("counts", _l("Counts toward target")),
    "supervisor": Column("supervisor", _l("Main supervisor"), "supervisor"),
    "submitted": Column("submitted_at", _l("Submitted"), "submitted"),
    "days_waiting": Column("days_waiting", _l("Days waiting")),
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
}

LIST_TITLES = {
    "candidates": _l("All candidates"),
    "overdue": _l("Plans overdue"),
    "at-risk": _l("At risk"),
    "waiting": _l("Waiting for a decision"),
}


def home_country_name(code: str) -> str:
    """Return the name of the home country (the HOME_COUNTRY setting) in the reader's language."""
    return country_name(code, locale_name())


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
            "(or already past their expected end), with no qualifying stay abroad done and none "
            "planned in an approved plan. A qualifying stay is confirmed, abroad (outside "
            "%(country)s) and at least %(days)d days long; the columns count every stay done "
            "or planned, qualifying or not.",
            country=home_country_name(settings["home_country"]),
            days=settings["min_stay_days"],
        )
    if name == "waiting":
        return _(
            "Plans submitted more than %(days)d days ago that their supervisor has not yet "
            "approved or returned.",
            days=WAITING_DAYS,
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


def _counts_texts() -> dict[Any, str]:
    return {
        True: _("Yes"),
        False: _("No"),
        EnrolmentStatus.WITHDRAWN: _("No (withdrawn)"),
        "international_experience": _("No (international experience)"),
    }


def counts_toward_target(values: dict[str, Any], texts: dict[Any, str]) -> str:
    """Return whether a list row's person counts as achieved, or why they count for nothing.

    Withdrawn people and postdocs with international experience are in no population
    (DESIGN §4), so a stay of theirs, qualifying or not, counts toward no target.
    """
    if values["status"] == EnrolmentStatus.WITHDRAWN:
        return texts[EnrolmentStatus.WITHDRAWN]
    if values["kind"] == EnrolmentKind.POSTDOC and values["international_experience"]:
        return texts["international_experience"]
    return texts[values["achieved"]]


def list_rows(rows: list[Any], as_of: date, plan_due_days: int) -> list[dict[str, Any]]:
    """Return list rows as dicts with the derived values: plan due date and days waiting.

    Only a plan waiting for a decision has a submission date and days of waiting: an
    approved or returned plan waits for nobody.
    """
    found = []
    texts = _counts_texts()
    for row in rows:
        values = row._asdict()
        values["achieved"] = bool(values["achieved"])
        values["projected"] = bool(values["projected"])
        values["plan_overdue"] = bool(values.pop("overdue"))
        values["plan_due"] = plan_due_date(values["start_date"], plan_due_days)
        state = values["plan_state"]
        values["plan_state"] = None if state in (None, NO_PLAN) else PlanState(state)
        values["counts"] = counts_toward_target(values, texts)
        if values["plan_status"] != PlanStatus.SUBMITTED:
            values["submitted_at"] = None
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

