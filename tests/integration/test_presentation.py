"""How values read: dates per language, times in the institution's zone, percentages, input."""

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from flask_babel import force_locale

from tracker import presentation
from tracker.domain.dates import DateOutOfRange
from tracker.presentation import (
    format_day,
    format_moment,
    parse_day,
    percent,
    percent_value,
    points,
)

pytestmark = pytest.mark.usefixtures("app")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "30.11.2026"), ("en", "30 Nov 2026")],
)
def test_a_day_reads_as_its_language_writes_it(language, expected) -> None:
    with force_locale(language):
        assert format_day(date(2026, 11, 30)) == expected
        assert format_day(None) == "–"


def test_a_region_in_the_locale_does_not_change_the_form() -> None:
    # A browser asking for en-US or nb-NO gets the language's form, not the region's.
    with force_locale("en_US"):
        assert format_day(date(2026, 10, 1)) == "1 Oct 2026"
    with force_locale("nb_NO"):
        assert format_day(date(2026, 10, 1)) == "01.10.2026"


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        # Winter: Oslo is UTC+1 (CET); summer: UTC+2 (CEST).
        (datetime(2026, 11, 30, 13, 5, tzinfo=UTC), "nb", "30.11.2026 14:05 CET"),
        (datetime(2026, 11, 30, 13, 5, tzinfo=UTC), "en", "30 Nov 2026, 14:05 CET"),
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "en", "1 Jul 2026, 00:30 CEST"),
        # SQLite hands stored times back without a zone: they were written in UTC.
        (datetime(2026, 6, 30, 22, 30), "nb", "01.07.2026 00:30 CEST"),
    ],
)
def test_a_moment_is_in_the_institutions_zone_with_the_zone_shown(
    moment, language, expected
) -> None:
    with force_locale(language):
        assert format_moment(moment) == expected


def test_the_zone_comes_from_the_setting(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TIMEZONE", "America/New_York")
    with force_locale("en"):
        assert format_moment(datetime(2026, 11, 30, 13, 5, tzinfo=UTC)) == "30 Nov 2026, 08:05 EST"
        # The day of a stored time is the day in that zone.
        assert format_day(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "30 Nov 2026"


def test_an_unknown_zone_is_refused_at_start() -> None:
    from config import TestConfig

    class Wrong(TestConfig):
        TIMEZONE = "Europe/Atlantis"

    with pytest.raises(RuntimeError, match="TRACKER_TIMEZONE"):
        Wrong.check()


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2026-11-30", "nb", date(2026, 11, 30)),
        ("2026-11-30", "en", date(2026, 11, 30)),
        ("30.11.2026", "nb", date(2026, 11, 30)),
        ("1.2.2026", "nb", date(2026, 2, 1)),
        (" 30. 11. 2026 ", "nb", date(2026, 11, 30)),
        ("30. nov. 2026", "nb", date(2026, 11, 30)),
        ("30 november 2026", "nb", date(2026, 11, 30)),
        ("30 Nov 2026", "en", date(2026, 11, 30)),
        ("30 november 2026", "en", date(2026, 11, 30)),
        ("1 Feb 2026", "en", date(2026, 2, 1)),
    ],
)
def test_a_typed_day_is_read_in_iso_or_the_readers_form(text, language, expected) -> None:
    assert parse_day(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("30.11.2026", "en"),  # not how English writes it (and 11/30 or 30/11 is ambiguous)
        ("11/30/2026", "en"),
        ("30 Foo 2026", "en"),
        ("2026-02-30", "nb"),
        ("30.02.2026", "nb"),
        ("2026-11-30T10:00", "nb"),
        ("", "nb"),
    ],
)
def test_anything_else_is_refused(text, language) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the form's to choose
        parse_day(text, language)


def test_a_day_outside_the_accepted_range_is_refused() -> None:
    with pytest.raises(DateOutOfRange):
        parse_day("01.01.1900", "nb")


@pytest.mark.parametrize(
    ("part", "n", "en", "nb"),
    [
        (2, 5, "40\u00a0%", "40\u00a0%"),
        (47, 120, "39.2\u00a0%", "39,2\u00a0%"),
        (1, 3, "33.3\u00a0%", "33,3\u00a0%"),
        (2, 3, "66.7\u00a0%", "66,7\u00a0%"),
        # 1/32 is 3.125 %: one decimal from the exact fraction, half up -> 3.1.
        (1, 32, "3.1\u00a0%", "3,1\u00a0%"),
        # 3.15 % exactly rounds half up to 3.2 (no binary floating point involved).
        (63, 2000, "3.2\u00a0%", "3,2\u00a0%"),
        (0, 7, "0\u00a0%", "0\u00a0%"),
        (7, 7, "100\u00a0%", "100\u00a0%"),
        (0, 0, "–", "–"),
    ],
)
def test_percent_has_at_most_one_decimal(part, n, en, nb) -> None:
    with force_locale("en"):
        assert percent(part, n) == en
    with force_locale("nb"):
        assert percent(part, n) == nb


def test_percent_rounds_the_exact_fraction_not_the_documents_rate() -> None:
    # 3,149,999 of 100,000,000 is 3.149999 %: the document's rate rounds it to 0.0315
    # (3.15 %), which would round again to 3.2 %; the exact fraction gives 3.1 %.
    assert str(percent_value(3_149_999, 100_000_000)) == "3.1"


def test_every_small_fraction_rounds_half_up() -> None:
    for n in range(1, 60):
        for part in range(n + 1):
            exact = Fraction(part * 100, n)
            error = Fraction(str(percent_value(part, n))) - exact
            # The nearest tenth; a tie (exactly half a tenth away) goes up.
            assert -Fraction(1, 20) < error <= Fraction(1, 20)


@pytest.mark.parametrize(
    ("change", "expected"),
    [(Fraction(7, 2), "+3.5"), (Fraction(-2), "\u22122"), (Fraction(1, 100), "±0")],
)
def test_points_are_signed(change, expected) -> None:
    with force_locale("en"):
        assert points(change) == expected


def test_the_language_outside_a_request_is_the_default() -> None:
    assert presentation.locale_name() == "en"
    with force_locale("nb"):
        assert presentation.locale_name() == "nb"
