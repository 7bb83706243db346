"""Faculty and programme codes: one rule for what they look like and when two are one."""

import pytest

from tracker.domain.codes import clean_code, code_key, is_valid_code


@pytest.mark.parametrize("spelling", ["PHD-CS", "phd-cs", " Phd-Cs ", "ＰＨＤ-ＣＳ"])
def test_every_spelling_of_a_code_has_one_key(spelling):
    assert code_key(spelling) == "phd-cs"


@pytest.mark.parametrize(
    ("text", "valid"),
    [("PHD-CS", True), ("IE", True), ("a.b_c-1", True), ("ＰＨＤ", True), ("-PHD", False),
     ("PHD CS", False), ("PHD/CS", False), ("PHÐ", False), ("", False), ("X" * 33, False)],
)  # fmt: skip
def test_what_a_code_may_look_like(text, valid):
    assert is_valid_code(text) is valid


def test_a_code_is_kept_as_written_apart_from_space_and_width():
    assert clean_code(" ＰＨＤ-Cs ") == "PHD-Cs"
