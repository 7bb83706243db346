"""Personal data: what the tracker holds about a person, its export, erasure and retention.

- ``catalogue``: every column of every table, classified personal / statistical /
  technical, and the registry other modules add their tables to (``register``);
- ``export``: the personal-data document of one person (JSON, page, PDF);
- ``erasure``: anonymise people, keeping every statistics document as it was;
- ``retention``: erase those whose last enrolment ended long enough ago.
"""

from tracker.services.privacy.catalogue import HOLDERS, Holder, Kind, Rule, register
from tracker.services.privacy.erasure import (
    ErasureRefused,
    ErasureReport,
    check_erasable,
    erase_people,
    erase_person,
    refusals,
)
from tracker.services.privacy.export import build_export, record_export
from tracker.services.privacy.retention import apply_retention, find_due

__all__ = [
    "HOLDERS",
    "ErasureRefused",
    "ErasureReport",
    "Holder",
    "Kind",
    "Rule",
    "apply_retention",
    "build_export",
    "check_erasable",
    "erase_people",
    "erase_person",
    "find_due",
    "record_export",
    "refusals",
    "register",
]
