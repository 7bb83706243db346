"""Funding and destinations (DESIGN §4): the host normaliser and the sections' arithmetic."""

import pytest

from tracker.domain.abroad import (
    SOURCES,
    TOP_HOSTS,
    FundingYear,
    HostCount,
    destinations_section,
    funding_section,
    funding_year,
    host_key,
    is_unfunded,
)
from tracker.domain.vocabulary import Funding


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ETH Zürich", "eth zürich"),
        ("  ETH   zürich ", "eth zürich"),
        ("ETH\tZÜRICH", "eth zürich"),
        ("ＥＴＨ Zürich", "eth zürich"),  # full-width letters (NFKC)
        ("ETH Zu\u0308rich", "eth zürich"),  # a combining diaeresis composes (NFKC)
        ("ETH\u00a0Zürich", "eth zürich"),  # a no-break space is a space
        ("Universität STRASSE", "universität strasse"),
        ("Universität Straße", "universität strasse"),  # ß folds to ss
        ("", ""),
    ],
)
def test_host_key(name, key):
    assert host_key(name) == key


def test_host_key_keeps_what_tells_hosts_apart():
    assert host_key("KTH") != host_key("K T H")
    assert host_key("Universidad de León") != host_key("Universidad de Leon")


@pytest.mark.parametrize(
    ("funding", "unfunded"),
    [(None, True), ("", True), ("none", True), (Funding.NONE, True)]
    + [(source, False) for source in Funding if source != Funding.NONE],
)
def test_unfunded(funding, unfunded):
    assert is_unfunded(funding) is unfunded


def test_funding_year_lists_every_source_in_order_with_its_share():
    year = funding_year(FundingYear(2025, {"erasmus_plus": 2, "overseas_research_grant": 3,
                                           "none": 3}))  # fmt: skip
    assert (year["year"], year["stays"]) == (2025, 8)
    assert list(year["by_source"]) == [s.value for s in SOURCES]
    assert year["by_source"]["overseas_research_grant"] == {"stays": 3, "share": 0.375}
    assert year["by_source"]["erasmus_plus"] == {"stays": 2, "share": 0.25}
    assert year["by_source"]["institution"] == {"stays": 0, "share": 0.0}
    assert year["by_source"]["none"] == {"stays": 3, "share": 0.375}


def test_funding_section_drops_years_without_stays_and_sorts():
    section = funding_section(
        [
            FundingYear(2026, {"host": 1}),
            FundingYear(2023, {}),
            FundingYear(2024, {"none": 3}),
        ],
        planned_stays=5,
        planned_without_funding=2,
    )
    assert [y["year"] for y in section["by_completion_year"]] == [2024, 2026]
    assert section["by_completion_year"][0]["by_source"]["none"]["share"] == 1.0
    assert (section["planned_stays"], section["planned_stays_without_funding"]) == (5, 2)
    assert list(section) == ["by_completion_year", "planned_stays", "planned_stays_without_funding"]


def test_shares_round_half_up():
    year = funding_year(FundingYear(2025, {"host": 1, "none": 31}))
    assert year["by_source"]["host"]["share"] == 0.0313


def test_countries_by_stays_then_code():
    section = destinations_section({"US": 2, "DE": 3, "AT": 2, "FR": 0}, [])
    assert section["by_country"] == [
        {"country": "DE", "stays": 3},
        {"country": "AT", "stays": 2},
        {"country": "US", "stays": 2},
    ]
    assert section["stays"] == 7


def test_hosts_are_one_host_whatever_the_spelling():
    section = destinations_section(
        {"CH": 6},
        [
            HostCount("ETH Zürich", "CH", 2),
            HostCount("ETH  zürich", "CH", 1),
            HostCount("eth zürich", "ch", 2),
            HostCount("EPFL", "CH", 1),
        ],
    )
    assert section["hosts"] == 2
    # Two spellings with 2 stays each: the first in code-point order ("E" < "e").
    assert section["by_host"] == [
        {"host_institution": "ETH Zürich", "stays": 5, "countries": ["CH"]},
        {"host_institution": "EPFL", "stays": 1, "countries": ["CH"]},
    ]


def test_a_host_in_two_countries_lists_both():
    section = destinations_section(
        {"US": 1, "GB": 1},
        [HostCount("Cambridge", "US", 1), HostCount("cambridge", "GB", 1)],
    )
    assert section["by_host"] == [
        {"host_institution": "Cambridge", "stays": 2, "countries": ["GB", "US"]}
    ]


def test_only_the_first_twenty_hosts_ties_by_key():
    hosts = [HostCount(f"Host {i:02d}", "DE", 1) for i in range(30)]
    hosts.append(HostCount("Zeta", "DE", 5))
    hosts.append(HostCount("Alpha", "DE", 5))
    section = destinations_section({"DE": 40}, hosts)
    assert section["hosts"] == 32
    names = [h["host_institution"] for h in section["by_host"]]
    assert len(names) == TOP_HOSTS
    assert names[:2] == ["Alpha", "Zeta"]
    assert names[2:] == [f"Host {i:02d}" for i in range(18)]


def test_nothing_to_show():
    assert destinations_section({}, []) == {
        "stays": 0,
        "by_country": [],
        "hosts": 0,
        "by_host": [],
    }
