"""Send e-mail over SMTP, or write it to the log with its set-password links hidden."""

import logging
import re
import smtplib
from email.message import EmailMessage
from typing import Any

import click
from flask import current_app

from tracker.domain.text import single_line

log = logging.getLogger(__name__)

# A set-password link is a password in all but name: whoever reads it can take the account.
_SET_PASSWORD_TOKEN = re.compile(r"(/set-password/)[^\s\"'<>]+")
HIDDEN_TOKEN = "[hidden]"  # noqa: S105 - the placeholder


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or write it to the log with the "log" backend."""
    config = current_app.config
    if mail_backend() == "log":
        _write_to_log(to, subject, body)
        return
    message = EmailMessage()
    # A header value with a line break would be refused (or, worse, add a header).
    message["From"] = single_line(config["MAIL_FROM"])
    message["To"] = single_line(to)
    message["Subject"] = single_line(subject)
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def mail_backend() -> str:
    """Return how e-mail leaves: TRACKER_MAIL_BACKEND, else smtp with a server and log without."""
    config = current_app.config
    return config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "log")


def hide_tokens(text: str) -> str:
    """Return ``text`` with the token of every set-password link replaced by a placeholder."""
    return _SET_PASSWORD_TOKEN.sub(rf"\g<1>{HIDDEN_TOKEN}", text)


def _write_to_log(to: str, subject: str, body: str) -> None:
    log.info(
        "E-mail (written to the log, not sent)\nTo: %s\nSubject: %s\n\n%s",
        to,
        subject,
        hide_tokens(body),
    )
    if current_app.config.get("MAIL_ECHO"):
        # Straight to the developer's terminal, past every log handler and file.
        click.echo(f"--- e-mail to {to}: {subject} ---\n{body}\n---", err=True)


def external_url(endpoint_path: str) -> str:
    """Return an absolute link for e-mails, built from TRACKER_BASE_URL."""
    return f"{current_app.config['BASE_URL']}{endpoint_path}"


def link(endpoint: str, **values: Any) -> str:
    """Return the absolute link to an endpoint for an e-mail, also outside a request."""
    # Built from the URL map alone: no request context, so none of a request's side effects.
    return external_url(current_app.url_map.bind("localhost").build(endpoint, values))
