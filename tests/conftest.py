"""Fixtures shared by every test: the app, a clean database per test, factories, login."""

import os
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from config import TestConfig
from tracker import create_app
from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus, StayStatus
from tracker.extensions import db, limiter
from tracker.models import CoordinatorScope, Enrolment, Faculty, Programme, Stay, User

PASSWORD = "correct horse battery staple"


def database_url(tmp_dir: Path) -> str:
    """Return the test database: TRACKER_TEST_DATABASE_URL, else a SQLite file."""
    return os.environ.get("TRACKER_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite'}"


def build_schema(app: Flask) -> None:
    """Drop whatever is there and build the schema with the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


class ClosingClient(FlaskClient):
    """A test client that closes every response as a server does and waits for the jobs
    the request handed to the job thread, so a test sees their effects at once."""

    def open(self, *args, **kwargs):
        from tracker import jobs

        kwargs.setdefault("buffered", True)
        response = super().open(*args, **kwargs)
        jobs.wait_for_jobs()
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp_dir = tmp_path_factory.mktemp("db")

    class SessionConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(tmp_dir)

    os.environ["TRACKER_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    application = create_app(SessionConfig)
    application.test_client_class = ClosingClient
    build_schema(application)
    yield application
    with application.app_context():
        db.engine.dispose()


def truncate_all() -> None:
    """Remove every row from every table, in one statement where the database allows it."""
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for name in reversed(tables):
            db.session.execute(sa.text(f'DELETE FROM "{name}"'))  # noqa: S608
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Give each test an app context and an empty database; reset rate limits."""
    if "app" not in request.fixturenames and not request.node.get_closest_marker("browser"):
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    with flask_app.app_context():
        limiter.reset()
        yield
        db.session.rollback()
        truncate_all()
        db.session.remove()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class CliRunner(FlaskCliRunner):
    """Run commands as `flask` does; the test's app context stands in for the command's.

    A real command's app context ends with the command, which runs its in-process
    jobs (e-mail delivery); here the test's context lives on, so run them now.
    """

    def invoke(self, *args, **kwargs):
        from tracker import jobs

        result = super().invoke(*args, **kwargs)
        jobs.run_pending()
        return result


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return CliRunner(app)


@pytest.fixture()
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(
        email: str | None = None,
        name: str | None = None,
        *,
        password: str | None = PASSWORD,
        admin: bool = False,
        coordinator_of: list[Faculty | Programme] | None = None,
    ) -> User:
        n = next(counter)
        user = User(email=(email or f"user{n}@example.org").lower(), name=name or f"User {n}")
        if password:
            user.set_password(password, method=app.config["PASSWORD_HASH_METHOD"])
        user.is_admin = admin
        for target in coordinator_of or []:
            if isinstance(target, Faculty):
                user.coordinator_scopes.append(CoordinatorScope(faculty=target))
            else:
                user.coordinator_scopes.append(CoordinatorScope(programme=target))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture()
def make_programme(app: Flask) -> Callable[..., Programme]:
    def make(code: str = "PHD-CS", faculty_code: str = "IE", name: str | None = None) -> Programme:
        faculty = db.session.scalar(db.select(Faculty).where(Faculty.code == faculty_code))
        if faculty is None:
            faculty = Faculty(code=faculty_code, name=f"Faculty {faculty_code}")
            db.session.add(faculty)
        programme = Programme(code=code, name=name or f"Programme {code}", faculty=faculty)
        db.session.add(programme)
        db.session.commit()
        return programme

    return make


@pytest.fixture()
def make_enrolment(
    app: Flask, make_user: Callable[..., User], make_programme: Callable[..., Programme]
) -> Callable[..., Enrolment]:
    def make(
        person: User | None = None,
        *,
        programme: Programme | None = None,
        kind: EnrolmentKind = EnrolmentKind.PHD,
        start_date: date = date(2024, 1, 15),
        expected_end_date: date | None = None,
        end_date: date | None = None,
        status: EnrolmentStatus = EnrolmentStatus.ACTIVE,
        supervisor: User | None = None,
        co_supervisors: list[User] | None = None,
        international_experience: bool = False,
    ) -> Enrolment:
        if programme is None:
            programme = db.session.scalar(db.select(Programme).limit(1)) or make_programme()
        enrolment = Enrolment(
            person=person or make_user(),
            programme=programme,
            kind=kind,
            start_date=start_date,
            expected_end_date=expected_end_date
            or date(start_date.year + (4 if kind == EnrolmentKind.PHD else 2), start_date.month, 1),
            end_date=end_date,
            status=status,
            main_supervisor=supervisor,
            co_supervisors=co_supervisors or [],
            international_experience=international_experience,
        )
        db.session.add(enrolment)
        db.session.commit()
        return enrolment

    return make


@pytest.fixture()
def make_stay(app: Flask) -> Callable[..., Stay]:
    def make(
        enrolment: Enrolment,
        *,
        country: str = "DE",
        start_date: date = date(2025, 3, 1),
        end_date: date = date(2025, 5, 31),
        status: StayStatus = StayStatus.PLANNED,
        host_institution: str = "Technische Universität München",
        in_approved_plan: bool = False,
    ) -> Stay:
        stay = Stay(
            enrolment=enrolment,
            host_institution=host_institution,
            country=country,
            start_date=start_date,
            end_date=end_date,
            status=status,
        )
        stay.mark_approved(in_approved_plan)
        db.session.add(stay)
        db.session.commit()
        return stay

    return make


@pytest.fixture()
def people(
    make_user: Callable[..., User],
    make_programme: Callable[..., Programme],
    make_enrolment: Callable[..., Enrolment],
    make_stay: Callable[..., Stay],
) -> Programme:
    """Six people in programme P1 of faculty IE: PhD candidates and postdocs, every other
    one with a stay done; the programme."""
    programme = make_programme("P1", "IE")
    for i in range(6):
        enrolment = make_enrolment(
            make_user(f"c{i}@example.org"),
            programme=programme,
            kind=EnrolmentKind.PHD if i % 3 else EnrolmentKind.POSTDOC,
            start_date=date(2021 + i % 3, 9, 1),
        )
        if i % 2:
            make_stay(
                enrolment,
                status=StayStatus.COMPLETED,
                start_date=date(2024, 2, 1),
                end_date=date(2024, 5, 31),
            )
    return programme


@pytest.fixture()
def login(client: FlaskClient) -> Callable[..., FlaskClient]:
    """Log a user in through the real login form and return the client."""

    def do_login(user: User, password: str = PASSWORD) -> FlaskClient:
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do_login


@pytest.fixture()
def redis_url(app: Flask) -> Iterator[str]:
    """Return the URL of a real Redis for the tests (its own database, emptied around each).

    TRACKER_TEST_REDIS_URL names the server (CI sets it, and then a Redis that does not
    answer fails the test); otherwise the local Redis is used if it answers, else the test
    skips. The jobs use database 14, apart from the rate-limit test's keys.
    """
    import redis

    required = os.environ.get("TRACKER_TEST_REDIS_URL")
    server = redis.Redis.from_url(required or "redis://127.0.0.1:6379/15")
    options = server.connection_pool.connection_kwargs
    url = f"redis://{options.get('host', '127.0.0.1')}:{options.get('port', 6379)}/14"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"TRACKER_TEST_REDIS_URL={url} does not answer: {error}")
        pytest.skip(f"no Redis at {url}")
    client.flushdb()
    yield url
    client.flushdb()


class Mailbox(list):
    """Messages received by the loopback SMTP server during one test."""

    def to(self, address: str) -> list[Message]:
        return [m for m in self if address in m["To"]]


@pytest.fixture()
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """Run a real SMTP server on loopback and point the app's mail module at it."""
    from aiosmtpd.controller import Controller

    received = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(message_from_bytes(envelope.content))
            return "250 OK"

    # aiosmtpd cannot start on port 0 (it probes the port it was given), so pick a free one.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield received
    finally:
        app.config.update(old)
        controller.stop()


class IsolatedClient(ClosingClient):
    """A test client whose every request gets its own app context, as in production.

    The plain client's requests reuse the test's app context, so ``g`` (Flask-Login's
    current user, Flask-Babel's locale) and the database session carry over from one
    request to the next, even between two clients. Tests of sessions need them apart.
    """

    def open(self, *args, **kwargs):
        import contextvars

        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture()
def isolated_client(app: Flask) -> Callable[[], FlaskClient]:
    """Return a factory of clients whose requests share nothing but cookies."""
    return lambda: IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Run a real OpenID Provider (node-oidc-provider) on loopback for the whole session."""
    from tests.oidc_support import running_provider

    with running_provider(tmp_path_factory.mktemp("oidc")) as provider:
        yield provider
