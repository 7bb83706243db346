"""Which page links a long list shows: never a single page hidden behind "…"."""

import pytest

from tracker.web import page_numbers


@pytest.mark.parametrize(
    ("page", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 7, [1, 2, 3, None, 7]),
        (1, 4, [1, 2, 3, 4]),
        (1, 5, [1, 2, 3, 4, 5]),  # the one page between 3 and 5 is shown, not "…"
        (5, 8, [1, 2, 3, 4, 5, 6, 7, 8]),  # so is the 2 between 1 and 3
        (3, 8, [1, 2, 3, 4, 5, None, 8]),
        (6, 8, [1, None, 4, 5, 6, 7, 8]),
        (10, 20, [1, None, 8, 9, 10, 11, 12, None, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),
    ],
)
def test_page_numbers(page, pages, shown):
    assert page_numbers(page, pages) == shown


@pytest.mark.parametrize("pages", range(1, 30))
@pytest.mark.parametrize("page", range(1, 30))
def test_every_gap_hides_at_least_two_pages(page, pages):
    if page > pages:
        return
    shown = page_numbers(page, pages)
    numbers = [n for n in shown if n is not None]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and numbers[-1] == pages
    assert page in numbers
    for index, number in enumerate(shown):
        if number is None:
            assert shown[index + 1] - shown[index - 1] >= 3
        elif index and shown[index - 1] is not None:
            assert number - shown[index - 1] == 1
