"""E-mail about plan and stay events, composed by the services and put in the outbox.

A message is composed when the service queues it (in the recipient's language)
and written to the outbox in the same transaction (tracker.services.outbox), so a
refused or rolled-back change never sends mail and a mail server that is down
loses none.
"""

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.domain import policy
from tracker.labels import label
from tracker.mail import link
from tracker.presentation import format_day
from tracker.services.outbox import queue_mail


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
        queue_mail(user, subject, body, kind="notification")


def notify_plan_withdrawn(plan: Any, number: int) -> None:
    """Tell the deciding supervisors that a plan they were to decide on was taken back."""
    enrolment = plan.enrolment
    url = link("plans.view", enrolment_id=enrolment.id)
    for user in deciders(enrolment):
        with force_locale(_locale(user)):
            subject = _("Mobility plan withdrawn: %(name)s", name=enrolment.person.name)
            body = _(
                "%(who)s has withdrawn the mobility plan submitted for your decision "
                "(submission %(number)d). There is nothing to decide until it is submitted "
                "again.\n\nThe plan:\n%(url)s\n",
                who=_enrolment_text(enrolment),
                number=number,
                url=url,
            )
        queue_mail(user, subject, body, kind="notification")


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
    queue_mail(person, subject, body + "\n", kind="notification")


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
                start=format_day(stay.reported_start_date),
                end=format_day(stay.reported_end_date),
                url=url,
            )
        queue_mail(user, subject, body, kind="notification")


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
    queue_mail(person, subject, body + "\n", kind="notification")
