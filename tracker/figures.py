"""How the statistics and the lists read, on the dashboard, the home page and the summary PDF.

Every number comes from the statistics document (the same one the API and the CLI
print) or, for the programme comparison, from the same SQL per programme, so there
is one code path from SQL to screen and paper. The rules of what a headline says
are tracker.domain.headlines'; this module puts them in the reader's words. The
populations are the document's sections (tracker.queries.stats.SECTIONS): a new
population is a new section with a title and a noun here, not a new template block.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from tracker.charts import ChartText, ComparisonBar, comparison_chart, target_chart
from tracker.domain import headlines
from tracker.domain.countries import country_name
from tracker.domain.deadlines import plan_due_date
from tracker.domain.headlines import APPOINTMENT, DEADLINE, Headline, Standing
from tracker.domain.staff import deadline
from tracker.domain.vocabulary import (
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanState,
)
from tracker.kept import LastUsed
from tracker.labels import label
from tracker.presentation import locale_name, percent, points
from tracker.queries.candidates import NO_PLAN, WAITING_DAYS
from tracker.queries.stats import SECTIONS, Section
from tracker.worldmap import MapText, world_map

T = TypeVar("T")

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

# Who a target is about, inside a sentence ("below the 40 % target for PhD candidates").
KIND_NOUNS = {
    "phd": _l("PhD candidates"),
    "postdoc": _l("postdocs without international experience"),
    "staff": _l("new permanent staff without international experience"),
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


def section_id(section: Section) -> str:
    """Return the section's name in page ids: ``phd-by-completion-year``."""
    return f"{section.kind.value}-{section.key.replace('_', '-')}"


def target_of(document: dict[str, Any], section: Section) -> int:
    """Return the target of the section's kind, from the document's settings."""
    return int(document["settings"][f"{section.kind.value}_target_percent"])


def baseline_value(settings: dict[str, Any], kind: str) -> str:
    """Return a population's baseline as "25 % in 2012", or "" when none is set."""
    baseline = settings.get(f"{kind}_baseline")
    if not baseline:
        return ""
    # The percent helper takes a fraction: hundredths of a per cent, rounded to a tenth.
    hundredths = int(round(Decimal(str(baseline["percent"])) * 100))
    return _("%(share)s in %(year)d", share=percent(hundredths, 10000), year=baseline["year"])


def baseline_text(document: dict[str, Any], kind: str) -> str:
    """Return a population's baseline as "Baseline: 25 % in 2012", or "" when none is set."""
    value = baseline_value(document["settings"], kind)
    return _("Baseline: %(baseline)s", baseline=value) if value else ""


def scope_name(document: dict[str, Any]) -> str:
    """Return how a sentence names the scope: its code, or "The institution"."""
    filters = document["filters"]
    return filters["programme"] or filters["faculty"] or _("The institution")


def _chart_text(title: str, description: str, target: int) -> ChartText:
    return ChartText(
        title=title,
        description=description,
        achieved=_("Achieved"),
        projected=_("Projected"),
        target=_("Target %(target)d %%", target=target),
        empty=_("Nobody in this population yet."),
        nobody=_("nobody"),
        so_far=_("so far"),
        small=_("fewer than %(num)d people: small numbers", num=headlines.SMALL_N),
    )


# --- Figures per population: chart and table ----------------------------------------------


@dataclass(frozen=True)
class Panel:
    """One population of the document: heading, chart and table rows."""

    section: Section
    dom_id: str
    title: str
    explanation: str
    chart: Markup
    rows: list[dict[str, Any]]
    target_percent: int
    so_far_year: int  # the year still open at the as-of date (headlines.open_year)
    baseline: str = ""  # "Baseline: 25 % in 2012", or empty


def panels(document: dict[str, Any]) -> list[Panel]:
    """Return every population of the document, each with its chart."""
    as_of = date.fromisoformat(document["as_of"])
    found = []
    for section in SECTIONS:
        rows = document[section.kind.value][section.key]
        target = target_of(document, section)
        dom_id = section_id(section)
        title = str(SECTION_TITLES[(section.kind.value, section.key)])
        cohort = headlines.is_cohort(section.year_basis)
        so_far_year = headlines.open_year(section.year_basis, as_of)
        description = (
            _(
                "Bar chart per year of the share who achieved a stay abroad and the share "
                "projected to, against the %(target)d %% target. The numbers are in the "
                "table that follows.",
                target=target,
            )
            if cohort
            else _(
                "Bar chart per year of the share who had a stay abroad, against the "
                "%(target)d %% target. The numbers are in the table that follows.",
                target=target,
            )
        )
        found.append(
            Panel(
                section=section,
                dom_id=dom_id,
                title=title,
                explanation=str(SECTION_EXPLANATIONS[section.year_basis]),
                chart=target_chart(
                    rows,
                    target_percent=target,
                    chart_id=f"chart-{dom_id}",
                    text=_chart_text(title, description, target),
                    percent=percent,
                    projected=cohort,
                    so_far_year=so_far_year,
                ),
                rows=rows,
                target_percent=target,
                so_far_year=so_far_year,
                baseline=baseline_text(document, section.kind.value),
            )
        )
    return found


# --- The answer: each population's headline, and the sentences --------------------------


@dataclass(frozen=True)
class Answer:
    """One population's headline, as the first page and the dashboard show it."""

    section: Section
    dom_id: str
    title: str
    target_percent: int
    headline: Headline | None
    value: str  # the headline share: achieved (time up) or projected (cohort)
    of_whom: str  # "of the 42 who finished in 2025"
    also: str  # a cohort's achieved share; empty when judged by what was achieved
    needed: str
    trend: str
    so_far: str
    small: bool
    baseline: str = ""  # "Baseline: 25 % in 2012", or empty


def _of_whom(section: Section, headline: Headline) -> str:
    n, year = headline.group["n"], headline.year
    if section.year_basis == DEADLINE:
        return ngettext(
            "had a stay abroad within their three years, of the %(num)d person whose three "
            "years ended in %(year)d",
            "had a stay abroad within their three years, of the %(num)d people whose three "
            "years ended in %(year)d",
            n,
            year=year,
        )
    if section.year_basis == APPOINTMENT:
        return ngettext(
            "had a stay abroad within their three years, of the %(num)d person appointed in "
            "%(year)d",
            "had a stay abroad within their three years, of the %(num)d people appointed in "
            "%(year)d",
            n,
            year=year,
        )
    if not headlines.is_cohort(section.year_basis):
        return ngettext(
            "had a stay abroad, of the %(num)d person who finished in %(year)d",
            "had a stay abroad, of the %(num)d people who finished in %(year)d",
            n,
            year=year,
        )
    return ngettext(
        "projected to have a stay abroad, of the %(num)d person who started in %(year)d",
        "projected to have a stay abroad, of the %(num)d people who started in %(year)d",
        n,
        year=year,
    )


def _needed(section: Section, headline: Headline) -> str:
    if headline.on_target:
        return _("The target is reached.")
    if not headlines.is_cohort(section.year_basis):
        return ngettext(
            "%(num)d more person would have needed a stay to reach the target.",
            "%(num)d more people would have needed a stay to reach the target.",
            headline.needed,
        )
    return ngettext(
        "%(num)d more person needs an approved plan with a stay abroad to be on track.",
        "%(num)d more people need an approved plan with a stay abroad to be on track.",
        headline.needed,
    )


def _trend(section: Section, headline: Headline) -> str:
    key = headlines.measure_key(section.year_basis)
    years = [
        f"{year}: {percent(group[key], group['n']) if group else _('nobody')}"
        for year, group in headline.trend
    ]
    parts = []
    if years:
        parts.append(_("Earlier years: %(years)s.", years=" · ".join(years)))
    if headline.change is not None:
        parts.append(
            _(
                "%(points)s percentage points on %(year)d.",
                points=points(headline.change),
                year=headline.year - 1,
            )
        )
    return " ".join(parts)


def _so_far(section: Section, rows: list[dict[str, Any]], year: int) -> str:
    current = next((row for row in rows if row["year"] == year), None)
    if current is None:
        return ""
    key = headlines.measure_key(section.year_basis)
    return ngettext(
        "So far in %(year)d: %(share)s of %(num)d person.",
        "So far in %(year)d: %(share)s of %(num)d people.",
        current["n"],
        year=year,
        share=percent(current[key], current["n"]),
    )


def answers(document: dict[str, Any]) -> list[Answer]:
    """Return each population's headline (DESIGN §4, "How the figures read")."""
    as_of = date.fromisoformat(document["as_of"])
    found = []
    for section in SECTIONS:
        rows = document[section.kind.value][section.key]
        found_headline = headlines.headline(rows, section.year_basis, as_of)
        value = of_whom = also = needed = trend = ""
        if found_headline is not None:
            group = found_headline.group
            value = percent(found_headline.measured, group["n"])
            of_whom = _of_whom(section, found_headline)
            if headlines.is_cohort(section.year_basis):
                also = _("Achieved: %(share)s.", share=percent(group["achieved"], group["n"]))
            needed = _needed(section, found_headline)
            trend = _trend(section, found_headline)
        found.append(
            Answer(
                section=section,
                dom_id=section_id(section),
                title=str(SECTION_TITLES[(section.kind.value, section.key)]),
                target_percent=target_of(document, section),
                headline=found_headline,
                value=value,
                of_whom=of_whom,
                also=also,
                needed=needed,
                trend=trend,
                so_far=_so_far(section, rows, headlines.open_year(section.year_basis, as_of)),
                small=bool(found_headline and found_headline.small),
                baseline=baseline_text(document, section.kind.value),
            )
        )
    return found


def _outcome_sentence(scope: str, answer: Answer) -> str:
    headline = answer.headline
    assert headline is not None  # noqa: S101 - callers pass answers with a headline
    values = {
        "scope": scope,
        "target": answer.target_percent,
        "who": KIND_NOUNS[answer.section.kind.value],
        "share": answer.value,
        "year": headline.year,
    }
    if answer.section.year_basis == DEADLINE:
        first = _deadline_sentence(headline, values)
    else:
        first = _finished_sentence(headline, values)
    if headline.on_target:
        return first
    return f"{first} {answer.needed}"


def _finished_sentence(headline: Headline, values: dict[str, Any]) -> str:
    """Return where the scope stands for people who finished (completion or end year)."""
    if headline.on_target and headline.run > 1:
        first = ngettext(
            "%(scope)s has reached the %(target)d %% target for %(who)s for %(num)d year "
            "running: %(share)s of those who finished in %(year)d had a stay abroad.",
            "%(scope)s has reached the %(target)d %% target for %(who)s for %(num)d years "
            "running: %(share)s of those who finished in %(year)d had a stay abroad.",
            headline.run,
            **values,
        )
    elif headline.on_target:
        first = _(
            "%(scope)s reached the %(target)d %% target for %(who)s in %(year)d: %(share)s of "
            "those who finished had a stay abroad.",
            **values,
        )
    elif headline.run > 1:
        first = ngettext(
            "%(scope)s has been below the %(target)d %% target for %(who)s for %(num)d year "
            "running: %(share)s of those who finished in %(year)d had a stay abroad.",
            "%(scope)s has been below the %(target)d %% target for %(who)s for %(num)d years "
            "running: %(share)s of those who finished in %(year)d had a stay abroad.",
            headline.run,
            **values,
        )
    else:
        first = _(
            "%(scope)s is below the %(target)d %% target for %(who)s: %(share)s of those who "
            "finished in %(year)d had a stay abroad.",
            **values,
        )
    return first


def _deadline_sentence(headline: Headline, values: dict[str, Any]) -> str:
    """Return where the scope stands for new permanent staff whose three years ended."""
    if headline.on_target and headline.run > 1:
        return ngettext(
            "%(scope)s has reached the %(target)d %% target for %(who)s for %(num)d year "
            "running: %(share)s of those whose three years ended in %(year)d had a stay "
            "abroad within them.",
            "%(scope)s has reached the %(target)d %% target for %(who)s for %(num)d years "
            "running: %(share)s of those whose three years ended in %(year)d had a stay "
            "abroad within them.",
            headline.run,
            **values,
        )
    if headline.on_target:
        return _(
            "%(scope)s reached the %(target)d %% target for %(who)s in %(year)d: %(share)s of "
            "those whose three years ended had a stay abroad within them.",
            **values,
        )
    if headline.run > 1:
        return ngettext(
            "%(scope)s has been below the %(target)d %% target for %(who)s for %(num)d year "
            "running: %(share)s of those whose three years ended in %(year)d had a stay "
            "abroad within them.",
            "%(scope)s has been below the %(target)d %% target for %(who)s for %(num)d years "
            "running: %(share)s of those whose three years ended in %(year)d had a stay "
            "abroad within them.",
            headline.run,
            **values,
        )
    return _(
        "%(scope)s is below the %(target)d %% target for %(who)s: %(share)s of those whose "
        "three years ended in %(year)d had a stay abroad within them.",
        **values,
    )


def sentences(
    document: dict[str, Any], found: list[Answer], comparison: list["Comparison"]
) -> list[str]:
    """Return the sentences that say where the scope stands (DESIGN §4).

    One per target whose outcome figure has a headline year, then one more: the
    programmes below the target, or else the newest cohort's projection.
    """
    scope = scope_name(document)
    said = [
        _outcome_sentence(scope, answer)
        for answer in found
        if answer.headline is not None and headlines.is_outcome(answer.section.year_basis)
    ]
    outcome = next(
        (c for c in comparison if headlines.is_outcome(c.section.year_basis) and c.rows), None
    )
    cohort = next(
        (a for a in found if a.headline is not None and headlines.is_cohort(a.section.year_basis)),
        None,
    )
    if outcome is not None:
        said.append(outcome.sentence())
    elif cohort is not None and cohort.headline is not None:
        said.append(
            _(
                "Of the %(who)s who started in %(year)d, %(share)s are projected to have a stay "
                "abroad (an approved plan with one), against the %(target)d %% target.",
                who=KIND_NOUNS[cohort.section.kind.value],
                year=cohort.headline.year,
                share=cohort.value,
                target=cohort.target_percent,
            )
        )
    return said


# --- Programme comparison ----------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One programme in a comparison table."""

    code: str
    name: str
    group: dict[str, Any] | None
    plans_overdue: int
    at_risk: int
    small: bool


@dataclass(frozen=True)
class Comparison:
    """The programmes of a scope compared in one population's headline year."""

    section: Section
    dom_id: str
    title: str
    year: int
    target_percent: int
    rows: list[ComparisonRow]
    chart: Markup

    def below(self) -> list[ComparisonRow]:
        """Return the programmes below the target in the year (the measure's needed > 0)."""
        return [
            row
            for row in self.rows
            if row.group is not None and headlines.needed_for(row.group, self.section.year_basis)
        ]

    def sentence(self) -> str:
        """Return how many programmes are below the target, and which is furthest below.

        Said of an outcome figure (people who finished, or staff whose three years ended).
        """
        with_people = [row for row in self.rows if row.group is not None]
        below = self.below()
        who = KIND_NOUNS[self.section.kind.value]
        staff = self.section.year_basis == DEADLINE
        if not below:
            if staff:
                return ngettext(
                    "The %(num)d programme with people whose three years ended in %(year)d "
                    "reached the target for %(who)s.",
                    "All %(num)d programmes with people whose three years ended in %(year)d "
                    "reached the target for %(who)s.",
                    len(with_people),
                    year=self.year,
                    who=who,
                )
            return ngettext(
                "The %(num)d programme with people who finished in %(year)d reached the "
                "target for %(who)s.",
                "All %(num)d programmes with people who finished in %(year)d reached the "
                "target for %(who)s.",
                len(with_people),
                year=self.year,
                who=who,
            )
        worst = below[0]
        assert worst.group is not None  # noqa: S101 - below() keeps rows with a group
        key = headlines.measure_key(self.section.year_basis)
        values = {
            "below": len(below),
            "year": self.year,
            "who": who,
            "code": worst.code,
            "share": percent(worst.group[key], worst.group["n"]),
        }
        if staff:
            return ngettext(
                "%(below)d of the %(num)d programme with people whose three years ended in "
                "%(year)d is below the target for %(who)s; furthest below: %(code)s (%(share)s).",
                "%(below)d of the %(num)d programmes with people whose three years ended in "
                "%(year)d are below the target for %(who)s; furthest below: %(code)s "
                "(%(share)s).",
                len(with_people),
                **values,
            )
        return ngettext(
            "%(below)d of the %(num)d programme with people who finished in %(year)d is below "
            "the target for %(who)s; furthest below: %(code)s (%(share)s).",
            "%(below)d of the %(num)d programmes with people who finished in %(year)d are "
            "below the target for %(who)s; furthest below: %(code)s (%(share)s).",
            len(with_people),
            **values,
        )


def comparisons(
    document: dict[str, Any],
    programmes: list[Any],
    by_programme: dict[int, dict[str, Any]],
    on_lists: dict[tuple[int, EnrolmentKind], tuple[int, int]],
) -> list[Comparison]:
    """Return, for each population with a headline year, the scope's programmes compared.

    ``programmes`` are the scope's programmes, ``by_programme`` their population blocks
    (stats.programme_blocks) and ``on_lists`` how many of each programme's
    people of each kind are on the lists Plans overdue and At risk.
    """
    as_of = date.fromisoformat(document["as_of"])
    found = []
    for section in SECTIONS:
        kind = section.kind.value
        headline = headlines.headline(document[kind][section.key], section.year_basis, as_of)
        if headline is None:
            continue
        standings = []
        for programme in programmes:
            groups = by_programme.get(programme.id, {}).get(kind, {}).get(section.key, [])
            group = next((g for g in groups if g["year"] == headline.year), None)
            overdue, at_risk = on_lists.get((programme.id, section.kind), (0, 0))
            standings.append(Standing(programme, group, overdue, at_risk))
        ranked = headlines.rank(standings, section.year_basis)
        target = target_of(document, section)
        key = headlines.measure_key(section.year_basis)
        title = str(SECTION_TITLES[(kind, section.key)])
        dom_id = f"compare-{section_id(section)}"
        description = _(
            "Horizontal bar chart: each programme's share in %(year)d against the %(target)d %% "
            "target, furthest below first. The numbers are in the table that follows.",
            year=headline.year,
            target=target,
        )
        found.append(
            Comparison(
                section=section,
                dom_id=dom_id,
                title=title,
                year=headline.year,
                target_percent=target,
                rows=[
                    ComparisonRow(
                        code=s.programme.code,
                        name=s.programme.name,
                        group=s.group,
                        plans_overdue=s.plans_overdue,
                        at_risk=s.at_risk,
                        small=s.group is not None and s.group["n"] < headlines.SMALL_N,
                    )
                    for s in ranked
                ],
                chart=comparison_chart(
                    [
                        ComparisonBar(
                            label=s.programme.code,
                            n=s.group["n"] if s.group else 0,
                            part=s.group[key] if s.group else 0,
                        )
                        for s in ranked
                    ],
                    target_percent=target,
                    chart_id=f"chart-{dom_id}",
                    text=replace(
                        _chart_text(
                            _("%(title)s: programmes in %(year)d", title=title, year=headline.year),
                            description,
                            target,
                        ),
                        left_out=ngettext(
                            "%(num)d programme had nobody in %(year)d: see the table.",
                            "%(num)d programmes had nobody in %(year)d: see the table.",
                            sum(1 for s in ranked if s.group is None),
                            year=headline.year,
                        ),
                    ),
                    percent=percent,
                ),
            )
        )
    return found


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


# --- International activities, funding and destinations (DESIGN §4) ----------------------

ACTIVITY_TITLES = {
    "phd": _l("International activities: PhD candidates by admission cohort"),
    "postdoc": _l(
        "International activities: postdocs without international experience by start cohort"
    ),
}


@dataclass(frozen=True)
class ActivityCount:
    """People of a cohort with an activity (of a type, or any): done, and planned or done."""

    done: int
    planned_or_done: int


@dataclass(frozen=True)
class ActivityRow:
    """One cohort of an activity population: its people, any activity, and each type."""

    year: int
    n: int
    any: ActivityCount
    by_type: list[ActivityCount]  # in the order of ActivityType
    needed: int | None
    so_far: bool


@dataclass(frozen=True)
class ActivityPanel:
    """One activity population: its card (the latest complete cohort), chart and table."""

    kind: str
    dom_id: str
    title: str
    target: str  # "target 100 %" or "no target set"
    target_percent: int | None
    headline: ActivityRow | None  # the latest cohort before the as-of date's year
    done: str  # the headline cohort's share with an activity done
    planned_or_done: str
    of_whom: str
    needed: str
    small: bool
    chart: Markup
    rows: list[ActivityRow]
    types: list[str]  # the activity types' labels, in the table's order


def _activity_row(group: dict[str, Any], open_year: int) -> ActivityRow:
    def count(values: dict[str, Any]) -> ActivityCount:
        return ActivityCount(int(values["done"]), int(values["planned_or_done"]))

    return ActivityRow(
        year=int(group["year"]),
        n=int(group["n"]),
        any=count(group["any"]),
        by_type=[count(group["by_type"][kind.value]) for kind in ActivityType],
        needed=group["needed"],
        so_far=group["year"] == open_year,
    )


def _activity_needed(row: ActivityRow, target: int | None) -> str:
    if target is None or row.needed is None:
        return ""
    if row.needed == 0:
        return _("The target is reached.")
    return ngettext(
        "%(num)d more person needs an international activity done to reach the target.",
        "%(num)d more people need an international activity done to reach the target.",
        row.needed,
    )


def activity_panels(document: dict[str, Any]) -> list[ActivityPanel]:
    """Return each activity population of the document with its card, chart and table."""
    as_of = date.fromisoformat(document["as_of"])
    found = []
    for kind, groupings in document["activities"].items():
        for key, groups in groupings.items():
            rows = [_activity_row(group, as_of.year) for group in groups]
            target = groups[-1]["target_percent"] if groups else None
            if target is None and kind == "phd":
                target = document["settings"].get("activity_target_percent")
            title = str(ACTIVITY_TITLES.get(kind, kind))
            dom_id = f"activities-{kind}-{key.replace('_', '-')}"
            headline = next((r for r in reversed(rows) if r.year < as_of.year), None)
            target_words = (
                _("target %(target)d %%", target=target)
                if target is not None
                else _("no target set")
            )
            description = _(
                "Bar chart per cohort of the share with an international activity done and "
                "the share with one planned or done. The numbers are in the table that follows."
            )
            text = replace(
                _chart_text(title, description, target or 0),
                achieved=_("Done"),
                projected=_("Planned or done"),
                empty=_("Nobody in this population yet."),
            )
            found.append(
                ActivityPanel(
                    kind=kind,
                    dom_id=dom_id,
                    title=title,
                    target=target_words,
                    target_percent=target,
                    headline=headline,
                    done=percent(headline.any.done, headline.n) if headline else "",
                    planned_or_done=(
                        percent(headline.any.planned_or_done, headline.n) if headline else ""
                    ),
                    of_whom=(
                        ngettext(
                            "had an international activity done, of the %(num)d person who "
                            "started in %(year)d",
                            "had an international activity done, of the %(num)d people who "
                            "started in %(year)d",
                            headline.n,
                            year=headline.year,
                        )
                        if headline
                        else ""
                    ),
                    needed=_activity_needed(headline, target) if headline else "",
                    small=bool(headline and headline.n < headlines.SMALL_N),
                    chart=target_chart(
                        [
                            {
                                "year": r.year,
                                "n": r.n,
                                "achieved": r.any.done,
                                "projected": r.any.planned_or_done,
                            }
                            for r in rows
                        ],
                        target_percent=target,
                        chart_id=f"chart-{dom_id}",
                        text=text,
                        percent=percent,
                        projected=True,
                        so_far_year=as_of.year,
                    ),
                    rows=rows,
                    types=[label(kind_) for kind_ in ActivityType],
                )
            )
    return found


@dataclass(frozen=True)
class FundingRow:
    """One year of completion: its qualifying stays, and per funding source stays and share."""

    year: int
    stays: int
    by_source: list[tuple[int, str]]  # (stays, share as read), in the order of Funding


@dataclass(frozen=True)
class FundingTable:
    """The qualifying stays by year of completion and funding source, and the stays ahead."""

    sources: list[str]  # the funding sources' labels, in the table's order
    rows: list[FundingRow]
    empty: str  # said instead of the table when no year has a stay
    planned: str  # "14 planned stays ahead, 5 of them without a funding source yet."
    planned_without: int


def funding_table(document: dict[str, Any]) -> FundingTable:
    """Return the funding section of the document as its table and its sentence."""
    section = document["funding"]
    rows = [
        FundingRow(
            year=int(group["year"]),
            stays=int(group["stays"]),
            by_source=[
                (
                    int(group["by_source"][source.value]["stays"]),
                    percent(int(group["by_source"][source.value]["stays"]), int(group["stays"])),
                )
                for source in Funding
            ],
        )
        for group in section["by_completion_year"]
    ]
    planned, without = int(section["planned_stays"]), int(section["planned_stays_without_funding"])
    return FundingTable(
        sources=[label(source) for source in Funding],
        rows=rows,
        empty=_("No qualifying stay abroad completed yet."),
        planned=ngettext(
            "%(num)d planned stay ahead, %(without)d of them without a funding source yet.",
            "%(num)d planned stays ahead, %(without)d of them without a funding source yet.",
            planned,
            without=without,
        ),
        planned_without=without,
    )


@dataclass(frozen=True)
class HostRow:
    """One host institution: its name, its stays' countries (names) and its stays."""

    name: str
    countries: str
    stays: int


@dataclass(frozen=True)
class Destinations:
    """Where the qualifying stays went: the map, countries by stays and the first hosts."""

    map: Markup | None  # None without any stay: the sentence says so instead
    countries: list[tuple[str, int]]  # (name in the reader's language, stays)
    hosts: list[HostRow]
    sentence: str  # "31 stays at 17 host institutions."
    empty: str


def map_text() -> MapText:
    """Return the words of the destinations map in the reader's language."""
    return MapText(
        title=_("Stays abroad by country"),
        description=_(
            "World map, and Europe below it, with each country coloured by its number of "
            "qualifying stays abroad. The numbers are in the table that follows."
        ),
        legend=_("Number of stays"),
        stays=lambda count: ngettext("%(num)d stay", "%(num)d stays", count),
        no_stays=_("No stays"),
        home=_("home country"),
        europe=_("Europe"),
        small=_("Country too small to see"),
        not_shown=_("Not on the map:"),
        empty=_("No qualifying stay abroad yet."),
        locale=locale_name(),
    )


def destinations(document: dict[str, Any], *, map_id: str = "destinations-map") -> Destinations:
    """Return the destinations of the document: the map (drawn once), countries and hosts."""
    section = document["destinations"]
    language = locale_name()
    by_country = section["by_country"]
    stays = int(section["stays"])
    return Destinations(
        map=(
            world_map(
                {row["country"]: int(row["stays"]) for row in by_country},
                map_text(),
                home_country=document["settings"]["home_country"],
                map_id=map_id,
            )
            if stays
            else None
        ),
        countries=[
            (country_name(row["country"], language), int(row["stays"])) for row in by_country
        ],
        hosts=[
            HostRow(
                name=row["host_institution"],
                countries=", ".join(country_name(code, language) for code in row["countries"]),
                stays=int(row["stays"]),
            )
            for row in section["by_host"]
        ],
        sentence=ngettext(
            "%(num)d stay at %(hosts)d host institutions.",
            "%(num)d stays at %(hosts)d host institutions.",
            stays,
            hosts=int(section["hosts"]),
        )
        if stays
        else "",
        empty=_("No qualifying stay abroad yet."),
    )


@dataclass(frozen=True)
class International:
    """The document's sections beyond the targets: activities, funding and destinations."""

    activities: list[ActivityPanel]
    funding: FundingTable
    destinations: Destinations


def international(document: dict[str, Any]) -> International:
    """Return what pages and the summary PDF show of activities, funding and destinations."""
    return International(
        activities=activity_panels(document),
        funding=funding_table(document),
        destinations=destinations(document),
    )


class _ByDocument:
    """What was worked out from each of the last ``size`` documents, in one language.

    A document asked again before anything changed is the same object (it is kept for
    its rows, tracker.queries.stats), and so are the answers, panels and international
    sections worked out from it. An entry holds its document, so that no other document
    takes its place under the same id.
    """

    def __init__(self, size: int) -> None:
        self._kept: LastUsed[tuple[dict[str, Any], Any]] = LastUsed(size)

    def get(self, document: dict[str, Any], work_out: Callable[[], T]) -> T:
        _document, worked_out = self._kept.get(
            (id(document), locale_name()),
            lambda: (document, work_out()),
            lambda found: found[0] is document,
        )
        return worked_out


_OF_DOCUMENT = _ByDocument(32)


def page_figures(document: dict[str, Any], compared: Any | None) -> dict[str, Any]:
    """Return what a page shows of a document: answers, sentences, comparison and panels.

    ``compared`` is the scope's queries.comparison.ComparisonData (None for a programme).
    What depends on the document alone is worked out once per document and language.
    """
    comparisons = comparisons_of(document, compared) if compared is not None else []
    answers_found, panels_found, international_found = _OF_DOCUMENT.get(
        document, lambda: (answers(document), panels(document), international(document))
    )
    return {
        "answers": answers_found,
        "sentences": sentences(document, answers_found, comparisons),
        "comparisons": comparisons,
        "panels": panels_found,
        "international": international_found,
        "small_n": headlines.SMALL_N,
        "as_of": document["as_of"],
    }


def comparisons_of(document: dict[str, Any], compared: Any) -> list[Comparison]:
    """Return the programme comparisons of a document from its queries.comparison data."""
    return comparisons(document, compared.programmes, compared.by_programme, compared.on_lists)
