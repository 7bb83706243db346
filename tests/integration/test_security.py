"""CSRF, no state change on GET, security headers, production settings, log-in rate limit."""

import json
import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from config import DEV_SECRET_KEY, Config, ProductionConfig, TestConfig
from tests.conftest import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, User

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


@contextmanager
def csrf_enabled(app):
    """Check CSRF tokens for the duration of the block, as production does."""
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


# --- CSRF --------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(app, client, make_user):
    user = make_user()
    with csrf_enabled(app):
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert "reload the page" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302

        token = csrf_token_from(client, "/auth/login")
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200


def test_logout_without_csrf_token_is_refused(app, client, login, make_user):
    user = make_user()
    login(user)
    token_before = db.session.get(User, user.id).session_token
    with csrf_enabled(app):
        assert client.post("/auth/logout").status_code == 400
        db.session.expire_all()
        assert db.session.get(User, user.id).session_token == token_before
        assert client.get("/").status_code == 200

        token = csrf_token_from(client, "/")
        assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
        assert client.get("/").status_code == 302


def test_admin_form_without_csrf_token_is_refused(app, client, login, make_user):
    login(make_user(admin=True))
    data = {"name": "Ny Bruker", "email": "ny@example.org"}
    with csrf_enabled(app):
        assert client.post("/admin/users/new", data=data).status_code == 400
        assert (
            client.post("/admin/users/new", data={**data, "csrf_token": "forged"}).status_code
            == 400
        )
        assert db.session.scalar(db.select(User).where(User.email == "ny@example.org")) is None

        token = csrf_token_from(client, "/admin/users/new")
        response = client.post("/admin/users/new", data={**data, "csrf_token": token})
        assert response.status_code == 302
        assert db.session.scalar(db.select(User).where(User.email == "ny@example.org"))


def test_password_link_button_without_csrf_token_is_refused(app, client, login, make_user):
    login(make_user(admin=True))
    other = make_user()
    with csrf_enabled(app):
        assert client.post(f"/admin/users/{other.id}/password-link").status_code == 400
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "password_link_sent" not in actions


def test_a_token_from_another_session_is_refused(app, client, isolated_client, login, make_user):
    login(make_user(admin=True))
    with csrf_enabled(app):
        stranger = isolated_client()
        token = csrf_token_from(stranger, "/auth/login")
        data = {"name": "Ny Bruker", "email": "ny@example.org", "csrf_token": token}
        assert client.post("/admin/users/new", data=data).status_code == 400


# --- No state change on GET --------------------------------------------------------------


def snapshot() -> dict[str, list]:
    """Return every row of every table but the audit log (refusals are audited on GET)."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_entry":
            continue
        ordered = db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
        rows[table.name] = [tuple(row) for row in ordered]
    db.session.rollback()
    return rows


def get_urls(app) -> list[str]:
    """Build a URL for every rule that answers GET, filling ids with 1 and strings with "x"."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {
            name: 1 if isinstance(conv, IntegerConverter) else "x"
            for name, conv in rule._converters.items()
        }
        try:
            urls.append(rule.build(values, append_unknown=False)[1])
        except Exception:  # noqa: S112 - a converter this test does not know: skip the rule
            continue
    return sorted(set(urls))


@pytest.mark.parametrize("who", ["anonymous", "candidate", "admin"])
def test_no_get_request_changes_anything(app, client, login, make_user, make_enrolment, who):
    admin = make_user("admin@example.org", admin=True)
    supervisor = make_user("supervisor@example.org")
    candidate = make_user("candidate@example.org")
    make_enrolment(candidate, supervisor=supervisor)
    if who != "anonymous":
        login(admin if who == "admin" else candidate)
    before = snapshot()
    urls = get_urls(app)
    assert "/admin/users" in urls and "/auth/set-password/x" in urls
    for url in urls:
        client.get(url)
        client.get(url, query_string={"page": "2", "q": "a", "as_of": "2026-01-01"})
    assert snapshot() == before
    if who != "anonymous":
        assert client.get("/").status_code == 200, "a GET logged the user out"


# --- Security headers and production settings --------------------------------------------


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'nonce-" in csp["script-src"]
    assert "'unsafe-inline'" not in csp.get("style-src", "")
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_nonce_changes_with_every_response(client):
    first = client.get("/auth/login").headers["Content-Security-Policy"]
    second = client.get("/auth/login").headers["Content-Security-Policy"]
    assert first != second


def test_error_pages_have_the_headers_too(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.fixture()
def production_app(app):
    """Build an app with the production settings on the test database."""

    class SecureConfig(ProductionConfig):
        SECRET_KEY = "k" * 40
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_STORAGE_URI = "memory://"
        MAIL_SERVER = "smtp.example.org"  # never reached: no test here sends mail

    production = create_app(SecureConfig)
    yield production
    with production.app_context():
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(production_app):
    response = production_app.test_client().get("/auth/login")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert production_app.config["WTF_CSRF_ENABLED"] is not False
    assert production_app.config["PASSWORD_HASH_METHOD"] == "scrypt"


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", "too-short-but-not-the-default"])
def test_production_refuses_a_weak_secret_key(app, key):
    class WeakConfig(ProductionConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY"):
        WeakConfig.check()
    with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY"):
        create_app(WeakConfig)


def test_production_hashes_with_scrypt_and_tests_only_speed_it_up():
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    assert TestConfig.PASSWORD_HASH_METHOD != "scrypt"


# --- Rate limit on log-in ----------------------------------------------------------------


def test_eleventh_login_in_a_minute_gets_a_friendly_429(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": "not the password"}
    statuses = [client.post("/auth/login", data=data).status_code for _ in range(10)]
    assert statuses == [200] * 10
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "<h1>" in page
    assert "Retry-After" in response.headers
    failed = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "login_failed")
    ).all()
    assert len(failed) == 10
    assert all(entry.actor_id == user.id and entry.ip for entry in failed)
    # Showing the form is not limited.
    assert client.get("/auth/login").status_code == 200


def test_rate_limit_does_not_affect_other_pages(client, login, make_user):
    user = make_user()
    for _ in range(11):
        client.post("/auth/login", data={"email": user.email, "password": "wrong password!"})
    assert client.post("/auth/forgot", data={"email": user.email}).status_code == 302


# Without TRACKER_TEST_REDIS_URL the test tries this local Redis and is skipped if none answers;
# CI sets the variable, and then a Redis that does not answer fails the test instead.
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/15"

REDIS_SCRIPT = """
import json, sys
from config import TestConfig
from tracker import create_app

class RedisConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = sys.argv[1]
    RATELIMIT_STORAGE_URI = sys.argv[2]
    RATELIMIT_KEY_PREFIX = sys.argv[3]

app = create_app(RedisConfig)
client = app.test_client()
data = {"email": "nobody@example.org", "password": "not a password"}
print(json.dumps([client.post("/auth/login", data=data).status_code for _ in range(11)]))
"""


@pytest.fixture()
def redis_url() -> str:
    """Return the URL of a Redis that answers; fail if the one named for CI does not, else skip."""
    configured = os.environ.get("TRACKER_TEST_REDIS_URL")
    url = configured or LOCAL_REDIS_URL
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as connection:
            connection.ping()
    except (redis.RedisError, OSError, ValueError) as error:
        reason = f"Redis is not reachable at {url}: {error}"
        if configured:
            pytest.fail(reason)
        pytest.skip(f"{reason} (TRACKER_TEST_REDIS_URL makes this a failure)")
    return url


def test_login_limit_with_redis_storage(app, redis_url):
    """Count attempts in Redis, shared by every worker, so the limit holds across processes.

    The app runs in a child process: Flask-Limiter keeps its storage on the one extension
    object, and a second app in this process would swap it under the test session's feet.
    """
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with redis.Redis.from_url(redis_url) as connection:
        try:
            result = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-W", "error", "-c", REDIS_SCRIPT, database, redis_url, prefix],
                capture_output=True,
                text=True,
                cwd=PROJECT_ROOT,
                env=env,
                timeout=60,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            statuses = json.loads(result.stdout.strip().splitlines()[-1])
            assert statuses == [200] * 10 + [429]
            assert connection.keys(f"*{prefix}*"), "the attempts were not counted in Redis"
        finally:
            if keys := connection.keys(f"*{prefix}*"):
                connection.delete(*keys)


@pytest.mark.parametrize(
    ("secret", "starts"), [("s3cr3t-" * 8, True), ("", False), (DEV_SECRET_KEY, False)]
)
def test_production_reads_the_secret_key_from_the_environment(tmp_path, secret, starts):
    # A fresh interpreter, as gunicorn would start it: config.py reads the environment.
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": secret,
        "TRACKER_MAIL_SERVER": "smtp.example.org",
        "TRACKER_INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from wsgi import app; print(app.config['HSTS'])"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) is starts, result.stderr[-500:]
    if starts:
        assert result.stdout.strip() == "True"
