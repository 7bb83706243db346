"""Reading a provider's claims: which values may find an account, and in what form."""

import pytest

from tracker.domain.identities import ClaimsError, addresses_in, is_true, read_identity

ISSUER = "https://auth.dataporten.no"
USERID_SEC = "https://n.feide.no/claims/userid_sec"


def test_the_email_claim_is_stored_form_and_verified_only_when_said_so():
    claims = {"sub": "s", "email": "Kari.Nordmann@Ｅxample。org", "email_verified": True}
    identity = read_identity(ISSUER, claims, "email")
    assert identity.email == "kari.nordmann@example.org"
    assert identity.email_verified
    assert identity.claim_addresses == ()
    for verified in (False, None, "false", 1, "yes"):
        claims["email_verified"] = verified
        assert not read_identity(ISSUER, claims, "email").email_verified
    claims["email_verified"] = "TRUE"  # some providers send a string
    assert read_identity(ISSUER, claims, "email").email_verified


def test_no_address_means_no_email_and_nothing_verified():
    identity = read_identity(
        ISSUER, {"sub": "s", "email": "no address", "email_verified": True}, "email"
    )
    assert identity.email is None and not identity.email_verified


def test_feide_ids_are_read_without_their_namespace():
    claims = {"sub": "s", USERID_SEC: ["feide:OlaNor@NTNU.no", "nin:01017012345"]}
    assert read_identity(ISSUER, claims, USERID_SEC).claim_addresses == ("olanor@ntnu.no",)
    assert addresses_in("feide:ola@ntnu.no") == ("ola@ntnu.no",)
    assert addresses_in("ola@ntnu.no") == ("ola@ntnu.no",)
    assert addresses_in(["a@example.org", "feide:A@example.org", 7, None]) == ("a@example.org",)
    assert addresses_in(None) == () and addresses_in({"x": 1}) == ()


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"name": "  Kari\nNordmann "}, "Kari Nordmann"),
        ({"given_name": "Kari", "family_name": "Nordmann"}, "Kari Nordmann"),
        ({"name": "", "given_name": "Kari"}, "Kari"),
        ({"name": 5}, None),
        ({}, None),
        ({"name": "x" * 500}, "x" * 200),
    ],
)
def test_the_name_is_one_clean_line(claims, name):
    assert read_identity(ISSUER, {"sub": "s", **claims}, "email").name == name


@pytest.mark.parametrize(
    ("issuer", "subject"),
    [(ISSUER, None), (ISSUER, ""), (ISSUER, 42), (ISSUER, "s" * 256), (None, "s"), ("", "s")],
)
def test_an_answer_without_issuer_or_subject_is_refused(issuer, subject):
    with pytest.raises(ClaimsError):
        read_identity(issuer, {"sub": subject}, "email")


def test_is_true():
    assert is_true(True) and is_true(" true ")
    assert not is_true("1") and not is_true(1) and not is_true(None)
