"""How plan content reads on a page: field names, values, counting notes, links."""

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.domain.countries import country_name
from tracker.domain.plan_rules import StayContext, plan_state, stay_warnings
from tracker.domain.stays import NotCounted, is_abroad_and_long_enough, reasons_not_counted
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    Funding,
    StayPurpose,
    StayStatus,
)
from tracker.labels import label
from tracker.plans.messages import next_step_text, warning_text
from tracker.presentation import format_day, locale_name

FIELD_LABELS = {
    "narrative": _l("Narrative"),
    "no_stay_justification": _l("Justification for no stay abroad"),
    "host_institution": _l("Host institution"),
    "host_contact": _l("Host research group or contact person"),
    "city": _l("City"),
    "country": _l("Country"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "purpose": _l("Purpose"),
    "funding": _l("Funding source"),
    "notes": _l("Notes"),
    "status": _l("Status"),
    "type": _l("Type"),
    "title": _l("Title"),
    "planned_term": _l("Planned term or date"),
    "done_on": _l("Done on"),
    "evidence": _l("Link or DOI"),
}

ENUMS: dict[tuple[str, str], type[Enum]] = {
    ("stays", "purpose"): StayPurpose,
    ("stays", "funding"): Funding,
    ("stays", "status"): StayStatus,
    ("activities", "type"): ActivityType,
    ("activities", "status"): ActivityStatus,
}

# Fields that hold a day; a version's snapshot has them as ISO text (tracker.domain.snapshot).
DATE_FIELDS = frozenset({"start_date", "end_date", "done_on"})

DOI = re.compile(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def field_label(name: str) -> str:
    """Return the translated name of a plan field."""
    return str(FIELD_LABELS.get(name, name))


def plan_value(value: Any, section: str, name: str) -> str:
    """Return a field's value for reading: labels for enumerations, names for countries.

    A day reads as the reader's language writes it, whether it comes from the plan
    (a date) or from a version's snapshot (ISO text).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, date):
        return format_day(value)
    if name in DATE_FIELDS and isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    if name == "country":
        return country_name(str(value), locale_name())
    enum_class = ENUMS.get((section, name))
    if enum_class is not None:
        try:
            return label(enum_class(value))
        except ValueError:
            return str(value)
    return str(value)


def plan_state_label(plan: Any) -> str:
    """Return how a plan reads: its status, or "approved — revision in progress" (no plan: None)."""
    if plan is None:
        return label(None)
    return label(plan_state(plan.status, plan.approved_version_id is not None))


def country_filter(code: str | None) -> str:
    """Return a country's name in the user's language."""
    return country_name(code or "", locale_name())


def evidence_href(evidence: str | None) -> str | None:
    """Return a safe link for an activity's evidence: a web address or a DOI, else None."""
    text = (evidence or "").strip()
    if text.lower().startswith(("https://", "http://")):
        return text
    match = DOI.match(text)
    return f"https://doi.org/{match.group(1)}" if match else None


@dataclass
class StayNotes:
    """What the pages say about a stay: whether it counts, and its warnings."""

    counting: str
    warnings: list[str] = field(default_factory=list)


def _not_counted_text(reasons: list[NotCounted], context: StayContext) -> str:
    parts = []
    if NotCounted.HOME_COUNTRY in reasons:
        parts.append(_("it is in the home country"))
    if NotCounted.TOO_SHORT in reasons:
        parts.append(_("it is shorter than %(days)d days", days=context.rules.min_stay_days))
    return _("Does not count: %(reasons)s.", reasons=", ".join(parts))


def stay_notes(
    *,
    status: StayStatus,
    country: str,
    start_date: date,
    end_date: date,
    funding: Funding | str,
    awaiting_confirmation: bool,
    context: StayContext,
) -> StayNotes:
    """Return what to say about a stay with these values."""
    if status == StayStatus.CANCELLED:
        return StayNotes(_("Cancelled — does not count."))
    if status == StayStatus.COMPLETED:
        reasons = reasons_not_counted(status, country, start_date, end_date, context.rules)
        if not reasons:
            return StayNotes(_("Counted: a confirmed stay abroad."))
        return StayNotes(_not_counted_text(reasons, context))
    locale = locale_name()
    warnings = [
        warning_text(code, context, locale)
        for code in stay_warnings(country, start_date, end_date, funding, context)
    ]
    if awaiting_confirmation:
        counting = _("Reported as done; waiting for the supervisor's confirmation.")
    elif is_abroad_and_long_enough(country, start_date, end_date, context.rules):
        counting = _("Will count once it is done and confirmed.")
    else:
        counting = _("Will not count toward the target.")
    return StayNotes(counting, warnings)


def notes_for_stay(stay: Any, context: StayContext) -> StayNotes:
    """Return the notes for a stay record."""
    return stay_notes(
        status=stay.status,
        country=stay.country,
        start_date=stay.start_date,
        end_date=stay.end_date,
        funding=stay.funding,
        awaiting_confirmation=stay.awaiting_confirmation,
        context=context,
    )


def notes_for_row(row: dict[str, str], context: StayContext) -> StayNotes:
    """Return the notes for a stay as recorded in a snapshot."""
    return stay_notes(
        status=StayStatus(row["status"]),
        country=row["country"],
        start_date=date.fromisoformat(row["start_date"]),
        end_date=date.fromisoformat(row["end_date"]),
        funding=row.get("funding", ""),
        awaiting_confirmation=False,
        context=context,
    )


def install(bp: Blueprint) -> None:
    """Make the display helpers available to every template."""
    bp.add_app_template_filter(country_filter, "country")
    bp.add_app_template_filter(plan_value, "plan_value")
    bp.add_app_template_filter(plan_state_label, "plan_state")
    bp.add_app_template_filter(field_label, "field_label")
    bp.add_app_template_filter(next_step_text, "next_step")
    bp.add_app_template_global(evidence_href, "evidence_href")
