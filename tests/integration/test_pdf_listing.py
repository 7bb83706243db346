"""The summary's list tables: widths measured as WeasyPrint sets them, columns, wrapping, pages."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from weasyprint import HTML

from tracker.pdf import listing
from tracker.pdf.listing import FONT_FAMILIES, Column, ListLayout, SpaceFill, wrap
from tracker.pdf.measure import PX_PER_PT, TextMeasure

PDFTOTEXT = shutil.which("pdftotext")

NAMES = [
    "Kari Nordmann",
    "Øystein Ødegård-Bjørnstad",
    "Анна Кузнецова",
    "Γεώργιος Παπαδόπουλος",
    "محمد عبد الله",
    "王小明",
    "Nguyễn Văn An",
    "AVATAR Tyyyo",
]


@pytest.fixture(scope="module")
def body() -> TextMeasure:
    return TextMeasure(FONT_FAMILIES, listing.BODY_PT, "en")


@pytest.fixture(scope="module")
def layout(body) -> ListLayout:
    bold = TextMeasure(FONT_FAMILIES, listing.HEAD_PT, "en", bold=True)
    columns = [Column("name", "Name", 6), Column("code", "Programme", 3), Column("n", "Stays", 2)]
    return ListLayout(columns, body, bold, body)


def laid_out_widths(texts: list[str], size_pt: float, bold: bool = False) -> list[float]:
    """Return the widths WeasyPrint gives each text as a shrink-to-fit box."""
    families = ", ".join(f'"{f}"' for f in FONT_FAMILIES)
    weight = "bold" if bold else "normal"
    html = (
        f"<html lang='en'><style>body {{ font: {weight} {size_pt}pt {families}; }}"
        "span { display: inline-block; white-space: pre; }</style><body>"
        + "".join(f"<div><span>{text}</span></div>" for text in texts)
        + "</body></html>"
    )
    found: list[float] = []

    def walk(box) -> None:
        if type(box).__name__ == "InlineBlockBox":
            found.append(box.width)
        for child in getattr(box, "children", []):
            walk(child)

    walk(HTML(string=html).render().pages[0]._page_box)
    return found


@pytest.mark.parametrize("bold", [False, True])
def test_widths_are_measured_as_weasyprint_lays_them_out(bold) -> None:
    texts = [*NAMES, "PHD-07", "Approved — revision in progress", "\u2003\u2002\u2009\u200a"]
    measure = TextMeasure(FONT_FAMILIES, 7.5, "en", bold=bold)
    expected = laid_out_widths(texts, 7.5, bold)
    assert len(expected) == len(texts)
    for text, width in zip(texts, expected, strict=True):
        assert measure.width(text) == pytest.approx(width, abs=0.01), text
    assert measure.width("A") == pytest.approx(laid_out_widths(["A"], 7.5, bold)[0])
    assert PX_PER_PT == pytest.approx(96 / 72)


def test_wrapping_keeps_words_whole_and_every_line_within_the_width(body) -> None:
    text = "Jean-Baptiste de la Fontaine-Moreau Christiansen-Kristoffersen"
    lines = wrap(text, 100, body)
    assert len(lines) > 1
    assert all(body.width(line) <= 100 for line in lines)
    words = [word for line in lines for word in line.split(" ")]
    for word in text.split():
        if body.width(word) <= 100:
            assert word in words  # a word that fits its column is never cut
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("  Kari \n\t Nordmann ", 500, body) == ["Kari Nordmann"]
    assert wrap("", 10, body) == [""]


def test_a_word_longer_than_its_column_is_cut_between_letters_not_inside_one(body) -> None:
    word = "Bjo\u0308rnstadChristiansenKristoffersen"  # ö as o and a combining diaeresis
    lines = wrap(word, 40, body)
    assert "".join(lines) == "BjörnstadChristiansenKristoffersen"  # composed (NFC) on the way
    assert all(body.width(line) <= 40 for line in lines)
    chinese = "王小明王小明王小明王小明王小明王小明"
    lines = wrap(chinese, 30, body)
    assert "".join(lines) == chinese and all(body.width(line) <= 30 for line in lines)


@pytest.mark.parametrize("width", [x / 4 for x in range(0, 400, 7)])
def test_spaces_come_within_half_a_pixel_of_any_width(body, width) -> None:
    fill = SpaceFill(body)
    spaces = fill.spaces(width)
    assert set(spaces) <= set(listing.BULK_SPACE + listing.FINE_SPACES)
    assert body.width(spaces) == pytest.approx(width, abs=0.5)


@pytest.mark.parametrize("name", NAMES)
def test_each_cell_starts_where_its_column_does(layout, body, name) -> None:
    line = layout.set_line([name, "PHD-07", "3"], body)
    assert line.startswith(name)
    code_at = line.index("PHD-07")
    assert body.width(line[:code_at]) == pytest.approx(6 * listing.UNIT_PX, abs=0.5)
    stays_at = line.rindex("3")
    assert body.width(line[:stays_at]) == pytest.approx(9 * listing.UNIT_PX, abs=0.75)


def test_cells_of_right_to_left_text_keep_their_order(layout, body) -> None:
    line = layout.set_line(["محمد عبد الله", "", "عبد"], body)
    # A left-to-right mark ends each Arabic cell, so the spaces between two of them take
    # the line's direction and the second cell stays in its column.
    assert line.count(listing.LRM) == 2
    assert body.width(line[: line.rindex("عبد")]) == pytest.approx(9 * listing.UNIT_PX, abs=0.75)


def test_a_long_cell_wraps_and_gives_its_row_a_second_line(layout) -> None:
    lines = layout.set_row(["Jean-Baptiste de la Fontaine-Moreau", "PHD-07", "1"])
    assert len(lines) == 2
    assert lines[0].startswith("Jean-Baptiste de la") and "PHD-07" in lines[0]
    assert lines[1] == "Fontaine-Moreau"  # the rest of the name, under it; nothing else


def test_pages_hold_whole_rows_under_their_header_and_none_is_lost(layout) -> None:
    rows = [
        [f"Kandidat {i:03d}" + (" Christiansen-Kristoffersen Bjørnstad" if i % 4 == 0 else ""),
         "PHD-07", str(i % 3)]  # fmt: skip
        for i in range(300)
    ]
    pages = list(layout.pages(rows, "Who is on the list, in a sentence or two."))
    assert len(pages) > 3
    row_height = listing.LINE_PX + listing.ROW_PAD_TOP_PX + listing.ROW_RULE_PX
    for page in pages:
        assert page.head.startswith("Name")
        lines = sum(row.count("\n") + 1 for row in page.rows)
        assert lines * row_height < listing.PAGE_HEIGHT_PX
    found = [re.match(r"Kandidat (\d{3})", row).group(1) for p in pages for row in p.rows]
    assert found == [f"{i:03d}" for i in range(300)]
    firsts = [sum(len(q.rows) for q in pages[:i]) for i in range(len(pages))]
    assert [p.first for p in pages] == firsts
    # The first page leaves room for the list's title and explanation.
    assert len(pages[0].rows) < len(pages[1].rows)


def test_rows_of_one_line_share_a_box_and_longer_rows_stand_alone() -> None:
    page = listing.ListPage(1, "Name", ["a", "b", "c\nc", "d", "e\ne\ne", "f", "g"], 0)
    assert page.blocks() == [
        ("rows", "a\nb"), ("row", "c\nc"), ("rows", "d"), ("row", "e\ne\ne"), ("rows", "f\ng"),
    ]  # fmt: skip
    assert listing.ListPage(1, "Name", [], 0).blocks() == []


@pytest.mark.skipif(not PDFTOTEXT, reason="needs pdftotext (poppler-utils)")
def test_rows_sharing_a_box_are_as_tall_as_rows_alone(app, tmp_path) -> None:
    """The summary's list template draws each row as tall as ListLayout.pages counts it."""
    from tracker.pdf.render import render_document

    rows = ["Alpha", "Bravo", "Charlie\nmore", "Delta", "Echo"]
    page = listing.ListPage(1, "Name", rows, 0)
    fake = type("Listing", (), {"title": "List", "total": 5, "key": "all", "explanation": ""})
    doc = type("Doc", (), {"scope_label": "Scope", "as_of": date(2026, 11, 30),
                           "generated_at": "now"})  # fmt: skip
    with app.test_request_context():
        document = render_document(
            "summary_lists.html", pages=[(fake, page)], doc=doc, layout=ListLayout.css(),
            locale="en", number=str, pdf_variant=None,
        )  # fmt: skip
    path = tmp_path / "rows.pdf"
    path.write_bytes(document.write_pdf())
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    tops = {word: float(y) for y, word in re.findall(r'yMin="([0-9.]+)"[^>]*>([A-Z][a-z]+)<', out)}
    gaps = [
        (tops[b] - tops[a]) / 0.75
        for a, b in [("Alpha", "Bravo"), ("Bravo", "Charlie"), ("Delta", "Echo")]
    ]
    # (A row alone sets its text a quarter pixel lower in its row than a shared box does.)
    assert gaps == pytest.approx([listing.ROW_PITCH_PX] * 3, abs=0.3)
    two_lines = 2 * listing.LINE_PX + listing.ROW_PITCH_PX - listing.LINE_PX
    assert (tops["Delta"] - tops["Charlie"]) / 0.75 == pytest.approx(two_lines, abs=0.3)


def test_an_empty_list_still_has_its_page(layout) -> None:
    (page,) = layout.pages([], "Nobody.")
    assert page.rows == [] and page.number == 1


def test_columns_wider_than_the_page_are_refused(body) -> None:
    with pytest.raises(ValueError, match="do not fit"):
        ListLayout([Column("a", "A", 50)], body, body, body)


@pytest.mark.skipif(not PDFTOTEXT, reason="needs pdftotext (poppler-utils)")
def test_drawn_columns_line_up_in_the_pdf(layout, body, tmp_path) -> None:
    """The columns as WeasyPrint draws them, not as measured: within 0.2 mm on every row."""
    families = ListLayout.css()["families"]
    rows = [layout.set_line([name, "PHD-07", "3"], body) for name in NAMES * 3]
    html = (
        f"<html lang='en'><style>@page {{ size: A4 landscape; margin: 0 }}"
        f"body {{ margin: 0; font: {listing.BODY_PT}pt {families}; }}"
        f"div {{ white-space: pre; line-height: {listing.LINE_PX}px; }}</style><body>"
        + "".join(f"<div>{row}</div>" for row in rows)
        + "</body></html>"
    )
    path = tmp_path / "columns.pdf"
    path.write_bytes(HTML(string=html).write_pdf())
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    starts = [float(x) for x in re.findall(r'xMin="([0-9.]+)"[^>]*>PHD-07<', out)]
    assert len(starts) == len(rows)
    expected = 6 * listing.UNIT_PX * 0.75  # CSS px to PDF points
    assert max(abs(x - expected) for x in starts) < 0.2 / 25.4 * 72


def test_pages_are_reported_as_weasyprint_lays_them_out_and_the_log_is_left_as_it_was() -> None:
    import logging
    import threading

    from tracker.pdf.render import pages_laid_out

    logger = logging.getLogger("weasyprint.progress")
    level, propagate = logger.level, logger.propagate
    seen: list[int] = []
    html = "<style>div { break-before: page }</style>" + "<div>x</div>" * 4
    with pages_laid_out(seen.append):
        HTML(string=html).render()
        # Another thread's rendering is another report's: not told to this callback.
        other = threading.Thread(target=lambda: HTML(string=html).render())
        other.start()
        other.join()
    assert seen == [1, 2, 3, 4]
    assert (logger.level, logger.propagate) == (level, propagate)
    assert not any(type(h).__name__ == "_PageWatcher" for h in logger.handlers)


def test_columns_always_fit_the_page_however_long_their_texts() -> None:
    from tracker.pdf.summary import PAGE_UNITS, fit_units

    measure = TextMeasure(FONT_FAMILIES, listing.BODY_PT, "en")
    keys = ["name", "programme_code", "kind", "status", "plan_state", "stays", "counts",
            "flags", "supervisor"]  # fmt: skip
    headings = ["Navn", "Programkode-for-doktorgrad", "Kategori", "Tilsettingsstatus",
                "Planstatus", "Gjennomførte", "Kvalifiserende", "Varselflagg",
                "Hovedveileder"]  # fmt: skip
    long = ["Dr. " + "Kristoffersen-" * 6 for _key in keys]
    units = fit_units(keys, headings, [long] * 20, measure, measure)
    assert sum(units.values()) <= PAGE_UNITS
    ListLayout([Column(k, k, units[k]) for k in keys], measure, measure, measure)


def test_a_name_cannot_turn_the_rest_of_its_row_around(layout, body) -> None:
    # A right-to-left override left open in a name would reverse the following columns.
    (line,) = layout.set_row(["Kari\u202e Nordmann\u2067", "PHD-07", "3"])
    assert "\u202e" not in line and "\u2067" not in line
    assert line.startswith("Kari Nordmann")
    assert body.width(line[: line.index("PHD-07")]) == pytest.approx(6 * listing.UNIT_PX, abs=0.5)
