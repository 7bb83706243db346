"""The plan PDF (DESIGN §6): one enrolment's plan, an approved version or the current content.

An approved version prints the snapshot it approved, with a stamp (who, when, which
version, the SHA-256 of the snapshot) that a printout can be matched with.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from types import SimpleNamespace
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.domain.countries import country_name
from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.stays import CountingRules, NotCounted, reasons_not_counted, stay_length
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    Funding,
    PlanEvent,
    PlanStatus,
    StayPurpose,
    StayStatus,
)
from tracker.labels import label
from tracker.models import Enrolment, Plan, PlanVersion
from tracker.models.base import utcnow
from tracker.pdf.render import reader_locale, render_pdf
from tracker.presentation import format_day, format_moment, locale_name
from tracker.queries import stats

# Versions that put a plan in force: a supervisor's approval, or an approved plan imported.
APPROVING_EVENTS = (PlanEvent.APPROVED, PlanEvent.IMPORTED)


class NoSuchVersion(LookupError):
    """The plan has no approved version with that number."""

    def __init__(self, number: int) -> None:
        super().__init__(f"There is no approved version {number} of this plan.")
        self.number = number


def approved_versions(plan: Plan | None) -> list[PlanVersion]:
    """Return the plan's approved versions (imported approvals included), oldest first."""
    if plan is None:
        return []
    return [v for v in plan.versions if v.event in APPROVING_EVENTS]


def find_approved_version(plan: Plan | None, number: int) -> PlanVersion:
    """Return the approved version with this number, or raise NoSuchVersion."""
    for version in approved_versions(plan):
        if version.number == number:
            return version
    raise NoSuchVersion(number)


def _member(enum_class: type[Enum], value: str) -> Enum | None:
    try:
        return enum_class(value)
    except ValueError:
        return None


def _label_of(enum_class: type[Enum], value: str) -> str:
    member = _member(enum_class, value)
    return label(member) if member is not None else value


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def reason_text(reason: NotCounted, rules: CountingRules) -> str:
    """Return why a stay does not count, in the reader's language."""
    if reason == NotCounted.HOME_COUNTRY:
        return _(
            "in the home country (%(country)s)",
            country=country_name(rules.home_country, locale_name()),
        )
    if reason == NotCounted.TOO_SHORT:
        return _("shorter than %(days)d days", days=rules.min_stay_days)
    if reason == NotCounted.CANCELLED:
        return _("cancelled")
    return _("not completed and confirmed yet")


@dataclass
class StayLine:
    """One stay as printed: what the plan says, and whether it counts toward the target."""

    host_institution: str
    host_contact: str
    city: str
    country: str
    start: date | None
    end: date | None
    days: int | None
    purpose: str
    funding: str
    status: str
    notes: str
    counts: bool
    reasons: list[str]
    since: str = ""


@dataclass
class ActivityLine:
    """One activity as printed."""

    type: str
    title: str
    planned_term: str
    status: str
    evidence: str


@dataclass
class Stamp:
    """The approval a printout can be matched with: who, when, which version, which digest."""

    number: int
    event: PlanEvent
    approved_by: str
    approved_at: str
    comment: str
    sha256: str
    digest_matches: bool


@dataclass
class PlanDocument:
    """Everything the plan PDF shows."""

    enrolment: Enrolment
    is_approved_version: bool
    status_label: str
    narrative: str
    no_stay_justification: str
    stays: list[StayLine]
    activities: list[ActivityLine]
    stamp: Stamp | None
    in_force: Stamp | None
    generated_at: str
    supervisors: list[Any] = field(default_factory=list)


def _stay_line(row: dict[str, Any], rules: CountingRules, live: dict[str, Any]) -> StayLine:
    start, end = _date(row.get("start_date")), _date(row.get("end_date"))
    status = _member(StayStatus, row.get("status", "")) or StayStatus.PLANNED
    country = (row.get("country") or "").upper()
    reasons = (
        reasons_not_counted(status, country, start, end, rules)
        if start and end
        else [NotCounted.NOT_CONFIRMED]
    )
    line = StayLine(
        host_institution=row.get("host_institution", ""),
        host_contact=row.get("host_contact", ""),
        city=row.get("city", ""),
        country=country_name(country, locale_name()) if country else "",
        start=start,
        end=end,
        days=stay_length(start, end) if start and end else None,
        purpose=_label_of(StayPurpose, row.get("purpose", "")),
        funding=_label_of(Funding, row.get("funding", "")),
        status=label(status),
        notes=row.get("notes", ""),
        counts=not reasons,
        reasons=[reason_text(r, rules) for r in reasons],
    )
    stay = live.get(row.get("id") or "")
    if stay is not None and (
        stay.status != status or stay.start_date != start or stay.end_date != end
    ):
        # The stay moved on since this version (reported done, confirmed, cancelled):
        # say so, without changing what the approved version itself recorded.
        now = reasons_not_counted(stay.status, stay.country, stay.start_date, stay.end_date, rules)
        verdict = (
            _("does not count: %(reasons)s", reasons="; ".join(reason_text(r, rules) for r in now))
            if now
            else _("counts toward the target")
        )
        line.since = _(
            "Now: %(status)s, %(start)s – %(end)s; %(verdict)s",
            status=label(stay.status),
            start=format_day(stay.start_date),
            end=format_day(stay.end_date),
            verdict=verdict,
        )
    return line


def _activity_line(row: dict[str, Any]) -> ActivityLine:
    return ActivityLine(
        type=_label_of(ActivityType, row.get("type", "")),
        title=row.get("title", ""),
        planned_term=row.get("planned_term", ""),
        status=_label_of(ActivityStatus, row.get("status", "")),
        evidence=row.get("evidence", ""),
    )


def _stamp(version: PlanVersion) -> Stamp:
    if version.actor is not None:
        by = version.actor.name
    elif version.event == PlanEvent.IMPORTED:
        by = _("imported as approved; no approver recorded")
    else:
        by = _("unknown (account deleted)")
    return Stamp(
        number=version.number,
        event=version.event,
        approved_by=by,
        approved_at=format_moment(version.created_at),
        comment=version.comment or "",
        sha256=version.snapshot_sha256,
        # Recomputed here: a stored snapshot that no longer matches its digest is shown as such.
        digest_matches=snapshot_digest(version.snapshot) == version.snapshot_sha256,
    )


_NO_PLAN = SimpleNamespace(narrative="", no_stay_justification="")


def build_plan_document(enrolment: Enrolment, version: PlanVersion | None) -> PlanDocument:
    """Return what the plan PDF shows: an approved version's snapshot, or the current content."""
    plan = enrolment.plan
    rules = stats.current_settings().counting_rules
    if version is not None:
        content = version.snapshot
        status_label = _("Approved version %(number)d", number=version.number)
    else:
        content = build_snapshot(plan or _NO_PLAN, enrolment.stays, enrolment.activities)
        status_label = label(plan.status if plan else None)
    live = {str(stay.id): stay for stay in enrolment.stays}
    in_force = plan.approved_version if plan is not None else None
    return PlanDocument(
        enrolment=enrolment,
        is_approved_version=version is not None,
        status_label=status_label,
        narrative=content.get("narrative", ""),
        no_stay_justification=content.get("no_stay_justification", ""),
        stays=[_stay_line(row, rules, live if version else {}) for row in content.get("stays", [])],
        activities=[_activity_line(row) for row in content.get("activities", [])],
        stamp=_stamp(version) if version is not None else None,
        in_force=_stamp(in_force) if in_force is not None and version is None else None,
        generated_at=format_moment(utcnow()),
        supervisors=enrolment.supervisors,
    )


def default_version(enrolment: Enrolment) -> PlanVersion | None:
    """Return the version a plan PDF shows by default: the approved one while it is current.

    While a plan is approved its content is the version in force; in any other state
    (draft, submitted, changes requested) the current content is printed, marked so.
    """
    plan = enrolment.plan
    if plan is not None and plan.status == PlanStatus.APPROVED:
        return plan.approved_version
    return None


def plan_pdf(
    enrolment: Enrolment, version: int | None = None, *, locale: str | None = None
) -> bytes:
    """Return the plan PDF: approved version ``version``, or by default the current plan."""
    with force_locale(locale or reader_locale()):
        chosen = (
            find_approved_version(enrolment.plan, version)
            if version is not None
            else default_version(enrolment)
        )
        document = build_plan_document(enrolment, chosen)
        rules = stats.current_settings().counting_rules
        return render_pdf(
            "plan.html",
            doc=document,
            locale=locale_name(),
            home_country_name=country_name(rules.home_country, locale_name()),
            min_stay_days=rules.min_stay_days,
        )


def plan_filename(enrolment: Enrolment, version: int | None = None) -> str:
    """Return a download name such as ``plan-42-v3.pdf``."""
    suffix = f"-v{version}" if version is not None else ""
    return f"plan-{enrolment.id}{suffix}.pdf"
