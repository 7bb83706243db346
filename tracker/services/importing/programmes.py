"""Import programmes with their faculties: ``code,name,faculty_code,faculty_name``."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from tracker.domain.codes import MAX_LENGTH, clean_code, code_key, is_valid_code
from tracker.extensions import db
from tracker.models import Faculty, Programme
from tracker.services.importing.changes import RowChange, changed
from tracker.services.importing.common import Importer, Row, _


@dataclass(slots=True)
class _ProgrammeRow:
    line: int
    code: str
    name: str
    faculty_code: str
    faculty_name: str


class ProgrammeImporter(Importer):
    """Create or update programmes by code, and their faculties by code."""

    kind = "programmes"
    columns = ("code", "name", "faculty_code", "faculty_name")
    required_columns = frozenset(columns)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[_ProgrammeRow] = []
        self.line_of_code: dict[str, int] = {}
        # faculty code -> (name given in the file, line that first gave it)
        self.faculty_names: dict[str, tuple[str, int]] = {}
        self.faculties: dict[str, Faculty] = {}
        self.programmes: dict[str, Programme] = {}
        self.faculties_created = 0
        self.faculties_renamed = 0

    def parse(self, row: Row) -> None:
        """Check one programme row."""
        code = self._code(row, "code")
        name = row.text("name", required=True)
        faculty_code = self._code(row, "faculty_code")
        faculty_name = row.text("faculty_name")
        if code and code_key(code) in self.line_of_code:
            row.error(
                _(
                    "Programme %(code)s is already on line %(first)d.",
                    code=code,
                    first=self.line_of_code[code_key(code)],
                )
            )
        if faculty_code and faculty_name:
            given = self.faculty_names.setdefault(code_key(faculty_code), (faculty_name, row.line))
            if given[0] != faculty_name:
                row.error(
                    _(
                        "Faculty %(code)s is called “%(other)s” on line %(first)d.",
                        code=faculty_code,
                        other=given[0],
                        first=given[1],
                    )
                )
        if not row.ok:
            return
        self.line_of_code[code_key(code)] = row.line
        self.rows.append(_ProgrammeRow(row.line, code, name, faculty_code, faculty_name))

    @staticmethod
    def _code(row: Row, column: str) -> str:
        """Return the code in ``column`` as stored, or "" (with an error) when it is none."""
        text = row.text(column, required=True, max_length=MAX_LENGTH)
        if text and not is_valid_code(text):
            row.error(
                _(
                    "%(column)s “%(value)s” may hold only letters, digits, dots, hyphens and "
                    "underscores, without spaces.",
                    column=column,
                    value=text,
                )
            )
            return ""
        return clean_code(text)

    def resolve(self) -> None:
        """Find the existing faculties and programmes and count the changes."""
        self.faculties = {code_key(f.code): f for f in db.session.scalars(db.select(Faculty))}
        keys = [code_key(r.code) for r in self.rows]
        self.programmes = {
            code_key(p.code): p
            for p in db.session.scalars(
                db.select(Programme).where(func.lower(Programme.code).in_(keys))
            )
        }
        for r in self.rows:
            faculty = self.faculties.get(code_key(r.faculty_code))
            if faculty is None and code_key(r.faculty_code) not in self.faculty_names:
                self.error(
                    r.line,
                    _(
                        "faculty_name is required: faculty %(code)s does not exist yet.",
                        code=r.faculty_code,
                    ),
                )
                continue
            programme = self.programmes.get(code_key(r.code))
            if programme is None:
                self.created += 1
                self.row_changes.append(RowChange(r.line, True, f"{r.code} ({r.faculty_code})"))
            elif (
                programme.name != r.name
                or faculty is None
                or programme.faculty_id != faculty.id
                or (r.faculty_name and r.faculty_name != faculty.name)
            ):
                self.updated += 1
                moved = faculty is None or programme.faculty_id != faculty.id
                pairs = [("name", programme.name, r.name)]
                if moved:  # programmes are few: loading the current faculty costs little
                    pairs.append(("faculty_code", programme.faculty.code, r.faculty_code))
                elif r.faculty_name:
                    pairs.append(("faculty_name", faculty.name, r.faculty_name))
                fields = changed(pairs)
                self.row_changes.append(RowChange(r.line, False, programme.code, fields))
            else:
                self.unchanged += 1

    def write(self) -> None:
        """Create and update the faculties, then the programmes."""
        first_spelling = {code_key(r.faculty_code): r.faculty_code for r in reversed(self.rows)}
        for key, (name, _line) in self.faculty_names.items():
            faculty = self.faculties.get(key)
            if faculty is None:
                faculty = self.faculties[key] = Faculty(code=first_spelling[key], name=name)
                db.session.add(faculty)
                self.faculties_created += 1
            elif faculty.name != name:
                faculty.name = name
                self.faculties_renamed += 1
        for r in self.rows:
            faculty = self.faculties[code_key(r.faculty_code)]
            programme = self.programmes.get(code_key(r.code))
            if programme is None:
                db.session.add(Programme(code=r.code, name=r.name, faculty=faculty))
            else:
                programme.name = r.name
                programme.faculty = faculty
        db.session.flush()

    def audit_detail(self) -> dict[str, Any]:
        """Return how many faculties were created or renamed."""
        return {
            "faculties_created": self.faculties_created,
            "faculties_renamed": self.faculties_renamed,
        }
