"""What a load balancer and an operator read: health checks and the request log."""

import json
import logging

from sqlalchemy import text

from tracker.extensions import db
from tracker.requestlog import JsonLines


def test_healthz_answers_without_a_session_or_a_log_line(client, caplog):
    with caplog.at_level("INFO", logger="tracker.requests"):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in response.headers
    assert caplog.records == []


def test_readyz_checks_the_database_the_migrations_and_redis(app, client, redis_url):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
    }
    app.config["REDIS_URL"] = redis_url
    try:
        assert client.get("/readyz").json["checks"]["redis"] == "ok"
        app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
        failing = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert failing.status_code == 503 and failing.json["ready"] is False
    assert failing.json["checks"]["redis"].startswith("failed")


def test_readyz_tells_when_the_database_lags_behind_the_code(client):
    current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = 'db461e7b352b'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    assert response.status_code == 503
    assert response.json["checks"]["migrations"].startswith("at db461e7b352b")


def test_every_request_is_logged_with_its_id_user_route_status_and_time(
    client, login, make_user, caplog
):
    user = make_user("kari@example.org")
    login(user)
    with caplog.at_level("INFO", logger="tracker.requests"):
        response = client.get("/plans/12345", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "abc-123"
    assert "abc-123" in response.get_data(as_text=True)  # on the error page, to quote
    (record,) = [r for r in caplog.records if r.name == "tracker.requests"]
    assert (record.request_id, record.user_id, record.method, record.route, record.status) == (
        "abc-123", user.id, "GET", "/plans/<int:enrolment_id>", 404,
    )  # fmt: skip
    assert record.duration_ms >= 0
    line = json.loads(JsonLines().format(record))
    assert line["route"] == "/plans/<int:enrolment_id>" and line["level"] == "INFO"


def test_a_request_id_that_is_no_id_is_replaced(client):
    response = client.get("/auth/login", headers={"X-Request-ID": "<script>x" + "y" * 80})
    assert "<" not in response.headers["X-Request-ID"]
    assert len(response.headers["X-Request-ID"]) == 32


def test_json_lines_carry_the_exception(caplog):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("tracker.test").exception("failed")
    line = json.loads(JsonLines().format(caplog.records[-1]))
    assert line["message"] == "failed" and "ValueError: boom" in line["exception"]
