"""Behind a reverse proxy: the client address for the rate limit and the audit log."""

import pytest
from flask import request, request_started

from config import TestConfig
from tests.conftest import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry


def audit_ips(action: str) -> list[str | None]:
    query = db.select(AuditEntry.ip).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- Behind a reverse proxy --------------------------------------------------------------


@pytest.fixture()
def proxied_app(app):
    """Build an app that trusts one reverse proxy, on the test database."""

    class ProxiedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        PROXY_HOPS = 1

    proxied = create_app(ProxiedConfig)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def seen_by(flask_app):
    """Record the client address and scheme each request of ``flask_app`` sees."""
    seen = []

    def remember(sender, **extra):
        seen.append((request.remote_addr, request.scheme))

    request_started.connect(remember, flask_app)
    return seen, lambda: request_started.disconnect(remember, flask_app)


def test_behind_a_proxy_the_limit_and_the_audit_see_each_client(proxied_app, make_user):
    user = make_user()
    client = proxied_app.test_client()
    attacker = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    wrong = {"email": user.email, "password": "not the password"}
    statuses = [
        client.post("/auth/login", data=wrong, headers=attacker).status_code for _ in range(10)
    ]
    assert statuses == [200] * 10
    assert client.post("/auth/login", data=wrong, headers=attacker).status_code == 429

    colleague = proxied_app.test_client()
    # A client that sends its own X-Forwarded-For gets only the entry the proxy appended.
    headers = {"X-Forwarded-For": "203.0.113.7, 198.51.100.2", "X-Forwarded-Proto": "https"}
    seen, stop = seen_by(proxied_app)
    try:
        response = colleague.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD}, headers=headers
        )
    finally:
        stop()
    assert response.status_code == 302
    assert seen == [("198.51.100.2", "https")]
    assert audit_ips("login_failed") == ["203.0.113.7"] * 10
    assert audit_ips("login") == ["198.51.100.2"]


def test_without_proxy_hops_forwarded_headers_change_nothing(app, client, make_user):
    assert app.config["PROXY_HOPS"] == 0
    user = make_user()
    wrong = {"email": user.email, "password": "not the password"}
    seen, stop = seen_by(app)
    try:
        statuses = [
            client.post(
                "/auth/login",
                data=wrong,
                headers={"X-Forwarded-For": f"192.0.2.{n}", "X-Forwarded-Proto": "https"},
            ).status_code
            for n in range(11)
        ]
    finally:
        stop()
    assert statuses == [200] * 10 + [429]
    assert set(seen) == {("127.0.0.1", "http")}
    assert set(audit_ips("login_failed")) == {"127.0.0.1"}


def test_proxy_hops_must_not_be_negative(app):
    class BadConfig(TestConfig):
        PROXY_HOPS = -1

    with pytest.raises(RuntimeError, match="TRACKER_PROXY_HOPS"):
        BadConfig.check()
