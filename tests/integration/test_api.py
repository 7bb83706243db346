"""GET /api/v1/stats: the statistics document for coordinators and administrators; JSON errors."""

from datetime import date

import pytest

from tests.integration import stats_dataset as data
from tracker.models import AuditEntry


@pytest.fixture()
def dataset(app):
    return data.build()


@pytest.fixture()
def org(dataset, make_programme, make_user):
    ie = data.programme("PHD-CS", "IE")
    other = make_programme("PHD-MATH", "NV")
    same_faculty = make_programme("PHD-EE", "IE")
    return {
        "admin": make_user("admin@example.org", admin=True),
        "faculty_coord": make_user("fac@example.org", coordinator_of=[ie.faculty]),
        "programme_coord": make_user("prog@example.org", coordinator_of=[ie]),
        "math_coord": make_user("math@example.org", coordinator_of=[other]),
        "multi_coord": make_user("multi@example.org", coordinator_of=[ie, other]),
        "candidate": make_user("plain@example.org"),
        "ee": same_faculty,
    }


def _get(client, **params):
    return client.get("/api/v1/stats", query_string=params)


def test_admin_gets_the_institution_document(org, login, client):
    login(org["admin"])
    response = _get(client, as_of=data.AS_OF.isoformat())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == data.expected_document()
    # Keys in the order of the contract (not sorted alphabetically).
    assert response.get_data(as_text=True).lstrip().startswith('{"as_of"')


def test_default_as_of_is_today(org, login, client):
    login(org["admin"])
    assert _get(client).get_json()["as_of"] == date.today().isoformat()


@pytest.mark.parametrize(
    ("who", "params", "filters"),
    [
        ("admin", {"faculty": "IE"}, {"faculty": "IE", "programme": None}),
        ("admin", {"programme": "PHD-CS"}, {"faculty": None, "programme": "PHD-CS"}),
        ("faculty_coord", {}, {"faculty": "IE", "programme": None}),  # single scope: default
        ("faculty_coord", {"programme": "PHD-CS"}, {"faculty": None, "programme": "PHD-CS"}),
        (
            "faculty_coord",
            {"faculty": "IE", "programme": "PHD-CS"},
            {"faculty": "IE", "programme": "PHD-CS"},
        ),
        ("programme_coord", {}, {"faculty": None, "programme": "PHD-CS"}),
        ("multi_coord", {"programme": "PHD-CS"}, {"faculty": None, "programme": "PHD-CS"}),
    ],
)
def test_allowed_requests(org, login, client, who, params, filters):
    login(org[who])
    response = _get(client, as_of=data.AS_OF.isoformat(), **params)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == data.expected_document(filters)


@pytest.mark.parametrize(
    ("who", "params", "code"),
    [
        ("programme_coord", {"faculty": "IE"}, "IE"),  # a programme is not the whole faculty
        ("programme_coord", {"programme": "PHD-MATH"}, "PHD-MATH"),
        ("math_coord", {"programme": "PHD-CS"}, "PHD-CS"),
        ("math_coord", {"faculty": "IE"}, "IE"),
        ("faculty_coord", {"programme": "PHD-MATH"}, "PHD-MATH"),
    ],
)
def test_outside_the_scope_is_404_like_an_unknown_code(org, login, client, who, params, code):
    login(org[who])
    response = _get(client, **params)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 404
    assert error["message"].endswith(f"with the code {code} that you may see.")
    assert "access_refused" in [e.action for e in _audit()]


@pytest.mark.parametrize("params", [{}, {"programme": "PHD-CS"}, {"programme": "NOPE"}])
def test_people_who_coordinate_nothing_get_403_in_json(org, login, client, params):
    login(org["candidate"])
    response = _get(client, **params)
    assert response.status_code == 403
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["status"] == 403
    assert "access_refused" in [e.action for e in _audit()]


def _audit():
    from tracker.extensions import db

    return db.session.scalars(db.select(AuditEntry)).all()


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"faculty": "NOPE"}, 404, "NOPE"),
        ({"programme": "NOPE"}, 404, "NOPE"),
        ({"faculty": "NV", "programme": "PHD-CS"}, 400, "not in faculty"),
        ({"as_of": "2026-02-30"}, 400, "YYYY-MM-DD"),
        ({"as_of": "30.06.2026"}, 400, "YYYY-MM-DD"),
        ({"as_of": "20260630"}, 400, "YYYY-MM-DD"),
        ({"as_of": "0001-01-01"}, 400, "YYYY-MM-DD"),
    ],
)
def test_bad_requests_are_json(org, login, client, params, status, words):
    login(org["admin"])
    response = _get(client, **params)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status and words in body["error"]["message"]


def test_unknown_code_is_404_even_for_a_coordinator(org, login, client):
    login(org["programme_coord"])
    response = _get(client, programme="NOPE")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == (
        "There is no programme with the code NOPE that you may see."
    )


def test_several_scopes_without_a_filter_asks_to_choose(org, login, client):
    login(org["multi_coord"])
    response = _get(client)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["programmes"] == ["PHD-CS", "PHD-MATH"] and error["faculties"] == []


def test_not_logged_in_is_401_json(org, client):
    response = _get(client)
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_unknown_endpoint_and_wrong_method_are_json(org, login, client):
    login(org["admin"])
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    post = client.post("/api/v1/stats")
    assert post.status_code == 405 and post.get_json()["error"]["status"] == 405
    assert "GET" in post.headers["Allow"]


def test_post_with_csrf_checks_on_is_refused_in_json(org, app, login, client):
    login(org["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/stats")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (400, 405)
    assert response.mimetype == "application/json"


def test_server_error_is_json(org, app, login, client, monkeypatch):
    from tracker.queries import stats

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    login(org["admin"])
    monkeypatch.setattr(stats, "get_statistics", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = _get(client)
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
