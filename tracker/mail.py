"""Send e-mail over SMTP; without a configured server, write it to the log instead."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or log it when TRACKER_MAIL_SERVER is not set."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    if not config.get("MAIL_SERVER"):
        log.info("E-mail (no mail server configured)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def external_url(endpoint_path: str) -> str:
    """Return an absolute link for e-mails, built from TRACKER_BASE_URL."""
    return f"{current_app.config['BASE_URL']}{endpoint_path}"
