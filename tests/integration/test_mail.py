"""E-mail through a real SMTP server on loopback: invitations and password links."""

import re
from email.message import Message

import pytest

from tests.conftest import PASSWORD
from tracker import jobs
from tracker.extensions import db
from tracker.mail import send_mail
from tracker.models import User
from tracker.services import accounts

NEW_PASSWORD = "invited and now with a password"


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


def link_in(app, message: Message) -> str:
    """Return the one set-password link of the message, as a path on this app."""
    (link,) = re.findall(
        r"https?://\S+/auth/set-password/\S+", message.get_payload(decode=True).decode()
    )
    assert link.startswith(f"{app.config['BASE_URL']}/auth/set-password/")
    return link.removeprefix(app.config["BASE_URL"])


def test_send_mail_delivers_a_plain_text_message(app, mailbox):
    send_mail("someone@example.org", "Hello", "Æ, ø and å travel fine.\n")
    (message,) = mailbox
    assert message["To"] == "someone@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Hello"
    assert "Æ, ø and å" in message.get_payload(decode=True).decode()


def test_invitation_arrives_with_a_working_link(
    app, client, isolated_client, login, make_user, mailbox
):
    login(make_user("admin@example.org", admin=True))
    response = client.post(
        "/admin/users/new", data={"name": "Nora Ny", "email": "nora@example.org"}
    )
    assert response.status_code == 302

    (message,) = mailbox.to("nora@example.org")
    assert message["Subject"] == "Your account in the mobility plan tracker"
    text = message.get_payload(decode=True).decode()
    assert "Hello Nora Ny" in text
    assert "expires in 72 hours" in text
    path = link_in(app, message)

    visitor = isolated_client()
    form = visitor.get(path, follow_redirects=True)
    assert form.status_code == 200
    assert "nora@example.org" in form.get_data(as_text=True)
    page = form.request.path
    done = visitor.post(page, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    logged_in = visitor.post(
        "/auth/login", data={"email": "nora@example.org", "password": NEW_PASSWORD}
    )
    assert logged_in.status_code == 302
    assert visitor.get(path, follow_redirects=True).status_code == 410


def test_forgot_password_for_a_known_address_sends_one_link(app, client, make_user, mailbox):
    user = make_user("kari@example.org", "Kari")
    client.post("/auth/forgot", data={"email": "Kari@Example.org"})
    (message,) = mailbox
    assert message["To"] == "kari@example.org"
    assert message["Subject"] == "Set a new password for the mobility plan tracker"
    client.get(link_in(app, message))
    client.post("/auth/set-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_forgot_password_for_an_unknown_address_sends_nothing(client, make_user, mailbox):
    make_user("kari@example.org")
    response = client.post("/auth/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert list(mailbox) == []


def test_a_new_link_from_the_admin_page_arrives(app, client, login, make_user, mailbox):
    login(make_user("admin@example.org", admin=True))
    user = make_user("ola@example.org", "Ola")
    client.post(f"/admin/users/{user.id}/password-link")
    (message,) = mailbox.to("ola@example.org")
    token = link_in(app, message).rsplit("/", 1)[1]
    assert accounts.user_for_token(token) == user


def test_create_user_command_mails_the_invitation(app, runner, mailbox):
    result = runner.invoke(args=["create-user", "cli@example.org", "--name", "Cli"], input="\n\n")
    assert result.exit_code == 0, result.output
    (message,) = mailbox.to("cli@example.org")
    assert "Hello Cli" in message.get_payload(decode=True).decode()
    token = link_in(app, message).rsplit("/", 1)[1]
    assert accounts.user_for_token(token) == accounts.get_user_by_email("cli@example.org")


def test_create_user_command_with_a_password_mails_nothing(runner, mailbox):
    result = runner.invoke(
        args=["create-user", "pw@example.org", "--name", "Pw"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert list(mailbox) == []


def test_mail_is_written_in_the_users_language(app, make_user, mailbox):
    user = make_user("nb@example.org", "Nora")
    user.locale = "nb"
    db.session.commit()
    accounts.send_password_link(user, "reset")
    db.session.commit()
    jobs.run_pending()
    (message,) = mailbox
    assert message["Subject"]  # translated when a catalogue exists; never empty
    assert link_in(app, message)
