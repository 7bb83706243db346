"""Set-password links: out of the address bar at once, never in the log; mail settings."""

import re

import pytest

from config import DevelopmentConfig, ProductionConfig, TestConfig
from tracker import create_app
from tracker.extensions import db
from tracker.mail import send_mail
from tracker.models import User
from tracker.services import accounts

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


# --- Set-password links: the token leaves the address at once ----------------------------


def test_the_link_continues_at_an_address_without_the_token(client, make_user):
    user = make_user(password=None)
    token = accounts.password_token(user)
    response = client.get(f"/auth/set-password/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/set-password"
    page = client.get("/auth/set-password")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert user.email in text
    assert token not in text


def test_the_token_in_the_session_works_once(client, isolated_client, make_user):
    user = make_user(password=None)
    client.get(f"/auth/set-password/{accounts.password_token(user)}")
    # Another browser has no token in its session, whatever it posts.
    stranger = isolated_client()
    done = stranger.post("/auth/set-password", data={"password": "x" * 20, "confirm": "x" * 20})
    assert done.status_code == 410

    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/auth/set-password", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    again = client.post("/auth/set-password", data={"password": "y" * 20, "confirm": "y" * 20})
    assert again.status_code == 410
    assert "expired or has already been used" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_someone_created_without_a_name_gives_it_with_the_password(client, make_user):
    """A supervisor imported by address only goes by it until choosing a name here."""
    user = make_user("sup@example.org", "sup@example.org", password=None)
    named = make_user("kari@example.org", "Kari Nordmann", password=None)
    client.get(f"/auth/set-password/{accounts.password_token(named)}")
    assert 'name="name"' not in client.get("/auth/set-password").get_data(as_text=True)

    client.get(f"/auth/set-password/{accounts.password_token(user)}")
    assert "Your name" in client.get("/auth/set-password").get_data(as_text=True)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    refused = client.post("/auth/set-password", data=data | {"name": "  "})
    assert refused.status_code == 200
    assert "Give your name, as colleagues will see it." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None
    named_now = client.post("/auth/set-password", data=data | {"name": "Sara Veileder"})
    assert named_now.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.name == "Sara Veileder" and saved.check_password(NEW_PASSWORD)


def test_a_used_link_opened_again_shows_the_invalid_link_page(client, make_user):
    user = make_user()
    link = f"/auth/set-password/{accounts.password_token(user)}"
    client.get(link)
    client.post("/auth/set-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = client.get(link, follow_redirects=True)
    assert response.status_code == 410
    assert "Request a new link" in response.get_data(as_text=True)


def test_a_link_with_an_absurdly_long_token_is_invalid(client, make_user):
    make_user()
    response = client.get("/auth/set-password/" + "x" * 5000, follow_redirects=True)
    assert response.status_code == 410


# --- E-mail in the log -------------------------------------------------------------------


@pytest.fixture()
def issued_tokens(monkeypatch):
    """Collect every set-password token the app makes."""
    tokens = []
    real = accounts.password_token

    def recording(user):
        tokens.append(real(user))
        return tokens[-1]

    monkeypatch.setattr(accounts, "password_token", recording)
    return tokens


def test_an_invitation_in_the_log_hides_its_token(client, login, make_user, caplog, issued_tokens):
    login(make_user(admin=True))
    with caplog.at_level("DEBUG"):
        response = client.post(
            "/admin/users/new", data={"name": "Nora Ny", "email": "nora@example.org"}
        )
    assert response.status_code == 302
    (token,) = issued_tokens
    assert "To: nora@example.org" in caplog.text
    assert "/auth/set-password/[hidden]" in caplog.text
    assert token not in caplog.text
    assert accounts.user_for_token(token) is not None  # a real token was made and hidden


def test_the_cli_invitation_in_the_log_hides_its_token(runner, caplog, issued_tokens):
    with caplog.at_level("DEBUG"):
        result = runner.invoke(args=["create-user", "cli@example.org", "--name", "C"], input="\n\n")
    assert result.exit_code == 0, result.output
    (token,) = issued_tokens
    assert token not in caplog.text
    assert token not in result.output


def test_development_prints_the_whole_message_to_the_terminal_only(
    app, monkeypatch, caplog, capsys
):
    assert DevelopmentConfig.MAIL_ECHO and not ProductionConfig.MAIL_ECHO
    monkeypatch.setitem(app.config, "MAIL_ECHO", True)
    link = "http://127.0.0.1:5000/auth/set-password/secret.token-123"
    with caplog.at_level("DEBUG"):
        send_mail("dev@example.org", "Hello", f"Choose it here:\n\n{link}\n")
    assert "secret.token-123" not in caplog.text
    assert link in capsys.readouterr().err


def test_tests_and_production_print_nothing(app, caplog, capsys):
    with caplog.at_level("DEBUG"):
        send_mail("x@example.org", "Hello", "http://h/auth/set-password/secret.token-123\n")
    assert "secret.token-123" not in capsys.readouterr().err
    assert "secret.token-123" not in caplog.text


class MailFreeProduction(ProductionConfig):
    SECRET_KEY = "k" * 40
    MAIL_SERVER = None
    MAIL_BACKEND = None


def test_production_refuses_to_start_without_a_mail_server(app):
    with pytest.raises(RuntimeError, match="TRACKER_MAIL_SERVER"):
        MailFreeProduction.check()

    class Database(MailFreeProduction):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    with pytest.raises(RuntimeError, match="TRACKER_MAIL_BACKEND=log"):
        create_app(Database)


def test_production_starts_with_the_log_backend_on_purpose_and_warns(caplog):
    class LogOnPurpose(MailFreeProduction):
        MAIL_BACKEND = "log"

    with caplog.at_level("WARNING"):
        LogOnPurpose.check()
    assert re.search(r"TRACKER_MAIL_BACKEND=log.*not sent", caplog.text)


@pytest.mark.parametrize(
    ("backend", "server", "message"),
    [("smtp", None, "needs TRACKER_MAIL_SERVER"), ("pigeon", "smtp.example.org", "smtp or log")],
)
def test_a_mail_backend_that_cannot_work_is_refused(backend, server, message):
    class Broken(TestConfig):
        MAIL_BACKEND = backend
        MAIL_SERVER = server

    with pytest.raises(RuntimeError, match=message):
        Broken.check()


def test_production_with_a_mail_server_starts_quietly(caplog):
    class WithServer(MailFreeProduction):
        MAIL_SERVER = "smtp.example.org"

    with caplog.at_level("WARNING"):
        WithServer.check()
    assert "MAIL_BACKEND" not in caplog.text
