"""Uploaded CSV files kept between the preview and the confirmation.

The file waits in the database under a random token, with who uploaded it and what
kind it is; the browser only holds the token. Any app server can therefore take the
confirmation. Uploads older than an hour are removed whenever someone uploads, and
each user has at most one file waiting: a new upload replaces the earlier one. With
the upload size limit, that bounds what waiting files can take in the database.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from tracker.extensions import db
from tracker.models import PendingUpload
from tracker.models.base import utcnow

MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Upload:
    """A file waiting for its confirmation."""

    token: str
    kind: str
    user_id: int
    data: bytes


def purge_old() -> None:
    """Remove uploads older than MAX_AGE."""
    db.session.execute(
        db.delete(PendingUpload).where(PendingUpload.created_at < utcnow() - MAX_AGE)
    )


def save_upload(data: bytes, kind: str, user_id: int) -> str:
    """Keep the file for a later confirmation and return its token (the caller commits).

    The user's earlier upload, if any, is dropped: only the last preview can be confirmed.
    """
    purge_old()
    db.session.execute(db.delete(PendingUpload).where(PendingUpload.user_id == user_id))
    token = secrets.token_urlsafe(32)
    db.session.add(PendingUpload(token=token, user_id=user_id, kind=kind, data=data))
    db.session.flush()
    return token


def load_upload(token: str, user_id: int) -> Upload | None:
    """Return the upload behind the token if this user made it and it has not expired."""
    if not token or len(token) > 64:
        return None
    pending = db.session.scalar(
        db.select(PendingUpload).where(
            PendingUpload.token == token,
            PendingUpload.user_id == user_id,
            PendingUpload.created_at >= utcnow() - MAX_AGE,
        )
    )
    if pending is None:
        return None
    return Upload(token=token, kind=pending.kind, user_id=user_id, data=pending.data)


def discard_upload(token: str) -> None:
    """Remove an upload once it has been imported (the caller commits)."""
    db.session.execute(db.delete(PendingUpload).where(PendingUpload.token == token))
