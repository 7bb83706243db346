"""Country codes (ISO 3166-1 alpha-2) and their names in the user's language, from CLDR."""

import unicodedata
from functools import lru_cache

from babel import Locale

# CLDR lists regions that are not countries in ISO 3166-1: groupings (EU, EZ, UN, QO),
# "unknown" (ZZ), pseudo-locales (XA, XB) and the exceptionally reserved codes for
# parts of other countries (AC, CP, CQ, DG, EA, IC, TA). Kosovo (XK) is kept: ISO has
# not assigned it a code, but XK is the code the EU and Norwegian authorities use.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)

COUNTRY_CODES: frozenset[str] = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)

# Danish and Norwegian sort Æ, Ø, Å after Z; plain code-point order gets them wrong
# (Å < Æ < Ø), and stripping accents would file Å under A.
_NORDIC_LETTERS = {"æ": "{", "ø": "|", "å": "}"}  # the three code points after "z"
_NORDIC_LANGUAGES = frozenset({"nb", "nn", "no", "da"})


def is_country(code: str) -> bool:
    """Return whether ``code`` is a known country code (upper case, two letters)."""
    return code in COUNTRY_CODES


def country_name(code: str, locale: str | Locale = "en") -> str:
    """Return the country's name in ``locale``, or the code itself if it is unknown."""
    return _territories(str(locale)).get(code, code)


def country_choices(locale: str | Locale = "en") -> list[tuple[str, str]]:
    """Return ``(code, name)`` pairs for every country, sorted by name in ``locale``."""
    return list(_choices(str(locale)))


@lru_cache(maxsize=16)
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


@lru_cache(maxsize=16)
def _choices(locale: str) -> tuple[tuple[str, str], ...]:
    names = _territories(locale)
    language = Locale.parse(locale).language
    pairs = ((code, names.get(code, code)) for code in COUNTRY_CODES)
    return tuple(sorted(pairs, key=lambda pair: (_sort_key(pair[1], language), pair[0])))


def _sort_key(name: str, language: str) -> str:
    """Return a collation key: case and accents ignored, Nordic letters last where due."""
    text = name.casefold()
    if language in _NORDIC_LANGUAGES:
        text = "".join(_NORDIC_LETTERS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
