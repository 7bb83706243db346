"""What an import will do, row by row: the people it creates and what changes on each row.

Only the first few hundred are kept to show (as for problems); the rest are counted.
Values are shown as the file writes them (codes, YYYY-MM-DD, yes/no), so the preview
reads like the file the coordinator prepared.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# A page or a terminal shows this many problems, or rows that change, and counts the rest.
# A broken or hostile file can have a million problems: listing them costs the server time
# and memory and helps nobody, since the first ones tell what to correct.
LISTED = 200


@dataclass(frozen=True)
class RowChange:
    """One row that creates or changes a record: its line, what it is, and each field changed."""

    line: int
    created: bool
    subject: str  # the row's record as the file names it: "ola@example.org, phd, 2025-08-15"
    fields: tuple[tuple[str, str, str], ...] = ()  # (column, old value, new value)


@dataclass(frozen=True)
class NewPerson:
    """Someone the import creates an account for."""

    email: str
    name: str


class Listed(Generic[T]):
    """The first ``limit`` items in the order added, and how many more there were."""

    def __init__(self, limit: int = LISTED) -> None:
        self.limit = limit
        self.items: list[T] = []
        self.more = 0

    def append(self, item: T) -> None:
        """Keep the item if there is room, else count it."""
        if len(self.items) < self.limit:
            self.items.append(item)
        else:
            self.more += 1

    def __len__(self) -> int:
        return len(self.items) + self.more


def cell(value: Any) -> str:
    """Return a value as a CSV file writes it: codes, YYYY-MM-DD, yes/no, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def changed(pairs: Iterable[tuple[str, Any, Any]]) -> tuple[tuple[str, str, str], ...]:
    """Return (column, old, new) as file values for the pairs whose values differ."""
    return tuple((column, cell(old), cell(new)) for column, old, new in pairs if old != new)
