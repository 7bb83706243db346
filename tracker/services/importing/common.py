"""Pieces shared by the three imports: messages, row errors, field parsing, batching."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from flask_babel import gettext as _

from tracker.domain.addresses import lookup_key
from tracker.domain.dates import EARLIEST, LATEST, in_range
from tracker.domain.text import single_line
from tracker.extensions import db
from tracker.models import Plan, PlanVersion, Stay, StayApproval, User
from tracker.services.importing.changes import Listed, NewPerson, RowChange

if TYPE_CHECKING:  # problems.py builds on RowError, defined here
    from tracker.services.importing.problems import Problems

E = TypeVar("E", bound=StrEnum)

# Enough bound parameters per IN (...) to keep the number of queries small, well below
# SQLite's and PostgreSQL's limits on parameters in one statement.
CHUNK_SIZE = 2000

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YES = frozenset({"yes", "ja", "true", "1"})
_NO = frozenset({"no", "nei", "false", "0"})


@dataclass
class RowError:
    """A reason why one line of the file cannot be imported."""

    line: int  # physical line number in the file; the header is line 1
    message: str


class Row:
    """One data row of the file, with parsers that record a RowError for a bad value."""

    __slots__ = ("errors", "line", "ok", "values")

    def __init__(self, line: int, values: dict[str, str], errors: "Problems") -> None:
        self.line = line
        self.values = values
        self.errors = errors
        self.ok = True

    def error(self, message: str) -> None:
        """Record a problem with this row."""
        self.errors.append(RowError(self.line, message))
        self.ok = False

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str:
        """Return the value of ``column`` on one line ("" when empty); check presence, length."""
        value = single_line(self.values.get(column, "")).strip()
        if not value:
            if required:
                self.error(_("%(column)s is required.", column=column))
            return ""
        if len(value) > max_length:
            self.error(
                _(
                    "%(column)s is longer than %(max)d characters.",
                    column=column,
                    max=max_length,
                )
            )
            return ""
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        """Return the YYYY-MM-DD date in ``column``, or None when empty or bad."""
        value = self.text(column, required=required)
        if not value:
            return None
        if _DATE.fullmatch(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if in_range(parsed):
                    return parsed
                self.error(
                    _(
                        "%(column)s %(value)s is outside the dates the tracker accepts "
                        "(%(earliest)s to %(latest)s).",
                        column=column,
                        value=value,
                        earliest=EARLIEST.isoformat(),
                        latest=LATEST.isoformat(),
                    )
                )
                return None
        self.error(
            _(
                "%(column)s “%(value)s” is not a valid date in the form YYYY-MM-DD.",
                column=column,
                value=value,
            )
        )
        return None

    def choice(self, column: str, enum_class: type[E], *, required: bool = False) -> E | None:
        """Return the member of ``enum_class`` named in ``column``, or None.

        The code (``erasmus_plus``) or the label in any of the tracker's languages
        (``Erasmus+``) is accepted, in any case.
        """
        value = self.text(column, required=required)
        if not value:
            return None
        found = choice_names(enum_class).get(value.casefold())
        if found is None:
            self.error(
                _(
                    "%(column)s “%(value)s” is not one of: %(allowed)s.",
                    column=column,
                    value=value,
                    allowed=", ".join(m.value for m in enum_class),
                )
            )
        return found

    def flag(self, column: str) -> bool | None:
        """Return yes/no (also ja/nei, true/false, 1/0) as a bool, or None when empty."""
        value = self.text(column).lower()
        if not value:
            return None
        if value in _YES:
            return True
        if value in _NO:
            return False
        self.error(
            _(
                "%(column)s “%(value)s” must be yes or no.",
                column=column,
                value=self.values[column],
            )
        )
        return None


def choice_labels(enum_class: type[E]) -> dict[E, dict[str, str]]:
    """Return each member's label in each of the tracker's languages: {member: {locale: label}}."""
    from flask import current_app
    from flask_babel import force_locale

    from tracker.labels import label

    # A column's own values (plan_status) may say how they read; the others are the labels.
    name = getattr(enum_class, "label_of", label)
    labels: dict[E, dict[str, str]] = {member: {} for member in enum_class}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for member in enum_class:
                labels[member][locale] = name(member)
    return labels


_NAMES: dict[tuple[type, tuple[str, ...]], dict[str, Any]] = {}


def choice_names(enum_class: type[E]) -> dict[str, E]:
    """Return the words that name each member (casefolded): its code and its labels.

    A label two members share (in some language) names neither: only its code does.
    """
    from flask import current_app

    key = (enum_class, tuple(current_app.config["LANGUAGES"]))
    if key not in _NAMES:
        names: dict[str, E] = {}
        ambiguous: set[str] = set()
        for member, labels in choice_labels(enum_class).items():
            for text in {t.casefold() for t in labels.values()}:
                if names.get(text, member) is not member:
                    ambiguous.add(text)
                names[text] = member
        for text in ambiguous:
            del names[text]
        # The codes win over any label that happens to read like another member's code.
        names.update({member.value.casefold(): member for member in enum_class})
        _NAMES[key] = names
    return _NAMES[key]


class EmailChecker:
    """Validate and normalise e-mail addresses, each distinct spelling once."""

    def __init__(self) -> None:
        self._seen: dict[str, str | None] = {}

    def __call__(self, row: Row, column: str, *, required: bool = False) -> str:
        """Return the address in ``column`` in its stored form, or "" when empty or bad."""
        value = row.text(column, required=required, max_length=254)
        if not value:
            return ""
        if value not in self._seen:
            self._seen[value] = lookup_key(value)
        address = self._seen[value]
        if address is None:
            row.error(
                _(
                    "%(column)s “%(value)s” is not a valid e-mail address.",
                    column=column,
                    value=value,
                )
            )
            return ""
        return address


class Importer:
    """Base of one kind of import: parse each row, resolve against the database, write."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    required_columns: ClassVar[frozenset[str]]

    def __init__(
        self,
        *,
        actor: Any,
        today: date,
        errors: "Problems",
        allowed_programme_ids: set[int] | None = None,
    ) -> None:
        self.actor = actor
        self.today = today
        self.errors = errors
        # None: every programme (an administrator or the command line).
        self.allowed_programme_ids = allowed_programme_ids
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        # What the preview shows: each row that creates or changes something, and the
        # people the import creates accounts for (filled in by resolve).
        self.row_changes: Listed[RowChange] = Listed()
        self.new_people: Listed[NewPerson] = Listed()
        # The accounts created, filled in by write (for invitations).
        self.created_user_ids: list[int] = []

    def error(self, line: int, message: str) -> None:
        """Record a problem found on ``line``."""
        self.errors.append(RowError(line, message))

    def in_scope(self, programme_id: int) -> bool:
        """Return whether the rows may touch this programme's enrolments."""
        return self.allowed_programme_ids is None or programme_id in self.allowed_programme_ids

    def parse(self, row: Row) -> None:
        """Check one row on its own and keep what the later steps need."""
        raise NotImplementedError

    def resolve(self) -> None:
        """Check the rows against the database and each other; count what would change."""
        raise NotImplementedError

    def write(self) -> None:
        """Write the changes counted by resolve (only called when there is no error)."""
        raise NotImplementedError

    def audit_detail(self) -> dict[str, Any]:
        """Return extra facts for the audit record."""
        return {}


def chunked(values: Iterable[Any], size: int = CHUNK_SIZE) -> Iterator[list[Any]]:
    """Yield ``values`` in lists of at most ``size``."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(model: type, rows: list[dict[str, Any]], *returning: Any) -> Any:
    """Insert ``rows`` in a few statements; return the ``returning`` columns in row order."""
    statement = db.insert(model)
    if returning:
        statement = statement.returning(*returning, sort_by_parameter_order=True)
    # By default the ORM leaves None values out and so splits the rows into one batch
    # per run of equal key sets; joining the RETURNING results of thousands of small
    # batches takes quadratic time. Every row here names the same keys.
    return db.session.execute(statement.execution_options(render_nulls=True), rows)


def user_ids_by_email(emails: Iterable[str]) -> dict[str, int]:
    """Return the ids of the users with these e-mail addresses, in a few queries."""
    ids: dict[str, int] = {}
    for chunk in chunked(sorted(set(emails))):
        ids.update(
            db.session.execute(db.select(User.email, User.id).where(User.email.in_(chunk))).all()
        )
    return ids


def record_imported_approvals(enrolment_ids: Iterable[int]) -> None:
    """Keep the stays of plans moved in approved as their approved version has them.

    The import speaks for a version it moved in (DESIGN §4): for these enrolments, whose
    version in force is such a one, each stay of the approved plan gets the record of it
    valid from that version's effective time (``stay_approval``), or has its open record
    corrected to the stay's approved values.
    """
    for chunk in chunked(sorted(set(enrolment_ids))):
        approved = Stay.enrolment_id.in_(chunk), Stay.in_approved_plan.is_(True)
        own = db.select(Stay).where(Stay.id == StayApproval.stay_id)
        db.session.execute(
            db.update(StayApproval)
            .where(
                StayApproval.valid_until.is_(None),
                StayApproval.stay_id.in_(db.select(Stay.id).where(*approved)),
            )
            .values(
                country=own.with_only_columns(Stay.approved_country).scalar_subquery(),
                start_date=own.with_only_columns(Stay.approved_start_date).scalar_subquery(),
                end_date=own.with_only_columns(Stay.approved_end_date).scalar_subquery(),
            )
            .execution_options(synchronize_session=False)
        )
        missing = (
            db.select(
                Stay.id,
                Plan.approved_version_id,
                Stay.approved_country,
                Stay.approved_start_date,
                Stay.approved_end_date,
                PlanVersion.effective_at,
            )
            .join(Plan, Plan.enrolment_id == Stay.enrolment_id)
            .join(PlanVersion, PlanVersion.id == Plan.approved_version_id)
            .where(
                *approved,
                ~db.select(StayApproval.id)
                .where(StayApproval.stay_id == Stay.id, StayApproval.valid_until.is_(None))
                .exists(),
            )
        )
        db.session.execute(
            db.insert(StayApproval).from_select(
                ["stay_id", "version_id", "country", "start_date", "end_date", "valid_from"],
                missing,
            )
        )
