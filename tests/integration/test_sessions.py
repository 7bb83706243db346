"""Sessions: a new CSRF token at log-in, idle and absolute lifetimes, the __Host- cookie."""

import re
from contextlib import contextmanager

import pytest

from config import ProductionConfig
from tests.conftest import PASSWORD
from tracker import create_app, web
from tracker.extensions import db

IDLE = 120 * 60
LIFETIME = 12 * 3600
EXPIRED = "Your session has expired. Log in again."


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


class Clock:
    """The time sessions are measured by, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(web, "now", clock, raising=False)
    return clock


@contextmanager
def csrf_enabled(app):
    old = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = old


def csrf_token_from(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    assert field is not None, f"no CSRF token on {url}"
    return re.search(r'value="([^"]+)"', field.group(0)).group(1)


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


# --- CSRF token at log-in ----------------------------------------------------------------


def test_logging_in_makes_a_new_csrf_token(app, client, make_user):
    user = make_user()
    with csrf_enabled(app):
        before = csrf_token_from(client, "/auth/login")
        with client.session_transaction() as session:
            raw_before = session["csrf_token"]
        data = {"email": user.email, "password": PASSWORD, "csrf_token": before}
        assert client.post("/auth/login", data=data).status_code == 302
        with client.session_transaction() as session:
            assert session.get("csrf_token") != raw_before

        # The token known before log-in no longer works after it.
        assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
        assert is_logged_in(client)
        after = csrf_token_from(client, "/")
        assert after != before
        assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 302
        assert not is_logged_in(client)


def test_changing_the_password_makes_a_new_csrf_token_too(app, client, login, make_user):
    user = make_user()
    login(user)
    with csrf_enabled(app):
        before = csrf_token_from(client, "/auth/password")
        new = "another long passphrase"
        data = {
            "current_password": PASSWORD,
            "password": new,
            "confirm": new,
            "csrf_token": before,
        }
        assert client.post("/auth/password", data=data).status_code == 302
        assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
        assert is_logged_in(client)


# --- Idle timeout and absolute lifetime --------------------------------------------------


def test_an_idle_session_ends_and_asks_to_log_in_again(client, login, make_user, clock):
    login(make_user())
    clock.advance(IDLE - 30)
    assert is_logged_in(client)
    clock.advance(IDLE - 30)  # idle for less than the limit since the last request
    assert is_logged_in(client)

    clock.advance(IDLE + 1)
    response = client.get("/plans/1?tab=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fplans%2F1%3Ftab%3Dx"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert EXPIRED in page
    assert not is_logged_in(client)


def test_a_session_ends_after_its_lifetime_however_busy(client, login, make_user, clock):
    login(make_user())
    started = clock.now
    while clock.now + IDLE - 60 <= started + LIFETIME:
        clock.advance(IDLE - 60)
        assert is_logged_in(client)
    clock.advance(started + LIFETIME + 1 - clock.now)  # not idle long, but 12 hours are over
    assert client.get("/").status_code == 302
    assert not is_logged_in(client)


def test_the_lifetimes_follow_the_settings(app, client, login, make_user, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    login(make_user())
    clock.advance(5 * 60)
    assert is_logged_in(client)
    clock.advance(5 * 60 + 1)
    assert not is_logged_in(client)

    login(make_user())
    for _ in range(14):
        clock.advance(4 * 60)
        assert is_logged_in(client)
    clock.advance(5 * 60)  # 61 minutes after logging in
    assert not is_logged_in(client)


def test_the_times_are_kept_in_the_session_and_checked_there(client, login, make_user, clock):
    login(make_user())
    with client.session_transaction() as session:
        assert session[web.LOGIN_AT] == session[web.SEEN_AT] == clock.now
        session[web.SEEN_AT] = clock.now - IDLE - 1
    assert client.get("/").status_code == 302
    assert not is_logged_in(client)


@pytest.mark.parametrize("missing", ["LOGIN_AT", "SEEN_AT"])
def test_a_session_without_its_times_is_ended(client, login, make_user, missing):
    login(make_user())
    with client.session_transaction() as session:
        del session[getattr(web, missing)]
    assert client.get("/").status_code == 302
    assert not is_logged_in(client)


def test_an_expired_post_goes_to_the_login_page_without_next(client, login, make_user, clock):
    login(make_user())
    clock.advance(IDLE + 1)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_the_api_answers_an_expired_session_with_401(client, login, make_user, clock):
    login(make_user(admin=True))
    assert client.get("/api/v1/stats").status_code == 200
    clock.advance(IDLE + 1)
    response = client.get("/api/v1/stats")
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_the_last_seen_time_is_written_at_most_once_a_minute(client, login, make_user, clock):
    login(make_user())
    client.get("/")  # the first page makes the new CSRF token
    clock.advance(30)
    assert "Set-Cookie" not in client.get("/").headers
    clock.advance(30)
    assert "Set-Cookie" in client.get("/").headers


def test_an_expired_session_can_log_in_again(client, login, make_user, clock):
    user = make_user()
    login(user)
    clock.advance(LIFETIME + 1)
    assert not is_logged_in(client)
    login(user)
    assert is_logged_in(client)


# --- The production cookie ---------------------------------------------------------------


@pytest.fixture()
def production_app(app):
    class SecureConfig(ProductionConfig):
        SECRET_KEY = "k" * 40
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_STORAGE_URI = "memory://"
        MAIL_SERVER = "smtp.example.org"  # never reached
        # Production hashing is slow on purpose; this test is about cookies.
        PASSWORD_HASH_METHOD = app.config["PASSWORD_HASH_METHOD"]

    production = create_app(SecureConfig)
    yield production
    with production.app_context():
        db.engine.dispose()


def test_production_names_the_session_cookie_with_the_host_prefix(production_app, make_user):
    user = make_user()
    client = production_app.test_client()
    site = "https://tracker.example.org"
    response = client.get("/auth/login", base_url=site)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
    assert production_app.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")

    # And log-in works with it, over HTTPS as browsers will send it.
    page = response.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    login = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": f"{site}/auth/login"},
        base_url=site,
    )
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    assert client.get("/", base_url=site).status_code == 200
