"""The one address normaliser: every spelling of an address has one stored form."""

import pytest

from tracker.domain.addresses import (
    InvalidEmail,
    lookup_key,
    normalise_email,
    plan_renormalisation,
)

STORED = "candidate.approved@example.org"

# Spellings a person (or an attacker) may use for the same address.
SPELLINGS = [
    "candidate.approved@example.org",
    "Candidate.Approved@Example.ORG",
    "  candidate.approved@example.org  ",
    "\u3000candidate.approved@example.org\t",  # ideographic space, tab
    "candidate.approved@example.org.",  # a fully qualified domain
    "candidate.approved@example\u3002org",  # ideographic full stop
    "candidate.approved@example\uff0eorg",  # full-width full stop
    "candidate.approved@example\uff61org",  # half-width ideographic full stop
    "candidate\u3002approved@example.org",  # a look-alike dot in the local part
    "ｃａｎｄｉｄａｔｅ.ａｐｐｒｏｖｅｄ@ｅｘａｍｐｌｅ.ｏｒｇ",  # full-width letters
    "ＣＡＮＤＩＤＡＴＥ．ＡＰＰＲＯＶＥＤ＠ＥＸＡＭＰＬＥ．ＯＲＧ",  # full-width capitals and @
    "candidate.approved@EXAMPLE\u3002ORG.",
    "candidate.approved@example.org\r\n",  # pasted with its line break
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_has_the_stored_form(spelling):
    assert normalise_email(spelling) == STORED
    assert lookup_key(spelling) == STORED


@pytest.mark.parametrize(
    "address",
    [
        STORED,
        "\u212aelvin@example.org",  # KELVIN SIGN folds to K, then k
        "ärlig@exämple.org",
        "x@xn--exmple-cua.org",  # the same domain written in ASCII (punycode)
        "İstanbul@example.org",
        "ola.nordmann+phd@uni.example.no",
    ],
)
def test_the_stored_form_is_its_own_normal_form(address):
    stored = normalise_email(address)
    assert normalise_email(stored) == stored
    assert stored == stored.lower()


def test_an_ascii_and_a_unicode_domain_are_one_address():
    assert normalise_email("x@xn--exmple-cua.org") == normalise_email("X@EXÄMPLE.org")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "no-at-sign",
        "two@@example.org",
        "a@b",
        "candidate\u200b@example.org",  # zero-width space
        "cand\u202eidate@example.org",  # right-to-left override
        "candidate@exam\nple.org",  # a line break inside
        "candidate@exa mple.org",
        "x" * 250 + "@example.org",
        "candidate@example\u2027org",  # a hyphenation point is no full stop
    ],
)
def test_what_is_no_address_is_refused(text):
    with pytest.raises(InvalidEmail):
        normalise_email(text)
    assert lookup_key(text) is None


def test_renormalisation_changes_spellings_and_merges_nobody():
    rows = [
        (1, "plain@example.org"),  # already in normal form: untouched
        (2, "Upper@Example.org"),  # changes
        (3, "twin@example.org"),
        (4, "TWIN@example。org"),  # would become 3's address: both left alone
        (5, "not an address"),
    ]
    changes, collisions, invalid = plan_renormalisation(rows)
    assert changes == {2: "upper@example.org"}
    assert collisions == [[(3, "twin@example.org"), (4, "TWIN@example。org")]]
    assert invalid == [(5, "not an address")]
