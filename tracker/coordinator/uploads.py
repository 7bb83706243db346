"""Uploaded CSV files kept between the preview and the confirmation, on the server.

The file waits in the instance folder under a random token, with a small JSON
note of who uploaded it and what kind it is; the browser only holds the token.
Files older than an hour are removed whenever someone uploads.
"""

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class Upload:
    """A file waiting for its confirmation."""

    token: str
    kind: str
    user_id: int
    data: bytes


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path] | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    folder = _folder()
    return folder / f"{token}.csv", folder / f"{token}.json"


def purge_old(now: float | None = None) -> None:
    """Remove uploads older than MAX_AGE_SECONDS."""
    limit = (now if now is not None else time.time()) - MAX_AGE_SECONDS
    for path in _folder().glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # another worker removed it first


def save_upload(data: bytes, kind: str, user_id: int) -> str:
    """Keep the file for a later confirmation and return its token."""
    purge_old()
    token = secrets.token_urlsafe(32)
    data_path, note_path = _paths(token)  # type: ignore[misc]
    data_path.write_bytes(data)
    note_path.write_text(json.dumps({"kind": kind, "user_id": user_id}), encoding="utf-8")
    return token


def load_upload(token: str, user_id: int) -> Upload | None:
    """Return the upload behind the token if this user made it and it has not expired."""
    paths = _paths(token)
    if paths is None:
        return None
    data_path, note_path = paths
    try:
        note = json.loads(note_path.read_text(encoding="utf-8"))
        if note_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        data = data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if note.get("user_id") != user_id:
        return None
    return Upload(token=token, kind=str(note.get("kind")), user_id=user_id, data=data)


def discard_upload(token: str) -> None:
    """Remove an upload once it has been imported."""
    paths = _paths(token)
    if paths is None:
        return
    for path in paths:
        path.unlink(missing_ok=True)
