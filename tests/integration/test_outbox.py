"""The outbox: every e-mail is written with its cause, delivered once, never lost."""

import json
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes

import pytest

from tests.plan_support import STAY_FORM, people, signed_in
from tracker import jobs
from tracker.domain.vocabulary import MailStatus
from tracker.extensions import db, limiter
from tracker.models import OutboxMessage, Plan
from tracker.models.base import utcnow
from tracker.services import outbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on loopback whose answer to DATA the test chooses."""

    def __init__(self, reply: str = "250 OK") -> None:
        from aiosmtpd.controller import Controller

        self.reply = reply
        self.received: list = []
        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
                if server.reply.startswith("250"):
                    server.received.append(message_from_bytes(envelope.content))
                return server.reply

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture()
def mail_config(app):
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    yield app.config
    app.config.update(saved)


def _plan_lock(enrolment_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(Plan.lock_version).where(Plan.enrolment_id == enrolment_id))


def _messages(status: MailStatus | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def test_a_change_that_rolls_back_sends_nothing(app, make_user, mailbox):
    user = make_user("kari@example.org")
    outbox.queue_mail(user, "Hello", "Body", kind="notification")
    db.session.rollback()
    jobs.run_pending()
    outbox.deliver_due(include_waiting=True)
    assert _messages() == [] and list(mailbox) == []


def test_a_message_is_sent_once_and_recorded(app, make_user, mailbox):
    user = make_user("kari@example.org")
    outbox.queue_mail(user, "Hello", "Body", kind="notification")
    db.session.commit()
    jobs.run_pending()
    assert outbox.deliver_due(include_waiting=True).sent == 0  # nothing left to send
    (message,) = _messages()
    assert message.status == MailStatus.SENT and message.attempts == 1 and message.sent_at
    assert [m["To"] for m in mailbox] == ["kari@example.org"]


def test_fifty_actions_while_the_server_is_down_are_all_delivered_once_it_is_up(
    app, make_user, make_programme, make_enrolment, isolated_client, runner, mail_config
):
    port = free_port()
    mail_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)  # nothing listens yet
    cast = people(make_user, make_programme, make_enrolment)
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    candidates = [cast["candidate"]]
    for n in range(9):
        person = make_user(f"cand{n}@example.org", f"Cand {n}")
        make_enrolment(person, programme=cast["programme"], supervisor=cast["supervisor"])
        candidates.append(person)
    enrolments = [c.enrolments[0] for c in candidates]
    for candidate, enrolment in zip(candidates, enrolments, strict=True):  # 10 submissions
        limiter.reset()  # one address logs in a dozen people here
        client = signed_in(isolated_client, candidate)
        client.post(f"/plans/{enrolment.id}/start")
        client.post(f"/plans/{enrolment.id}/stays/new", data=STAY_FORM)
        lock = _plan_lock(enrolment.id)
        response = client.post(f"/plans/{enrolment.id}/submit", data={"lock_version": lock})
        assert response.status_code in (302, 303)
    limiter.reset()
    supervisor = signed_in(isolated_client, cast["supervisor"])
    for enrolment in enrolments:  # 10 decisions
        response = supervisor.post(
            f"/review/plans/{enrolment.id}/approve",
            data={"approve-lock_version": _plan_lock(enrolment.id), "approve-comment": ""},
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    limiter.reset()
    as_admin = signed_in(isolated_client, admin)
    for n in range(10):  # 10 invitations
        as_admin.post("/admin/users/new", data={"name": f"New {n}", "email": f"new{n}@example.org"})
    anonymous = isolated_client()
    limiter.reset()
    for n in range(10):  # 10 password resets (the rate limit allows 10 a minute)
        anonymous.post("/auth/forgot", data={"email": f"new{n}@example.org"})
    queued = _messages(MailStatus.QUEUED)
    assert len(queued) >= 40
    runner.invoke(args=["remind", "--as-of", "2030-06-01"])
    queued = _messages(MailStatus.QUEUED)
    assert len(queued) >= 50, len(queued)
    assert all(m.attempts >= 1 and m.last_error for m in queued)  # tried, refused, kept

    with SmtpServer() as server:
        mail_config.update(MAIL_PORT=server.controller.port)
        outbox.deliver_due()  # nothing is due yet: each waits for its retry
        assert server.received == []
        result = runner.invoke(args=["mail", "deliver", "--now"])
        assert result.exit_code == 0, result.output
        runner.invoke(args=["mail", "deliver", "--now"])  # a second run finds nothing
    assert len(server.received) == len(queued)
    sent = _messages(MailStatus.SENT)
    assert len(sent) == len(queued)
    assert len({m.id for m in sent}) == len(sent)


@pytest.mark.parametrize(
    ("reply", "status"),
    [("550 No such user here", MailStatus.FAILED), ("451 Try again later", MailStatus.QUEUED)],
)
def test_a_permanent_refusal_fails_at_once_a_temporary_one_waits(
    app, make_user, mail_config, reply, status
):
    with SmtpServer(reply) as server:
        mail_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.controller.port)
        outbox.queue_mail(make_user("kari@example.org"), "Hello", "Body", kind="notification")
        db.session.commit()
        jobs.run_pending()
    (message,) = _messages()
    assert message.status == status and message.attempts == 1
    assert message.last_error.startswith(reply[:3])
    if status == MailStatus.QUEUED:
        wait = message.due_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        assert timedelta(seconds=50) < wait <= timedelta(minutes=1)


def test_a_message_is_given_up_after_the_configured_time(app, make_user, mail_config):
    mail_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    message = outbox.queue_mail(make_user(), "Hello", "Body", kind="notification")
    message.queued_at = utcnow() - timedelta(hours=48, seconds=1)
    db.session.commit()
    outbox.deliver_due()
    (message,) = _messages()
    assert message.status == MailStatus.FAILED


@pytest.mark.parametrize("workers", [2, 4])
def test_several_workers_deliver_each_message_once(app, make_user, mailbox, workers):
    users = [make_user(f"u{n}@example.org") for n in range(5)]
    for n in range(60):
        outbox.queue_mail(users[n % 5], f"Message {n}", "Body", kind="notification")
    db.session.commit()
    db.session.info.clear()  # deliver below with racing workers, not after this commit
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                outbox.deliver_due()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    subjects = sorted(m["Subject"] for m in mailbox)
    assert subjects == sorted(f"Message {n}" for n in range(60))
    assert len(_messages(MailStatus.SENT)) == 60


def test_a_decision_does_not_wait_for_a_mail_server_that_never_answers(
    app, make_user, make_programme, make_enrolment, isolated_client, mail_config, redis_url
):
    """With a worker queue, the request only writes the message; it talks to no server."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections, never says a word
    mail_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1],
                       REDIS_URL=redis_url)  # fmt: skip
    try:
        cast = people(make_user, make_programme, make_enrolment)
        eid = cast["enrolment"].id
        client = signed_in(isolated_client, cast["candidate"])
        client.post(f"/plans/{eid}/start")
        client.post(f"/plans/{eid}/stays/new", data=STAY_FORM)
        started = time.monotonic()
        response = client.post(f"/plans/{eid}/submit", data={"lock_version": _plan_lock(eid)})
        assert time.monotonic() - started < 2
        assert response.status_code in (302, 303)
        assert len(_messages(MailStatus.QUEUED)) == 1
        assert jobs.queue().count >= 1
    finally:
        app.config["REDIS_URL"] = None
        silent.close()


def test_an_rq_worker_delivers_the_queued_mail(app, make_user, mailbox, runner, redis_url):
    app.config["REDIS_URL"] = redis_url
    try:
        outbox.queue_mail(make_user("kari@example.org"), "Hello", "Body", kind="notification")
        db.session.commit()
        jobs.run_pending()
        assert list(mailbox) == []  # waiting on Redis for a worker
        result = runner.invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
    finally:
        app.config["REDIS_URL"] = None
    assert [m["To"] for m in mailbox] == ["kari@example.org"]


def test_the_administrator_sees_failures_and_resends_them(
    app, make_user, login, client, mail_config, mailbox
):
    user = make_user("kari@example.org")
    for n in range(2):
        message = outbox.queue_mail(user, f"Hello {n}", "Body", kind="notification")
        message.status, message.last_error = MailStatus.FAILED, "550 5.1.1 No such user"
    db.session.commit()
    db.session.info.clear()
    login(make_user("admin@example.org", admin=True))
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "550 5.1.1 No such user" in page and "Hello 1" in page
    first = _messages()[0]
    client.post(f"/admin/mail/{first.id}/resend")
    assert [m["Subject"] for m in mailbox] == ["Hello 0"]
    client.post("/admin/mail/resend")
    assert sorted(m["Subject"] for m in mailbox) == ["Hello 0", "Hello 1"]
    assert "No e-mail has failed." in client.get("/admin/mail").get_data(as_text=True)


def test_mail_status_prints_the_counts(app, make_user, runner):
    outbox.queue_mail(make_user(), "Hello", "Body", kind="notification")
    db.session.commit()
    db.session.info.clear()
    result = runner.invoke(args=["mail", "status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {"queued": 1, "sent": 0, "failed": 0}
