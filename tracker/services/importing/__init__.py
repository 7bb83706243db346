"""CSV imports of programmes, enrolments and stays (DESIGN §5): all or nothing, idempotent.

Each import reads the whole file, checks every row (on its own, then against the
database and the other rows) and writes only when no row is bad. Lookups are
preloaded in a few queries and rows are written with bulk statements, so tens of
thousands of rows take seconds. A file of more than ``IMPORT_MAX_ROWS`` rows is
refused without reading the rest; the first problems are kept to show and the rest
counted, up to a point where reading stops (see problems.py). The service flushes
and records the audit entry; the caller commits.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.services import audit
from tracker.services.importing.changes import NewPerson, RowChange
from tracker.services.importing.common import Importer, RowError, _
from tracker.services.importing.enrolments import EnrolmentImporter
from tracker.services.importing.problems import Problems
from tracker.services.importing.programmes import ProgrammeImporter
from tracker.services.importing.reader import FileProblem, Source, read_rows
from tracker.services.importing.stays import StayImporter

IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer for importer in (ProgrammeImporter, EnrolmentImporter, StayImporter)
}
KINDS = tuple(IMPORTERS)
# The imports whose rows belong to programmes, and so can be limited to some of them.
SCOPED_KINDS = (EnrolmentImporter.kind, StayImporter.kind)

__all__ = ["KINDS", "ImportResult", "NewPerson", "Problems", "RowChange", "RowError", "import_csv"]


@dataclass
class ImportResult:
    """What an import did, or, with problems, why it wrote nothing."""

    kind: str
    problems: Problems = field(default_factory=Problems)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The first rows that create or change a record, and how many more do.
    row_changes: list[RowChange] = field(default_factory=list)
    more_changes: int = 0
    # The first people the import creates accounts for, and how many more.
    new_people: list[NewPerson] = field(default_factory=list)
    more_people: int = 0
    # The accounts created (after a real import): for the invitations.
    created_user_ids: list[int] = field(default_factory=list)

    @property
    def people_created(self) -> int:
        """Return how many accounts the import creates (or created)."""
        return len(self.new_people) + self.more_people

    @property
    def ok(self) -> bool:
        """Return whether every row was valid (and, unless a dry run, written)."""
        return not self.problems

    @property
    def errors(self) -> list[RowError]:
        """Return the problems to show, in line order: the first few hundred."""
        return self.problems.listed()

    @property
    def unlisted(self) -> int:
        """Return how many more problems were found than ``errors`` shows."""
        return self.problems.unlisted

    @property
    def stopped_at(self) -> int | None:
        """Return the last line read when there were too many problems to read on."""
        return self.problems.stopped_at


def import_csv(
    kind: str,
    data: Source,
    *,
    dry_run: bool = False,
    actor: Any = None,
    allowed_programme_ids: set[int] | None = None,
) -> ImportResult:
    """Import a CSV file of ``kind`` ("programmes", "enrolments" or "stays"); flush, no commit.

    ``data`` is the file's bytes, the file opened in binary mode, or its text. With
    ``dry_run`` every check runs and the counts are what a real import would do,
    but nothing is written. With ``allowed_programme_ids`` (a coordinator's
    programmes), a row that would touch an enrolment of any other programme is an
    error like any other, so such a file writes nothing.
    """
    return run_import(
        kind,
        data,
        dry_run=dry_run,
        actor=actor,
        today=date.today(),
        allowed_programme_ids=allowed_programme_ids,
    )


def run_import(
    kind: str,
    data: Source,
    *,
    dry_run: bool,
    actor: Any,
    today: date,
    allowed_programme_ids: set[int] | None = None,
) -> ImportResult:
    """Import as import_csv does, judging "in the future" against ``today``."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    if allowed_programme_ids is not None and kind not in SCOPED_KINDS:
        raise ValueError(f"a {kind} import cannot be limited to programmes")
    problems = Problems()
    importer = IMPORTERS[kind](
        actor=actor, today=today, errors=problems, allowed_programme_ids=allowed_programme_ids
    )
    try:
        for row in read_rows(data, importer.columns, importer.required_columns, problems):
            importer.parse(row)
    except FileProblem as problem:
        # The file as a whole is wrong: its own problem says so, the rows' would only distract.
        return ImportResult(kind, Problems(problem.errors))
    # After reading stopped at too many problems, checking the rows read against the
    # database and each other would only find more.
    if problems.stopped_at is None:
        importer.resolve()
    if problems:
        return ImportResult(kind, problems)

    result = ImportResult(
        kind,
        Problems(),
        importer.created,
        importer.updated,
        importer.unchanged,
        row_changes=importer.row_changes.items,
        more_changes=importer.row_changes.more,
        new_people=importer.new_people.items,
        more_people=importer.new_people.more,
    )
    if dry_run:
        return result
    try:
        importer.write()
        audit.record(
            "import",
            actor,
            kind=kind,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            **importer.audit_detail(),
        )
        db.session.flush()
    except (IntegrityError, StaleDataError):
        # Another import (or a person) wrote the same people or enrolments since this
        # one read them: write nothing, and say so; a second try matches what is there.
        db.session.rollback()
        return ImportResult(kind, Problems([RowError(1, _(
            "Someone else imported or changed the same people or enrolments at the same "
            "time, so nothing was written. Import the file again."
        ))]))  # fmt: skip
    except Exception:
        # Leave no half-written import behind for the caller to commit by mistake.
        db.session.rollback()
        raise
    # The bulk statements bypass the identity map: reload anything already loaded.
    db.session.expire_all()
    result.created_user_ids = importer.created_user_ids
    return result
