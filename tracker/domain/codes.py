"""Faculty and programme codes: what one may look like, and when two are the same.

Codes are kept as written (``PHD-CS``) but compared without regard to case and
surrounding space, in Python through ``code_key`` and in SQL through ``lower()``:
both agree because a code holds ASCII letters, digits, dots, hyphens and
underscores only.
"""

import re
import unicodedata

MAX_LENGTH = 32
PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_PATTERN = re.compile(PATTERN)


def clean_code(text: str) -> str:
    """Return a code as it is stored: compatibility forms folded, surrounding space gone."""
    return unicodedata.normalize("NFKC", text).strip()


def is_valid_code(text: str) -> bool:
    """Return whether ``text`` (as cleaned) may be a code."""
    code = clean_code(text)
    return len(code) <= MAX_LENGTH and bool(_PATTERN.fullmatch(code))


def code_key(text: str) -> str:
    """Return what two spellings of one code share: the cleaned code in lower case."""
    return clean_code(text).lower()
