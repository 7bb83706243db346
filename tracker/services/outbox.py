"""The outbox: every e-mail is a row written with the change that causes it.

``queue_mail`` is the one way the tracker sends mail. The row is part of the
caller's transaction: a change that rolls back sends nothing, and a mail server
that is down loses nothing. Once the transaction commits, a background job
(tracker.jobs) delivers what is due; ``deliver_due`` claims messages so that
several workers never send one twice (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
a claim written with a conditional UPDATE everywhere), retries temporary
failures with backoff (tracker.domain.delivery) and fails a message at once on
a permanent refusal.
"""

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_

from tracker import jobs
from tracker.domain.delivery import is_permanent, next_attempt
from tracker.domain.text import single_line
from tracker.domain.vocabulary import MailStatus
from tracker.extensions import db
from tracker.mail import send_mail
from tracker.models import OutboxMessage, User
from tracker.models.base import as_utc, utcnow
from tracker.services.audit import record

log = logging.getLogger(__name__)

# How long a worker may hold a message it is sending before another may take it.
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 50


def queue_mail(to: User | str, subject: str, body: str, *, kind: str) -> OutboxMessage:
    """Queue an e-mail in the current transaction; it is delivered after the commit."""
    recipient = to if isinstance(to, User) else None
    message = OutboxMessage(
        recipient_id=recipient.id if recipient is not None else None,
        to_address=recipient.email if recipient is not None else to,
        subject=single_line(subject)[:300],
        body=body,
        kind=kind,
        status=MailStatus.QUEUED,
    )
    db.session.add(message)
    db.session.flush()
    jobs.enqueue_after_commit("deliver_mail")
    return message


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(*, include_waiting: bool = False) -> Delivery:
    """Send the queued messages that are due (with ``include_waiting``, all); commit each.

    This is a job's whole unit of work, so it commits as it goes: a message sent
    is recorded as sent before the next one is tried.
    """
    done = Delivery()
    after_id = 0  # each message is tried at most once per run, even one that waits again
    while True:
        batch = _claim(include_waiting, after_id)
        if not batch:
            return done
        for message in batch:
            _deliver(message, done)
        after_id = batch[-1].id


def _claim(include_waiting: bool, after_id: int) -> list[OutboxMessage]:
    """Claim up to BATCH queued messages (ids above ``after_id``); commit the claim."""
    now = utcnow()
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    candidates = db.select(OutboxMessage.id).where(
        OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.id > after_id, free
    )
    if not include_waiting:
        candidates = candidates.where(OutboxMessage.due_at <= now)
    candidates = candidates.order_by(OutboxMessage.id).limit(BATCH)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.commit()
        return []
    claim = secrets.token_hex(16)
    # The same condition again: a row another worker claimed meanwhile is not taken.
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.QUEUED, free)
        .values(claim=claim, claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.claim == claim).order_by(OutboxMessage.id)
        )
    )


def _deliver(message: OutboxMessage, done: Delivery) -> None:
    message.attempts += 1
    try:
        send_mail(message.to_address, message.subject, message.body)
    except Exception as error:  # recorded on the message: never lost silently
        code = _smtp_code(error)
        message.last_error = _describe(error, code)
        now = utcnow()
        # Anything but a mail server's or the network's answer is a fault of the message
        # itself (a header it cannot carry): trying again would only fail again.
        transient = isinstance(error, smtplib.SMTPException | OSError) and not is_permanent(code)
        retry_at = (
            None
            if not transient
            else next_attempt(
                attempts=message.attempts,
                queued_at=as_utc(message.queued_at),
                now=now,
                give_up_after=timedelta(hours=current_app.config["MAIL_GIVE_UP_HOURS"]),
            )
        )
        if retry_at is None:
            message.status = MailStatus.FAILED
            done.failed += 1
            log.warning("E-mail %s to %s failed: %s", message.id, message.to_address, error)
        else:
            message.due_at = retry_at
            done.retrying += 1
    else:
        message.status = MailStatus.SENT
        message.sent_at = utcnow()
        message.last_error = None
        done.sent += 1
    message.claim = None
    message.claimed_until = None
    db.session.commit()


def _smtp_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return min(codes) if codes else None
    code = getattr(error, "smtp_code", None)
    return code if isinstance(code, int) else None


def _describe(error: Exception, code: int | None) -> str:
    text = f"{type(error).__name__}: {error}"
    return (f"{code} {text}" if code else text)[:2000]


def get_counts() -> dict[str, int]:
    """Return how many messages are queued, sent and failed."""
    counts = dict(
        db.session.execute(
            db.select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return {status.value: counts.get(status, 0) for status in MailStatus}


def select_failed() -> Any:
    """Return a query of the failed messages, newest first."""
    return (
        db.select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
    )


def resend(messages: list[OutboxMessage], actor: Any = None) -> int:
    """Queue failed messages again, due now, with a new delivery window; return how many."""
    now = utcnow()
    count = 0
    for message in messages:
        if message.status != MailStatus.FAILED:
            continue
        message.status = MailStatus.QUEUED
        message.queued_at = now
        message.due_at = now
        message.attempts = 0
        count += 1
    if count:
        db.session.flush()
        jobs.enqueue_after_commit("deliver_mail")
        record("mail_resent", actor, count=count, ids=[m.id for m in messages][:100])
    return count
