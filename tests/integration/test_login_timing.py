"""Log-in and forgotten passwords take as long for unknown addresses as for known ones."""

import statistics
import time

import pytest

from tests.conftest import PASSWORD
from tracker.extensions import db, limiter
from tracker.models import user as user_module


@pytest.fixture()
def client(isolated_client):
    return isolated_client()


# --- Log-in takes as long for an unknown address as for a wrong password -----------------


def work_time() -> float:
    """Return the CPU time of this thread, which serves the test client's requests.

    What the app does is the claim under test; wall-clock time on a machine shared with
    other jobs would mostly measure them.
    """
    return time.thread_time()


def timed_login(client, email: str, password: str) -> float:
    limiter.reset()  # the limit would stop the series long before the clock could tell
    start = work_time()
    response = client.post("/auth/login", data={"email": email, "password": password})
    elapsed = work_time() - start
    assert response.status_code == 200
    return elapsed


def test_unknown_and_known_addresses_take_the_same_time(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    known = make_user("known@example.org")
    known.set_password(PASSWORD, method="scrypt")
    make_user("invited@example.org", password=None)
    inactive = make_user("inactive@example.org")
    inactive.set_password(PASSWORD, method="scrypt")
    inactive.active = False
    db.session.commit()
    attempts = {
        "wrong password": ("known@example.org", "not the password"),
        "unknown address": ("nobody@example.org", "not the password"),
        "no password yet": ("invited@example.org", "not the password"),
        "deactivated": ("inactive@example.org", PASSWORD),
    }
    timed_login(client, "warm@example.org", "warm-up")  # makes and caches the dummy hash
    times: dict[str, list[float]] = {name: [] for name in attempts}
    for _ in range(7):
        for name, (email, password) in attempts.items():
            times[name].append(timed_login(client, email, password))
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["wrong password"]
    for name, median in medians.items():
        assert 1 / 1.5 < median / base < 1.5, (name, medians)


def test_forgot_password_takes_as_long_for_unknown_addresses(app, client, make_user):
    """The answer is the same work for every address; the lookup is a job after it."""
    make_user("known@example.org")
    times: dict[str, list[float]] = {"known@example.org": [], "nobody@example.org": []}
    for _ in range(25):
        for email, values in times.items():
            limiter.reset()
            start = work_time()
            # Unbuffered: the response is complete before the after-response job runs.
            response = client.post("/auth/forgot", data={"email": email}, buffered=False)
            values.append(work_time() - start)
            assert response.status_code == 302
            response.close()  # as the server does once the answer is sent: the job runs
    known, unknown = (statistics.median(values) for values in times.values())
    assert 1 / 1.5 < unknown / known < 1.5, (known, unknown)


def test_the_dummy_hash_is_made_once_with_the_configured_method(
    app, client, make_user, monkeypatch
):
    made = []
    real = user_module.generate_password_hash

    def counting(password, method, **kwargs):
        made.append(method)
        return real(password, method=method, **kwargs)

    user_module._dummy_hash.cache_clear()
    monkeypatch.setattr(user_module, "generate_password_hash", counting)
    for n in range(3):
        client.post("/auth/login", data={"email": f"x{n}@example.org", "password": "whatever"})
    assert made == [app.config["PASSWORD_HASH_METHOD"]]
    user_module._dummy_hash.cache_clear()


def test_the_dummy_hash_never_lets_anyone_in(app, make_user):
    method = app.config["PASSWORD_HASH_METHOD"]
    invited = make_user(password=None)
    assert not user_module.password_matches(None, "", method)
    assert not user_module.password_matches(invited, "", method)
    assert user_module.password_matches(make_user(), PASSWORD, method)
