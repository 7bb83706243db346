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
