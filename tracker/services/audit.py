"""Write audit entries: logins, refusals and decisions."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from tracker.extensions import db
from tracker.models import AuditEntry


def record(action: str, actor: Any = None, obj: Any = None, **detail: Any) -> AuditEntry:
    """Add an audit entry for ``action`` by ``actor`` on ``obj`` (flushed with the session)."""
    ip = request.remote_addr if has_request_context() else None
    # ``current_user`` is a proxy: record the user it stands for, as a "user" object.
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail,
        ip=ip,
    )
    db.session.add(entry)
    return entry


def record_refusal() -> AuditEntry:
    """Record that the current request was refused by the policy."""
    actor = current_user if current_user and current_user.is_authenticated else None
    path = request.path if has_request_context() else None
    return record("access_refused", actor, path=path)
