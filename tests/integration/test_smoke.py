from tracker.models import AuditEntry


def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_login_and_logout(client, login, make_user, app):
    user = make_user(name="Kari Nordmann")
    login(user)
    assert "Kari Nordmann" in client.get("/").get_data(as_text=True)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    from tracker.extensions import db

    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions == ["login", "logout"]


def test_an_id_too_large_for_the_database_is_not_found(client, login, make_user):
    login(make_user())
    assert client.get("/plans/99999999999999999999").status_code == 404
    assert client.get("/plans/2147483648").status_code == 404


def test_a_page_number_too_large_for_the_database_is_not_an_error(client, login, make_user):
    login(make_user(admin=True))
    response = client.get("/admin/users", query_string={"page": "99999999999999999999"})
    assert response.status_code == 200
