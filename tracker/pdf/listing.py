"""The summary's lists as ruled tables that WeasyPrint can set by the thousand.

WeasyPrint spends its time per box: 5,000 rows of nine cells took 27-38 s and over
800 MB as a table, inline-blocks, floats, a grid or flex boxes, against a few
seconds as one line of text per row (docs/PERFORMANCE.md). So each row here is one
block holding one line of text, and the tracker sets the columns inside it: each
cell is measured with the text engine that will draw it (tracker.pdf.measure),
wrapped inside its column (a wrapped cell gives its row a second line), and
followed by space characters of known widths (em, en, thin, hair spaces …) that
reach the next column's start within about a tenth of a millimetre. (Tab stops would
be simpler, but WeasyPrint 70 draws a tab 2.4 % wider than it lays it out, so columns
after a tab drift by up to a millimetre; tests/integration/test_pdf_listing.py
checks the column positions in the PDF.) A cell holding right-to-left text ends
with a left-to-right mark, so that the cells of a line keep their order.

Rows of one line that follow each other share one box, one line a row, the rules
between them drawn by the box's background (ListPage.blocks): the same page, a
fifth less work than a box per row.

The tracker also breaks the lists into pages itself: as many whole rows as fit under
the header row, which every page repeats. Sizes are set here in CSS pixels and written
into the pages' style by the template (``ListLayout.css``), so the arithmetic and
the layout cannot disagree.
"""

import bisect
import itertools
import math
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.pdf.measure import PX_PER_MM, TextMeasure

# Fonts with wide coverage (Debian: fonts-noto-core, fonts-noto-cjk): Latin, Cyrillic and
# Greek in Noto Sans, Arabic in Noto Sans Arabic, Chinese, Japanese and Korean in Noto
# Sans CJK. Proportional, never monospaced.
FONT_FAMILIES = ("Noto Sans", "Noto Sans Arabic", "Noto Sans CJK SC", "sans-serif")

UNIT_PX = 24  # 6.35 mm: column widths are whole numbers of these
GAP_PX = 6.0  # the least room between a cell's text and the next column
# Spaces that fill a cell up to the next column: em spaces for the bulk, then up to two of
# the narrower ones, whose sums come within half a pixel (0.13 mm) of any remainder. A
# cell in another script is measured again with its spaces and corrected.
BULK_SPACE = "\u2003"
FINE_SPACES = "\u2002\u2007\u2004\u2008 \u2005\u2006\u2009\u200a"
MOST_FINE_SPACES = 2
TOLERANCE_PX = 0.05
LRM = "\u200e"

BODY_PT = 7.5
HEAD_PT = 7.5
LINE_PX = 11.5
ROW_PAD_TOP_PX = 0.5
ROW_PAD_BOTTOM_PX = 0.0
ROW_RULE_PX = 0.5  # a hairline box around each row: 0.25 px above and below
HEAD_RULE_PX = 1.0
TITLE_PT = 14.0
TITLE_LINE_PX = 20.0
TITLE_GAP_PX = 4.0
NOTE_PT = 8.5
NOTE_LINE_PX = 14.0
NOTE_GAP_PX = 6.0

# A4 landscape less the margins of pdf.css's @page listing (20 mm top, 18 mm bottom,
# 16 mm each side).
PAGE_WIDTH_PX = (297 - 32) * PX_PER_MM
PAGE_HEIGHT_PX = (210 - 38) * PX_PER_MM
# The height of a row of one line; one is kept free on every page for rounding in the
# layout engine.
ROW_PITCH_PX = LINE_PX + ROW_PAD_TOP_PX + ROW_PAD_BOTTOM_PX + ROW_RULE_PX
SLACK_PX = ROW_PITCH_PX


class SpaceFill:
    """Makes runs of space characters of a wanted width after text of one kind.

    Spaces are set in the font of the text before them, so after Chinese or Arabic
    text a thin space is not as wide as after Latin text: each kind of text (named by
    its last letter's script) gets widths measured after such a letter.
    """

    def __init__(self, measure: TextMeasure, before: str = "") -> None:
        self.measure = measure
        base = measure.width(before) if before else 0.0

        def width(space: str) -> float:
            return measure.width(before + space) - base

        self.bulk = width(BULK_SPACE)
        fine = [(w, ch) for ch in FINE_SPACES if 0 < (w := width(ch)) < self.bulk]
        runs: dict[float, str] = {0.0: ""}
        for count in range(1, MOST_FINE_SPACES + 1):
            for combination in itertools.combinations_with_replacement(fine, count):
                total = round(sum(w for w, _ch in combination), 3)
                runs.setdefault(total, "".join(ch for _w, ch in combination))
        self._sums = sorted(runs)
        self._runs = runs

    def spaces(self, width: float) -> str:
        """Return spaces as close to ``width`` as they come (none for a width of 0 or less)."""
        if width <= 0:
            return ""
        options = []
        most = math.floor(width / self.bulk)
        for bulk in (most, most - 1):  # the rest in [0, em) or, one em less, in [em, 2 em)
            if bulk < 0:
                continue
            rest = width - bulk * self.bulk
            position = bisect.bisect_left(self._sums, rest)
            for index in (position - 1, position):
                if 0 <= index < len(self._sums):
                    options.append((abs(self._sums[index] - rest), bulk, self._sums[index]))
        _error, bulk, total = min(options)
        return BULK_SPACE * bulk + self._runs[total]

    def pad(self, text: str, room: float) -> str:
        """Return the text followed by spaces that make it ``room`` wide, as drawn."""
        wanted = room - (self.measure.width(text) if text else 0.0)
        padded = text + self.spaces(wanted)
        if text and not text.isascii():
            # Measured whole, the line may differ by a kerning pair or a shaped letter:
            # correct it, keeping the closest of a few tries.
            best = (abs(room - self.measure.width(padded)), padded)
            for _attempt in range(3):
                error = room - self.measure.width(padded)
                if abs(error) <= TOLERANCE_PX:
                    break
                wanted += error
                padded = text + self.spaces(wanted)
                best = min(best, (abs(room - self.measure.width(padded)), padded))
            padded = best[1]
        return padded


def script_of(text: str) -> str:
    """Return the kind of the text's last letter (LATIN, CJK, ARABIC …), which sets its spaces."""
    for ch in reversed(text):
        if ch.isalnum() or unicodedata.category(ch).startswith(("L", "N", "P", "S")):
            if ch.isascii():
                return "LATIN"
            return unicodedata.name(ch, "UNKNOWN").split(" ")[0]
    return "LATIN"


@dataclass(frozen=True)
class Column:
    """One column of a list: the row's key, its heading and its width in units of UNIT_PX."""

    key: str
    heading: str
    units: int


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its header row and its rows, each as text set in columns."""

    number: int  # 1-based within the list
    head: str
    rows: list[str]
    first: int  # 0-based index of the first row on the page

    def blocks(self) -> list[tuple[str, str]]:
        """Return the rows as the boxes that draw them, in order.

        ``("rows", text)``: a run of one-line rows, one line each, in one box whose
        background draws the rule between them (WeasyPrint's cost is per box: a box
        per row took a fifth longer); ``("row", text)``: a row of several lines, alone
        in a box with its own rules. Both give a row the same height (ListLayout.pages).
        """
        blocks: list[tuple[str, str]] = []
        run: list[str] = []
        for row in self.rows:
            if "\n" not in row:
                run.append(row)
                continue
            if run:
                blocks.append(("rows", "\n".join(run)))
                run = []
            blocks.append(("row", row))
        if run:
            blocks.append(("rows", "\n".join(run)))
        return blocks


@dataclass
class ListLayout:
    """Sets the rows of one list into pages of lines set in columns."""

    columns: Sequence[Column]
    body: TextMeasure
    head: TextMeasure
    note: TextMeasure
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = []
        position = 0
        for column in self.columns:
            self.starts.append(position)
            position += column.units
        if position * UNIT_PX > PAGE_WIDTH_PX:
            raise ValueError(f"columns of {position} units do not fit the page")
        self._fills: dict[tuple[int, str], SpaceFill] = {}

    @staticmethod
    def css() -> dict[str, Any]:
        """Return the sizes the template writes into the list pages' style."""
        return {
            "body_pt": BODY_PT,
            "head_pt": HEAD_PT,
            "line": LINE_PX,
            "pitch": ROW_PITCH_PX,
            "pad_top": ROW_PAD_TOP_PX,
            "pad_bottom": ROW_PAD_BOTTOM_PX,
            "rule": ROW_RULE_PX,
            "head_rule": HEAD_RULE_PX,
            "title_pt": TITLE_PT,
            "title_line": TITLE_LINE_PX,
            "title_gap": TITLE_GAP_PX,
            "note_pt": NOTE_PT,
            "note_line": NOTE_LINE_PX,
            "note_gap": NOTE_GAP_PX,
            "families": ", ".join(f'"{family}"' for family in FONT_FAMILIES),
        }

    def column_width(self, index: int) -> float:
        """Return the room for text in a column: its width less the gap before the next."""
        return self.columns[index].units * UNIT_PX - GAP_PX

    def _fill(self, measure: TextMeasure, text: str) -> SpaceFill:
        """Return the space maker for text like this (after its last letter's script)."""
        kind = script_of(text)
        key = (id(measure), kind)
        found = self._fills.get(key)
        if found is None:
            before = "" if kind == "LATIN" else text.rstrip(LRM)[-1] + (
                LRM if text.endswith(LRM) else ""
            )
            found = self._fills[key] = SpaceFill(measure, before)
        return found

    def set_line(self, cells: Sequence[str], measure: TextMeasure) -> str:
        """Return one line of a row: each cell's text, then spaces up to the next column."""
        out = []
        last = max((i for i, text in enumerate(cells) if text), default=-1)
        for index, text in enumerate(cells[: last + 1]):
            if _has_rtl(text):
                text += LRM
            if index == last:
                out.append(text)
                break
            room = (self.starts[index + 1] - self.starts[index]) * UNIT_PX
            out.append(self._fill(measure, text).pad(text, room))
        return "".join(out)

    def set_row(self, values: Sequence[str], measure: TextMeasure | None = None) -> list[str]:
        """Return a row as lines: each cell wrapped inside its column and set in it."""
        measure = measure or self.body
        wrapped = [
            wrap(value, self.column_width(index), measure) for index, value in enumerate(values)
        ]
        height = max(len(lines) for lines in wrapped)
        return [
            self.set_line([lines[i] if i < len(lines) else "" for lines in wrapped], measure)
            for i in range(height)
        ]

    def title_height(self, explanation: str) -> float:
        """Return the height of a list's title and explanation above its first page's table."""
        lines = len(wrap(explanation, PAGE_WIDTH_PX, self.note)) if explanation else 0
        return TITLE_LINE_PX + TITLE_GAP_PX + lines * NOTE_LINE_PX + NOTE_GAP_PX

    def pages(self, rows: Iterable[Sequence[str]], explanation: str = "") -> Iterator[ListPage]:
        """Yield the list's pages: as many whole rows as fit under the header row."""
        head_lines = self.set_row([column.heading for column in self.columns], self.head)
        head = "\n".join(head_lines)
        head_height = len(head_lines) * LINE_PX + ROW_PAD_TOP_PX + ROW_PAD_BOTTOM_PX
        head_height += ROW_RULE_PX / 2 + HEAD_RULE_PX  # the header's hairline, its rule
        row_extra = ROW_PAD_TOP_PX + ROW_PAD_BOTTOM_PX + ROW_RULE_PX
        room = PAGE_HEIGHT_PX - SLACK_PX - head_height - self.title_height(explanation)
        number, first, used, page_rows = 1, 0, 0.0, []
        for index, values in enumerate(rows):
            lines = self.set_row(values)
            height = len(lines) * LINE_PX + row_extra
            if page_rows and used + height > room:
                yield ListPage(number, head, page_rows, first)
                number, first, used, page_rows = number + 1, index, 0.0, []
                room = PAGE_HEIGHT_PX - SLACK_PX - head_height
            page_rows.append("\n".join(lines))
            used += height
        if page_rows or number == 1:  # an empty list still has its page, saying so
            yield ListPage(number, head, page_rows, first)


def _has_rtl(text: str) -> bool:
    """Return whether the text holds a right-to-left letter (Arabic, Hebrew …)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text if ord(ch) >= 0x590)


# Bidirectional embeddings, overrides and isolates: one left open in a cell would turn the
# rest of its row around.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean(value: Any) -> str:
    """Return a cell's text on one line and composed (no control characters, no tabs)."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return " ".join(text.translate(_BIDI_CONTROLS).split())


def wrap(text: str, width: float, measure: TextMeasure) -> list[str]:
    """Return the text in lines no wider than ``width``: at spaces, else inside a word."""
    text = clean(text)
    if not text or measure.width(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if measure.width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while measure.width(current) > width:
            head, current = _split_word(current, width, measure)
            lines.append(head)
    if current:
        lines.append(current)
    return lines


def _split_word(word: str, width: float, measure: TextMeasure) -> tuple[str, str]:
    """Return the longest start of the word that fits, and the rest (at least one character)."""
    # Break only before a character that starts a new letter (not a combining mark).
    cuts = [i for i in range(1, len(word)) if not unicodedata.combining(word[i])]
    low, high = 0, len(cuts) - 1
    best = cuts[0] if cuts else len(word)
    while low <= high:
        middle = (low + high) // 2
        if measure.width(word[: cuts[middle]]) <= width:
            best = cuts[middle]
            low = middle + 1
        else:
            high = middle - 1
    return word[:best], word[best:]
