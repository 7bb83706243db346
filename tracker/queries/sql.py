"""Small SQL building blocks every statistics query shares, the same on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, extract
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


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


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Return 1 where the condition holds and 0 elsewhere (NULL counts as false)."""
    return case((condition, 1), else_=0)


def year_of(column: Any) -> ColumnElement[int]:
    """Return the year of a DATE expression as an integer."""
    return cast(extract("year", column), Integer)
