"""Read a CSV file: decode it, detect the delimiter, check the header, yield the rows."""

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from typing import Any

from tracker.services.importing.common import Row, RowError, _

# One physical line with its line break; the csv module joins the lines of a quoted
# field that spans several. Iterating lazily keeps a single copy of the file in memory.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+")


class FileProblem(Exception):
    """The file as a whole cannot be read: not UTF-8, empty, or a bad header row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def decode(data: bytes | str) -> str:
    """Return the text of the file, without a byte-order mark; raise FileProblem if not UTF-8."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    # Decode past the mark through a view: no copy of the bytes, and the error's
    # position stays relative to the file.
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return str(memoryview(data)[offset:], "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, offset + exc.start) + 1
        message = _(
            "The file is not UTF-8 text (the first bad byte is on line %(line)d). "
            "Save it from your spreadsheet as “CSV UTF-8” and import it again.",
            line=line,
        )
        raise FileProblem([RowError(line, message)]) from None


def detect_delimiter(header_line: str) -> str:
    """Return "," or ";", whichever separates the columns of the header line."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;").delimiter
    except csv.Error:
        # The sniffer gives up on a header with a single column or a tie; count instead.
        return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(
    text: str,
    columns: tuple[str, ...],
    required: frozenset[str],
    errors: list[RowError],
) -> Iterator[Row]:
    """Check the header, then return the non-blank data rows; record row problems in ``errors``.

    Raise FileProblem when the file is empty or the header is wrong: without the
    right columns no row can be checked.
    """
    lines = (match.group() for match in _LINE.finditer(text))
    first = next(lines, None)
    if first is None:
        raise FileProblem([RowError(1, _("The file is empty."))])
    if not first.strip():
        raise FileProblem([RowError(1, _("The first line is blank: it must be the header row."))])
    reader = csv.reader(itertools.chain([first], lines), delimiter=detect_delimiter(first))
    header = [name.strip().lower() for name in next(reader)]
    problems = _header_problems(header, columns, required)
    if problems:
        raise FileProblem(problems)
    return _rows(reader, header, errors)


def _rows(reader: Any, header: list[str], errors: list[RowError]) -> Iterator[Row]:
    width = len(header)
    previous_line = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(
                RowError(
                    previous_line + 1,
                    _("This line is not valid CSV: %(reason)s.", reason=str(exc)),
                )
            )
            previous_line = reader.line_num
            continue
        # line_num counts physical lines read so far; a quoted field may span several.
        line = previous_line + 1
        previous_line = reader.line_num
        values = [field.strip() for field in fields]
        if not any(values):
            continue  # blank lines, and rows of empty cells that spreadsheets leave behind
        row = Row(line, dict(zip(header, values, strict=False)), errors)
        if len(values) > width and any(values[width:]):
            row.error(
                _(
                    "This row has %(found)d fields but the header has %(expected)d columns.",
                    found=len(values),
                    expected=width,
                )
            )
            continue
        yield row


def _header_problems(
    header: list[str], columns: tuple[str, ...], required: frozenset[str]
) -> list[RowError]:
    """Return what is wrong with the header: unnamed, unknown, repeated or missing columns."""
    errors: list[RowError] = []
    if any(not name for name in header):
        errors.append(RowError(1, _("The header row has a column without a name.")))
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        errors.append(
            RowError(
                1,
                _(
                    "Unknown column(s): %(unknown)s. The columns are: %(columns)s.",
                    unknown=", ".join(unknown),
                    columns=", ".join(columns),
                ),
            )
        )
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        errors.append(
            RowError(
                1, _("Column(s) named more than once: %(names)s.", names=", ".join(duplicates))
            )
        )
    missing = [name for name in columns if name in required and name not in header]
    if missing:
        errors.append(
            RowError(
                1,
                _("Missing required column(s): %(missing)s.", missing=", ".join(missing)),
            )
        )
    return errors
