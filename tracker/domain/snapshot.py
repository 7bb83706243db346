"""Immutable snapshots of a plan's content: build, digest and compare them.

A snapshot is a plain JSON dict in which every value is a string, so that the
same content always gives the same bytes and the same SHA-256, whichever
database or Python version wrote it:

    {"narrative": "...", "no_stay_justification": "...",
     "stays": [{"id": "3", "host_institution": "...", "start_date": "2025-03-01", ...}],
     "activities": [{"id": "7", "type": "conference", "title": "...", ...}]}
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal

STAY_FIELDS = (
    "host_institution",
    "host_contact",
    "city",
    "country",
    "start_date",
    "end_date",
    "purpose",
    "funding",
    "notes",
    "status",
)
ACTIVITY_FIELDS = ("type", "title", "planned_term", "status", "done_on", "evidence")
TEXT_FIELDS = ("narrative", "no_stay_justification")
SECTIONS = {"stays": STAY_FIELDS, "activities": ACTIVITY_FIELDS}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row(obj: Any, fields: Iterable[str]) -> dict[str, str]:
    row = {"id": _text(obj.id)}
    row.update({name: _text(getattr(obj, name)) for name in fields})
    return row


def build_snapshot(plan: Any, stays: Iterable[Any], activities: Iterable[Any]) -> dict[str, Any]:
    """Return the snapshot of a plan's text and the enrolment's stays and activities."""
    stay_rows = sorted(
        (_row(stay, STAY_FIELDS) for stay in stays),
        key=lambda row: (row["start_date"], int(row["id"] or 0)),
    )
    activity_rows = sorted(
        (_row(activity, ACTIVITY_FIELDS) for activity in activities),
        key=lambda row: int(row["id"] or 0),
    )
    return {
        "narrative": _text(plan.narrative),
        "no_stay_justification": _text(plan.no_stay_justification),
        "stays": stay_rows,
        "activities": activity_rows,
    }


def canonical_json(snapshot: Mapping[str, Any]) -> bytes:
    """Return the canonical UTF-8 JSON of a snapshot: sorted keys, no spaces."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_digest(snapshot: Mapping[str, Any]) -> str:
    """Return the hex SHA-256 of the snapshot's canonical JSON."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs between two snapshots."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """A stay or activity that was added, removed or changed."""

    kind: ChangeKind
    row: dict[str, str]  # the new row; the old one for a removal
    old: dict[str, str] | None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed from one snapshot to the next, section by section."""

    texts: tuple[FieldChange, ...]
    stays: tuple[RowChange, ...]
    activities: tuple[RowChange, ...]

    @property
    def is_empty(self) -> bool:
        """Return whether nothing changed."""
        return not (self.texts or self.stays or self.activities)


def _row_key(row: Mapping[str, str]) -> str:
    # Rows from an import may lack ids; their full content is then the key, so an
    # unchanged row matches itself and any change reads as remove + add.
    return f"id:{row['id']}" if row.get("id") else "content:" + canonical_json(row).decode()


def _diff_rows(
    old_rows: list[dict[str, str]], new_rows: list[dict[str, str]], fields: tuple[str, ...]
) -> tuple[RowChange, ...]:
    old_by_key = {_row_key(row): row for row in old_rows}
    new_keys = {_row_key(row) for row in new_rows}
    changes: list[RowChange] = []
    for row in new_rows:
        before = old_by_key.get(_row_key(row))
        if before is None:
            changes.append(RowChange("added", row, None))
            continue
        differing = tuple(
            FieldChange(name, before.get(name, ""), row.get(name, ""))
            for name in fields
            if before.get(name, "") != row.get(name, "")
        )
        if differing:
            changes.append(RowChange("changed", row, before, differing))
    changes.extend(
        RowChange("removed", row, row) for row in old_rows if _row_key(row) not in new_keys
    )
    return tuple(changes)


def diff_snapshots(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> SnapshotDiff:
    """Return what changed from ``old`` (None: nothing before) to ``new``."""
    old = old or {}
    texts = tuple(
        FieldChange(name, old.get(name, ""), new.get(name, ""))
        for name in TEXT_FIELDS
        if old.get(name, "") != new.get(name, "")
    )
    return SnapshotDiff(
        texts=texts,
        stays=_diff_rows(list(old.get("stays", [])), list(new.get("stays", [])), STAY_FIELDS),
        activities=_diff_rows(
            list(old.get("activities", [])), list(new.get("activities", [])), ACTIVITY_FIELDS
        ),
    )
