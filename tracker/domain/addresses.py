"""E-mail addresses as the tracker stores, compares and looks them up: one normaliser.

Every address that enters the tracker — typed in a form, read from a CSV file or
the command line, given at log-in or for a password link — passes through
``normalise_email`` before it is stored, compared or looked up, so two spellings of
one address can never be told apart in one place and mixed up in another.
"""

import unicodedata

from email_validator import EmailNotValidError, validate_email

# Dots that look like a full stop and that IDNA maps to one in domain names; mapped
# everywhere, so "candidate。approved" and "candidate.approved" are one local part too.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """The text is not an e-mail address; ``reason`` says why (in English)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} is not a valid e-mail address: {reason}")
        self.text = text
        self.reason = reason


def normalise_email(text: str) -> str:
    """Return the one stored form of an address, or raise InvalidEmail.

    Compatibility forms are folded (NFKC: full-width letters become ASCII), look-alike
    full stops become ".", surrounding space and a trailing dot of the domain go, the
    address is checked as ``email-validator`` does (IDNA for the domain) and the
    result is lower case. The result is its own normal form.
    """
    if not isinstance(text, str):
        raise InvalidEmail(repr(text), "not text")
    folded = unicodedata.normalize("NFKC", text).translate(_DOTS).strip()
    local, at, domain = folded.rpartition("@")
    if at:
        folded = f"{local}@{domain.rstrip('.')}"
    if not folded or len(folded) > MAX_LENGTH:
        raise InvalidEmail(text, "empty or too long")
    try:
        checked = validate_email(folded, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidEmail(text, str(error)) from None
    address = unicodedata.normalize("NFKC", checked.lower())
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(text, "too long")
    return address


def lookup_key(text: str) -> str | None:
    """Return the stored form of ``text`` for a look-up, or None when it is no address."""
    try:
        return normalise_email(text)
    except InvalidEmail:
        return None


def plan_renormalisation(
    rows: list[tuple[int, str]],
) -> tuple[dict[int, str], list[list[tuple[int, str]]], list[tuple[int, str]]]:
    """Plan how stored addresses (id, address) reach their normal form, merging nobody.

    Return the changes (id → new address), the groups of rows that would end up with
    one address (left as they are, for a person to resolve) and the rows that hold no
    valid address (left as they are too).
    """
    wanted: dict[str, list[tuple[int, str]]] = {}
    invalid: list[tuple[int, str]] = []
    for row_id, address in rows:
        key = lookup_key(address)
        if key is None:
            invalid.append((row_id, address))
        else:
            wanted.setdefault(key, []).append((row_id, address))
    changes: dict[int, str] = {}
    collisions: list[list[tuple[int, str]]] = []
    for key, holders in wanted.items():
        if len(holders) > 1:
            collisions.append(holders)
        elif holders[0][1] != key:
            changes[holders[0][0]] = key
    return changes, collisions, invalid
