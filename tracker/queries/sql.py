"""Small SQL building blocks every statistics query shares, the same on SQLite and PostgreSQL."""

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, Date, Integer, case, cast, extract
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Executable
from sqlalchemy.sql.functions import FunctionElement

from tracker.domain.staff import STAFF_YEARS
from tracker.kept import LastUsed

T = TypeVar("T")


class days_between(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """``end − start`` in whole days, for two DATE expressions, on every database we run on."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    # PostgreSQL (and standard SQL): date − date is an integer number of days.
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    # SQLite stores dates as ISO text; julianday() of two dates differs by a whole number.
    start, end = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


class date_number(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """A DATE expression as the whole number YYYYMMDD, on every database we run on.

    Adding 10000 moves a date a year on as a number, so whole years are compared without
    date arithmetic, which the databases do differently around 29 February.
    """

    type = Integer()
    name = "date_number"
    inherit_cache = True


@compiles(date_number)
def _date_number_default(element: date_number, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(to_char({compiler.process(day, **kw)}, 'YYYYMMDD') AS INTEGER)"


@compiles(date_number, "sqlite")
def _date_number_sqlite(element: date_number, compiler: Any, **kw: Any) -> str:
    # SQLite stores a date as ISO text, YYYY-MM-DD: the digits without the dashes, read
    # without parsing a date (strftime costs several times more per row).
    (day,) = list(element.clauses)
    return f"CAST(replace(substr({compiler.process(day, **kw)}, 1, 10), '-', '') AS INTEGER)"


class staff_deadline(FunctionElement[date]):  # noqa: N801 - reads like the SQL function it is
    """The last day of year three after an appointment on a DATE expression (tracker.domain.staff).

    Only for showing and sorting: the counting compares with ``within_three_years``, which
    needs no date arithmetic. SQLite moves 29 February three years on to 1 March as the
    rule does; PostgreSQL's interval stops at 28 February, so a day is added there.
    """

    type = Date()
    name = "staff_deadline"
    inherit_cache = True


@compiles(staff_deadline)
def _staff_deadline_default(element: staff_deadline, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    day = compiler.process(day, **kw)
    later = f"({day} + INTERVAL '{STAFF_YEARS} years')"
    # Moved back from 29 February: the anniversary is 1 March, so the deadline 28 February.
    return (
        f"(CAST({later} AS DATE) - 1"
        f" + CASE WHEN EXTRACT(DAY FROM {later}) <> EXTRACT(DAY FROM {day}) THEN 1 ELSE 0 END)"
    )


@compiles(staff_deadline, "sqlite")
def _staff_deadline_sqlite(element: staff_deadline, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+{STAFF_YEARS} years', '-1 day')"


class any_bits(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """The union (bitwise OR) of one-bit values, an aggregate, on every database we run on.

    PostgreSQL has ``bit_or``; SQLite has none, and the SUM of the DISTINCT values is the
    same when each value is a single bit (or NULL).
    """

    type = Integer()
    name = "any_bits"
    inherit_cache = True


@compiles(any_bits)
def _any_bits_default(element: any_bits, compiler: Any, **kw: Any) -> str:
    (bits,) = list(element.clauses)
    return f"bit_or({compiler.process(bits, **kw)})"


@compiles(any_bits, "sqlite")
def _any_bits_sqlite(element: any_bits, compiler: Any, **kw: Any) -> str:
    (bits,) = list(element.clauses)
    return f"sum(DISTINCT {compiler.process(bits, **kw)})"


class differs_from(FunctionElement[bool]):  # noqa: N801 - reads like the SQL it stands for
    """Whether a text expression differs from a text in upper case, ignoring case.

    ``upper(text) != code`` on every database we run on; on SQLite, whose upper() folds
    ASCII letters only, its NOCASE collation folds the same letters without making a new
    string for every row read (which the statistics did tens of thousands of times).
    """

    type = Boolean()
    name = "differs_from"
    inherit_cache = True


@compiles(differs_from)
def _differs_from_default(element: differs_from, compiler: Any, **kw: Any) -> str:
    text, code = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(upper({text}) != {code})"


@compiles(differs_from, "sqlite")
def _differs_from_sqlite(element: differs_from, compiler: Any, **kw: Any) -> str:
    text, code = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({text} != {code} COLLATE NOCASE)"


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Return 1 where the condition holds and 0 elsewhere (NULL counts as false)."""
    return case((condition, 1), else_=0)


class year_of(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """The year of a DATE expression as an integer, on every database we run on."""

    type = Integer()
    name = "year_of"
    inherit_cache = True


@compiles(year_of)
def _year_of_default(element: year_of, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return compiler.process(cast(extract("year", day), Integer), **kw)


@compiles(year_of, "sqlite")
def _year_of_sqlite(element: year_of, compiler: Any, **kw: Any) -> str:
    # The first four characters of the ISO text SQLite stores (see date_number).
    (day,) = list(element.clauses)
    return f"CAST(substr({compiler.process(day, **kw)}, 1, 4) AS INTEGER)"


class BuiltStatements:
    """The statements built for the last ``size`` keys asked for, to use again.

    Building a large statement from its expressions costs several milliseconds of CPU
    each time; a statement holds nothing but what its key names (dates and ids are bound
    values in it), and the database reads the data afresh each time it is sent.
    """

    def __init__(self, size: int) -> None:
        self._built: LastUsed[tuple[Executable, ...]] = LastUsed(size)

    def get(self, key: Hashable, build: Callable[[], Sequence[Executable]]) -> list[Executable]:
        """Return the statements of ``key``, built by ``build()`` if they were not kept."""
        return list(self._built.get(key, lambda: tuple(build())))


class KeptReadings:
    """What the rows of the last ``size`` keys were read into, given again for the same rows.

    The statements are sent every time, so the figures are always the data's as it is;
    only turning rows into a document, when they are the same rows as the last time, is
    not done again (on a dashboard asked again before anything changed, most of its
    Python). An entry keeps its rows to compare with: equal rows, the same reading.
    What is given out is shared: those who get it read it and never change it.
    """

    def __init__(self, size: int) -> None:
        self._kept: LastUsed[tuple[tuple[tuple[Any, ...], ...], Any]] = LastUsed(size)

    def get(self, key: Hashable, rows: Sequence[Sequence[Any]], read: Callable[[], T]) -> T:
        """Return what ``read()`` makes of ``rows``, kept under ``key`` when they are the same."""
        # Plain tuples: comparing rows as tuples costs a third of comparing Row objects.
        compared = tuple(tuple(map(tuple, part)) for part in rows)
        _rows, reading = self._kept.get(
            key, lambda: (compared, read()), lambda found: found[0] == compared
        )
        return reading

    def clear(self) -> None:
        """Forget every reading."""
        self._kept.clear()
