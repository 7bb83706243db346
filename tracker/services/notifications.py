"""E-mail about plan and stay events, queued by the services and sent after the commit.

A message is composed when the service queues it (in the recipient's language)
and handed to the mail server only once the transaction has committed, so a
refused or rolled-back change never sends mail.
"""

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tracker.domain import policy
from tracker.extensions import db
from tracker.labels import label
from tracker.mail import external_url, send_mail

log = logging.getLogger(__name__)

OUTBOX = "tracker_outbox"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def queue(message: Message) -> None:
    """Queue a message to be sent when the current transaction commits."""
    db.session.info.setdefault(OUTBOX, []).append(message)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for message in session.info.pop(OUTBOX, []):
        try:
            send_mail(message.to, message.subject, message.body)
        except Exception:  # a mail server outage must not undo a committed decision
            log.exception("Could not send e-mail to %s: %s", message.to, message.subject)


@event.listens_for(Session, "after_transaction_end")
def _drop_outbox(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit for a commit (the outbox is empty by then) and alone
    # for a rollback, whose messages must never go out.
    if transaction.parent is None:
        session.info.pop(OUTBOX, None)


def path_for(endpoint: str, **values: Any) -> str:
    """Return the path of an endpoint, also outside a request (CLI, cron)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def link(endpoint: str, **values: Any) -> str:
    """Return the absolute link to an endpoint for an e-mail."""
    return external_url(path_for(endpoint, **values))


def deciders(enrolment: Any) -> list[Any]:
    """Return the supervisors who decide on this enrolment's plan and stays."""
    any_supervisor = current_app.config["ANY_SUPERVISOR_MAY_APPROVE"]
    return [
        user
        for user in enrolment.supervisors
        if user.active and policy.may_decide(user, enrolment, any_supervisor=any_supervisor)
    ]


def _locale(user: Any) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _enrolment_text(enrolment: Any) -> str:
    return f"{enrolment.person.name} ({label(enrolment.kind)}, {enrolment.programme.name})"


def notify_plan_submitted(plan: Any, number: int) -> None:
    """Tell the deciding supervisors that a plan waits for their decision."""
    enrolment = plan.enrolment
    url = link("review.plan", enrolment_id=enrolment.id)
    for user in deciders(enrolment):
        with force_locale(_locale(user)):
            subject = _("Mobility plan to decide on: %(name)s", name=enrolment.person.name)
            body = _(
                "%(who)s has submitted a mobility plan (submission %(number)d).\n\n"
                "Approve it or request changes here:\n%(url)s\n",
                who=_enrolment_text(enrolment),
                number=number,
                url=url,
            )
        queue(Message(user.email, subject, body))


def notify_plan_decided(plan: Any, approved: bool, decider: Any, comment: str) -> None:
    """Tell the candidate that the supervisor approved the plan or asked for changes."""
    enrolment = plan.enrolment
    person = enrolment.person
    url = link("plans.view", enrolment_id=enrolment.id)
    with force_locale(_locale(person)):
        if approved:
            subject = _("Your mobility plan is approved")
            first = _("%(name)s approved your mobility plan.", name=decider.name)
        else:
            subject = _("Changes requested to your mobility plan")
            first = _("%(name)s asked for changes to your mobility plan.", name=decider.name)
        note = _("Comment: %(comment)s", comment=comment) if comment else ""
        body = "\n\n".join(
            part for part in (first, note, _("Open your plan here:\n%(url)s", url=url)) if part
        )
    queue(Message(person.email, subject, body + "\n"))


def notify_stay_reported(stay: Any) -> None:
    """Tell the deciding supervisors that a stay waits for their confirmation."""
    enrolment = stay.enrolment
    url = link("review.stay", stay_id=stay.id)
    for user in deciders(enrolment):
        with force_locale(_locale(user)):
            subject = _("Stay to confirm: %(name)s", name=enrolment.person.name)
            body = _(
                "%(who)s reports the stay at %(host)s as done (%(start)s to %(end)s).\n\n"
                "Confirm it or return it here:\n%(url)s\n",
                who=_enrolment_text(enrolment),
                host=stay.host_institution,
                start=stay.reported_start_date.isoformat(),
                end=stay.reported_end_date.isoformat(),
                url=url,
            )
        queue(Message(user.email, subject, body))


def notify_stay_decided(stay: Any, confirmed: bool, decider: Any, comment: str = "") -> None:
    """Tell the candidate that the reported stay was confirmed or returned."""
    person = stay.enrolment.person
    url = link("plans.view", enrolment_id=stay.enrolment_id)
    with force_locale(_locale(person)):
        if confirmed:
            subject = _("Your stay at %(host)s is confirmed", host=stay.host_institution)
            first = _("%(name)s confirmed your stay.", name=decider.name)
        else:
            subject = _("Your stay report for %(host)s was returned", host=stay.host_institution)
            first = _("%(name)s returned your report of the stay.", name=decider.name)
        note = _("Comment: %(comment)s", comment=comment) if comment else ""
        body = "\n\n".join(
            part for part in (first, note, _("Open your plan here:\n%(url)s", url=url)) if part
        )
    queue(Message(person.email, subject, body + "\n"))
