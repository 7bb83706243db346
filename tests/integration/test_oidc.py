"""Log-in with the institution's account, against a real OpenID Provider on loopback.

The provider (node-oidc-provider, tests/oidc) signs real ID tokens; the refusals come
from what a provider can really do: answer for another client, run its clock wrong,
change its signing key, or see the same answer twice.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_sessions import csrf_enabled
from tests.oidc_support import (
    CLIENT_SECRET,
    FEIDE_USERID_SEC,
    Provider,
    ProviderBrowser,
    path_of,
)
from tests.oidc_support import PASSWORD as PROVIDER_PASSWORD
from tracker import web
from tracker.extensions import db
from tracker.models import AuditEntry, ExternalIdentity, User

BASE_URL = "http://tracker.test"
CLIENT_ID = "tracker"


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


@pytest.fixture()
def provider(app, oidc_provider, monkeypatch):
    """Point the app at the test provider for one test; put everything back after it."""
    oidc_provider.register_client(CLIENT_ID, BASE_URL)
    settings = {
        "OIDC_ISSUER": oidc_provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_LABEL": "Log in with Test ID",
        "BASE_URL": BASE_URL,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    yield oidc_provider
    oidc_provider.reset()
    app.extensions.pop("tracker.oidc", None)  # no keys or metadata carried to the next test


@pytest.fixture()
def browser(provider):
    return ProviderBrowser(provider)


def start(client, **query):
    """Click the log-in button; return the provider's authorization address."""
    response = client.get("/auth/oidc/login", query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def log_in(client, browser, login):
    """Log in at the provider as ``login`` and bring its answer back to the tracker."""
    callback = browser.log_in(start(client), login, PROVIDER_PASSWORD)
    assert callback.startswith(f"{BASE_URL}/auth/oidc/callback?"), callback
    return client.get(path_of(callback))


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def last_entry(action: str) -> AuditEntry:
    return db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    )


def links() -> list[tuple[int, str, str, str]]:
    db.session.expire_all()
    return [
        (link.user_id, link.issuer, link.subject, link.linked_by)
        for link in db.session.scalars(db.select(ExternalIdentity).order_by(ExternalIdentity.id))
    ]


# --- The log-in page ------------------------------------------------------------------------


def test_the_provider_button_comes_first_and_passes_next_on(client, provider):
    page = client.get("/auth/login?next=/admin/users").get_data(as_text=True)
    button = page.index("Log in with Test ID")
    assert button < page.index('name="password"')
    assert 'href="/auth/oidc/login?next=/admin/users"' in page
    assert "Or log in with a password" in page


def test_without_a_provider_the_page_has_the_password_form_only(client, make_user):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "oidc" not in page and "Or log in with a password" not in page
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and is_logged_in(client)


def test_the_authorization_request_uses_pkce_state_nonce_and_the_registered_address(
    client, provider
):
    address = urlsplit(start(client))
    query = parse_qs(address.query)
    assert f"{address.scheme}://{address.netloc}" == provider.issuer
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"{BASE_URL}/auth/oidc/callback"]
    assert query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20


# --- First log-in: linking --------------------------------------------------------------------


def test_first_log_in_links_by_verified_email_then_by_subject(client, provider, browser, make_user):
    # The provider says "Kari.Nordmann@EXAMPLE.org": the one address rule finds her.
    kari = make_user("kari.nordmann@example.org", "Kari Nordmann", password=None)
    response = log_in(client, browser, "kari")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_logged_in(client)
    issuer = browser.issuer
    assert links() == [(kari.id, issuer, "a5d2c0e1-kari", "email")]
    assert actions() == ["identity_linked", "login"]
    assert last_entry("login").detail == {"method": "oidc", "issuer": issuer}
    assert last_entry("identity_linked").detail["value"] == "kari.nordmann@example.org"

    # Her address changes in the tracker; the stored issuer and subject still find her.
    db.session.get(User, kari.id).email = "k.nordmann@example.org"
    db.session.commit()
    client.post("/auth/logout")
    # In a new browser, where the provider asks for her password again.
    response = log_in(client, ProviderBrowser(provider), "kari")
    assert response.status_code == 302 and is_logged_in(client)
    assert len(links()) == 1
    assert db.session.get(User, kari.id).last_login_at is not None


def test_first_log_in_links_by_the_configured_claim(client, browser, make_user, app, monkeypatch):
    # Feide-like: the claim holds "feide:olahan@example.org"; her e-mail is not verified.
    monkeypatch.setitem(app.config, "OIDC_USER_CLAIM", FEIDE_USERID_SEC)
    monkeypatch.setitem(app.config, "OIDC_SCOPES", "openid email profile userid-feide")
    ola = make_user("olahan@example.org", "Ola Hansen", password=None)
    response = log_in(client, browser, "ola")
    assert response.status_code == 302 and is_logged_in(client)
    assert links() == [(ola.id, browser.issuer, "b7e4f2a3-ola", "claim")]
    assert last_entry("identity_linked").detail["value"] == "olahan@example.org"


def test_the_configured_claim_never_links_by_an_unverified_address(
    client, browser, make_user, app, monkeypatch
):
    monkeypatch.setitem(app.config, "OIDC_USER_CLAIM", FEIDE_USERID_SEC)
    monkeypatch.setitem(app.config, "OIDC_SCOPES", "openid email profile userid-feide")
    make_user("ola.hansen@example.org", "Ola Hansen")  # her unverified address only
    response = log_in(client, browser, "ola")
    assert response.status_code == 403
    assert "You have no account in the tracker yet" in response.get_data(as_text=True)
    assert links() == [] and not is_logged_in(client)


def test_an_unverified_email_is_refused_with_a_clear_page(client, browser, make_user):
    make_user("ola.hansen@example.org", "Ola Hansen")
    response = log_in(client, browser, "ola")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Your e-mail address could not be used" in page
    assert "did not confirm that ola.hansen@example.org is your address" in page
    assert links() == [] and not is_logged_in(client)
    entry = last_entry("oidc_login_refused")
    assert entry.detail["reason"] == "unverified_email"
    assert entry.detail["subject"] == "b7e4f2a3-ola"


def test_an_unknown_person_sees_whom_to_ask(client, provider, browser, app, monkeypatch):
    response = log_in(client, browser, "nina")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You have no account in the tracker yet" in page
    assert "as nina.berg@example.net" in page
    assert "ask the coordinator of your programme" in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert last_entry("oidc_login_refused").detail["reason"] == "unknown_person"

    monkeypatch.setitem(app.config, "SUPPORT_EMAIL", "mobility@example.org")
    page = log_in(client, ProviderBrowser(provider), "nina").get_data(as_text=True)
    assert '<a href="mailto:mobility@example.org">mobility@example.org</a>' in page


def test_unknown_people_get_an_account_only_when_the_setting_allows(
    client, browser, app, monkeypatch
):
    monkeypatch.setitem(app.config, "OIDC_CREATE_USERS", True)
    response = log_in(client, browser, "nina")
    assert response.status_code == 302 and is_logged_in(client)
    nina = db.session.scalar(db.select(User))
    assert (nina.email, nina.name) == ("nina.berg@example.net", "Nina Berg")
    assert nina.password_hash is None
    assert links() == [(nina.id, browser.issuer, "c9a6b4c5-nina", "created")]
    assert actions() == ["user_created", "identity_linked", "login"]


def test_a_deactivated_account_is_refused(client, browser, make_user):
    kari = make_user("kari.nordmann@example.org")
    kari.active = False
    db.session.commit()
    response = log_in(client, browser, "kari")
    assert response.status_code == 403
    assert "Your account is deactivated" in response.get_data(as_text=True)
    assert links() == [] and not is_logged_in(client)


def test_an_account_linked_to_another_subject_is_not_linked_twice(client, browser, make_user):
    kari = make_user("kari.nordmann@example.org")
    db.session.add(
        ExternalIdentity(user=kari, issuer=browser.issuer, subject="old-subject", linked_by="email")
    )
    db.session.commit()
    response = log_in(client, browser, "kari")
    assert response.status_code == 403
    assert "linked to another institution account" in response.get_data(as_text=True)
    assert [link[2] for link in links()] == ["old-subject"]
    assert last_entry("oidc_login_refused").detail["reason"] == "already_linked"


# --- What the tracker refuses to believe ----------------------------------------------------


def test_a_token_for_another_audience_is_refused(client, browser, make_user, app, monkeypatch):
    # The provider answers for "tracker-alias" with the registration of "tracker", so its
    # ID tokens name "tracker" as their audience while the tracker calls itself the alias.
    make_user("kari.nordmann@example.org")
    Provider(browser.issuer).register_client("tracker-alias", BASE_URL, alias_of=CLIENT_ID)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "tracker-alias")
    response = log_in(client, browser, "kari")
    assert response.status_code == 400
    assert "The log-in could not be verified" in response.get_data(as_text=True)
    assert not is_logged_in(client) and links() == []
    entry = last_entry("oidc_login_failed")
    assert entry.detail["failure"] == "invalid_answer" and "aud" in entry.detail["detail"]


def test_an_expired_token_is_refused(client, provider, browser, make_user):
    make_user("kari.nordmann@example.org")
    provider.control("clock", offset=-2 * 3600)  # its tokens expired an hour ago
    response = log_in(client, browser, "kari")
    assert response.status_code == 400
    assert "The log-in could not be verified" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert "exp" in last_entry("oidc_login_failed").detail["detail"]


def test_a_replayed_answer_is_refused(client, browser, make_user, isolated_client):
    make_user("kari.nordmann@example.org")
    callback = path_of(browser.log_in(start(client), "kari"))
    assert client.get(callback).status_code == 302 and is_logged_in(client)
    client.post("/auth/logout")

    # The same answer again, in the same browser, and in another one.
    for replaying in (client, isolated_client()):
        response = replaying.get(callback)
        assert response.status_code == 400
        assert "This log-in has expired" in response.get_data(as_text=True)
        assert not is_logged_in(replaying)
    assert [e.detail["failure"] for e in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "oidc_login_failed")
    )] == ["state", "state"]  # fmt: skip


def test_an_answer_for_a_log_in_started_elsewhere_is_refused(
    client, browser, make_user, isolated_client
):
    # Someone starts a log-in, and has another browser open the provider's answer.
    make_user("kari.nordmann@example.org")
    callback = path_of(browser.log_in(start(client), "kari"))
    victim = isolated_client()
    assert victim.get(callback).status_code == 400
    assert not is_logged_in(victim)


def test_a_bad_signature_is_refused_and_a_new_key_is_fetched(client, provider, browser, make_user):
    make_user("kari.nordmann@example.org")
    assert log_in(client, browser, "kari").status_code == 302  # the tracker has its keys now
    client.post("/auth/logout")

    # A new key under the old key id: the token's signature fails against the known key.
    provider.control("keys", mode="same-kid")
    response = log_in(client, ProviderBrowser(provider), "kari")
    assert response.status_code == 400
    assert "The log-in could not be verified" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert "BadSignature" in last_entry("oidc_login_failed").detail["detail"]

    # A key rotation proper (a new key id): the tracker fetches the keys again and goes on.
    provider.control("keys", mode="rotate")
    response = log_in(client, ProviderBrowser(provider), "kari")
    assert response.status_code == 302 and is_logged_in(client)


def test_an_answer_naming_another_issuer_is_refused(client, browser, make_user):
    make_user("kari.nordmann@example.org")
    callback = path_of(browser.log_in(start(client), "kari"))
    mixed_up = re.sub(r"iss=[^&]+", "iss=https%3A%2F%2Fother.example.org", callback)
    response = client.get(mixed_up)
    assert response.status_code == 400 and not is_logged_in(client)
    assert client.get(callback).status_code == 400  # and the state is used up


def test_cancelling_at_the_provider_explains_it(client, browser):
    callback = browser.log_in(start(client), None)
    response = client.get(path_of(callback))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Log-in cancelled" in page and 'href="/auth/oidc/login"' in page
    assert last_entry("oidc_login_failed").detail["failure"] == "cancelled"


def test_an_unreachable_provider_gets_a_page_not_a_500(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", CLIENT_SECRET)
    response = client.get("/auth/oidc/login")
    assert response.status_code == 502
    assert "does not answer" in response.get_data(as_text=True)
    app.extensions.pop("tracker.oidc", None)


HOSTILE_CALLBACKS = [
    "",
    "state=x",
    "code=x",
    "error=server_error",
    "state=&code=&iss=",
    "code=%00&state=%ff",
    "error=access_denied&error_description=%3Cscript%3E",
]


def test_hostile_callbacks_never_answer_500(client, provider):
    for query in HOSTILE_CALLBACKS:
        response = client.get(f"/auth/oidc/callback?{query}")
        assert response.status_code in (400, 502), (query, response.status_code)
        assert "<script>" not in response.get_data(as_text=True)


# --- Sessions ---------------------------------------------------------------------------------


def test_log_in_starts_a_new_session_with_a_new_csrf_token(client, browser, make_user):
    make_user("kari.nordmann@example.org")
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["csrf_token"] = "known-before-log-in"
    assert log_in(client, browser, "kari").status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") != "known-before-log-in"
        assert isinstance(session["login_at"], int) and "provider_id_token" in session
        assert not [key for key in session if key.startswith("_state_")]


def test_an_idle_provider_session_ends_like_any_other(client, browser, make_user, monkeypatch):
    now = [1_800_000_000]
    monkeypatch.setattr(web, "now", lambda: now[0])
    make_user("kari.nordmann@example.org")
    assert log_in(client, browser, "kari").status_code == 302
    now[0] += 119 * 60
    assert is_logged_in(client)
    now[0] += 121 * 60
    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert not is_logged_in(client)


def test_many_log_ins_from_one_address_are_not_limited(client, provider, make_user):
    # A lecture hall behind one address: the provider limits password guessing itself.
    for _ in range(15):
        assert client.get("/auth/oidc/login").status_code == 302


def test_the_page_asked_for_is_shown_after_log_in(client, browser, make_user):
    make_user("kari.nordmann@example.org", admin=True)
    callback = browser.log_in(start(client, next="/admin/users"), "kari")
    assert client.get(path_of(callback)).headers["Location"] == "/admin/users"


def test_log_out_ends_the_provider_session_and_every_other(
    client, browser, make_user, isolated_client
):
    make_user("kari.nordmann@example.org")
    assert log_in(client, browser, "kari").status_code == 302
    other = isolated_client()
    callback = browser.log_in(start(other), "kari")  # the provider remembers her: no form
    assert other.get(path_of(callback)).status_code == 302 and is_logged_in(other)

    response = client.post("/auth/logout")
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{browser.issuer}/session/end?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{BASE_URL}/auth/login"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0].count(".") == 2
    assert not is_logged_in(client) and not is_logged_in(other)

    assert browser.log_out(end_session).startswith(f"{BASE_URL}/auth/login")
    # The provider asks for the password again: its session has ended too.
    assert browser.asks_to_sign_in(start(client))


def test_log_out_after_a_password_log_in_stays_local(client, provider, login, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.post("/auth/logout").headers["Location"] == "/auth/login"


def test_the_csp_lets_the_log_out_form_continue_to_the_provider(client, provider):
    client.get("/auth/oidc/login")  # loads the provider's metadata
    policy = client.get("/auth/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy


# --- Administration -------------------------------------------------------------------------


def test_an_administrator_sees_and_removes_a_link(
    app, client, provider, browser, make_user, isolated_client
):
    kari = make_user("kari.nordmann@example.org", "Kari Nordmann")
    assert log_in(client, browser, "kari").status_code == 302
    link = db.session.scalar(db.select(ExternalIdentity))
    admin = make_user("admin@example.org", admin=True)
    admin_client = isolated_client()
    admin_client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})

    page = admin_client.get(f"/admin/users/{kari.id}").get_data(as_text=True)
    assert "Institution log-in" in page and provider.issuer in page
    assert "a5d2c0e1-kari" in page and "by the verified address kari.nordmann@example.org" in page
    removal = f"/admin/users/{kari.id}/identities/{link.id}/remove"
    assert f'action="{removal}"' in page

    assert admin_client.get(removal).status_code == 405  # never on GET
    other = make_user("other@example.org")
    wrong_user = f"/admin/users/{other.id}/identities/{link.id}/remove"
    assert admin_client.post(wrong_user).status_code == 404
    with csrf_enabled(app):
        assert admin_client.post(removal).status_code == 400  # no CSRF token
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = admin_client.post(removal, data={"csrf_token": token})
    assert response.status_code == 302
    assert links() == []
    assert not is_logged_in(client)  # her sessions ended with the link
    entry = last_entry("identity_unlinked")
    assert (entry.actor_id, entry.object_id) == (admin.id, kari.id)
    assert entry.detail == {"issuer": provider.issuer, "subject": "a5d2c0e1-kari"}

    # Her next log-in there links the account afresh.
    assert log_in(client, ProviderBrowser(provider), "kari").status_code == 302
    assert len(links()) == 1


def test_others_cannot_remove_links(client, provider, browser, make_user, isolated_client):
    make_user("kari.nordmann@example.org")
    assert log_in(client, browser, "kari").status_code == 302
    link = db.session.scalar(db.select(ExternalIdentity))
    response = client.post(f"/admin/users/{link.user_id}/identities/{link.id}/remove")
    assert response.status_code == 403
    assert len(links()) == 1
