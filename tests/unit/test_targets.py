"""The exact arithmetic of the targets (DESIGN §4): needed, rates, one group, parsing as-of."""

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from tracker.domain.targets import (
    GROUP_KEYS,
    Baseline,
    GroupCounts,
    TargetSettings,
    as_percent,
    ceil_percent_of,
    group_figures,
    groups,
    latest_completed_year,
    needed,
    parse_as_of,
    parse_baseline,
    rate,
    rate_decimal,
)


@pytest.mark.parametrize(
    ("target", "n", "achieved", "expected"),
    [
        (30, 10, 0, 3),  # 30 % of 10 is exactly 3
        (30, 10, 1, 2),
        (30, 10, 3, 0),
        (30, 10, 7, 0),  # never negative
        (40, 120, 47, 1),  # the example of DESIGN §4: ⌈48⌉ − 47
        (40, 7, 2, 1),  # ⌈2.8⌉ = 3
        (40, 1, 0, 1),
        (28, 25, 0, 7),  # 0.28 · 25 is 7.000000000000001 in floating point
        (14, 50, 0, 7),
        (100, 3, 1, 2),
        (0, 10, 0, 0),
        (40, 0, 0, 0),
    ],
)
def test_needed(target, n, achieved, expected):
    assert needed(target, n, achieved) == expected


def test_ceil_matches_exact_fractions_everywhere():
    for target in range(0, 101):
        for n in range(0, 400):
            assert ceil_percent_of(target, n) == math.ceil(Fraction(target * n, 100))


def test_floating_point_would_be_wrong_here():
    """The cases above are real: the naive float formula is off by one for them."""
    assert math.ceil(28 / 100 * 25) == 8 != ceil_percent_of(28, 25)
    assert math.ceil(0.1 * 3 * 10) == 4 != ceil_percent_of(30, 10)


@pytest.mark.parametrize("bad", [0.3, 30.0, "30", True])
def test_target_must_be_an_integer(bad):
    with pytest.raises(TypeError):
        ceil_percent_of(bad, 10)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        needed(30, -1, 0)
    with pytest.raises(ValueError):
        rate(-1, 3)


@pytest.mark.parametrize(
    ("part", "n", "expected"),
    [
        (47, 120, "0.3917"),
        (1, 3, "0.3333"),
        (2, 3, "0.6667"),
        (1, 32, "0.0313"),  # exactly 0.03125: half up, where round() gives 0.0312
        (1, 16, "0.0625"),
        (5, 80000, "0.0001"),  # 0.0000625 → 0.0001
        (1, 20000, "0.0001"),  # exactly 0.00005: half up
        (1, 20001, "0.0000"),  # just under half
        (0, 5, "0.0000"),
        (5, 5, "1.0000"),
    ],
)
def test_rate_rounds_half_up_to_four_decimals(part, n, expected):
    assert rate_decimal(part, n) == Decimal(expected)
    assert rate(part, n) == float(expected)
    assert repr(rate(part, n)) == repr(float(expected))


def test_python_round_would_be_wrong_here():
    assert round(1 / 32, 4) == 0.0312 != rate(1, 32)


def test_rate_agrees_with_decimal_half_up_of_the_exact_fraction():
    for n in range(1, 300):
        for part in range(0, n + 1):
            # With n < 300 a fraction is never within 28 digits of a half-way point, so the
            # Decimal quotient rounds the same way as the exact fraction.
            reference = (Decimal(part) / Decimal(n)).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
            assert rate_decimal(part, n) == reference


def test_rate_needs_people():
    with pytest.raises(ZeroDivisionError):
        rate(0, 0)


def test_group_figures_have_the_contract_keys_in_order():
    figures = group_figures(GroupCounts(2025, 120, 47, 50, 101, 3), 40)
    assert tuple(figures) == GROUP_KEYS
    assert figures == {
        "year": 2025,
        "n": 120,
        "achieved": 47,
        "projected": 50,
        "approved_plans": 101,
        "overdue_plans": 3,
        "rate": 0.3917,
        "projected_rate": 0.4167,
        "target_percent": 40,
        "needed": 1,
    }


def test_groups_leave_out_empty_years_and_sort():
    rows = [
        GroupCounts(2026, 2, 1, 1, 0, 0),
        GroupCounts(2024, 0, 0, 0, 0, 0),
        GroupCounts(2025, 1, 0, 0, 0, 1),
    ]
    assert [g["year"] for g in groups(rows, 30)] == [2025, 2026]


def test_latest_completed_year():
    rows = [{"year": 2024}, {"year": 2025}, {"year": 2026}]
    assert latest_completed_year(rows, date(2026, 11, 26)) == {"year": 2025}
    assert latest_completed_year(rows, date(2027, 1, 1)) == {"year": 2026}
    assert latest_completed_year(rows[2:], date(2026, 11, 26)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.3917, "39.17"), (1.0, "100.00"), (0.0, "0.00"), (0.0001, "0.01"), (0.1, "10.00")],
)
def test_as_percent_is_exact(value, expected):
    assert as_percent(value) == Decimal(expected)


def test_parse_as_of():
    today = date(2026, 11, 26)
    assert parse_as_of(None, today) == today
    assert parse_as_of("  ", today) == today
    assert parse_as_of("2024-02-29", today) == date(2024, 2, 29)
    for bad in (
        "2023-02-29",
        "20240229",
        "2024-2-29",
        "yesterday",
        "0001-01-01",
        "9999-12-31",
        "2024-02-29T00:00",
    ):
        with pytest.raises(ValueError):
            parse_as_of(bad, today)


def test_settings_from_config_and_as_document():
    settings = TargetSettings.from_mapping(
        {
            "HOME_COUNTRY": "se",
            "MIN_STAY_DAYS": "30",
            "PHD_TARGET_PERCENT": 45,
            "POSTDOC_TARGET_PERCENT": 35,
            "STAFF_TARGET_PERCENT": 90,
            "PLAN_DUE_DAYS": 60,
            "ACTIVITY_TARGET_PERCENT": "90",
            "PHD_BASELINE": "25 % in 2012",
            "POSTDOC_BASELINE": None,
            "STAFF_BASELINE": "12.5% IN 2015",
        }
    )
    assert settings.as_document() == {
        "home_country": "SE",
        "min_stay_days": 30,
        "phd_target_percent": 45,
        "postdoc_target_percent": 35,
        "staff_target_percent": 90,
        "plan_due_days": 60,
        "activity_target_percent": 90,
        "phd_baseline": {"percent": 25, "year": 2012},
        "postdoc_baseline": None,
        "staff_baseline": {"percent": 12.5, "year": 2015},
    }
    assert settings.counting_rules.min_stay_days == 30


@pytest.mark.parametrize(
    ("text", "percent", "year"),
    [
        ("25 % in 2012", "25", 2012),
        ("25% in 2012", "25", 2012),
        ("  25 %   IN 2012 ", "25", 2012),
        ("24,5 % in 2012", "24.5", 2012),
        ("24.55 % in 2012", "24.55", 2012),
        ("0 % in 1950", "0", 1950),
        ("100 % in 2100", "100", 2100),
    ],
)
def test_a_baseline_is_a_percentage_in_a_year(text, percent, year):
    assert parse_baseline(text) == Baseline(Decimal(percent), year)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_no_baseline(empty):
    assert parse_baseline(empty) is None


@pytest.mark.parametrize(
    "bad",
    [
        "25 %",
        "25 in 2012",
        "25 % 2012",
        "in 2012",
        "25 percent in 2012",
        "25.555 % in 2012",
        "-5 % in 2012",
        "101 % in 2012",
        "25 % in 1949",
        "25 % in 2101",
        "25 % in 12",
        "25 % in 2012 and 30 % in 2014",
    ],
)
def test_a_malformed_baseline_is_refused_with_the_form_it_should_have(bad):
    with pytest.raises(ValueError, match="25 % in 2012|at most 100|the year must be"):
        parse_baseline(bad)
