"""Where stays abroad went and who paid for them: funding and destinations (DESIGN §4).

The database counts qualifying stays per year and funding source, per country, and
per host name as typed; this module turns those counts into the document's
sections. Host names are compared only through :func:`host_key`, so "ETH  zürich "
and "ETH Zürich" are one host everywhere.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from tracker.domain.targets import rate
from tracker.domain.vocabulary import Funding

# How many host institutions the document lists.
TOP_HOSTS = 20
# Every funding source, in the order of DESIGN §2: the document's ``by_source`` order.
SOURCES = tuple(Funding)

_SPACE = re.compile(r"\s+")


# A document meets the same few thousand spellings every time: worked out once each.
@lru_cache(maxsize=8192)
def host_key(name: str) -> str:
    """Return the key under which host names are compared: NFKC, case folded, spaces collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def is_unfunded(funding: Funding | str | None) -> bool:
    """Return whether a stay has no funding source yet (``none``, or nothing recorded)."""
    return funding is None or funding == "" or funding == Funding.NONE


@dataclass(frozen=True)
class FundingYear:
    """The qualifying stays completed in one year, by funding source (value → stays)."""

    year: int
    by_source: Mapping[str, int]


def funding_year(counts: FundingYear) -> dict[str, Any]:
    """Return one year of ``funding``: its stays and each source's stays and share."""
    total = sum(counts.by_source.values())
    return {
        "year": counts.year,
        "stays": total,
        "by_source": {
            source.value: {
                "stays": counts.by_source.get(source.value, 0),
                "share": rate(counts.by_source.get(source.value, 0), total),
            }
            for source in SOURCES
        },
    }


def funding_section(
    years: Iterable[FundingYear], planned_stays: int, planned_without_funding: int
) -> dict[str, Any]:
    """Return the ``funding`` section: years with stays, by year ascending, then stays ahead."""
    return {
        "by_completion_year": [
            funding_year(row)
            for row in sorted(years, key=lambda r: r.year)
            if sum(row.by_source.values()) > 0
        ],
        "planned_stays": planned_stays,
        "planned_stays_without_funding": planned_without_funding,
    }


class HostCount(NamedTuple):
    """Qualifying stays at one host as typed, in one country (a tuple: thousands per document)."""

    name: str
    country: str
    stays: int


def _spelling(spellings: Mapping[str, int]) -> str:
    """Return the spelling most stays have; a tie goes to the first in code-point order."""
    return min(spellings, key=lambda name: (-spellings[name], name))


def destinations_section(
    by_country: Mapping[str, int], hosts: Iterable[HostCount], limit: int = TOP_HOSTS
) -> dict[str, Any]:
    """Return ``destinations``: all stays, every country, and the first ``limit`` hosts."""
    # Plain dicts: a Counter per host costs more to make than all the adding up.
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    countries: dict[str, set[str]] = defaultdict(set)
    for name, country, count in hosts:
        key = host_key(name)
        found = spellings[key]
        found[name] = found.get(name, 0) + count
        countries[key].add(country.upper())
    stays = {key: sum(found.values()) for key, found in spellings.items()}
    ranked = sorted(stays, key=lambda key: (-stays[key], key))
    return {
        "stays": sum(by_country.values()),
        "by_country": [
            {"country": code, "stays": count}
            for code, count in sorted(by_country.items(), key=lambda item: (-item[1], item[0]))
            if count > 0
        ],
        "hosts": len(stays),
        "by_host": [
            {
                "host_institution": _spelling(spellings[key]),
                "stays": stays[key],
                "countries": sorted(countries[key]),
            }
            for key in ranked[:limit]
        ],
    }
