"""Log-in, log-out, set-password links, forgotten and changed passwords."""

import re
import time

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEntry, User
from tracker.services import accounts

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture()
def client(isolated_client):
    """Use a client whose requests share no ``g`` or session with each other (and ``login``)."""
    return isolated_client()


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def open_link(client, user: User) -> str:
    """Open a new set-password link as a browser does; return the page it leads to."""
    response = client.get(f"/auth/set-password/{accounts.password_token(user)}")
    assert response.status_code == 302
    return response.headers["Location"]


# --- Log-in ------------------------------------------------------------------------------


def test_login_page_links_to_forgotten_password(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page
    assert "Forgot password?" in page


def test_login_is_audited_and_sets_last_login(client, login, make_user):
    user = make_user()
    login(user)
    assert audit_actions() == ["login"]
    assert fresh(user).last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("user1@example.org", "wrong password here"),
        ("nobody@example.org", PASSWORD),
        ("USER1@example.org", "wrong password here"),
    ],
)
def test_failed_login_says_little_and_is_audited(client, make_user, email, password):
    make_user("user1@example.org")
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert not is_logged_in(client)
    entry = db.session.scalar(db.select(AuditEntry))
    assert entry.action == "login_failed"
    assert entry.detail == {"email": email.lower()}


def test_login_ignores_case_of_the_address(client, make_user):
    make_user("kari@example.org")
    response = client.post("/auth/login", data={"email": "Kari@Example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert audit_actions() == ["login_failed"]


def test_invited_user_without_password_cannot_log_in(client, make_user):
    user = make_user(password=None)
    response = client.post("/auth/login", data={"email": user.email, "password": ""})
    assert response.status_code == 200
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    ("next_url", "target"),
    [
        ("/admin/users", "/admin/users"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok?x=1", "/ok?x=1"),
        (None, "/"),
    ],
)
def test_login_redirects_only_within_the_site(client, make_user, next_url, target):
    user = make_user()
    query = {"next": next_url} if next_url else {}
    response = client.post(
        "/auth/login", query_string=query, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_login_page_sends_logged_in_users_home(client, login, make_user):
    login(make_user())
    response = client.get("/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- Log-out -----------------------------------------------------------------------------


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_logout_is_post_only(client, login, make_user):
    login(make_user())
    assert client.get("/auth/logout").status_code == 405
    assert is_logged_in(client)


def test_replayed_session_cookie_is_refused_after_logout(isolated_client, client, login, make_user):
    user = make_user()
    login(user)
    stolen = session_cookie(client)
    assert client.post("/auth/logout").status_code == 302

    other = isolated_client()
    other.set_cookie("session", stolen)
    response = other.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert audit_actions() == ["login", "logout"]


def test_logout_ends_every_session_of_the_user(isolated_client, client, login, make_user):
    user = make_user()
    login(user)
    second = isolated_client()
    second.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert is_logged_in(second)
    client.post("/auth/logout")
    assert not is_logged_in(second)


# --- Set-password links ------------------------------------------------------------------


def test_token_names_the_user_and_works_for_a_user_without_password(make_user):
    user = make_user(password=None)
    assert accounts.user_for_token(accounts.password_token(user)) == user


@pytest.mark.parametrize("token", ["", "garbage", "eyJ1aWQiOjF9.Zz.signature"])
def test_bad_token_is_refused(make_user, token):
    make_user()
    assert accounts.user_for_token(token) is None


def test_token_signed_with_another_key_is_refused(app, make_user):
    from itsdangerous import URLSafeTimedSerializer

    user = make_user()
    forged = URLSafeTimedSerializer("another key", salt=accounts.LINK_SALT).dumps(
        {"uid": user.id, "fp": "x"}
    )
    assert accounts.user_for_token(forged) is None


def test_token_for_a_deactivated_user_is_refused(make_user):
    user = make_user()
    token = accounts.password_token(user)
    user.active = False
    db.session.commit()
    assert accounts.user_for_token(token) is None


def test_set_password_page_and_success(client, make_user):
    user = make_user(password=None)
    url = open_link(client, user)
    client.get(url)  # showing the form does not use the link up
    page = client.get(url).get_data(as_text=True)
    assert user.email in page
    assert 'autocomplete="new-password"' in page

    response = client.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert fresh(user).check_password(NEW_PASSWORD)
    assert "password_set" in audit_actions()
    login = client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_set_password_hashes_with_the_configured_method(app, client, make_user):
    user = make_user(password=None)
    url = open_link(client, user)
    client.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[0]
    assert fresh(user).password_hash.startswith(f"{method}:")


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short pass", "short pass", "password", "at least 12"),
        ("x" * 11, "x" * 11, "password", "at least 12"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "confirm", "not the same"),
        ("", "", "password", "required"),
    ],
)
def test_set_password_shows_errors_next_to_the_field(
    client, make_user, password, confirm, field, message
):
    user = make_user(password=None)
    url = open_link(client, user)
    response = client.post(url, data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(rf'<div id="{field}-error"[^>]*>([^<]*)</div>', page)
    assert error is not None and message in error.group(1)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page) or re.search(
        rf'aria-invalid="true"[^>]*id="{field}"', page
    )
    assert f"{field}-error" in re.search(rf'<input[^>]*id="{field}"[^>]*>', page).group(0)
    assert fresh(user).password_hash is None


def test_exactly_twelve_characters_is_enough(client, make_user):
    user = make_user(password=None)
    url = open_link(client, user)
    response = client.post(url, data={"password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 302


def test_link_works_only_once(client, make_user):
    user = make_user()
    token = accounts.password_token(user)
    url = f"/auth/set-password/{token}"
    client.get(url)
    client.post("/auth/set-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get(url, follow_redirects=True).status_code == 410
    url = "/auth/set-password"
    for method in (client.get, client.post):
        response = method(url, data={"password": "another one entirely", "confirm": "x"})
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "expired or has already been used" in page
        assert 'href="/auth/forgot"' in page
    assert fresh(user).check_password(NEW_PASSWORD)


def test_expired_link_is_refused(app, client, make_user, monkeypatch):
    user = make_user()
    max_age = app.config["PASSWORD_TOKEN_MAX_AGE"]
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time()) - max_age - 60
    )
    token = accounts.password_token(user)
    monkeypatch.undo()
    response = client.get(f"/auth/set-password/{token}", follow_redirects=True)
    assert response.status_code == 410
    assert "Request a new link" in response.get_data(as_text=True)


def test_link_stops_working_after_logout_elsewhere(client, login, make_user):
    user = make_user()
    token = accounts.password_token(user)
    login(user)
    client.post("/auth/logout")
    assert client.get(f"/auth/set-password/{token}", follow_redirects=True).status_code == 410


def test_setting_a_password_ends_other_sessions(isolated_client, client, login, make_user):
    user = make_user()
    login(user)
    other = isolated_client()
    url = open_link(other, user)
    other.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not is_logged_in(client)


def test_link_built_outside_a_request_uses_base_url(app, make_user):
    user = make_user()
    link = accounts.password_link(user)
    assert link.startswith(f"{app.config['BASE_URL']}/auth/set-password/")
    token = link.rsplit("/", 1)[1]
    assert accounts.user_for_token(token) == user


# --- Forgotten password ------------------------------------------------------------------

SAME_ANSWER = "If the address belongs to an account, we have sent a link"


def test_forgot_page_renders(client):
    page = client.get("/auth/forgot").get_data(as_text=True)
    assert 'name="email"' in page
    assert "<h1" in page


@pytest.mark.parametrize("known", [True, False])
def test_forgot_gives_the_same_answer_for_known_and_unknown(client, make_user, known):
    make_user("kari@example.org")
    email = "kari@example.org" if known else "nobody@example.org"
    response = client.post("/auth/forgot", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    assert SAME_ANSWER in response.get_data(as_text=True)
    expected = "password_link_sent" if known else "password_reset_unknown"
    assert audit_actions() == ["password_reset_requested", expected]


def test_forgot_sends_nothing_to_a_deactivated_account(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post("/auth/forgot", data={"email": user.email}, follow_redirects=True)
    assert SAME_ANSWER in response.get_data(as_text=True)
    assert audit_actions() == ["password_reset_requested", "password_reset_unknown"]


def test_forgot_with_a_malformed_address_shows_the_error(client):
    response = client.post("/auth/forgot", data={"email": "not an address"})
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_forgot_is_rate_limited(client, app):
    statuses = [
        client.post("/auth/forgot", data={"email": f"x{n}@example.org"}).status_code
        for n in range(11)
    ]
    assert statuses == [302] * 10 + [429]


def test_forgot_link_is_logged_without_mail_server_and_its_token_hidden(client, make_user, caplog):
    user = make_user()
    with caplog.at_level("INFO", logger="tracker.mail"):
        client.post("/auth/forgot", data={"email": user.email})
    (link,) = re.findall(r"http://\S+/auth/set-password/\S+", caplog.text)
    assert link.endswith("/auth/set-password/[hidden]")


# --- Changing the password while logged in -----------------------------------------------


def test_change_password_requires_login(client):
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_change_password_keeps_this_session_and_ends_the_others(
    isolated_client, client, login, make_user
):
    user = make_user()
    login(user)
    other = isolated_client()
    other.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert is_logged_in(other)

    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other)
    assert fresh(user).check_password(NEW_PASSWORD)


def test_change_password_checks_the_current_one(client, login, make_user):
    user = make_user()
    login(user)
    response = client.post(
        "/auth/password",
        data={
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'id="current_password-error"[^>]*>[^<]*not your current password', page)
    assert fresh(user).check_password(PASSWORD)
    assert audit_actions()[-1] == "password_change_failed"


def test_change_password_refuses_a_short_one(client, login, make_user):
    user = make_user()
    login(user)
    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": "too short", "confirm": "too short"},
    )
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert fresh(user).check_password(PASSWORD)
