"""The words that name a person: the addresses and names they have had in the tracker."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from tracker.extensions import db
from tracker.models import AuditEntry, Enrolment, User


@dataclass(frozen=True)
class Identifiers:
    """A person's addresses and names, now and before (as the audit log remembers them)."""

    emails: list[str]
    names: list[str]

    @property
    def all(self) -> list[str]:
        """Return the addresses, then the names."""
        return self.emails + self.names


def _add(found: list[str], value: Any) -> None:
    if isinstance(value, str) and value.strip() and value not in found:
        found.append(value)


def known_identifiers(user: User) -> Identifiers:
    """Return the person's current address and name, and those the audit log shows they had.

    An address or name changed by an administrator, or the address an enrolment
    was created for, lives on in the details of those entries.
    """
    emails: list[str] = []
    names: list[str] = []
    _add(emails, user.email)
    _add(names, user.name)
    own_enrolments = select(Enrolment.id).where(Enrolment.person_id == user.id)
    entries = db.session.scalars(
        select(AuditEntry).where(
            or_(
                and_(
                    AuditEntry.object_type == "user",
                    AuditEntry.object_id == user.id,
                    AuditEntry.action.in_(("user_created", "user_updated")),
                ),
                and_(
                    AuditEntry.object_type == "enrolment",
                    AuditEntry.object_id.in_(own_enrolments),
                    AuditEntry.action == "enrolment_created",
                ),
                and_(AuditEntry.actor_id == user.id, AuditEntry.action == "login_failed"),
            )
        )
    )
    for entry in entries:
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        _add(emails, detail.get("email"))
        _add(emails, detail.get("person"))
        changes = detail.get("changes") if isinstance(detail.get("changes"), dict) else {}
        for value in changes.get("email") or []:
            _add(emails, value)
        for value in changes.get("name") or []:
            _add(names, value)
    return Identifiers(emails, names)
