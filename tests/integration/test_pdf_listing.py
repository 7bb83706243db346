"""The fixed-width listings of the summary PDF: wrapping, alignment and page-sized chunks."""

from tracker.pdf import Column, listing_chunks

COLUMNS = [Column("Name", 10), Column("Stays done", 5, align_right=True), Column("Note", 8)]


def test_cells_are_padded_aligned_and_wrapped_inside_their_column() -> None:
    (chunk,) = listing_chunks(COLUMNS, [["Kari", 2, "ok"], ["Jean-Baptiste Moreau", 10, None]], 50)

    assert chunk.heading.splitlines() == ["Name        Stays  Note", "             done"]
    # A word longer than the column is cut at its width; continuation lines are indented.
    assert chunk.text.splitlines() == [
        "Kari            2  ok",
        "Jean-Bapti     10",
        " ste",
        " Moreau",
    ]


def test_a_rows_lines_stay_together_and_each_chunk_fits_its_page() -> None:
    rows = [[f"Person {i}" + (" with a long name" if i % 3 == 0 else ""), i, ""] for i in range(40)]

    chunks = listing_chunks(COLUMNS, rows, page_lines=12, first_page_lines=8)

    heading_lines = 2
    assert len(chunks[0].text.splitlines()) <= 8 - heading_lines
    for chunk in chunks:
        lines = chunk.text.splitlines()
        assert len(lines) <= 12 - heading_lines
        assert lines[0].startswith("Person")  # never a continuation line at the top
    names = [line.split()[1] for c in chunks for line in c.text.splitlines() if line[0] != " "]
    assert names == [str(i) for i in range(40)]


def test_text_is_composed_and_on_one_line() -> None:
    (chunk,) = listing_chunks([Column("Name", 20)], [["Bjo\u0308rn\n\tHansen"]], 10)
    assert chunk.text == "Björn Hansen"


def test_headings_never_break_a_word_and_text_columns_give_up_the_room() -> None:
    from tracker.pdf import LISTING_WIDTHS, fit_widths

    keys = ["name", "stays_done", "stays_planned", "supervisor"]
    headings = ["Navn", "Gjennomførte opphold", "Planlagte opphold", "Hovedveileder"]
    widths = fit_widths(keys, headings)

    assert widths["stays_done"] == len("Gjennomførte")
    assert widths["stays_planned"] == len("Planlagte")
    assert sum(widths.values()) == sum(LISTING_WIDTHS[k] for k in keys)
    columns = [Column(h, widths[k]) for k, h in zip(keys, headings, strict=True)]
    (chunk,) = listing_chunks(columns, [["Kari", 1, 2, "Ola"]], 10)
    words = chunk.heading.split()
    assert "Gjennomførte" in words and "Planlagte" in words
