"""What an OpenID Provider says about a person, read once into a typed value.

The claims come from a verified ID token and the provider's userinfo answer. Reading
them here, and nowhere else, decides which values may find an account: the configured
claim's addresses, and the e-mail address only when the provider says it verified it.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.domain.addresses import InvalidEmail, normalise_email
from tracker.domain.text import single_line

# OpenID Connect Core §2: "sub" is at most 255 ASCII characters; the stored columns match.
MAX_IDENTIFIER_LENGTH = 255
MAX_NAME_LENGTH = 200
# A namespaced value such as Feide's "feide:ola@ntnu.no" or "nin:01017012345".
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class ClaimsError(ValueError):
    """The provider's answer lacks what identifies a person (issuer or subject)."""


@dataclass(frozen=True)
class ProviderIdentity:
    """A person as the provider names them, with the values that may find their account."""

    issuer: str
    subject: str
    # Addresses (stored form) in the configured claim, when that claim is not "email".
    claim_addresses: tuple[str, ...]
    # The e-mail claim in stored form; None if absent or no address.
    email: str | None
    email_verified: bool
    name: str | None


def read_identity(issuer: Any, claims: Mapping[str, Any], user_claim: str) -> ProviderIdentity:
    """Read the provider's claims into a ProviderIdentity; raise ClaimsError if unusable."""
    subject = claims.get("sub")
    for value in (issuer, subject):
        if not isinstance(value, str) or not value or len(value) > MAX_IDENTIFIER_LENGTH:
            raise ClaimsError("the answer names no issuer or subject of at most 255 characters")
    email = _email(claims.get("email"))
    return ProviderIdentity(
        issuer=issuer,
        subject=subject,
        claim_addresses=() if user_claim == "email" else addresses_in(claims.get(user_claim)),
        email=email,
        email_verified=email is not None and is_true(claims.get("email_verified")),
        name=_name(claims),
    )


def addresses_in(value: Any) -> tuple[str, ...]:
    """Return the addresses in a claim's value (a string or a list), in stored form.

    A namespace in front (Feide's "feide:ola@ntnu.no") is dropped; values that are no
    address after that ("nin:01017012345") are left out.
    """
    values: Iterable[Any] = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        if not isinstance(item, str):
            continue
        try:
            address = normalise_email(_NAMESPACE.sub("", item.strip(), count=1))
        except InvalidEmail:
            continue
        if address not in found:
            found.append(address)
    return tuple(found)


def is_true(value: Any) -> bool:
    """Return whether a boolean claim is true; some providers send the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalise_email(value)
    except InvalidEmail:
        return None


def _name(claims: Mapping[str, Any]) -> str | None:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    name = single_line(name or "").strip()
    return name[:MAX_NAME_LENGTH] or None
