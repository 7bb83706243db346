"""Log in with an account at the institution's OpenID Provider, and manage the links.

The first log-in of a provider account links it to a user found by the configured claim
or by a verified e-mail address; from then on the issuer and subject alone say who it
is. Every link, refusal and removal is audited.
"""

import enum
from typing import Any, NoReturn

from flask import current_app

from tracker.domain.identities import ProviderIdentity
from tracker.extensions import db
from tracker.models import ExternalIdentity, User
from tracker.models.base import utcnow
from tracker.services import accounts
from tracker.services.audit import record


class Refusal(enum.StrEnum):
    UNKNOWN_PERSON = "unknown_person"
    UNVERIFIED_EMAIL = "unverified_email"
    INACTIVE = "inactive"
    ALREADY_LINKED = "already_linked"
    AMBIGUOUS = "ambiguous"


class SignInRefused(Exception):
    """The provider vouched for someone the tracker does not let in; ``reason`` says why."""

    def __init__(self, reason: Refusal, identity: ProviderIdentity) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.identity = identity


def get_identity(issuer: str, subject: str) -> ExternalIdentity | None:
    """Return the link of this provider account, or None."""
    return db.session.scalar(
        db.select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    )


def get_user_identities(user: User) -> list[ExternalIdentity]:
    """Return the user's links to provider accounts, oldest first."""
    return list(
        db.session.scalars(
            db.select(ExternalIdentity)
            .where(ExternalIdentity.user_id == user.id)
            .order_by(ExternalIdentity.created_at, ExternalIdentity.id)
        )
    )


def sign_in(identity: ProviderIdentity) -> User:
    """Return the user a provider account logs in as, linking it at its first log-in.

    A refusal is audited and raised as SignInRefused; the caller commits either way.
    """
    link = get_identity(identity.issuer, identity.subject)
    if link is None:
        link = _link(identity)
    user = link.user
    if not user.active:
        _refuse(Refusal.INACTIVE, identity, user)
    link.last_login_at = user.last_login_at = utcnow()
    db.session.flush()
    record("login", user, method="oidc", issuer=identity.issuer)
    return user


def unlink_identity(actor: Any, identity: ExternalIdentity) -> None:
    """Remove a link; the person's sessions end, and their next log-in links afresh."""
    user = identity.user
    db.session.delete(identity)
    user.end_sessions()
    db.session.flush()
    record(
        "identity_unlinked",
        actor,
        user,
        issuer=identity.issuer,
        subject=identity.subject,
    )


def _link(identity: ProviderIdentity) -> ExternalIdentity:
    """Find (or, if allowed, create) the account of a first log-in and link it."""
    user, linked_by, value = _find_account(identity)
    if user is None:
        user, linked_by, value = _create_account(identity)
    if not user.active:
        _refuse(Refusal.INACTIVE, identity, user)
    if any(link.issuer == identity.issuer for link in user.external_identities):
        # The person's account is linked to another account at this provider already.
        _refuse(Refusal.ALREADY_LINKED, identity, user)
    link = ExternalIdentity(
        user=user,
        issuer=identity.issuer,
        subject=identity.subject,
        linked_by=linked_by,
        linked_value=value,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "identity_linked",
        user,
        user,
        issuer=identity.issuer,
        subject=identity.subject,
        linked_by=linked_by,
        value=value,
    )
    return link


def _find_account(identity: ProviderIdentity) -> tuple[User | None, str, str | None]:
    """Return the user the configured claim or a verified address names, how, and by what."""
    found: dict[int, tuple[User, str]] = {}
    for address in identity.claim_addresses:
        user = accounts.get_user_by_email(address)
        if user is not None:
            found.setdefault(user.id, (user, address))
    if len(found) > 1:
        _refuse(Refusal.AMBIGUOUS, identity)
    if found:
        user, address = next(iter(found.values()))
        return user, "claim", address
    if identity.email is not None and identity.email_verified:
        return accounts.get_user_by_email(identity.email), "email", identity.email
    return None, "", None


def _create_account(identity: ProviderIdentity) -> tuple[User, str, str]:
    """Create an account for someone unknown, if the settings allow it; else refuse."""
    by_email = current_app.config["OIDC_USER_CLAIM"] == "email"
    address = identity.email
    # Linked by issuer and subject, a new account's address only receives its own e-mail,
    # so an unverified one will do, except where e-mail is what identifies people.
    usable = address is not None and (identity.email_verified or not by_email)
    if current_app.config["OIDC_CREATE_USERS"] and usable:
        if accounts.get_user_by_email(address) is None:
            user = accounts.create_user(None, email=address, name=identity.name or address)
            return user, "created", address
    if by_email and address is not None and not identity.email_verified:
        _refuse(Refusal.UNVERIFIED_EMAIL, identity)
    _refuse(Refusal.UNKNOWN_PERSON, identity)


def _refuse(reason: Refusal, identity: ProviderIdentity, user: User | None = None) -> NoReturn:
    """Audit a refused log-in and raise SignInRefused."""
    record(
        "oidc_login_refused",
        user,
        user,
        reason=reason.value,
        issuer=identity.issuer,
        subject=identity.subject,
        email=identity.email,
    )
    raise SignInRefused(reason, identity)
