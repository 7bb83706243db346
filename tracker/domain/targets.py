"""The arithmetic of the targets (DESIGN §4): rates, "needed", and one group's figures.

Everything here is exact. Counts are integers; a rate is the fraction
``part / n`` rounded half up to four decimals with integer arithmetic (no
binary floating point is involved until the rounded value is handed to JSON);
``needed`` is ``max(0, ⌈target · n / 100⌉ − achieved)`` with the ceiling done
as ``-(-target · n // 100)``, so 30 % of 10 people is exactly 3.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from tracker.domain.dates import EARLIEST, LATEST, check_date
from tracker.domain.stays import CountingRules

RATE_DECIMALS = 4

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BASELINE = re.compile(r"([0-9]{1,3}(?:[.,][0-9]{1,2})?) ?% +in +([0-9]{4})", re.IGNORECASE)
BASELINE_FORM = "<percent> % in <year>, for example 25 % in 2012"

# The keys of one group in the statistics document, in the order the contract shows them.
GROUP_KEYS = (
    "year",
    "n",
    "achieved",
    "projected",
    "approved_plans",
    "overdue_plans",
    "rate",
    "projected_rate",
    "target_percent",
    "needed",
)


@dataclass(frozen=True)
class Baseline:
    """A population's historical figure, to show next to its target: ``percent`` % in ``year``."""

    percent: Decimal
    year: int

    def as_document(self) -> dict[str, Any]:
        """Return the baseline as the statistics document carries it (a whole percent as int)."""
        whole = self.percent == self.percent.to_integral_value()
        return {"percent": int(self.percent) if whole else float(self.percent), "year": self.year}


def parse_baseline(text: str | None) -> Baseline | None:
    """Return the baseline written as "25 % in 2012" (None when empty); raise ValueError.

    The percentage is whole or has up to two decimals (a comma is read as a point) and
    lies in 0–100; the year lies in the years the tracker accepts dates from.
    """
    if text is None or not text.strip():
        return None
    found = _BASELINE.fullmatch(" ".join(text.split()))
    if found is None:
        raise ValueError(f"{text.strip()!r} is not written as {BASELINE_FORM}")
    percent = Decimal(found.group(1).replace(",", "."))
    year = int(found.group(2))
    if percent > 100:
        raise ValueError(f"{text.strip()!r}: a percentage is at most 100")
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValueError(
            f"{text.strip()!r}: the year must be {EARLIEST.year}–{LATEST.year}"
        )
    return Baseline(percent, year)


@dataclass(frozen=True)
class TargetSettings:
    """The settings of DESIGN §4, as they appear in the document's ``settings`` block."""

    home_country: str = "NO"
    min_stay_days: int = 28
    phd_target_percent: int = 40
    postdoc_target_percent: int = 30
    staff_target_percent: int = 100
    plan_due_days: int = 30
    activity_target_percent: int = 100
    phd_baseline: Baseline | None = None
    postdoc_baseline: Baseline | None = None
    staff_baseline: Baseline | None = None

    @classmethod
    def from_mapping(cls, config: Any) -> "TargetSettings":
        """Read the settings from an app config (or any mapping with the same keys)."""
        return cls(
            home_country=str(config["HOME_COUNTRY"]).upper(),
            min_stay_days=int(config["MIN_STAY_DAYS"]),
            phd_target_percent=int(config["PHD_TARGET_PERCENT"]),
            postdoc_target_percent=int(config["POSTDOC_TARGET_PERCENT"]),
            staff_target_percent=int(config["STAFF_TARGET_PERCENT"]),
            plan_due_days=int(config["PLAN_DUE_DAYS"]),
            activity_target_percent=int(config["ACTIVITY_TARGET_PERCENT"]),
            phd_baseline=parse_baseline(config.get("PHD_BASELINE")),
            postdoc_baseline=parse_baseline(config.get("POSTDOC_BASELINE")),
            staff_baseline=parse_baseline(config.get("STAFF_BASELINE")),
        )

    @property
    def counting_rules(self) -> CountingRules:
        """Return the rules that decide whether one stay counts."""
        return CountingRules(home_country=self.home_country, min_stay_days=self.min_stay_days)

    def as_document(self) -> dict[str, Any]:
        """Return the ``settings`` block of the statistics document."""
        return {
            "home_country": self.home_country,
            "min_stay_days": self.min_stay_days,
            "phd_target_percent": self.phd_target_percent,
            "postdoc_target_percent": self.postdoc_target_percent,
            "staff_target_percent": self.staff_target_percent,
            "plan_due_days": self.plan_due_days,
            "activity_target_percent": self.activity_target_percent,
            **{
                f"{name}_baseline": baseline.as_document() if baseline else None
                for name, baseline in (
                    ("phd", self.phd_baseline),
                    ("postdoc", self.postdoc_baseline),
                    ("staff", self.staff_baseline),
                )
            },
        }


class GroupCounts(NamedTuple):
    """The counts of one population in one year, as the database returns them.

    A named tuple: a document by programme has thousands, and a tuple costs a third of
    a frozen dataclass to make.
    """

    year: int
    n: int
    achieved: int
    projected: int
    approved_plans: int
    overdue_plans: int
    programme_id: int | None = None  # set when the counts are one programme's


def _check_counts(part: int, n: int) -> None:
    if n < 0 or part < 0:
        raise ValueError("counts cannot be negative")


def ceil_percent_of(target_percent: int, n: int) -> int:
    """Return ⌈target_percent · n / 100⌉ exactly, with integers only."""
    if isinstance(target_percent, bool) or not isinstance(target_percent, int):
        raise TypeError("target_percent must be an integer")
    _check_counts(target_percent, n)
    return -(-target_percent * n // 100)


def needed(target_percent: int, n: int, achieved: int) -> int:
    """Return how many more of ``n`` people need a stay to reach ``target_percent``."""
    _check_counts(achieved, n)
    return max(0, ceil_percent_of(target_percent, n) - achieved)


def rate_decimal(part: int, n: int) -> Decimal:
    """Return ``part / n`` rounded half up to four decimals, as an exact Decimal."""
    _check_counts(part, n)
    if n == 0:
        raise ZeroDivisionError("a rate needs n > 0")
    # Exact: ⌊part/n · 10⁴ + ½⌋ is ROUND_HALF_UP of the true fraction, and equals
    # ⌊(2 · part · 10⁴ + n) / 2n⌋ in integers; no division rounds before the last one.
    scaled = (2 * part * 10**RATE_DECIMALS + n) // (2 * n)
    return Decimal(scaled).scaleb(-RATE_DECIMALS)


def rate(part: int, n: int) -> float:
    """Return ``part / n`` rounded half up to four decimals, as the JSON number."""
    return float(rate_decimal(part, n))


def as_percent(rate_value: float | Decimal) -> Decimal:
    """Return a document rate as a percentage, exactly: 0.3917 → Decimal("39.17")."""
    # Through str(): the float came from a four-decimal Decimal and prints back as one.
    return Decimal(str(rate_value)).scaleb(2).quantize(Decimal("0.01"))


def group_figures(counts: GroupCounts, target_percent: int) -> dict[str, Any]:
    """Return one group of the statistics document: the counts, rates, target and needed."""
    return {
        "year": counts.year,
        "n": counts.n,
        "achieved": counts.achieved,
        "projected": counts.projected,
        "approved_plans": counts.approved_plans,
        "overdue_plans": counts.overdue_plans,
        "rate": rate(counts.achieved, counts.n),
        "projected_rate": rate(counts.projected, counts.n),
        "target_percent": target_percent,
        "needed": needed(target_percent, counts.n, counts.achieved),
    }


def groups(rows: list[GroupCounts], target_percent: int) -> list[dict[str, Any]]:
    """Return the groups of one population: years with n = 0 left out, by year ascending."""
    return [
        group_figures(row, target_percent)
        for row in sorted(rows, key=lambda r: r.year)
        if row.n > 0
    ]


def latest_completed_year(rows: list[dict[str, Any]], as_of: date) -> dict[str, Any] | None:
    """Return the group of the latest year that ended before ``as_of``, if there is one."""
    finished = [row for row in rows if row["year"] < as_of.year]
    return finished[-1] if finished else None


def parse_as_of(text: str | None, today: date) -> date:
    """Return the as-of date written as YYYY-MM-DD; empty means ``today``; raise ValueError."""
    if text is None or not text.strip():
        return today
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    parsed = date.fromisoformat(value)  # raises ValueError for 2026-02-30
    return check_date(parsed)  # DateOutOfRange is a ValueError
