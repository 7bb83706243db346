"""Request bodies: refused with 413 before they are read when over TRACKER_MAX_UPLOAD_MB."""

import io

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.conftest import PASSWORD

MB = 1024 * 1024


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


# --- Request bodies ----------------------------------------------------------------------


class CountingBody(io.RawIOBase):
    """A request body of ``size`` bytes, ``head`` first, that counts how much was read."""

    def __init__(self, size: int, head: bytes = b"") -> None:
        self.size = size
        self.head = head
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.consumed)
        head = self.head[self.consumed : self.consumed + n]
        buffer[:n] = head + b"a" * (n - len(head))
        self.consumed += n
        return n


BOUNDARY = "tracker-test-boundary"
MULTIPART_HEAD = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="email"\r\n\r\nsomeone@example.org\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
).encode()
CONTENT_TYPES = {
    "multipart": (f"multipart/form-data; boundary={BOUNDARY}", MULTIPART_HEAD),
    "urlencoded": ("application/x-www-form-urlencoded", b"email=someone%40example.org&password="),
}


def post_body(client, path: str, body: CountingBody, content_type: str, *, announce: bool, **kw):
    """POST ``body`` as it arrives: with its Content-Length, or streamed without one."""
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type, **kw)
    environ = environ.get_environ()
    environ["wsgi.input"] = body
    if announce:
        environ["CONTENT_LENGTH"] = str(body.size)
    else:
        # A server that de-chunks the body itself (gunicorn does) says so with this key.
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    return client.open(Request(environ))


@pytest.mark.parametrize("kind", sorted(CONTENT_TYPES))
def test_a_body_announced_too_large_is_refused_before_it_is_read(app, client, kind):
    content_type, head = CONTENT_TYPES[kind]
    body = CountingBody(100 * MB, head)
    response = post_body(client, "/auth/login", body, content_type, announce=True)
    assert response.status_code == 413
    assert body.consumed == 0
    page = response.get_data(as_text=True)
    assert "<h1>" in page
    assert "a file may be at most 5 MB" in page


@pytest.mark.parametrize("kind", sorted(CONTENT_TYPES))
def test_a_streamed_body_is_read_only_up_to_the_limit(app, client, kind):
    content_type, head = CONTENT_TYPES[kind]
    body = CountingBody(100 * MB, head)
    response = post_body(client, "/auth/login", body, content_type, announce=False)
    assert response.status_code == 413
    assert body.consumed <= app.config["MAX_CONTENT_LENGTH"] + MB
    assert "a file may be at most 5 MB" in response.get_data(as_text=True)


def test_the_limit_follows_the_setting_and_says_so_in_norwegian(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 * MB + 64 * 1024)
    content_type, head = CONTENT_TYPES["multipart"]
    body = CountingBody(2 * MB, head)
    response = post_body(
        client, "/auth/login", body, content_type, announce=True, headers={"Accept-Language": "nb"}
    )
    assert response.status_code == 413
    assert body.consumed == 0
    assert "en fil kan være på høyst 1 MB" in response.get_data(as_text=True)


def test_a_streamed_form_within_the_limit_is_read(app, client, make_user):
    user = make_user()
    form = f"email={user.email}&password={PASSWORD}".encode()
    body = CountingBody(len(form), form)
    content_type = CONTENT_TYPES["urlencoded"][0]
    response = post_body(client, "/auth/login", body, content_type, announce=False)
    assert response.status_code == 302
    assert body.consumed == len(form)


def test_a_body_within_the_limit_is_read(app, client, make_user):
    user = make_user()
    body = f"email={user.email}&password={PASSWORD}&padding=".encode()
    data = body + b"a" * (400 * 1024)  # within the form's own limit too
    response = client.post(
        "/auth/login", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302


SETTINGS_SCRIPT = """
import json
from config import Config
names = ["MAX_UPLOAD_MB", "MAX_CONTENT_LENGTH", "PROXY_HOPS", "SESSION_IDLE_MINUTES",
         "SESSION_MAX_HOURS", "MAIL_BACKEND"]
print(json.dumps({name: getattr(Config, name) for name in names}))
"""


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, [5, 5 * MB + 64 * 1024, 0, 120, 12, None]),
        (
            {
                "TRACKER_MAX_UPLOAD_MB": "8",
                "TRACKER_PROXY_HOPS": "2",
                "TRACKER_SESSION_IDLE_MINUTES": "30",
                "TRACKER_SESSION_MAX_HOURS": "8",
                "TRACKER_MAIL_BACKEND": " Log ",
            },
            [8, 8 * MB + 64 * 1024, 2, 30, 8, "log"],
        ),
    ],
)
def test_settings_come_from_the_environment(environ, expected):
    # A fresh interpreter, as gunicorn would start it: config.py reads the environment.
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SETTINGS_SCRIPT],
        env={**clean, **environ, "PYTHONPATH": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert list(json.loads(result.stdout).values()) == expected
