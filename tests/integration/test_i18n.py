"""Languages: the Norwegian bokmål catalogue, how the language is chosen, and what it changes."""

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.plan_support import signed_in, text
from tracker.extensions import db
from tracker.models import AuditEntry, User
from tracker.services import accounts

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "tracker" / "translations" / "nb" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# The keywords `make translations` passes to pybabel extract, besides its defaults.
KEYWORDS = {"_l": None, "lazy_gettext": None}
# A %-placeholder as Python formats it: %(name)s, %(num)d, or a literal %%.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]")


def read_catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f, locale="nb")


def messages(catalogue) -> list:
    """Return the catalogue's messages without the header entry."""
    return [m for m in catalogue if m.id]


def as_tuple(value) -> tuple:
    """Return a message id or translation as a tuple (plural forms are lists in a .mo)."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def placeholders(string: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(string))


def source_messages() -> set:
    """Extract the message ids from the code and templates, as `make translations` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- The catalogue -------------------------------------------------------------------------


def test_the_catalogue_is_for_norwegian_bokmal_with_two_plural_forms():
    catalogue = read_catalogue()
    assert str(catalogue.locale) == "nb"
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    assert len(messages(catalogue)) > 600


def test_every_message_is_translated_with_the_same_placeholders():
    problems = []
    for message in messages(read_catalogue()):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", ids[0]))
        if len(strings) != len(ids):
            problems.append(("plural forms", ids[0]))
        for string in strings:
            if not string or not string.strip():
                problems.append(("empty", ids[0]))
            # The plural msgid has every placeholder (the singular may spell out "one").
            elif placeholders(string) != placeholders(ids[-1]):
                problems.append(("placeholders", ids[0], string))
    assert not problems, problems


def test_every_message_in_the_code_and_templates_is_in_the_catalogue():
    catalogued = {m.id for m in messages(read_catalogue())}
    missing = sorted(map(str, source_messages() - catalogued))
    assert not missing, (
        f"Run `make translations` and translate these in {CATALOGUE.relative_to(ROOT)}: {missing}"
    )


def test_the_compiled_catalogue_is_up_to_date():
    with COMPILED.open("rb") as f:
        compiled = {as_tuple(m.id): as_tuple(m.string) for m in read_mo(f) if m.id}
    written = {as_tuple(m.id): as_tuple(m.string) for m in messages(read_catalogue())}
    assert compiled == written, "Run `make translations` (or pybabel compile) and commit the .mo"


# --- Choosing the language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "lang", "button"),
    [
        ("nb", "nb", "Logg inn"),
        ("nb-NO,nb;q=0.9,en;q=0.5", "nb", "Logg inn"),
        ("no", "nb", "Logg inn"),
        ("nn-NO,en;q=0.5", "nb", "Logg inn"),
        ("sv,nb;q=0.8,en;q=0.5", "nb", "Logg inn"),
        (None, "en", "Log in"),
        ("en-GB", "en", "Log in"),
        ("en-US,en;q=0.9,nb;q=0.5", "en", "Log in"),
        ("de", "en", "Log in"),
    ],
)
def test_the_login_page_follows_the_browsers_language(
    isolated_client, accept_language, lang, button
):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = isolated_client().get("/auth/login", headers=headers)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f'value="{button}"' in html
    if lang == "nb":
        assert "E-post" in text(page) and "Glemt passordet?" in text(page)


def test_a_saved_language_wins_over_the_browsers(isolated_client, make_user):
    norwegian = make_user(name="Kari Nordmann")
    norwegian.locale = "nb"
    english = make_user(name="Jane Doe")
    english.locale = "en"
    db.session.commit()

    page = signed_in(isolated_client, norwegian).get("/", headers={"Accept-Language": "en"})
    assert '<html lang="nb">' in page.get_data(as_text=True)
    assert "Velkommen, Kari Nordmann" in text(page)
    assert "Welcome" not in text(page)

    page = signed_in(isolated_client, english).get("/", headers={"Accept-Language": "nb"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert "Welcome, Jane Doe" in text(page)


def test_without_a_saved_language_the_browsers_applies(isolated_client, make_user):
    client = signed_in(isolated_client, make_user(name="Ola Nordmann"))
    assert "Velkommen, Ola Nordmann" in text(client.get("/", headers={"Accept-Language": "nb"}))
    assert "Welcome, Ola Nordmann" in text(client.get("/"))


def test_the_navigation_has_a_language_menu(isolated_client, make_user):
    page = signed_in(isolated_client, make_user()).get("/").get_data(as_text=True)
    assert '<summary class="nav-link text-nowrap">Language</summary>' in page
    assert page.count('action="/auth/preferences"') == 3  # the browser's, English, bokmål


def test_the_language_page_needs_a_login(isolated_client):
    response = isolated_client().get("/auth/preferences")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_the_language_page_offers_each_language_in_its_own_name(isolated_client, make_user):
    user = make_user()
    user.locale = "nb"
    db.session.commit()
    page = signed_in(isolated_client, user).get("/auth/preferences")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label class="form-label" for="locale">Språk</label>' in html
    assert '<option value="">Nettleserens språk</option>' in html
    assert '<option lang="en" value="en">English</option>' in html
    assert '<option lang="nb" selected value="nb">Norsk bokmål</option>' in html


def test_choosing_a_language_saves_it_and_answers_in_it(isolated_client, make_user):
    user = make_user()
    client = signed_in(isolated_client, user)

    response = client.post("/auth/preferences", data={"locale": "nb"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/preferences")
    assert fresh(user).locale == "nb"
    page = client.get("/auth/preferences")
    assert "Språket ditt er lagret." in text(page)
    assert '<html lang="nb">' in page.get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "locale_changed"))
    assert entry.actor_id == user.id and entry.detail == {"locale": "nb"}

    # Back to the browser's language: stored as no choice at all.
    client.post("/auth/preferences", data={"locale": ""})
    assert fresh(user).locale is None
    page = client.get("/auth/preferences", headers={"Accept-Language": "en"})
    assert "Your language is saved." in text(page)


@pytest.mark.parametrize("value", ["xx", "de", "nb-NO", "<script>"])
def test_an_unknown_language_is_refused_next_to_the_field(isolated_client, make_user, value):
    user = make_user()
    client = signed_in(isolated_client, user)
    page = client.post("/auth/preferences", data={"locale": value})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert re.search(
        r'<div id="locale-error"[^>]*>\s*Choose one of the languages in the list.\s*</div>', html
    )
    assert fresh(user).locale is None
    assert (
        db.session.scalar(db.select(db.func.count()).where(AuditEntry.action == "locale_changed"))
        == 0
    )


def test_the_service_refuses_an_unknown_language_and_skips_no_change(make_user):
    user = make_user()
    with pytest.raises(accounts.AccountError) as refused:
        accounts.set_locale(user, "fr")
    assert refused.value.field == "locale"
    assert accounts.set_locale(user, "nb") is True
    assert accounts.set_locale(user, "nb") is False
    assert accounts.set_locale(user, "") is True and user.locale is None
    details = db.session.scalars(
        db.select(AuditEntry.detail)
        .where(AuditEntry.action == "locale_changed")
        .order_by(AuditEntry.id)
    ).all()
    assert details == [{"locale": "nb"}, {"locale": None}]


# --- Country names and dates -------------------------------------------------------------


def test_countries_and_dates_appear_in_the_users_language(
    isolated_client, make_user, make_programme, make_enrolment, make_stay
):
    programme = make_programme("PHD-CS", "IE")
    coordinator = make_user(name="Kari Koordinator", coordinator_of=[programme])
    enrolment = make_enrolment(programme=programme)
    make_stay(enrolment, country="DE", start_date=date(2025, 3, 1), end_date=date(2025, 5, 31))
    url = f"/coordinator/enrolments/{enrolment.id}"

    client = signed_in(isolated_client, coordinator)
    english = text(client.get(url))
    assert "Germany" in english and "1 Mar 2025" in english

    coordinator = fresh(coordinator)
    coordinator.locale = "nb"
    db.session.commit()
    norwegian = text(client.get(url))
    assert "Tyskland" in norwegian and "01.03.2025" in norwegian and "31.05.2025" in norwegian
    assert "Germany" not in norwegian


def test_a_page_and_a_forced_language_inside_it_each_get_their_own_texts(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Language') }} {{ ngettext('%(num)d plan', '%(num)d plans', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Language 2 plans"
        with force_locale("nb"):  # an e-mail in its reader's language, made during a page
            assert render_template_string(page).startswith("Språk ")
        assert render_template_string(page) == "Language 2 plans"
