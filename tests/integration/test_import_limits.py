"""The limits of a CSV import (DESIGN §5): rows per file, characters per row, problems shown."""

import pytest

from tracker.extensions import db
from tracker.models import Enrolment, User
from tracker.services.importing import import_csv, problems
from tracker.services.importing.reader import _CHUNK_BYTES, MAX_LINE_CHARS

HEADER = "kind,email,name,programme,start_date\n"


def good(i: int) -> str:
    return f"phd,p{i}@example.org,Person {i},PHD-CS,2024-01-15\n"


def unknown_programme(i: int) -> str:
    return f"phd,p{i}@example.org,Person {i},PHD-XX,2024-01-15\n"


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def errors_of(result) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in result.errors]


@pytest.fixture()
def max_rows(app, monkeypatch):
    """Set IMPORT_MAX_ROWS for one test."""

    def set_cap(rows: int) -> None:
        monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", rows)

    return set_cap


@pytest.fixture()
def cs(make_programme):
    return make_programme("PHD-CS")


class EndlessFile:
    """A binary file of a header and the same row forever; the test fails if read too far."""

    def __init__(self, header: str, row: str, *, at_most: int) -> None:
        self.buffer = header.encode()
        self.row = row.encode()
        self.read_so_far = 0
        self.at_most = at_most

    def read(self, size: int = -1) -> bytes:
        assert self.read_so_far < self.at_most, "the import read on past the row cap"
        while len(self.buffer) < size:
            self.buffer += self.row * 100
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        self.read_so_far += len(chunk)
        return chunk


# -- rows per file ------------------------------------------------------------------------


def test_a_file_at_the_row_cap_is_imported(cs, max_rows):
    max_rows(3)
    result = import_csv("enrolments", HEADER + good(1) + good(2) + good(3) + "\n")
    assert result.ok and result.created == 3


def test_a_file_over_the_row_cap_is_one_problem_and_nothing_is_written(cs, max_rows):
    max_rows(3)
    data = HEADER + good(1) + unknown_programme(2) + good(3) + good(4) + "phd,bad\n"
    result = import_csv("enrolments", data)
    assert errors_of(result) == [
        (
            5,
            "The file has more than 3 rows after the header, so it was not read past line 5. "
            "Split it into files of at most 3 rows and import them one after the other.",
        )
    ]
    assert result.unlisted == 0
    db.session.commit()
    assert count(Enrolment) == 0 and count(User) == 0


def test_the_file_is_not_read_past_the_row_cap(cs, max_rows):
    max_rows(1000)
    endless = EndlessFile(HEADER, good(1), at_most=1_000_000)
    result = import_csv("enrolments", endless)
    assert [e.line for e in result.errors] == [1002]
    assert "more than 1000 rows" in result.errors[0].message
    assert endless.read_so_far < 200_000


@pytest.mark.parametrize("blank", ["\n", ",,,,\n", " , \r\n"])
def test_blank_rows_have_a_cap_of_their_own(cs, max_rows, blank):
    max_rows(3)
    assert import_csv("enrolments", HEADER + good(1) + blank * 3 + good(2)).ok
    result = import_csv("enrolments", HEADER + good(1) + blank * 4 + good(2))
    assert [e.line for e in result.errors] == [6]
    assert "more than 3 rows" in result.errors[0].message


# -- problems shown -----------------------------------------------------------------------


def test_problems_past_the_first_200_are_counted_not_listed(cs):
    data = HEADER + "".join(unknown_programme(i) for i in range(500))
    result = import_csv("enrolments", data)
    assert errors_of(result) == [(line, "Unknown programme PHD-XX.") for line in range(2, 202)]
    assert (len(result.problems), result.unlisted, result.stopped_at) == (500, 300, None)


def test_reading_stops_once_there_are_too_many_problems(cs, monkeypatch):
    monkeypatch.setattr(problems, "COUNTED", 300)
    # Row 10 names a supervisor nobody knows: a problem found only against the database.
    rows = [unknown_programme(i) for i in range(400)]
    rows[8] = "phd,a@example.org,A,PHD-CS,2024-01-15,sup@example.org\n"
    data = "kind,email,name,programme,start_date,supervisor_email\n" + "".join(rows)
    result = import_csv("enrolments", data)
    assert len(result.problems) == 300
    assert result.stopped_at == 302  # the 300th bad row; line 10 is fine on its own
    assert 10 not in {e.line for e in result.errors}  # the database was not asked


# -- characters per row -------------------------------------------------------------------


def too_long(line: int) -> list[tuple[int, str]]:
    return [
        (
            line,
            f"The row on line {line} is longer than 10000 characters, so the file was not "
            "read further. Check that it is the right file; a quotation mark that is never "
            "closed also makes the lines after it one long value.",
        )
    ]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (HEADER + good(1) + "phd,p@example.org," + "n" * MAX_LINE_CHARS + ",PHD-CS\n", 3),
        (HEADER + "x," * 15_000, 2),  # one line of thousands of fields, without a line break
        (",".join(f"c{i}" for i in range(3000)) + "\n" + good(1), 1),  # thousands of columns
        (HEADER + good(1) + '"' + "".join(good(i) for i in range(2, 400)), 3),  # never closed
        (HEADER + 'phd,p@example.org,"' + "a\n" * 6000 + '",PHD-CS,2024-01-15\n', 2),
        (HEADER + "\r" * (2 * MAX_LINE_CHARS) + good(1), None),  # many short lines are fine
    ],
    ids=["long-field", "one-line", "wide-header", "unclosed-quote", "many-lines-quoted", "crs"],
)  # fmt: skip
def test_a_row_longer_than_the_limit_stops_the_read(cs, max_rows, data, line):
    max_rows(2 * MAX_LINE_CHARS + 10)
    result = import_csv("enrolments", data + unknown_programme(9))
    if line is None:
        assert result.errors[-1].message == "Unknown programme PHD-XX."
    else:
        assert errors_of(result) == too_long(line)
    assert count(Enrolment) == 0


def test_a_row_at_the_limit_is_read_and_its_long_value_reported_by_column(cs):
    head = "phd,p@example.org,"
    tail = ",PHD-CS,2024-01-15\n"
    row = head + "n" * (MAX_LINE_CHARS - len(head) - len(tail)) + tail
    assert len(row) == MAX_LINE_CHARS
    result = import_csv("enrolments", HEADER + row)
    assert errors_of(result) == [(2, "name is longer than 200 characters.")]


# -- reading in pieces --------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_bad_byte_far_into_the_file_is_found_on_its_line(cs, bom):
    rows = [good(i).encode() for i in range(3000)]
    rows[2497] = "phd,åse@example.org,Åse,PHD-CS,2024-01-15\n".encode("latin-1")
    result = import_csv("enrolments", bom + HEADER.encode() + b"".join(rows))
    assert [e.line for e in result.errors] == [2499]
    assert "not UTF-8 text (the first bad byte is on line 2499)" in result.errors[0].message


@pytest.mark.parametrize("line_break", ["\r\n", "\r"])
def test_a_line_break_cut_between_two_pieces_is_one_line_break(cs, line_break):
    text = HEADER.replace("\n", line_break)
    i = 0
    while len(text) < _CHUNK_BYTES - 150:
        text += good(i).replace("\n", line_break)
        i += 1
    # Pad one name so that this row's "\r" is the last character of the first piece.
    row = "phd,pad@example.org,{name},PHD-CS,2024-01-15" + line_break
    name = "n" * (_CHUNK_BYTES - 1 - len(text) - len(row.format(name="")) + len(line_break))
    text += row.format(name=name)
    assert text[_CHUNK_BYTES - 1] == "\r"
    lines_so_far = text.count("\r")
    text += unknown_programme(1).replace("\n", line_break)
    result = import_csv("enrolments", text.encode())
    assert errors_of(result) == [(lines_so_far + 1, "Unknown programme PHD-XX.")]


# -- command line -------------------------------------------------------------------------


def test_cli_prints_200_problems_then_how_many_more(app, runner, tmp_path, cs):
    path = tmp_path / "enrolments.csv"
    path.write_text(HEADER + "".join(unknown_programme(i) for i in range(500)), encoding="utf-8")
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[:200] == [f"line {n}: Unknown programme PHD-XX." for n in range(2, 202)]
    assert lines[200:] == ["and 300 more problems.", f"{path}: 500 problems; nothing was imported."]
    assert result.stdout == ""
    assert count(Enrolment) == 0


def test_cli_refuses_a_file_over_the_row_cap(app, runner, tmp_path, cs, max_rows):
    max_rows(3)
    path = tmp_path / "enrolments.csv"
    path.write_text(HEADER + "".join(good(i) for i in range(10)), encoding="utf-8")
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "line 5: The file has more than 3 rows after the header, so it was not read past "
        "line 5. Split it into files of at most 3 rows and import them one after the other.",
        f"{path}: 1 problem; nothing was imported.",
    ]
    assert count(Enrolment) == 0


def test_cli_says_when_it_stopped_at_too_many_problems(app, runner, tmp_path, cs, monkeypatch):
    monkeypatch.setattr(problems, "COUNTED", 250)
    path = tmp_path / "enrolments.csv"
    path.write_text(HEADER + "".join(unknown_programme(i) for i in range(400)), encoding="utf-8")
    result = runner.invoke(args=["import", "enrolments", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[200:] == [
        "and 50 more problems.",
        "There are so many problems that the file was not read past line 251: "
        "there may be more after it.",
        f"{path}: 250 problems; nothing was imported.",
    ]
