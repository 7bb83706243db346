"""When an e-mail that could not be delivered is tried again, and when it is given up.

Pure rules for the outbox: a temporary failure waits one minute, then twice as
long after every further failure, at most six hours; a message still undelivered
once ``give_up_after`` has passed since it was queued is failed. A permanent
refusal by the mail server (a 5xx reply) fails it at once.
"""

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the ``attempts``-th failed attempt (1, 2, 3, …)."""
    if attempts < 1:
        return timedelta(0)
    # 2**n grows past any sane bound quickly; cap the exponent before multiplying.
    doublings = min(attempts - 1, 20)
    return min(FIRST_RETRY * (2**doublings), LONGEST_WAIT)


def next_attempt(
    *, attempts: int, queued_at: datetime, now: datetime, give_up_after: timedelta
) -> datetime | None:
    """Return when to try again after a temporary failure, or None to give up.

    The last attempt is made when ``give_up_after`` has passed, not skipped because
    the regular wait would overshoot it.
    """
    deadline = queued_at + give_up_after
    if now >= deadline:
        return None
    return min(now + retry_delay(attempts), deadline)


def is_permanent(smtp_code: int | None) -> bool:
    """Return whether a mail server's reply code refuses the message for good (5xx)."""
    return smtp_code is not None and 500 <= smtp_code <= 599
