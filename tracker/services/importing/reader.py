"""Read a CSV file: decode it, detect the delimiter, check the header, yield the rows.

The file is decoded in pieces and its rows are produced one at a time, so reading
holds one row, not the whole file. Reading stops, with one problem for the whole
file, at the first row beyond ``IMPORT_MAX_ROWS`` or longer than MAX_LINE_CHARS, and
quietly once too many problems are found: the limits bound what any file, however
hostile, can cost.
"""

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import current_app

from tracker.services.importing.common import Row, RowError, _
from tracker.services.importing.problems import Problems

# A row of any import fits in about 1,500 characters; ten thousand leaves room for
# quoting and for values that are too long (reported by their column) while keeping a
# row of thousands of fields, or a file that is one long line, out of memory.
MAX_LINE_CHARS = 10_000
_CHUNK_BYTES = 64 * 1024
_SNIFF_CHARS = 1000

# The end of a physical line; the csv module joins the lines of a quoted field that
# spans several. (A pattern for a whole line would scan a line without a break once
# from every position: quadratic time.)
_LINE_BREAK = re.compile(r"\r\n?|\n")

# What an import reads: the bytes of an upload, a file opened in binary mode, or text.
Source = bytes | str | BinaryIO


class FileProblem(Exception):
    """The file as a whole cannot be read: not UTF-8, empty, a bad header, or too large."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def read_rows(
    source: Source,
    columns: tuple[str, ...],
    required: frozenset[str],
    errors: Problems,
) -> Iterator[Row]:
    """Check the header, then return the non-blank data rows; record row problems in ``errors``.

    Raise FileProblem when the file is empty, not UTF-8 or the header is wrong: without
    the right columns no row can be checked. Reading the rows raises FileProblem too,
    at a row beyond ``IMPORT_MAX_ROWS`` or longer than MAX_LINE_CHARS, or at a byte
    that is not UTF-8. Reading stops early, noted in ``errors``, once it holds too many
    problems (the caller's included).
    """
    lines = _Lines(source)
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
    return _rows(reader, lines, header, errors, current_app.config["IMPORT_MAX_ROWS"])


def detect_delimiter(header_line: str) -> str:
    """Return "," or ";", whichever separates the columns of the header line."""
    # The sniffer's patterns take time growing with the square of the text's length, and
    # every header of a known kind fits in a few hundred characters: a longer one is
    # refused anyway, the delimiter only tells how its columns are named in the message.
    sample = header_line[:_SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        # The sniffer gives up on a header with a single column or a tie; count instead.
        return ";" if sample.count(";") > sample.count(",") else ","


class _Lines:
    """The physical lines of a file with their line breaks, counted; no row too long."""

    def __init__(self, source: Source) -> None:
        self._lines = _split_lines(_decode(source))
        self.number = 0  # lines read so far; the header is line 1
        self.row_start = 1  # the line on which the row being read starts
        self._row_chars = 0

    def start_row(self) -> None:
        """Note that the next line read begins a new row."""
        self.row_start = self.number + 1
        self._row_chars = 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        self._row_chars += len(line)
        if self._row_chars > MAX_LINE_CHARS:
            raise FileProblem(
                [
                    RowError(
                        self.row_start,
                        _(
                            "The row on line %(line)d is longer than %(max)d characters, so "
                            "the file was not read further. Check that it is the right file; "
                            "a quotation mark that is never closed also makes the lines after "
                            "it one long value.",
                            line=self.row_start,
                            max=MAX_LINE_CHARS,
                        ),
                    )
                ]
            )
        return line


def _decode(source: Source) -> Iterator[str]:
    """Yield the text of the file in pieces, without a byte-order mark; check it is UTF-8."""
    if isinstance(source, str):
        yield source.removeprefix("\ufeff")
        return
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    newlines = 0  # in the bytes decoded before this piece
    while True:
        chunk = stream.read(_CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            # exc.object is this piece (after any bytes of a character cut at the end of
            # the last one, which hold no line break).
            line = newlines + exc.object.count(b"\n", 0, exc.start) + 1
            message = _(
                "The file is not UTF-8 text (the first bad byte is on line %(line)d). "
                "Save it from your spreadsheet as “CSV UTF-8” and import it again.",
                line=line,
            )
            raise FileProblem([RowError(line, message)]) from None
        if text:
            yield text
        if not chunk:
            return
        newlines += chunk.count(b"\n")


def _split_lines(pieces: Iterator[str]) -> Iterator[str]:
    """Yield the lines of the text given in pieces, each with its line break.

    A line longer than MAX_LINE_CHARS is yielded as soon as it is that long, unfinished,
    for the reader to refuse: it is never held in memory whole.
    """
    rest = ""
    for piece in pieces:
        text = rest + piece if rest else piece
        start = 0
        for match in _LINE_BREAK.finditer(text):
            if match.end() == len(text) and match.group() == "\r":
                break  # the "\n" of a "\r\n" may begin the next piece
            yield text[start : match.end()]
            start = match.end()
        rest = text[start:]
        if len(rest) > MAX_LINE_CHARS:
            yield rest
            return
    if rest:
        yield rest


def _rows(
    reader: Any, lines: _Lines, header: list[str], errors: Problems, max_rows: int
) -> Iterator[Row]:
    width = len(header)
    # Blank rows are skipped, but as many of them as data rows are allowed: a file of
    # millions costs as much to read.
    counts = {True: 0, False: 0}  # rows read, by whether they are blank
    while not errors.too_many:
        lines.start_row()
        problem = None
        try:
            values = [field.strip() for field in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            values = []
            problem = _("This line is not valid CSV: %(reason)s.", reason=str(exc))
        line = lines.row_start
        # Blank lines, and rows of empty cells that spreadsheets leave behind.
        blank = problem is None and not any(values)
        counts[blank] += 1
        if counts[blank] > max_rows:
            message = _(
                "The file has more than %(max)d rows after the header, so it was not read "
                "past line %(line)d. Split it into files of at most %(max)d rows and import "
                "them one after the other.",
                max=max_rows,
                line=line,
            )
            raise FileProblem([RowError(line, message)])
        if problem is not None:
            errors.append(RowError(line, problem))
            continue
        if blank:
            continue
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
    errors.stop(lines.number)


def _header_problems(
    header: list[str], columns: tuple[str, ...], required: frozenset[str]
) -> list[RowError]:
    """Return what is wrong with the header: unnamed, unknown, repeated or missing columns."""
    errors: list[RowError] = []
    if any(not name for name in header):
        errors.append(RowError(1, _("The header row has a column without a name.")))
    unknown = list(dict.fromkeys(name for name in header if name and name not in columns))
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
    counts = Counter(name for name in header if name)
    duplicates = sorted(name for name, n in counts.items() if n > 1)
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
