"""TRACKER_LOCAL_LOGIN=0 (no passwords for anyone), log-in links, and the SSO settings."""

import re
import time

import pytest
from itsdangerous import TimestampSigner

from config import Config, ProductionConfig
from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEntry, OutboxMessage, User
from tracker.services import accounts, login_links


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


@pytest.fixture()
def no_passwords(app, monkeypatch):
    """Password log-in off, as with a provider configured (never contacted by these tests)."""
    monkeypatch.setitem(app.config, "LOCAL_LOGIN", False)
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "https://id.example.org")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "tracker")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", "secret")
    monkeypatch.setitem(app.config, "OIDC_LABEL", "Log in with Feide")
    monkeypatch.setitem(app.config, "OIDC_LABEL_NB", "Logg inn med Feide")


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def link_path(link: str) -> str:
    return link.removeprefix("http://127.0.0.1:5000")


# --- Password log-in turned off ---------------------------------------------------------------


def test_the_log_in_page_offers_the_provider_only(client, no_passwords):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Log in with Feide" in page
    assert 'name="password"' not in page and "Forgot password?" not in page
    nb = client.get("/auth/login", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Logg inn med Feide" in nb


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/auth/login"),
        ("GET", "/auth/forgot"),
        ("POST", "/auth/forgot"),
        ("GET", "/auth/set-password/some-token"),
        ("GET", "/auth/set-password"),
    ],
)
def test_every_password_route_is_gone(client, no_passwords, make_user, method, path):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.open(path, method=method, data=data)
    assert response.status_code == 404
    assert not is_logged_in(client)


def test_a_logged_in_user_has_no_password_to_change(client, app, login, make_user, monkeypatch):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "Change password" in client.get("/").get_data(as_text=True)
    monkeypatch.setitem(app.config, "LOCAL_LOGIN", False)
    assert "Change password" not in client.get("/").get_data(as_text=True)
    assert client.get("/auth/password").status_code == 404


def test_new_people_are_invited_to_log_in_with_the_institution(
    client, no_passwords, make_user, runner
):
    admin = make_user("admin@example.org", admin=True)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["login_at"] = session["seen_at"] = 2_000_000_000
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "inviting them to log in with their institution" in page
    data = {"name": "Kari Nordmann", "email": "kari@example.org"}
    response = client.post("/admin/users/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "An invitation to log in was sent to kari@example.org." in page
    assert "E-mail a new password link" not in page
    kari = accounts.get_user_by_email("kari@example.org")
    assert client.post(f"/admin/users/{kari.id}/password-link").status_code == 404
    message = db.session.scalar(db.select(OutboxMessage))
    assert "Log in with your institution's account here:" in message.body
    assert "http://127.0.0.1:5000/auth/login" in message.body
    assert "set-password" not in message.body

    result = runner.invoke(args=["create-user", "ola@example.org", "--name", "Ola"])
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # no prompt for one
    assert "invitation to log in with the institution's account" in result.output


def test_a_reset_link_is_refused_without_password_log_in(no_passwords, make_user):
    user = make_user()
    with pytest.raises(accounts.AccountError):
        accounts.send_password_link(user, "reset")


# --- Log-in links for administrators ------------------------------------------------------------


def test_an_administrator_logs_in_with_a_one_time_link(client, no_passwords, runner, make_user):
    admin = make_user("admin@example.org", admin=True)
    result = runner.invoke(args=["login-link", "Admin@Example.org"])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/auth/login-link/[\w.-]+", link), link

    # The token leaves the address bar; a GET shows a button and logs nobody in.
    response = client.get(link_path(link))
    assert response.headers["Location"] == "/auth/login-link"
    page = client.get("/auth/login-link").get_data(as_text=True)
    assert "logs you in as" in page and "admin@example.org" in page
    assert not is_logged_in(client)
    assert client.post("/auth/login-link").status_code == 302
    assert is_logged_in(client)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "login"))
    assert (entry.actor_id, entry.detail) == (admin.id, {"method": "login_link"})

    # Used once, it works no more, in this browser or another.
    client.post("/auth/logout")
    again = client.get(link_path(link))
    assert client.get(again.headers["Location"]).status_code == 410


def test_a_log_in_link_expires(client, runner, make_user, monkeypatch):
    make_user("admin@example.org", admin=True)
    link = runner.invoke(args=["login-link", "admin@example.org"]).output.strip()
    client.get(link_path(link))
    assert client.get("/auth/login-link").status_code == 200
    later = int(time.time()) + login_links.LOGIN_LINK_MINUTES * 60 + 2
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    page = client.get("/auth/login-link")
    assert page.status_code == 410
    assert "has expired or has already been used" in page.get_data(as_text=True)


def test_a_link_stops_working_when_the_admin_logs_out_everywhere(client, runner, make_user):
    admin = make_user("admin@example.org", admin=True)
    link = runner.invoke(args=["login-link", "admin@example.org"]).output.strip()
    db.session.get(User, admin.id).end_sessions()
    db.session.commit()
    client.get(link_path(link))
    assert client.get("/auth/login-link").status_code == 410


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not an address", "EMAIL"),
        ("nobody@example.org", "no user has the address nobody@example.org"),
        ("candidate@example.org", "only for active administrators"),
        ("former@example.org", "only for active administrators"),
    ],
)
def test_log_in_links_only_for_active_administrators(runner, make_user, address, message):
    make_user("candidate@example.org")
    former = make_user("former@example.org", admin=True)
    former.active = False
    db.session.commit()
    result = runner.invoke(args=["login-link", address])
    assert result.exit_code == 2
    assert message in result.output
    assert "login-link/" not in result.output


def test_a_tampered_link_is_refused(client, runner, make_user):
    make_user("admin@example.org", admin=True)
    link = runner.invoke(args=["login-link", "admin@example.org"]).output.strip()
    client.get(link_path(link)[:-2] + "xx")
    assert client.get("/auth/login-link").status_code == 410
    assert client.get("/auth/login-link/" + "x" * 400).status_code == 302
    assert client.get("/auth/login-link").status_code == 410


# --- Settings ---------------------------------------------------------------------------------


def _config(base: type[Config], **settings: object) -> type[Config]:
    return type("Settings", (base,), settings)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"OIDC_ISSUER": "https://id.example.org"}, "TRACKER_OIDC_CLIENT_ID"),
        (
            {"OIDC_ISSUER": "https://id.example.org", "OIDC_CLIENT_ID": "x",
             "OIDC_CLIENT_SECRET": "y", "OIDC_SCOPES": "email profile"},
            "must include openid",
        ),
        ({"LOCAL_LOGIN": False}, "TRACKER_LOCAL_LOGIN=0 needs TRACKER_OIDC_ISSUER"),
    ],
)  # fmt: skip
def test_settings_that_cannot_work_are_refused(settings, message):
    with pytest.raises(RuntimeError, match=message):
        _config(Config, **settings).check()


def test_production_wants_an_https_issuer():
    settings = {
        "SECRET_KEY": "k" * 40,
        "MAIL_SERVER": "smtp.example.org",
        "OIDC_ISSUER": "http://id.example.org",
        "OIDC_CLIENT_ID": "tracker",
        "OIDC_CLIENT_SECRET": "secret",
    }
    with pytest.raises(RuntimeError, match="https://"):
        _config(ProductionConfig, **settings).check()
    settings["OIDC_ISSUER"] = "https://auth.dataporten.no"
    _config(ProductionConfig, **settings).check()
