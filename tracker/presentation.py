"""How values read for people: dates, times, percentages and the reader's language.

Pages, PDF reports and e-mails all format through this module, so a date reads the
same everywhere (DESIGN §6): bokmål ``30.11.2026``, English ``30 Nov 2026``,
whatever the browser's region; times in the institution's zone
(``TRACKER_TIMEZONE``) with the zone shown. CSV files and JSON keep ISO 8601.
Blueprints and reports import this module; it imports none of them.
"""

import functools
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import get_month_names
from babel.numbers import format_decimal
from flask import current_app, has_app_context
from flask_babel import get_locale

from tracker.domain.dates import check_date
from tracker.models.base import as_utc

DEFAULT_LANGUAGE = "en"
DEFAULT_TIMEZONE = "Europe/Oslo"

# The day as each language writes it, whatever region the reader's browser names.
DAY_PATTERNS = {"nb": "dd.MM.y", "en": "d MMM y"}
# A moment: the day, the time on a 24-hour clock, then the zone's abbreviation.
MOMENT_FORMATS = {"nb": "{day} {time} {zone}", "en": "{day}, {time} {zone}"}

_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DOTTED_DAY = re.compile(r"([0-9]{1,2})\.\s*([0-9]{1,2})\.\s*([0-9]{4})")
_NAMED_DAY = re.compile(r"([0-9]{1,2})\.?\s+([^\W\d_]+)\.?,?\s+([0-9]{4})")


def locale_name() -> str:
    """Return the reader's language (the one being rendered or composed in) as a code."""
    locale = get_locale() if has_app_context() else None
    if locale is None:
        return DEFAULT_LANGUAGE
    return str(locale.language)


def timezone() -> ZoneInfo:
    """Return the institution's time zone (TRACKER_TIMEZONE)."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def format_day(value: date | datetime | None, empty: str = "–") -> str:
    """Return a day as the reader's language writes it: 30.11.2026 or 30 Nov 2026."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(timezone()).date()
    language = locale_name()
    pattern = DAY_PATTERNS.get(language, DAY_PATTERNS[DEFAULT_LANGUAGE])
    return babel_format_date(value, pattern, locale=language)


def format_moment(value: datetime | None, empty: str = "–") -> str:
    """Return a stored time in the institution's zone, zone shown: 30.11.2026 14:05 CET."""
    if value is None:
        return empty
    local = as_utc(value).astimezone(timezone())
    language = locale_name()
    template = MOMENT_FORMATS.get(language, MOMENT_FORMATS[DEFAULT_LANGUAGE])
    return template.format(
        day=format_day(local.date()), time=local.strftime("%H:%M"), zone=local.tzname() or ""
    ).strip()


def _month_numbers(language: str) -> dict[str, int]:
    """Return month names and abbreviations of a language (and English) by lower-case text."""
    found: dict[str, int] = {}
    for locale in dict.fromkeys((language, DEFAULT_LANGUAGE)):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, "format", locale).items():
                found.setdefault(name.lower().rstrip("."), number)
    return found


def parse_day(text: str, language: str | None = None) -> date:
    """Return the day written as ISO or as the reader's language writes it; raise ValueError.

    Accepted: ``2026-11-30``; in bokmål ``30.11.2026`` (one-digit day and month too);
    in English ``30 Nov 2026`` and ``30 November 2026``. The day must be one the
    tracker accepts (tracker.domain.dates): DateOutOfRange is a ValueError.
    """
    value = " ".join(text.split())
    language = language or locale_name()
    if match := _ISO_DAY.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif language == "nb" and (match := _DOTTED_DAY.fullmatch(value)):
        day, month, year = (int(part) for part in match.groups())
    elif match := _NAMED_DAY.fullmatch(value):
        month_number = _month_numbers(language).get(match.group(2).lower())
        if month_number is None:
            raise ValueError(f"{value!r} names no month")
        day, month, year = int(match.group(1)), month_number, int(match.group(3))
    else:
        raise ValueError(f"{value!r} is not a date")
    return check_date(date(year, month, day))  # date() raises ValueError for 30 Feb


def day_example(language: str | None = None) -> str:
    """Return how a date is typed in the reader's language, for hints and messages."""
    return "30.11.2026" if (language or locale_name()) == "nb" else "30 Nov 2026"


@functools.lru_cache(maxsize=8192)  # a dashboard shows some 500 percentages
def percent_value(part: int, n: int) -> Decimal:
    """Return ``part / n`` as a percentage rounded half up to one decimal, exactly."""
    if n <= 0:
        raise ZeroDivisionError("a percentage needs n > 0")
    # floor(part · 1000 / n + 1/2) in whole numbers: the tenths of a percent, half up.
    tenths = (2000 * part + n) // (2 * n)
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(part: int, n: int) -> str:
    """Return ``part / n`` as the reader reads it: "40 %", "39.2 %" (bokmål "39,2 %").

    At most one decimal, from the exact fraction (no second rounding of the document's
    four-decimal rate); a trailing ".0" is dropped. Nobody (n = 0) reads "–".
    """
    if n <= 0:
        return "–"
    return _percent(percent_value(part, n), locale_name())


@functools.lru_cache(maxsize=4096)
def _percent(value: Decimal, language: str) -> str:
    # Babel reads its number pattern on every call: a report prints the same few hundred
    # percentages over and over.
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.0"
    return format_decimal(value, format=pattern, locale=language) + "\u00a0%"


def points(change: Fraction) -> str:
    """Return a change of a percentage in points, signed: "+3.5", "−2", "±0"."""
    tenths = (abs(change) * 10 + Fraction(1, 2)).__floor__()
    if tenths == 0:
        return "±0"
    value = Decimal(tenths) / 10
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.0"
    sign = "+" if change > 0 else "\u2212"
    return sign + format_decimal(value, format=pattern, locale=locale_name())


def number(value: int) -> str:
    """Return a whole number with the reader's thousands separator: 5,000 or 5 000."""
    return format_decimal(value, format="#,##0", locale=locale_name())
