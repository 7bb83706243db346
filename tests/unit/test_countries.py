"""Country codes and names (tracker.domain.countries)."""

import pytest
from babel import Locale

from tracker.domain.countries import COUNTRY_CODES, country_choices, country_name, is_country


@pytest.mark.parametrize("code", ["NO", "DE", "US", "GB", "AX", "XK", "SJ", "PS", "TW"])
def test_countries(code):
    assert is_country(code)


@pytest.mark.parametrize(
    "code", ["ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "AC", "IC", "EA", "no", "NOR", "", "001"]
)
def test_not_countries(code):
    assert not is_country(code)


def test_every_code_is_two_upper_case_letters():
    # ISO 3166-1 has 249 officially assigned codes; Kosovo's XK is added.
    assert len(COUNTRY_CODES) == 250
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in COUNTRY_CODES)


def test_names_in_the_users_language():
    assert country_name("DE") == "Germany"
    assert country_name("DE", "nb") == "Tyskland"
    assert country_name("NO", Locale("nb")) == "Norge"
    assert country_name("XX", "nb") == "XX"


def test_choices_cover_every_country_sorted_by_name():
    english = country_choices("en")
    assert {code for code, _name in english} == COUNTRY_CODES
    assert english[0] == ("AF", "Afghanistan")
    assert english[1] == ("AX", "Åland Islands")  # accents do not sort last in English
    assert ("NO", "Norway") in english


def test_norwegian_order_puts_ae_oe_aa_after_z():
    names = [name for _code, name in country_choices("nb")]
    assert names.index("Zimbabwe") < names.index("Østerrike") < names.index("Åland")
    assert names[-1] == "Åland"


def test_choices_are_a_fresh_list_each_time():
    choices = country_choices("en")
    choices.clear()
    assert country_choices("en")
