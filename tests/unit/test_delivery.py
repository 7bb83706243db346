"""The outbox's retry rules: back off from a minute to six hours, give up at the deadline."""

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.delivery import is_permanent, next_attempt, retry_delay

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
DAY2 = timedelta(hours=48)


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (8, 128), (9, 256), (10, 360), (10**6, 360)],
)
def test_the_wait_doubles_up_to_six_hours(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_the_waits_are_never_shorter_than_the_last():
    waits = [retry_delay(n) for n in range(1, 200)]
    assert waits == sorted(waits)
    assert max(waits) == timedelta(hours=6)


def test_a_retry_is_scheduled_after_the_wait():
    now = T0 + timedelta(minutes=5)
    assert next_attempt(attempts=3, queued_at=T0, now=now, give_up_after=DAY2) == now + timedelta(
        minutes=4
    )


def test_the_last_attempt_is_made_at_the_deadline_then_it_gives_up():
    almost = T0 + DAY2 - timedelta(hours=1)
    assert next_attempt(attempts=30, queued_at=T0, now=almost, give_up_after=DAY2) == T0 + DAY2
    assert next_attempt(attempts=31, queued_at=T0, now=T0 + DAY2, give_up_after=DAY2) is None


@pytest.mark.parametrize(("code", "permanent"), [(None, False), (421, False), (451, False),
                                                 (499, False), (500, True), (550, True),
                                                 (554, True), (600, False)])  # fmt: skip
def test_only_a_5xx_reply_is_permanent(code, permanent):
    assert is_permanent(code) is permanent
